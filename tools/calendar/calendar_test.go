package calendar

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// written is the day the calendar's facts were checked: the tests judge
// the calendar as of that day, not of the wall clock, so that `make test`
// keeps passing while `make calendar` starts to warn.
var written = mustDay("2026-12-02")

func mustDay(s string) time.Time {
	d, err := Day(s)
	if err != nil {
		panic(err)
	}
	return d
}

func entries(t *testing.T) []Entry {
	t.Helper()
	e, err := Entries()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestNothingIsDueOnTheDayItWasChecked: the calendar passes as written.
func TestNothingIsDueOnTheDayItWasChecked(t *testing.T) {
	if due := DueOn(entries(t), written); len(due) != 0 {
		t.Errorf("due on %s: %v", written.Format(DateLayout), headlines(due))
	}
}

// TestAPastDeadlineIsDue: the day after AKS ends 1.35 it is due, with
// negative days left, and still listed.
func TestAPastDeadlineIsDue(t *testing.T) {
	day := mustDay("2027-04-01")
	due := DueOn(entries(t), day)
	i := slices.IndexFunc(due, func(e Entry) bool { return e.Pin.Name == PinKubernetes && e.Pin.Version == "1.35" })
	if i < 0 {
		t.Fatalf("Kubernetes 1.35 (end of life 2027-03-31) is not due on 2027-04-01; due: %v", headlines(due))
	}
	if n := due[i].DaysLeft(day); n != -1 {
		t.Errorf("days left %d, want -1", n)
	}
}

// TestEveryDeadlineIsDueFromSixtyDaysBefore: each entry that is not cleared
// is due exactly from Window days before its date on, and not the day
// before that.
func TestEveryDeadlineIsDueFromSixtyDaysBefore(t *testing.T) {
	for _, e := range entries(t) {
		d := mustDay(e.Date)
		at, before := d.AddDate(0, 0, -Window), d.AddDate(0, 0, -Window-1)
		if e.ClearedBy != nil {
			if e.Due(at) || e.Due(d.AddDate(1, 0, 0)) {
				t.Errorf("%s %s is cleared (%s) but due", e.Date, e.Headline, e.ClearedBy.Where)
			}
			continue
		}
		if !e.Due(at) {
			t.Errorf("%s %s: not due %d days before", e.Date, e.Headline, Window)
		}
		if e.Due(before) {
			t.Errorf("%s %s: due %d days before", e.Date, e.Headline, Window+1)
		}
		if !e.Due(d.AddDate(0, 0, 1)) {
			t.Errorf("%s %s: not due the day after", e.Date, e.Headline)
		}
	}
}

// TestTextListsNearestFirstWithDaysLeft: one line per entry, by date, with
// the days left; the due ones are marked and then given in full.
func TestTextListsNearestFirstWithDaysLeft(t *testing.T) {
	all := entries(t)
	var out bytes.Buffer
	day := mustDay("2027-02-15")
	n := Text(&out, all, day)
	lines := regexp.MustCompile(`(?m)^([ !]) (\d{4}-\d{2}-\d{2})  (in \d+ days?|today|\d+ days? ago) +(.*)$`).FindAllStringSubmatch(out.String(), -1)
	if len(lines) != len(all) {
		t.Fatalf("%d listed entries, want %d:\n%s", len(lines), len(all), out.String())
	}
	var dates []string
	marked := 0
	for _, l := range lines {
		dates = append(dates, l[2])
		if l[1] == "!" {
			marked++
		}
	}
	if !slices.IsSorted(dates) {
		t.Errorf("not nearest first: %v", dates)
	}
	want := DueOn(all, day)
	if n != len(want) || marked != len(want) || len(want) == 0 {
		t.Errorf("Text returned %d and marked %d due, want %d (a date chosen to have some)", n, marked, len(want))
	}
	for _, e := range want {
		if !strings.Contains(out.String(), e.Do) {
			t.Errorf("the due %s is not given in full (what to do missing)", e.Headline)
		}
	}
	if !strings.Contains(out.String(), "2027-03-31  in 44 days") {
		t.Errorf("days left missing:\n%s", out.String())
	}
}

// TestMarkdownNamesTheDueEntries: the issue body starts with the due
// entries, then lists the whole calendar.
func TestMarkdownNamesTheDueEntries(t *testing.T) {
	all := entries(t)
	var out bytes.Buffer
	if n := Markdown(&out, all, written); n != 0 || !strings.HasPrefix(out.String(), "Nothing of the calendar is due") {
		t.Errorf("as written: %d due:\n%s", n, out.String())
	}
	out.Reset()
	day := mustDay("2027-04-01")
	n := Markdown(&out, all, day)
	if n == 0 || n != len(DueOn(all, day)) {
		t.Fatalf("Markdown returned %d", n)
	}
	body := out.String()
	if !strings.Contains(body, "**2027-03-31 (1 day ago): Kubernetes 1.35 leaves AKS support.**") {
		t.Errorf("the past deadline is not named:\n%s", body)
	}
	if strings.Count(body, "\n| 20") != len(all) {
		t.Errorf("the table does not list every entry:\n%s", body)
	}
}

// TestEntriesAreComplete: every entry says when, what, what it concerns,
// where that came from and when it was read, and what to do.
func TestEntriesAreComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range entries(t) {
		if _, err := Day(e.Date); err != nil {
			t.Errorf("%s: %v", e.Headline, err)
		}
		if _, err := Day(e.Checked); err != nil {
			t.Errorf("%s: checked: %v", e.Headline, err)
		}
		for field, v := range map[string]string{"Headline": e.Headline, "What": e.What, "Pin.Name": e.Pin.Name, "Pin.Version": e.Pin.Version, "Pin.Where": e.Pin.Where, "Source": e.Source, "Do": e.Do} {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s %s: %s is empty", e.Date, e.Headline, field)
			}
		}
		switch e.Kind {
		case Deadline, Review:
		case Estimate:
			if e.DateNote == "" {
				t.Errorf("%s %s: an estimate must say how its date was derived (DateNote)", e.Date, e.Headline)
			}
		default:
			t.Errorf("%s %s: kind %q", e.Date, e.Headline, e.Kind)
		}
		if e.Kind != Review && e.Pin.Name != PinPrices && !strings.Contains(e.Source, "https://") {
			t.Errorf("%s %s: the source has no address: %s", e.Date, e.Headline, e.Source)
		}
		key := e.Date + " " + e.Headline
		if seen[key] {
			t.Errorf("%s twice", key)
		}
		seen[key] = true
	}
}

