// Package calendar is the dated list of every deadline that breaks this
// deployment: Kubernetes minors leaving AKS support, Azure API retirements
// that touch the pinned providers, end of life of the tooling's runtimes
// (Node.js, Go, Terraform, the GitHub Actions runtime), and the dates by
// which unannounced facts and the price table must be checked again.
//
// The entries live only in entries.go: `make calendar` (cmd/calendar)
// prints them and fails when one is near, docs/calendar.md's tables are
// generated from them (make docs), and the tests compare them with the pins
// they concern (config/schema.json, go.mod, the workflows, the price table,
// the provider pins). The package imports only the standard library and
// tools/cost, so the command starts without jsii or cdktf.
package calendar

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Window is how close a deadline may come before `make calendar` fails.
const Window = 60

// DateLayout is how every date of the calendar is written.
const DateLayout = "2006-01-02"

// Kind says how sure the date of an entry is.
type Kind string

const (
	// Deadline: the date is the source's, or follows from a rule the
	// source states (DateNote says which).
	Deadline Kind = "deadline"
	// Estimate: the source names no date; DateNote says how this one was
	// derived and why it errs early.
	Estimate Kind = "estimate"
	// Review: nothing is announced; by this date the facts must be checked
	// again and the entry renewed (What says why this interval).
	Review Kind = "review"
)

// Pin is what an entry concerns: a version the repository pins.
type Pin struct {
	Name    string // a Pin* constant: the key the tests compare with the repository
	Version string // as the repository pins it ("1.35", "4.81.0", "22")
	Where   string // where the repository pins it, for the reader
}

// Names of the pins the tests compare with the repository.
const (
	PinKubernetes  = "kubernetes.version" // config/schema.json
	PinAzurerm     = "azurerm"            // the azurerm provider
	PinKubernetesP = "kubernetes"         // the kubernetes provider
	PinNode        = "node"               // Node.js major of the tooling
	PinGo          = "go"                 // go.mod's go directive
	PinTerraform   = "terraform"          // Terraform of the pipeline
	PinActions     = "actions"            // the actions the workflows use
	PinRunner      = "runner"             // the runner image of every job
	PinPrices      = "prices"             // a price table, tools/cost/prices-<region>.json
)

// Entry is one deadline.
type Entry struct {
	Date     string // YYYY-MM-DD it breaks on, or for a Review, by which the facts must be checked again
	Kind     Kind
	Headline string // the deadline in a few words, for listings
	What     string // what breaks on that date, in full
	Pin      Pin    // the pin it concerns
	Source   string // document title and address, read on Checked
	Checked  string
	DateNote string // how the date follows from the source when it gives no day, or that it gives none
	Do       string // what to do before the date
	// ClearedBy names the pin that already avoids this deadline (its Where
	// says how), which the tests check is still pinned. A cleared entry is
	// listed but never fails.
	ClearedBy *Pin
}

// Day parses a calendar date.
func Day(s string) (time.Time, error) {
	d, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return d, nil
}

// DaysLeft is the number of days from today to the entry's date, negative
// once it has passed.
func (e Entry) DaysLeft(today time.Time) int {
	d, err := Day(e.Date)
	if err != nil {
		panic(err) // TestEntriesAreComplete parses every date
	}
	return int(d.Sub(today).Hours() / 24)
}

// Due reports whether the entry makes `make calendar` fail on today: not
// cleared, and at most Window days away or past.
func (e Entry) Due(today time.Time) bool {
	return e.ClearedBy == nil && e.DaysLeft(today) <= Window
}

// Sorted returns the entries nearest first (by date, then by pin).
func Sorted(entries []Entry) []Entry {
	s := slices.Clone(entries)
	slices.SortStableFunc(s, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.Pin.Name, b.Pin.Name), cmp.Compare(a.Pin.Version, b.Pin.Version))
	})
	return s
}

// DueOn returns the entries due on today, nearest first.
func DueOn(entries []Entry, today time.Time) []Entry {
	return slices.DeleteFunc(Sorted(entries), func(e Entry) bool { return !e.Due(today) })
}

// Title is the pin an entry concerns, for a reader.
func (e Entry) Title() string {
	return strings.TrimSpace(cmp.Or(pinLabels[e.Pin.Name], e.Pin.Name) + " " + e.Pin.Version)
}

