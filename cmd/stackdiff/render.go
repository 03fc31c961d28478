package main

import (
	"fmt"
	"io"
	"strings"
)

// maxValue is the longest value shown in full; longer ones (policy
// parameters, alert queries) are cut in the middle.
const maxValue = 300

func shorten(v string) string {
	if len(v) <= maxValue {
		return v
	}
	return v[:maxValue/2] + " … " + v[len(v)-maxValue/2:]
}

var symbols = map[Kind]string{Added: "+", Removed: "-", Changed: "~", Renamed: "-/+", Moved: "->"}

func title(c Change) string {
	switch c.Kind {
	case Renamed:
		return c.From + " -> " + c.Address + " (logical address changed)"
	case Moved:
		return c.From + " -> " + c.Address + " (moved block)"
	default:
		return c.Address + " (" + string(c.Kind) + ")"
	}
}

func stackTitle(s StackDiff) string {
	t := fmt.Sprintf("%d added, %d removed, %d changed", s.Count(Added), s.Count(Removed), s.Count(Changed))
	if n := s.Count(Renamed, Moved); n > 0 {
		t += fmt.Sprintf(", %d renamed or moved", n)
	}
	switch s.Status {
	case Added:
		t = "new stack: " + t
	case Removed:
		t = "stack removed: " + t
	}
	return t
}

// diffLines renders the attributes of a change as diff lines ("- path =
// old", "+ path = new"), marking identity attributes.
func diffLines(c Change) []string {
	var out []string
	for _, a := range c.Attrs {
		mark := ""
		if a.Identity {
			mark = "   <-- identity (forces replacement)"
		}
		if a.Before != "" {
			out = append(out, "- "+a.Path+" = "+shorten(a.Before)+mark)
		}
		if a.After != "" {
			out = append(out, "+ "+a.Path+" = "+shorten(a.After)+mark)
		}
	}
	return out
}

// Text writes the comparison for a terminal.
func Text(w io.Writer, r Result) {
	if r.Empty() {
		fmt.Fprintln(w, "No changes in the synthesized stacks.")
		return
	}
	if n := r.Dangerous(); n > 0 {
		fmt.Fprintf(w, "!!! %d STATEFUL RESOURCE CHANGE(S) AT RISK OF DATA LOSS !!!\n", n)
		for _, s := range r.Stacks {
			for _, c := range s.Dangerous() {
				fmt.Fprintf(w, "!!! %s: %s: %s\n", s.Name, c.Address, c.Danger)
			}
		}
		fmt.Fprintln(w)
	}
	for _, s := range r.Stacks {
		if s.Unchanged() {
			continue
		}
		fmt.Fprintf(w, "== %s: %s\n", s.Name, stackTitle(s))
		for _, c := range s.Changes {
			fmt.Fprintf(w, "%-3s %s\n", symbols[c.Kind], title(c))
			if c.Danger != "" {
				fmt.Fprintf(w, "    !!! %s\n", c.Danger)
			}
			if c.Kind == Added || c.Kind == Removed {
				continue // the whole block is new or gone; its attributes add nothing
			}
			for _, l := range diffLines(c) {
				fmt.Fprintln(w, "      "+l)
			}
		}
		fmt.Fprintln(w)
	}
}

// Markdown writes the comparison as a GitHub comment (pr-comment.yml adds
// its own marker, by which it finds and updates the comment).
func Markdown(w io.Writer, r Result) {
	fmt.Fprintln(w, "## Infrastructure changes (synthesized stacks, base → head)")
	fmt.Fprintln(w)
	if r.Empty() {
		fmt.Fprintln(w, "No changes in the synthesized stacks.")
		return
	}
	if n := r.Dangerous(); n > 0 {
		fmt.Fprintln(w, "> [!CAUTION]")
		fmt.Fprintf(w, "> **%d change(s) put a stateful resource at risk of data loss.** Check each one before merging; a `moved` block keeps a renamed resource.\n", n)
		fmt.Fprintln(w, ">")
		for _, s := range r.Stacks {
			for _, c := range s.Dangerous() {
				fmt.Fprintf(w, "> - **`%s`**: `%s`: %s\n", s.Name, c.Address, escape(c.Danger))
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "| stack | added | removed | changed | renamed or moved | stateful at risk |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for _, s := range r.Stacks {
		name := "`" + s.Name + "`"
		if s.Status != "" {
			name += " (" + string(s.Status) + ")"
		}
		dangerous := len(s.Dangerous())
		risk := fmt.Sprint(dangerous)
		if dangerous > 0 {
			risk = "**" + risk + "** ⚠️"
		}
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %s |\n", name, s.Count(Added), s.Count(Removed), s.Count(Changed), s.Count(Renamed, Moved), risk)
	}
	fmt.Fprintln(w)
	for _, s := range r.Stacks {
		if s.Unchanged() {
			continue
		}
		fmt.Fprintf(w, "### `%s`: %s\n\n", s.Name, stackTitle(s))
		for _, c := range s.Changes {
			warn := ""
			if c.Danger != "" {
				warn = " ⚠️ **" + escape(c.Danger) + "**"
			}
			fmt.Fprintf(w, "- `%s` %s%s\n", symbols[c.Kind], escape(title(c)), warn)
			if c.Kind == Added || c.Kind == Removed || len(c.Attrs) == 0 {
				continue
			}
			fmt.Fprintln(w)
			fmt.Fprintln(w, "  ```diff")
			for _, l := range diffLines(c) {
				fmt.Fprintln(w, "  "+strings.ReplaceAll(l, "```", "'''"))
			}
			fmt.Fprintln(w, "  ```")
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "<sub>Configuration only: made by `go run ./cmd/stackdiff` from `make synth` of the base and the head, without credentials. It does not know the real infrastructure; the production plan on `main` does.</sub>")
}

// escape keeps text from breaking Markdown: backquotes, and the pipes and
// angle brackets of HTML and tables.
func escape(s string) string {
	return strings.NewReplacer("`", "'", "|", "\\|", "<", "&lt;", ">", "&gt;").Replace(s)
}
