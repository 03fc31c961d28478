package config

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// devRunningHours reads, from the cron lines of the dev off-hours workflow
// (the one place the schedule lives), the UTC minutes of the day at which
// development clusters start and stop on weekdays; they stay stopped over
// the weekend.
func devRunningHours(t *testing.T) (start, stop int) {
	t.Helper()
	raw, err := os.ReadFile("../.github/workflows/dev-schedule.yml")
	if err != nil {
		t.Fatal(err)
	}
	crons := regexp.MustCompile(`cron: "(\d+) (\d+) \* \* 1-5"`).FindAllStringSubmatch(string(raw), -1)
	if len(crons) != 2 {
		t.Fatalf("dev-schedule.yml: %d weekday cron lines, want a start and a stop", len(crons))
	}
	minutes := func(m []string) int {
		h, _ := strconv.Atoi(m[2])
		mm, _ := strconv.Atoi(m[1])
		return h*60 + mm
	}
	// scripts/dev-schedule.sh starts for a cron before 12:00 UTC, stops for
	// a later one.
	start, stop = minutes(crons[0]), minutes(crons[1])
	if start >= 12*60 || stop < 12*60 {
		t.Fatalf("dev-schedule.yml: start at %d min, stop at %d min after midnight UTC", start, stop)
	}
	return start, stop
}

// AKS upgrades nothing while a cluster is stopped, so a development
// environment's maintenance window must fall while the off-hours schedule
// keeps its cluster running, or patches and node images never arrive.
func TestDevelopmentMaintenanceWindowsFallWhileRunning(t *testing.T) {
	start, stop := devRunningHours(t)
	cfgs, err := LoadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	weekdays := map[string]bool{"Monday": true, "Tuesday": true, "Wednesday": true, "Thursday": true, "Friday": true}
	for _, c := range cfgs {
		if c.Production {
			continue
		}
		w := c.Kubernetes.MaintenanceWindow
		if msg := windowOutside(w, weekdays, start, stop); msg != "" {
			t.Errorf("%s: /kubernetes/maintenanceWindow (%s %s, %d h, UTC%s) %s; the dev off-hours schedule runs development clusters on weekdays from %02d:%02d to %02d:%02d UTC (.github/workflows/dev-schedule.yml)",
				c.File, w.DayOfWeek, w.StartTime, w.DurationHours, w.UTCOffset, msg, start/60, start%60, stop/60, stop%60)
		}
	}
}

// windowOutside says how w falls outside the weekday hours [start, stop)
// (minutes after midnight UTC), or "" when it lies within them.
func windowOutside(w MaintenanceWindow, weekdays map[string]bool, start, stop int) string {
	at, err := time.Parse("15:04", w.StartTime)
	if err != nil {
		return "has no valid start time"
	}
	offset, err := time.Parse("-07:00", w.UTCOffset)
	if err != nil {
		return "has no valid UTC offset"
	}
	_, seconds := offset.Zone()
	begin := at.Hour()*60 + at.Minute() - seconds/60
	end := begin + w.DurationHours*60
	if begin < 0 || end > 24*60 {
		return "crosses midnight UTC"
	}
	if !weekdays[w.DayOfWeek] {
		return "falls on a weekend, when the cluster is stopped"
	}
	if begin < start || end > stop {
		return fmt.Sprintf("runs from %02d:%02d to %02d:%02d UTC, partly while the cluster is stopped", begin/60, begin%60, end/60, end%60)
	}
	return ""
}

func TestWindowOutside(t *testing.T) {
	week := map[string]bool{"Wednesday": true}
	for _, c := range []struct {
		w    MaintenanceWindow
		fits bool
	}{
		{MaintenanceWindow{"Wednesday", "10:00", 4, "+00:00"}, true},
		{MaintenanceWindow{"Sunday", "02:00", 4, "+00:00"}, false},
		{MaintenanceWindow{"Wednesday", "02:00", 4, "+00:00"}, false},
		{MaintenanceWindow{"Wednesday", "16:00", 4, "+00:00"}, false},
		{MaintenanceWindow{"Wednesday", "11:00", 4, "+02:00"}, true},  // 09:00-13:00 UTC
		{MaintenanceWindow{"Wednesday", "05:00", 4, "-05:00"}, true},  // 10:00-14:00 UTC
		{MaintenanceWindow{"Wednesday", "22:00", 4, "-05:00"}, false}, // next day in UTC
	} {
		if got := windowOutside(c.w, week, 6*60+30, 19*60); (got == "") != c.fits {
			t.Errorf("%+v: %q", c.w, got)
		}
	}
}
