package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func runAt(t *testing.T, now time.Time, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, now, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// written is the afternoon of the day the calendar was checked.
var written = time.Date(2026, 12, 2, 15, 4, 5, 0, time.UTC)

// TestPassesOnTheDayItWasWritten: as of the day of its check (the clock's
// day, and the same day given with -date) nothing is due.
func TestPassesOnTheDayItWasWritten(t *testing.T) {
	for _, args := range [][]string{nil, {"-date", "2026-12-02"}} {
		code, out, errOut := runAt(t, written, args...)
		if code != 0 || !strings.Contains(out, "as of 2026-12-02") || !strings.Contains(out, "Nothing is due within 60 days.") {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
}

// TestFailsPastADeadline: a day after AKS ends Kubernetes 1.35 the command
// fails and names it, with the days since.
func TestFailsPastADeadline(t *testing.T) {
	code, out, errOut := runAt(t, written, "-date", "2027-04-01")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(out, "2027-03-31 (1 day ago): Kubernetes 1.35 leaves AKS support") {
		t.Errorf("the past deadline is not named:\n%s", out)
	}
	if !strings.Contains(errOut, "within 60 days of 2027-04-01 or past") {
		t.Errorf("stderr: %s", errOut)
	}
}

// TestFailsWithinSixtyDays: 60 days before the AKS end of Kubernetes 1.37
// the command fails and names it; the day before, it passes.
func TestFailsWithinSixtyDays(t *testing.T) {
	code, out, _ := runAt(t, written, "-date", "2027-09-01")
	if code != 1 || !strings.Contains(out, "2027-10-31 (in 60 days): Kubernetes 1.37 leaves AKS support") {
		t.Errorf("60 days before: exit %d\n%s", code, out)
	}
	if strings.Contains(out, "(in 61 days)") {
		t.Errorf("an entry 61 days away is given as due:\n%s", out)
	}
	// 2027-08-31: 61 days before 2027-10-31; 1.37 is listed but not due
	// (the earlier deadlines, then past, are).
	code, out, _ = runAt(t, written, "-date", "2027-08-31")
	if code != 1 || strings.Contains(out, "2027-10-31 (in 61 days)") || !strings.Contains(out, "2027-10-31  in 61 days") {
		t.Errorf("61 days before: exit %d\n%s", code, out)
	}
}

// TestMarkdownForTheIssue: -format markdown gives the due entries first.
func TestMarkdownForTheIssue(t *testing.T) {
	code, out, _ := runAt(t, written, "-date", "2027-04-01", "-format", "markdown")
	if code != 1 || !strings.Contains(out, "- **2027-03-31 (1 day ago): Kubernetes 1.35 leaves AKS support.**") || !strings.Contains(out, "| date | when | deadline | concerns |") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// TestBadUsage: a malformed date, an unknown format or an argument exit 2
// and say why.
func TestBadUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-date", "2027-13-01"}, `date "2027-13-01" is not YYYY-MM-DD`},
		{[]string{"-date", "tomorrow"}, `date "tomorrow" is not YYYY-MM-DD`},
		{[]string{"-format", "html"}, `-format "html": text or markdown`},
		{[]string{"extra"}, "usage: calendar"},
	} {
		code, out, errOut := runAt(t, written, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q", c.args, code, errOut, out)
		}
	}
}
