// Command plancheck reads Terraform plans (terraform show -json) for the
// pipeline, in four ways:
//
//	plancheck REVIEWED.json CURRENT.json
//	plancheck -remaining APPLIED.json CURRENT.json
//	plancheck -redact PLAN.json > REDACTED.json
//	plancheck -drift PLAN.json
//
// Compare: the production deploy re-plans on its own runner (whose address
// is let through the firewalls) and applies only when that plan does exactly
// what the reviewed plan showed: the same resources with the same actions
// and the same planned values (change.after, and which of them are unknown
// until apply). The runner's own address, which flows from the variable
// deployer_ips into the firewalls' ip_rules and the API server's
// authorized_ip_ranges, differs on every runner and is taken out of those
// lists (runnerPaths) before comparing. Sensitive values are compared only
// as "(sensitive)": the reviewed plan never holds them (see -redact).
// Exit status 0 when the plans match, 1 when they differ (each difference
// is printed), 2 on bad input.
//
// Remaining: after an apply that failed part way, the plan of what is left
// must be part of the plan that was applied: every change it makes is one
// of the applied plan's, with the same action and planned values (runner
// addresses aside), or the replacement of a resource whose creation failed
// and left it tainted. Changes of the applied plan that are gone were
// applied. deploy.sh retries an apply this way when Azure had not yet
// propagated a role assignment. Exit status 0 when the plan is part of the
// applied one, 1 otherwise.
//
// Redact: writes what may be kept and shared of a plan: the resource
// changes with their actions and planned values, every sensitive value
// replaced by "(sensitive)", and the deployer_ips variable. Prior state,
// variables, outputs and configuration are left out. The result is what
// the pipeline uploads for review and what compare reads.
//
// Drift: lists the changes of a plan of unchanged configuration, that is,
// what changed in the real infrastructure. An update whose only difference
// is a single address in a runner path (an earlier run's runner, kept in
// the API server's authorized ranges until the next deploy) is reported as
// ignored, not as drift. Exit status 0 without drift, 1 with drift, 2 on
// bad input.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: plancheck REVIEWED.json CURRENT.json   (exit 0 same changes, 1 different)
       plancheck -remaining APPLIED.json CURRENT.json   (exit 0 the rest of the applied plan, 1 not)
       plancheck -redact PLAN.json               (the plan without sensitive values, on stdout)
       plancheck -drift PLAN.json                (exit 0 no drift, 1 drift)`

func run(args []string, stdout, stderr io.Writer) int {
	var mode string
	var files []string
	switch {
	case len(args) == 2 && (args[0] == "-redact" || args[0] == "-drift"):
		mode, files = args[0], args[1:]
	case len(args) == 3 && args[0] == "-remaining":
		mode, files = args[0], args[1:]
	case len(args) == 2 && !strings.HasPrefix(args[0], "-"):
		mode, files = "compare", args
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
	plans := make([]*Plan, len(files))
	for i, f := range files {
		p, err := load(f)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		plans[i] = p
	}
	var ok bool
	switch mode {
	case "-redact":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", " ")
		if err := enc.Encode(plans[0]); err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		ok = true
	case "-drift":
		ok = drift(stdout, plans[0])
	case "-remaining":
		ok = compare(stdout, plans[0], plans[1], true)
	default:
		ok = compare(stdout, plans[0], plans[1], false)
	}
	if !ok {
		return 1
	}
	return 0
}

// Plan is the redacted plan: what terraform show -json holds, less
// everything that may carry a secret.
type Plan struct {
	// Redacted marks a plan written by -redact.
	Redacted bool `json:"redacted"`
	// DeployerIPs is the value of the deployer_ips variable: the addresses
	// of the runner that made the plan.
	DeployerIPs     []string         `json:"deployer_ips"`
	ResourceChanges []ResourceChange `json:"resource_changes"`
}

// ResourceChange is one resource's planned change.
type ResourceChange struct {
	Address string `json:"address"`
	Type    string `json:"type"`
	// ActionReason says why Terraform chose the action
	// ("replace_because_tainted").
	ActionReason string `json:"action_reason,omitempty"`
	Change       struct {
		Actions []string `json:"actions"`
		// Before is kept in memory for -drift and never written by -redact.
		Before       any `json:"-"`
		After        any `json:"after"`
		AfterUnknown any `json:"after_unknown"`
	} `json:"change"`
}

// actions returns the change's actions as one string ("update",
// "delete,create").
func (rc ResourceChange) actions() string { return strings.Join(rc.Change.Actions, ",") }

// changes reports whether the change does anything.
func (rc ResourceChange) changes() bool {
	a := rc.actions()
	return a != "no-op" && a != "read" && a != ""
}

// rawPlan is the part of terraform show -json (or of a redacted plan) that
// load reads.
type rawPlan struct {
	DeployerIPs []string `json:"deployer_ips"`
	Variables   map[string]struct {
		Value any `json:"value"`
	} `json:"variables"`
	ResourceChanges []struct {
		Address      string `json:"address"`
		Type         string `json:"type"`
		ActionReason string `json:"action_reason"`
		Change       struct {
			Actions         []string `json:"actions"`
			Before          any      `json:"before"`
			After           any      `json:"after"`
			AfterUnknown    any      `json:"after_unknown"`
			BeforeSensitive any      `json:"before_sensitive"`
			AfterSensitive  any      `json:"after_sensitive"`
		} `json:"change"`
	} `json:"resource_changes"`
}

// deployerIPsVariable is the Terraform variable with the runner's
// addresses (stacks.VarDeployerIPs).
const deployerIPsVariable = "deployer_ips"

// load reads a plan, raw or redacted, and redacts it.
func load(path string) (*Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw rawPlan
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: not a terraform show -json plan: %w", path, err)
	}
	p := &Plan{Redacted: true, DeployerIPs: raw.DeployerIPs}
	if v, ok := raw.Variables[deployerIPsVariable]; ok {
		p.DeployerIPs = nil
		list, _ := v.Value.([]any)
		for _, ip := range list {
			if s, ok := ip.(string); ok {
				p.DeployerIPs = append(p.DeployerIPs, s)
			}
		}
	}
	for _, r := range raw.ResourceChanges {
		rc := ResourceChange{Address: r.Address, Type: r.Type, ActionReason: r.ActionReason}
		rc.Change.Actions = r.Change.Actions
		rc.Change.Before = redact(r.Change.Before, r.Change.BeforeSensitive)
		rc.Change.After = redact(r.Change.After, r.Change.AfterSensitive)
		rc.Change.AfterUnknown = r.Change.AfterUnknown
		p.ResourceChanges = append(p.ResourceChanges, rc)
	}
	return p, nil
}

// Sensitive replaces every sensitive value.
const Sensitive = "(sensitive)"

// redact returns v with every value that sensitive (Terraform's
// after_sensitive: true, or a structure of the same shape as v) marks
// replaced by Sensitive.
func redact(v, sensitive any) any {
	switch s := sensitive.(type) {
	case bool:
		if s && v != nil {
			return Sensitive
		}
		return v
	case map[string]any:
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			out[k] = redact(e, s[k])
		}
		return out
	case []any:
		l, ok := v.([]any)
		if !ok {
			return v
		}
		out := make([]any, len(l))
		for i, e := range l {
			var si any
			if i < len(s) {
				si = s[i]
			}
			out[i] = redact(e, si)
		}
		return out
	default:
		return v
	}
}

// runnerPaths are the attributes, per resource type, that hold the runner's
// address through the deployer_ips variable: the Key Vault and storage
// firewalls (stacks.firewallRules) and the API server's authorized ranges
// (stacks.AzureStack.clusterProps). "*" is every element of a nested block.
var runnerPaths = map[string][][]string{
	"azurerm_key_vault":                     {{"network_acls", "*", "ip_rules"}},
	"azurerm_storage_account":               {{"network_rules", "*", "ip_rules"}},
	"azurerm_storage_account_network_rules": {{"ip_rules"}},
	"azurerm_kubernetes_cluster": {
		{"api_server_access_profile", "*", "authorized_ip_ranges"},
		{"api_server_authorized_ip_ranges"},
	},
}

// normalize returns a copy of v (a resource's before or after) with every
// list at a runner path of resource type typ in canonical form (see
// filterAt) and filtered by keep.
func normalize(typ string, v any, keep func(string) bool) any {
	v = clone(v)
	for _, path := range runnerPaths[typ] {
		v = filterAt(v, path, keep)
	}
	return v
}

func filterAt(v any, path []string, keep func(string) bool) any {
	if len(path) == 0 {
		// The lists are sets of addresses and ranges: Azure returns a
		// single address as a.b.c.d/32 where the configuration may say
		// a.b.c.d, and a set has no order. Each entry is compared in its
		// canonical form (no /32), once, sorted.
		l, ok := v.([]any)
		if !ok {
			return v
		}
		var out []string
		for _, e := range l {
			s, ok := e.(string)
			if !ok {
				continue
			}
			s = strings.TrimSuffix(s, "/32")
			if keep(s) && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		slices.Sort(out)
		list := make([]any, len(out))
		for i, s := range out {
			list[i] = s
		}
		return list
	}
	if path[0] == "*" {
		l, ok := v.([]any)
		if !ok {
			return v
		}
		for i := range l {
			l[i] = filterAt(l[i], path[1:], keep)
		}
		return l
	}
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if e, ok := m[path[0]]; ok {
		m[path[0]] = filterAt(e, path[1:], keep)
	}
	return m
}

func clone(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = clone(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = clone(e)
		}
		return out
	default:
		return v
	}
}

// notRunner returns a filter that drops the plan's own runner addresses
// (entries in canonical form, without /32).
func notRunner(ips []string) func(string) bool {
	return func(s string) bool {
		for _, ip := range ips {
			if s == strings.TrimSuffix(ip, "/32") {
				return false
			}
		}
		return true
	}
}

// diffPaths lists the paths at which a and b differ, "" for the whole
// value, at most limit of them.
func diffPaths(a, b any, path string, out *[]string, limit int) {
	if len(*out) >= limit || reflect.DeepEqual(a, b) {
		return
	}
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		var sorted []string
		for k := range keys {
			sorted = append(sorted, k)
		}
		slices.Sort(sorted)
		for _, k := range sorted {
			p := k
			if path != "" {
				p = path + "." + k
			}
			diffPaths(am[k], bm[k], p, out, limit)
		}
		return
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) {
		for i := range al {
			diffPaths(al[i], bl[i], fmt.Sprintf("%s[%d]", path, i), out, limit)
		}
		return
	}
	*out = append(*out, path)
}

// lookup follows a path written by diffPaths into v as far as it leads. It
// returns the value it reached and whether that is the value at the whole
// path.
func lookup(v any, path string) (any, bool) {
	for _, part := range splitPath(path) {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			var i int
			if _, err := fmt.Sscanf(part, "%d", &i); err != nil || i >= len(x) {
				return v, false
			}
			v = x[i]
		default:
			return v, false
		}
	}
	return v, true
}

// valueAt returns the value at a path written by diffPaths, for messages.
func valueAt(v any, path string) string {
	cur, ok := lookup(v, path)
	if !ok || cur == nil {
		return "(absent)"
	}
	b, _ := json.Marshal(cur)
	s := string(b)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func splitPath(path string) []string {
	var parts []string
	for _, p := range strings.Split(strings.ReplaceAll(path, "[", ".["), ".") {
		if p == "" {
			continue
		}
		parts = append(parts, strings.Trim(p, "[]"))
	}
	return parts
}

// compare prints how current differs from reviewed and reports whether they
// make the same changes. With remaining, current may leave out changes of
// reviewed (they were applied) and may replace a resource that reviewed
// created (a failed creation leaves it tainted).
func compare(w io.Writer, reviewed, current *Plan, remaining bool) bool {
	rev := map[string]ResourceChange{}
	for _, rc := range reviewed.ResourceChanges {
		if rc.changes() {
			rev[rc.Address] = rc
		}
	}
	var diffs []string
	n := 0
	for _, rc := range current.ResourceChanges {
		if !rc.changes() {
			continue
		}
		n++
		r, ok := rev[rc.Address]
		delete(rev, rc.Address)
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s: %s, not in the reviewed plan", rc.Address, rc.actions()))
			continue
		case remaining && r.actions() == "create" && rc.actions() == "delete,create" && rc.ActionReason == "replace_because_tainted":
			// The failed creation of the applied plan, made again.
		case r.actions() != rc.actions():
			diffs = append(diffs, fmt.Sprintf("%s: %s, reviewed as %s", rc.Address, rc.actions(), r.actions()))
			continue
		}
		ra := normalize(r.Type, r.Change.After, notRunner(reviewed.DeployerIPs))
		ca := normalize(rc.Type, rc.Change.After, notRunner(current.DeployerIPs))
		var paths []string
		diffPaths(ra, ca, "", &paths, 5)
		for _, p := range paths {
			diffs = append(diffs, fmt.Sprintf("%s: %s would become %s, reviewed as %s", rc.Address, orWhole(p), valueAt(ca, p), valueAt(ra, p)))
		}
		paths = nil
		diffPaths(r.Change.AfterUnknown, rc.Change.AfterUnknown, "", &paths, 5)
		for _, p := range paths {
			diffs = append(diffs, fmt.Sprintf("%s: %s known only after apply: now %s, reviewed %s", rc.Address, orWhole(p), valueAt(rc.Change.AfterUnknown, p), valueAt(r.Change.AfterUnknown, p)))
		}
	}
	for addr, r := range rev {
		if !remaining {
			diffs = append(diffs, fmt.Sprintf("%s: reviewed as %s, no longer planned", addr, r.actions()))
		}
	}
	slices.Sort(diffs)
	for _, d := range diffs {
		fmt.Fprintln(w, d)
	}
	switch {
	case len(diffs) == 0 && remaining:
		fmt.Fprintf(w, "the plan is the rest of the applied plan (%d changes left, runner addresses aside)\n", n)
	case len(diffs) == 0:
		fmt.Fprintf(w, "the plan matches the reviewed plan (%d changes, runner addresses aside)\n", n)
	}
	return len(diffs) == 0
}

func orWhole(p string) string {
	if p == "" {
		return "the whole resource"
	}
	return p
}

// singleHost reports whether s (in canonical form) is one IPv4 address.
func singleHost(s string) bool {
	return !strings.Contains(s, "/") && strings.Count(s, ".") == 3
}

// drift prints the changes of p that are not the churn of runner addresses
// and reports whether there were none.
func drift(w io.Writer, p *Plan) bool {
	var drifted, ignored []string
	others := notRunner(p.DeployerIPs)
	for _, rc := range p.ResourceChanges {
		if !rc.changes() {
			continue
		}
		if rc.actions() == "update" {
			// The configuration's own entries at the runner paths: after,
			// less this runner. A single address in before that is not one
			// of them is an earlier runner's, left in the API server's
			// authorized ranges by the last deploy (or in a firewall by a
			// killed job, until the sweeper runs).
			after := normalize(rc.Type, rc.Change.After, others)
			configured := map[string]bool{}
			collect(after, rc.Type, configured)
			var earlier []string
			keep := func(s string) bool {
				if !others(s) {
					return false
				}
				if singleHost(s) && !configured[s] {
					earlier = append(earlier, s)
					return false
				}
				return true
			}
			before := normalize(rc.Type, rc.Change.Before, keep)
			var paths []string
			diffPaths(before, after, "", &paths, 20)
			paths = slices.DeleteFunc(paths, func(path string) bool { return unknownAt(rc.Change.AfterUnknown, path) })
			if len(paths) == 0 {
				slices.Sort(earlier)
				ignored = append(ignored, fmt.Sprintf("%s: only runner addresses differ (%s)", rc.Address, strings.Join(slices.Compact(earlier), ", ")))
				continue
			}
			for i, path := range paths {
				paths[i] = orWhole(path)
			}
			drifted = append(drifted, fmt.Sprintf("%s: update (%s)", rc.Address, strings.Join(paths, ", ")))
			continue
		}
		drifted = append(drifted, fmt.Sprintf("%s: %s", rc.Address, rc.actions()))
	}
	for _, s := range ignored {
		fmt.Fprintln(w, "ignored", s)
	}
	for _, s := range drifted {
		fmt.Fprintln(w, "drift", s)
	}
	if len(drifted) == 0 {
		fmt.Fprintln(w, "no drift")
	}
	return len(drifted) == 0
}

// collect adds the strings of the lists at the runner paths of v to set.
func collect(v any, typ string, set map[string]bool) {
	for _, path := range runnerPaths[typ] {
		filterAt(clone(v), path, func(s string) bool { set[s] = true; return true })
	}
}

// unknownAt reports whether after_unknown marks the path (or a parent of
// it) as known only after apply.
func unknownAt(unknown any, path string) bool {
	// The lookup stops at a true or false that marks a parent, and with
	// that at everything within it.
	cur, _ := lookup(unknown, path)
	b, _ := cur.(bool)
	return b
}