// pinLabels name the pins for a reader.
var pinLabels = map[string]string{
	PinKubernetes: "AKS Kubernetes", PinAzurerm: "azurerm", PinKubernetesP: "kubernetes provider",
	PinNode: "Node.js", PinGo: "Go", PinTerraform: "Terraform", PinActions: "GitHub Actions runtime",
	PinRunner: "runner image", PinPrices: "price table",
}

func (e Entry) when(today time.Time) string {
	n := e.DaysLeft(today)
	days := fmt.Sprintf("%d days", max(n, -n))
	if n == 1 || n == -1 {
		days = "1 day"
	}
	switch {
	case n < 0:
		return days + " ago"
	case n == 0:
		return "today"
	default:
		return "in " + days
	}
}

func (e Entry) mark() string {
	if e.ClearedBy != nil {
		return "cleared: " + e.ClearedBy.Where
	}
	if e.Kind == Deadline {
		return ""
	}
	return string(e.Kind)
}

// Text writes the calendar as of today, nearest first with the days left,
// then the due entries in full. It returns the number of due entries.
func Text(w io.Writer, entries []Entry, today time.Time) int {
	fmt.Fprintf(w, "Deadlines of this deployment as of %s (docs/calendar.md); due: within %d days or past.\n\n", today.Format(DateLayout), Window)
	for _, e := range Sorted(entries) {
		flag := "  "
		if e.Due(today) {
			flag = "! "
		}
		mark := e.mark()
		if mark != "" {
			mark = " [" + mark + "]"
		}
		fmt.Fprintf(w, "%s%s  %-15s %s%s\n", flag, e.Date, e.when(today), e.Headline, mark)
	}
	due := DueOn(entries, today)
	if len(due) == 0 {
		fmt.Fprintf(w, "\nNothing is due within %d days.\n", Window)
		return 0
	}
	fmt.Fprintf(w, "\n%d due:\n", len(due))
	for _, e := range due {
		fmt.Fprintf(w, "\n%s (%s): %s\n  %s\n", e.Date, e.when(today), e.Headline, e.What)
		fmt.Fprintf(w, "  concerns: %s, in %s\n  do: %s\n  source: %s (checked %s)\n", e.Title(), e.Pin.Where, e.Do, e.Source, e.Checked)
		if e.DateNote != "" {
			fmt.Fprintf(w, "  date: %s\n", e.DateNote)
		}
	}
	return len(due)
}

// Markdown writes the calendar as of today for a GitHub issue: the due
// entries in full, then the whole calendar nearest first.
func Markdown(w io.Writer, entries []Entry, today time.Time) int {
	due := DueOn(entries, today)
	if len(due) == 0 {
		fmt.Fprintf(w, "Nothing of the calendar is due within %d days of %s.\n\n", Window, today.Format(DateLayout))
	} else {
		fmt.Fprintf(w, "%d deadline(s) of the calendar are within %d days of %s, or past:\n\n", len(due), Window, today.Format(DateLayout))
		for _, e := range due {
			fmt.Fprintf(w, "- **%s (%s): %s.** %s\n  - Concerns: %s, in %s\n  - Do: %s\n  - Source: %s (checked %s)\n",
				e.Date, e.when(today), e.Headline, e.What, e.Title(), e.Pin.Where, e.Do, e.Source, e.Checked)
			if e.DateNote != "" {
				fmt.Fprintf(w, "  - Date: %s\n", e.DateNote)
			}
		}
		fmt.Fprintln(w)
	}
	var rows [][]string
	for _, e := range Sorted(entries) {
		headline := cell(e.Headline)
		if m := e.mark(); m != "" {
			headline += " (" + cell(m) + ")"
		}
		rows = append(rows, []string{e.Date, e.when(today), headline, cell(e.Title())})
	}
	fmt.Fprint(w, table([]string{"date", "when", "deadline", "concerns"}, rows))
	return len(due)
}

// Table is docs/calendar.md's table of every entry, nearest first.
func Table(entries []Entry) string {
	var rows [][]string
	for _, e := range Sorted(entries) {
		date := e.Date
		if e.Kind != Deadline {
			date += " (" + string(e.Kind) + ")"
		}
		concerns := "**" + cell(e.Title()) + "**: " + cell(e.Pin.Where)
		if e.ClearedBy != nil {
			concerns += "; **cleared**: " + cell(e.ClearedBy.Where)
		}
		what := "**" + cell(e.Headline) + ".** " + cell(e.What)
		if e.DateNote != "" {
			what += " *Date:* " + cell(e.DateNote)
		}
		rows = append(rows, []string{date, concerns, what, cell(e.Source) + " (" + e.Checked + ")", cell(e.Do)})
	}
	return table([]string{"date", "concerns", "what breaks", "source (checked)", "what to do"}, rows)
}

