// Command plancheck compares two Terraform plans (terraform show -json) by
// what they would do: the address and actions of every resource change that
// is not a no-op. The production deploy re-plans on its own runner (whose
// address is let through the firewalls) and applies only when that plan does
// exactly what the reviewed plan showed:
//
//	plancheck reviewed.json current.json
//
// Exit status 0 when the changes match, 1 when they differ (each difference
// is printed), 2 on bad input.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: plancheck REVIEWED.json CURRENT.json")
		os.Exit(2)
	}
	reviewed, err := load(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	current, err := load(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if !report(os.Stdout, reviewed, current) {
		os.Exit(1)
	}
}

type plan struct {
	ResourceChanges []struct {
		Address string `json:"address"`
		Change  struct {
			Actions []string `json:"actions"`
		} `json:"change"`
	} `json:"resource_changes"`
}

// changes maps each changed address to its actions ("update",
// "delete,create", ...).
type changes map[string]string

func load(path string) (changes, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: not a terraform show -json plan: %w", path, err)
	}
	out := changes{}
	for _, rc := range p.ResourceChanges {
		a := strings.Join(rc.Change.Actions, ",")
		if a == "no-op" || a == "read" || a == "" {
			continue
		}
		out[rc.Address] = a
	}
	return out, nil
}

// report prints the differences and reports whether there were none.
func report(w io.Writer, reviewed, current changes) bool {
	var diffs []string
	for addr, a := range current {
		switch r, ok := reviewed[addr]; {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s: %s, not in the reviewed plan", addr, a))
		case r != a:
			diffs = append(diffs, fmt.Sprintf("%s: %s, reviewed as %s", addr, a, r))
		}
	}
	for addr, r := range reviewed {
		if _, ok := current[addr]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: reviewed as %s, no longer planned", addr, r))
		}
	}
	slices.Sort(diffs)
	for _, d := range diffs {
		fmt.Fprintln(w, d)
	}
	if len(diffs) == 0 {
		fmt.Fprintf(w, "the plan matches the reviewed plan (%d changes)\n", len(current))
	}
	return len(diffs) == 0
}
