// Command calendar prints the deadlines this deployment depends on
// (tools/calendar, docs/calendar.md), nearest first with the days left,
// and exits 1 when one is within 60 days or past:
//
//	go run ./cmd/calendar                     # as of today (UTC)
//	go run ./cmd/calendar -date 2027-03-01    # as of another day
//	go run ./cmd/calendar -format markdown    # for a GitHub issue
//
// Exit status: 0 nothing due, 1 something due, 2 bad usage.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/my-mimisbrunnr/perpetual-infra/tools/calendar"
)

func main() {
	os.Exit(run(os.Args[1:], time.Now(), os.Stdout, os.Stderr))
}

// run is the command with its arguments, the current time and its output,
// so that the tests can run it on any day.
func run(args []string, now time.Time, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("calendar", flag.ContinueOnError)
	fs.SetOutput(stderr)
	date := fs.String("date", "", "the day to check as of, YYYY-MM-DD (default today, UTC)")
	format := fs.String("format", "text", "text, or markdown (for a GitHub issue)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: calendar [-date YYYY-MM-DD] [-format text|markdown]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return 2
	}
	today := now.UTC().Truncate(24 * time.Hour)
	if *date != "" {
		d, err := calendar.Day(*date)
		if err != nil {
			fmt.Fprintf(stderr, "calendar: -date: %v\n", err)
			return 2
		}
		today = d
	}
	render := calendar.Text
	switch *format {
	case "text":
	case "markdown":
		render = calendar.Markdown
	default:
		fmt.Fprintf(stderr, "calendar: -format %q: text or markdown\n", *format)
		return 2
	}
	entries, err := calendar.Entries()
	if err != nil {
		fmt.Fprintf(stderr, "calendar: %v\n", err)
		return 2
	}
	if due := render(stdout, entries, today); due > 0 {
		fmt.Fprintf(stderr, "calendar: %d deadline(s) within %d days of %s or past: see above and docs/calendar.md\n", due, calendar.Window, today.Format(calendar.DateLayout))
		return 1
	}
	return 0
}