// APITable is docs/calendar.md's table of the Azure API versions the
// pinned azurerm provider uses for the resource types of the stacks.
func APITable(apis []API) string {
	var rows [][]string
	for _, a := range apis {
		rows = append(rows, []string{cell(strings.Join(a.Resources, ", ")), cell(a.API), "`" + a.Version + "`", cell(a.Retirement)})
	}
	return table([]string{"resource types", "Azure API", "version", "retirement announced"}, rows)
}

// ActionTable is docs/calendar.md's table of the actions the workflows
// pin and the runtime each declares at its pinned commit.
func ActionTable(pins []ActionPin) string {
	var rows [][]string
	for _, p := range pins {
		rows = append(rows, []string{"`" + p.Repo + "`", p.Tag, "`" + p.Commit + "`", "`" + p.Runtime + "`"})
	}
	return table([]string{"action", "tag", "commit", "runtime (`runs.using`)"}, rows)
}

// table renders a Markdown table; the cells are already escaped.
func table(header []string, rows [][]string) string {
	var b strings.Builder
	line := func(cells []string) { b.WriteString("| " + strings.Join(cells, " | ") + " |\n") }
	line(header)
	b.WriteString(strings.Repeat("|---", len(header)) + "|\n")
	for _, r := range rows {
		line(r)
	}
	return b.String()
}

func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

// API is an Azure API version that the pinned azurerm provider uses.
type API struct {
	Resources  []string // the stacks' azurerm resource and data source types that call it
	API        string   // the resource provider and type ("Microsoft.KeyVault/vaults")
	Version    string
	Retirement string // what Microsoft has announced for this version
}

// ActionPin is an action the workflows use, at the commit they pin.
type ActionPin struct {
	Repo    string // owner/name
	Commit  string // the 40-hex commit the workflows pin
	Tag     string // the release tag that commit is
	Runtime string // runs.using of its action.yml at that commit
}

// compareVersions orders dotted numeric versions: 4.9.1 < 4.81.0.
func compareVersions(a, b string) (int, error) {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(pa), len(pb)) {
		var x, y int
		var err error
		if i < len(pa) {
			if x, err = strconv.Atoi(pa[i]); err != nil {
				return 0, fmt.Errorf("version %q is not dotted numbers", a)
			}
		}
		if i < len(pb) {
			if y, err = strconv.Atoi(pb[i]); err != nil {
				return 0, fmt.Errorf("version %q is not dotted numbers", b)
			}
		}
		if c := cmp.Compare(x, y); c != 0 {
			return c, nil
		}
	}
	return 0, nil
}

// CheckProviders compares the calendar with the provider versions the
// repository pins (name, as in WrittenFor, to version): each must be
// exactly WrittenFor's, since a new version uses other Azure API versions
// that must be looked up again, and every entry cleared by a provider must
// still be cleared. It returns one error per problem, nil when they agree.
func CheckProviders(entries []Entry, pinned map[string]string) []error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(WrittenFor)) {
		want := WrittenFor[name]
		got, ok := pinned[name]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("the calendar was written for %s %s, but no pin of %s was given", name, want, name))
		case got != want:
			errs = append(errs, fmt.Errorf("the calendar was written for %s %s, the repository pins %s %s: look up the Azure API versions and deadlines of %s %s (docs/calendar.md, When a pin changes) and update tools/calendar", name, want, name, got, name, got))
		}
	}
	for _, e := range Sorted(entries) {
		c := e.ClearedBy
		if c == nil || WrittenFor[c.Name] == "" {
			continue
		}
		got, ok := pinned[c.Name]
		if !ok {
			continue // reported above
		}
		order, err := compareVersions(got, c.Version)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.Name, err))
			continue
		}
		if order < 0 {
			errs = append(errs, fmt.Errorf("%s %s: cleared only from %s %s on, but the repository pins %s %s", e.Date, e.Headline, c.Name, c.Version, c.Name, got))
		}
	}
	return errs
}