// TestCheckProvidersComparesThePins: the pins the calendar was written for
// pass; older, newer or missing pins fail, each with a line that names the
// provider and both versions; a pin below the one that clears an entry
// names that entry.
func TestCheckProvidersComparesThePins(t *testing.T) {
	all := entries(t)
	if errs := CheckProviders(all, map[string]string{"azurerm": "4.81.0", "kubernetes": "3.2.1"}); len(errs) != 0 {
		t.Errorf("the written-for pins: %v", errs)
	}
	errs := CheckProviders(all, map[string]string{"azurerm": "4.31.0", "kubernetes": "2.37.1"})
	text := joined(errs)
	for _, want := range []string{"azurerm 4.81.0, the repository pins azurerm 4.31.0", "kubernetes 3.2.1, the repository pins kubernetes 2.37.1",
		"Key Vault control-plane API versions before 2026-02-01 retire: cleared only from azurerm 4.81.0 on, but the repository pins azurerm 4.31.0"} {
		if !strings.Contains(text, want) {
			t.Errorf("old pins: no %q in:\n%s", want, text)
		}
	}
	if len(errs) != 3 {
		t.Errorf("old pins: %d errors, want 3:\n%s", len(errs), text)
	}
	errs = CheckProviders(all, map[string]string{"azurerm": "5.2.0", "kubernetes": "3.2.1"})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "the repository pins azurerm 5.2.0") {
		t.Errorf("a newer azurerm: %s", joined(errs))
	}
	errs = CheckProviders(all, map[string]string{"kubernetes": "3.2.1"})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "no pin of azurerm") {
		t.Errorf("no azurerm pin: %s", joined(errs))
	}
	if errs := CheckProviders(all, map[string]string{"azurerm": "4.81", "kubernetes": "3.2.1"}); len(errs) != 1 {
		t.Errorf("4.81 is not 4.81.0: %s", joined(errs))
	}
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"4.9.1", "4.81.0", -1}, {"4.81.0", "4.81.0", 0}, {"5.0.0", "4.81.0", 1}, {"4.81", "4.81.0", 0}} {
		if got, err := compareVersions(c.a, c.b); err != nil || got != c.want {
			t.Errorf("compareVersions(%s, %s) = %d, %v; want %d", c.a, c.b, got, err, c.want)
		}
	}
	if _, err := compareVersions("4.81.0-beta", "4.81.0"); err == nil {
		t.Error("4.81.0-beta compared")
	}
}

func headlines(es []Entry) []string {
	var s []string
	for _, e := range es {
		s = append(s, e.Date+" "+e.Headline)
	}
	return s
}

func joined(errs []error) string {
	var s []string
	for _, err := range errs {
		s = append(s, err.Error())
	}
	return strings.Join(s, "\n")
}
