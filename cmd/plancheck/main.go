// Command plancheck reads Terraform plans (terraform show -json) for the
// pipeline, in five ways:
//
//	plancheck REVIEWED.json CURRENT.json
//	plancheck -remaining APPLIED.json CURRENT.json
//	plancheck -redact PLAN.json > REDACTED.json
//	plancheck -drift PLAN.json
//	plancheck -guard PLAN.json [ALLOWED]
//
// Every plan, raw or redacted, is read as a tfjson.Plan and every value it
// marks sensitive is replaced by "(sensitive)" on reading (package
// sanitize), so no mode compares, prints or writes one. Exit status 2 is
// bad input, in every mode.
//
// Compare: the production deploy plans again on its own runner and applies
// only when that plan makes the reviewed plan's changes: the same resources,
// actions and planned values (change.after, and what is unknown until
// apply). Two things differ on every run and are set aside on both sides:
// the runner's address, which flows from the variable deployer_ips into the
// firewalls' ip_rules and the API server's authorized_ip_ranges
// (facts.RunnerPaths; the review is planned without one), and the identity
// that plans, which the stacks grant the cluster's admin role and the Key
// Vault as "the deployer" (data.azurerm_client_config; the review plans
// with a read-only identity, the apply with one that writes). A change that
// only lets this runner in and earlier ones out, or hands a grant to the
// identity that plans, is churn and counts as no change. Exit status 0 when
// the plans match, 1 when they differ (each difference is printed).
//
// Remaining: after an apply that failed part way (deploy.sh retries when
// Azure had not yet propagated a role assignment or a firewall rule), every
// change of the plan of what is left must be one of the applied plan's,
// with the same action and planned values (runner addresses aside), or the
// replacement of a resource whose failed creation left it tainted. Changes
// of the applied plan that are gone were applied. Exit status 0 when the
// plan is part of the applied one, 1 otherwise.
//
// Redact: writes what may be kept and shared of a plan, which the pipeline
// uploads for review and compare reads: its format version, the resource
// changes (actions, values before and after, what is unknown until apply)
// with sensitive values replaced, the variable deployer_ips, and of the
// prior state only the object ID of the identity that planned. Planned
// values, outputs, configuration and the other variables are left out.
//
// Drift: lists the changes of a plan of unchanged configuration, that is,
// what changed in the real infrastructure. Churn (earlier runners'
// addresses, kept until the next deploy, taken out; the deployer's grants
// handed to the identity that checks) is reported as ignored, with what it
// would replace. Exit status 0 without drift, 1 with drift.
//
// Guard: refuses a plan that deletes or replaces, in either order, a
// resource that holds data (facts.DataResources) or the cluster, whatever
// the reason (code removed with its lifecycle.prevent_destroy, a rollback
// to before a moved block, a forced replacement), and names each address.
// ALLOWED, a file with a line "ADDRESS REASON" for each deletion or
// replacement that is meant (blank lines and lines starting with # are
// skipped; an allowance without a reason is bad input), lets those through
// and prints them with their reasons. Exit status 0 when nothing guarded is
// deleted or replaced without allowance, 1 otherwise.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-json/sanitize"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/facts"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: plancheck REVIEWED.json CURRENT.json   (exit 0 same changes, 1 different)
       plancheck -remaining APPLIED.json CURRENT.json   (exit 0 the rest of the applied plan, 1 not)
       plancheck -redact PLAN.json               (the plan without sensitive values, on stdout)
       plancheck -drift PLAN.json                (exit 0 no drift, 1 drift)
       plancheck -guard PLAN.json [ALLOWED]      (exit 0 no data or cluster deleted or replaced unless allowed, 1 otherwise)`

func run(args []string, stdout, stderr io.Writer) int {
	mode, files := "compare", args
	if len(args) > 0 && strings.HasPrefix(args[0], "-") {
		mode, files = args[0], args[1:]
	}
	// How many plans each mode reads; -guard may take ALLOWED after its plan.
	n, known := map[string]int{"compare": 2, "-remaining": 2, "-redact": 1, "-drift": 1, "-guard": 1}[mode]
	if !known || len(files) != n && (mode != "-guard" || len(files) != 2) {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	plans := make([]*plan, n)
	var err error
	for i := range plans {
		if plans[i], err = load(files[i]); err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
	}
	ok := true
	switch mode {
	case "-redact":
		err = writeRedacted(stdout, plans[0])
	case "-drift":
		ok = drift(stdout, plans[0])
	case "-guard":
		allow := map[string]string{}
		if len(files) == 2 && files[1] != "" { // an empty ALLOWED allows nothing
			allow, err = loadAllowed(files[1])
		}
		ok = err == nil && guard(stdout, plans[0], allow)
	default:
		ok = compare(stdout, plans[0], plans[1], mode == "-remaining")
	}
	switch {
	case err != nil:
		fmt.Fprintln(stderr, err)
		return 2
	case !ok:
		return 1
	}
	return 0
}

const (
	// Sensitive replaces every sensitive value.
	Sensitive = "(sensitive)"
	// clientConfigType is the data source that reads the identity running Terraform.
	clientConfigType = "azurerm_client_config"
	// deployer replaces, when comparing, the object ID of the planning identity.
	deployer = "(the identity that plans)"
)

// plan is a plan as read, with its runner's addresses and its planner's
// object ID.
type plan struct {
	*tfjson.Plan
	deployerIPs []string
	planner     string
}

// load reads a plan, raw (terraform show -json) or redacted, and replaces
// its sensitive values.
func load(path string) (*plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p tfjson.Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: not a terraform show -json plan: %w", path, err)
	}
	out := &plan{Plan: &p, deployerIPs: []string{}} // -redact writes [], not null
	for _, rc := range p.ResourceChanges {
		if rc.Change == nil {
			return nil, fmt.Errorf("%s: %s has no change", path, rc.Address)
		}
		if rc.Change, err = redactChange(rc.Change); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, rc.Address, err)
		}
	}
	if v := p.Variables[facts.VarDeployerIPs]; v != nil {
		list, _ := v.Value.([]any)
		for _, ip := range list {
			if s, ok := ip.(string); ok {
				out.deployerIPs = append(out.deployerIPs, s)
			}
		}
	}
	if p.PriorState != nil && p.PriorState.Values != nil {
		out.planner = plannerIn(p.PriorState.Values.RootModule)
	}
	return out, nil
}

// plannerIn returns the object ID that azurerm_client_config read, in m or
// its child modules (Terraform reads data sources while it plans, refresh or
// not, and records them in the prior state).
func plannerIn(m *tfjson.StateModule) string {
	if m == nil {
		return ""
	}
	for _, r := range m.Resources {
		if r.Mode == tfjson.DataResourceMode && r.Type == clientConfigType {
			if id, ok := r.AttributeValues["object_id"].(string); ok && id != "" {
				return id
			}
		}
	}
	for _, c := range m.ChildModules {
		if id := plannerIn(c); id != "" {
			return id
		}
	}
	return ""
}

// redactChange returns a copy of c with every value that before_sensitive
// or after_sensitive marks replaced by Sensitive on both sides, so an
// attribute marked on one side only (newly sensitive, or marked in the
// planned value only) is hidden on the other too, and without an import's
// generated configuration, which the sanitizer does not look into.
func redactChange(c *tfjson.Change) (*tfjson.Change, error) {
	out, err := sanitize.SanitizeChange(c, Sensitive)
	if err != nil {
		return nil, err
	}
	crossed, err := sanitize.SanitizeChange(&tfjson.Change{
		Before: out.Before, After: out.After,
		BeforeSensitive: out.AfterSensitive, AfterSensitive: out.BeforeSensitive,
	}, Sensitive)
	if err != nil {
		return nil, err
	}
	out.Before, out.After = crossed.Before, crossed.After
	out.Importing, out.GeneratedConfig = nil, ""
	return out, nil
}

// writeRedacted writes p as -redact describes it, marked "redacted" so the
// pipeline can check that what it uploads went through here.
func writeRedacted(w io.Writer, p *plan) error {
	out := &tfjson.Plan{
		FormatVersion:    p.FormatVersion,
		TerraformVersion: p.TerraformVersion,
		Variables:        map[string]*tfjson.PlanVariable{facts.VarDeployerIPs: {Value: p.deployerIPs}},
		ResourceChanges:  p.ResourceChanges,
	}
	if p.planner != "" {
		out.PriorState = &tfjson.State{FormatVersion: "1.0", Values: &tfjson.StateValues{RootModule: &tfjson.StateModule{
			Resources: []*tfjson.StateResource{{
				Address: "data." + clientConfigType + ".current", Mode: tfjson.DataResourceMode, Type: clientConfigType, Name: "current",
				AttributeValues: map[string]any{"object_id": p.planner},
			}},
		}}}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(struct {
		Redacted bool `json:"redacted"`
		*tfjson.Plan
	}{true, out})
}

// changes reports whether a resource change does anything.
func changes(rc *tfjson.ResourceChange) bool {
	a := rc.Change.Actions
	return len(a) > 0 && !a.NoOp() && !a.Read()
}

// actions returns the change's actions for messages ("delete,create").
func actions(rc *tfjson.ResourceChange) string {
	s := make([]string, len(rc.Change.Actions))
	for i, a := range rc.Change.Actions {
		s[i] = string(a)
	}
	return strings.Join(s, ",")
}

// atRunnerPaths returns a copy of v (a resource's before, after or
// after_unknown) after calling f with each map holding the last key of a
// runner path of type typ, and that key ("*": every element of a list).
func atRunnerPaths(typ string, v any, f func(m map[string]any, key string)) any {
	v = clone(v, "")
	for _, path := range facts.RunnerPaths[typ] {
		walk(v, path, f)
	}
	return v
}

func walk(v any, path []string, f func(m map[string]any, key string)) {
	switch x := v.(type) {
	case []any:
		if path[0] == "*" {
			for _, e := range x {
				walk(e, path[1:], f)
			}
		}
	case map[string]any:
		if _, ok := x[path[0]]; ok && len(path) == 1 {
			f(x, path[0])
		} else if ok {
			walk(x[path[0]], path[1:], f)
		}
	}
}

// normalize returns a copy of v with every list at a runner path of type
// typ in canonical form and filtered by keep.
func normalize(typ string, v any, keep func(string) bool) any {
	return atRunnerPaths(typ, v, func(m map[string]any, k string) { m[k] = canonical(m[k], keep) })
}

// withoutRunnerPaths returns a copy of v (an after_unknown) without the
// lists at the runner paths of type typ: they hold one mark per address, so
// the runner's own address makes them longer by one.
func withoutRunnerPaths(typ string, v any) any {
	return atRunnerPaths(typ, v, func(m map[string]any, k string) { delete(m, k) })
}

// canonical returns the entries of v, a list at a runner path, that keep
// keeps: without /32 (Azure returns a.b.c.d/32 where the configuration may
// say a.b.c.d), once each and sorted (the lists are sets).
func canonical(v any, keep func(string) bool) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	out := []any{}
	for _, e := range l {
		if s, ok := e.(string); ok {
			if s = strings.TrimSuffix(s, "/32"); keep(s) && !slices.Contains(out, any(s)) {
				out = append(out, s)
			}
		}
	}
	slices.SortFunc(out, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
	return out
}

// clone returns a deep copy of v in which every string that is planner
// (when planner is not empty) reads deployer.
func clone(v any, planner string) any {
	switch x := v.(type) {
	case string:
		if planner != "" && x == planner {
			return deployer
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = clone(e, planner)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = clone(e, planner)
		}
		return out
	default:
		return v
	}
}

// notRunner returns a filter of canonical entries that drops ips.
func notRunner(ips []string) func(string) bool {
	return func(s string) bool {
		return !slices.ContainsFunc(ips, func(ip string) bool { return s == strings.TrimSuffix(ip, "/32") })
	}
}

// churn reports whether rc, an update or replacement planned on a runner
// with addresses own by the identity planner, changes only what differs
// between planning runs: this runner let in, single addresses the
// configuration does not list taken out (earlier runners', returned in
// earlier), values that become planner (a deployer grant handed over; what
// they replace is returned in replaced). Values unknown until apply do not
// count. moved says whether anything known changes (drift ignores a change
// of nothing known; compare must not). paths are the other differences.
func churn(rc *tfjson.ResourceChange, own []string, planner string) (ok, moved bool, earlier, replaced, paths []string) {
	a := rc.Change.Actions
	if !a.Update() && !a.Replace() {
		return false, false, nil, nil, nil
	}
	var raw []string
	diffPaths(rc.Change.Before, rc.Change.After, "", &raw, 20)
	raw = slices.DeleteFunc(raw, func(path string) bool { return unknownAt(rc.Change.AfterUnknown, path) })
	others := notRunner(own)
	after := normalize(rc.Type, rc.Change.After, others)
	configured := map[string]bool{}
	atRunnerPaths(rc.Type, after, func(m map[string]any, k string) {
		canonical(m[k], func(s string) bool { configured[s] = true; return true })
	})
	keep := func(s string) bool {
		// One IPv4 address (canonical form) that the configuration does not list.
		if others(s) && !strings.Contains(s, "/") && strings.Count(s, ".") == 3 && !configured[s] {
			earlier = append(earlier, s)
			return false
		}
		return others(s)
	}
	before := normalize(rc.Type, rc.Change.Before, keep)
	if planner != "" {
		after = clone(after, planner)
		before = alignTo(before, after, &replaced)
	}
	diffPaths(before, after, "", &paths, 20)
	paths = slices.DeleteFunc(paths, func(path string) bool { return unknownAt(rc.Change.AfterUnknown, path) })
	slices.Sort(earlier)
	slices.Sort(replaced)
	// A replacement is churn only when it hands a grant to the planner.
	ok = len(paths) == 0 && (a.Update() || len(replaced) > 0)
	return ok, len(raw) > 0, slices.Compact(earlier), slices.Compact(replaced), paths
}

// alignTo returns a copy of before with deployer wherever after holds it,
// adding each different string it replaced to replaced.
func alignTo(before, after any, replaced *[]string) any {
	if s, ok := after.(string); ok && s == deployer {
		if b, ok := before.(string); ok {
			if b != deployer {
				*replaced = append(*replaced, b)
			}
			return deployer
		}
		return before
	}
	switch x := before.(type) {
	case map[string]any:
		am, _ := after.(map[string]any)
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = alignTo(e, am[k], replaced)
		}
		return out
	case []any:
		al, _ := after.([]any)
		out := make([]any, len(x))
		for i, e := range x {
			var ae any
			if i < len(al) {
				ae = al[i]
			}
			out[i] = alignTo(e, ae, replaced)
		}
		return out
	default:
		return before
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
		keys := maps.Clone(am)
		maps.Copy(keys, bm)
		for _, k := range slices.Sorted(maps.Keys(keys)) {
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

// lookup follows a diffPaths path into v as far as it leads, and reports
// whether it reached the end.
func lookup(v any, path string) (any, bool) {
	for _, part := range strings.FieldsFunc(path, func(r rune) bool { return r == '.' || r == '[' || r == ']' }) {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
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

// unknownAt reports whether after_unknown marks the path, or the parent
// where lookup stops, as known only after apply.
func unknownAt(unknown any, path string) bool {
	cur, _ := lookup(unknown, path)
	b, _ := cur.(bool)
	return b
}

func orWhole(p string) string {
	if p == "" {
		return "the whole resource"
	}
	return p
}

// moves reports whether rc, a change of p, is churn that moves something,
// which compare counts as no change.
func moves(p *plan, rc *tfjson.ResourceChange) bool {
	ok, moved, _, _, _ := churn(rc, p.deployerIPs, p.planner)
	return ok && moved
}

// compare prints how current differs from reviewed and reports whether they
// make the same changes, as -remaining or compare (package doc) says. Churn
// counts on neither side, unless the other side changes the same resource.
func compare(w io.Writer, reviewed, current *plan, remaining bool) bool {
	rev := map[string]*tfjson.ResourceChange{}
	for _, rc := range reviewed.ResourceChanges {
		if changes(rc) {
			rev[rc.Address] = rc
		}
	}
	var diffs []string
	n := 0
	for _, rc := range current.ResourceChanges {
		if !changes(rc) {
			continue
		}
		r, ok := rev[rc.Address]
		delete(rev, rc.Address)
		curMoves := moves(current, rc)
		if !curMoves {
			n++
		}
		switch {
		case !ok && curMoves:
			continue
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s: %s, not in the reviewed plan", rc.Address, actions(rc)))
			continue
		case remaining && r.Change.Actions.Create() && rc.Change.Actions.Replace() && rc.ActionReason == tfjson.ActionReasonReplaceBecauseTainted:
			// The failed creation of the applied plan, made again.
		case !slices.Equal(r.Change.Actions, rc.Change.Actions):
			diffs = append(diffs, fmt.Sprintf("%s: %s, reviewed as %s", rc.Address, actions(rc), actions(r)))
			continue
		}
		report := func(rv, cv any, format string) {
			var paths []string
			diffPaths(rv, cv, "", &paths, 5)
			for _, p := range paths {
				diffs = append(diffs, fmt.Sprintf(format, rc.Address, orWhole(p), valueAt(cv, p), valueAt(rv, p)))
			}
		}
		report(clone(normalize(r.Type, r.Change.After, notRunner(reviewed.deployerIPs)), reviewed.planner),
			clone(normalize(rc.Type, rc.Change.After, notRunner(current.deployerIPs)), current.planner),
			"%s: %s would become %s, reviewed as %s")
		report(withoutRunnerPaths(r.Type, r.Change.AfterUnknown), withoutRunnerPaths(rc.Type, rc.Change.AfterUnknown),
			"%s: %s known only after apply: now %s, reviewed %s")
	}
	for addr, r := range rev {
		if !remaining && !moves(reviewed, r) {
			diffs = append(diffs, fmt.Sprintf("%s: reviewed as %s, no longer planned", addr, actions(r)))
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

// drift prints the changes of p that are not churn and reports whether
// there were none.
func drift(w io.Writer, p *plan) bool {
	var drifted, ignored []string
	for _, rc := range p.ResourceChanges {
		if !changes(rc) {
			continue
		}
		ok, _, earlier, replaced, paths := churn(rc, p.deployerIPs, p.planner)
		switch {
		case ok && len(replaced) > 0:
			ignored = append(ignored, fmt.Sprintf("ignored %s: %s hands a grant of the deployer to the identity that checks, in place of %s (the last deploy's identity, or a change to look at)", rc.Address, actions(rc), strings.Join(replaced, ", ")))
		case ok:
			ignored = append(ignored, fmt.Sprintf("ignored %s: only runner addresses differ (%s)", rc.Address, strings.Join(earlier, ", ")))
		case rc.Change.Actions.Update():
			for i, path := range paths {
				paths[i] = orWhole(path)
			}
			drifted = append(drifted, fmt.Sprintf("drift %s: update (%s)", rc.Address, strings.Join(paths, ", ")))
		default:
			drifted = append(drifted, fmt.Sprintf("drift %s: %s", rc.Address, actions(rc)))
		}
	}
	for _, s := range slices.Concat(ignored, drifted) {
		fmt.Fprintln(w, s)
	}
	if len(drifted) == 0 {
		fmt.Fprintln(w, "no drift")
	}
	return len(drifted) == 0
}

// guard prints each deletion or replacement of a guarded resource in p and
// reports whether every one of them is allowed (allow: address to reason).
func guard(w io.Writer, p *plan, allow map[string]string) bool {
	var refused, allowed []string
	seen := map[string]bool{}
	for _, rc := range p.ResourceChanges {
		a := rc.Change.Actions
		guarded := rc.Type == facts.ClusterType || slices.Contains(facts.DataResources, rc.Type)
		if !guarded || !a.Delete() && !a.Replace() {
			continue
		}
		what := "deletes"
		if a.Replace() {
			what = "replaces"
		}
		if rc.DeposedKey != "" {
			what += " an earlier object (deposed " + rc.DeposedKey + ") of"
		}
		line := fmt.Sprintf("%s %s (%s", what, rc.Address, actions(rc))
		if rc.ActionReason != "" {
			line += ", " + string(rc.ActionReason)
		}
		line += ")"
		if reason, ok := allow[rc.Address]; ok {
			seen[rc.Address] = true
			allowed = append(allowed, fmt.Sprintf("allowed: the plan %s: %s", line, reason))
			continue
		}
		refused = append(refused, "REFUSED: the plan "+line+": it holds data or is the cluster")
	}
	for _, s := range slices.Concat(allowed, refused) {
		fmt.Fprintln(w, s)
	}
	for _, addr := range slices.Sorted(maps.Keys(allow)) {
		if !seen[addr] {
			fmt.Fprintf(w, "note: %s is allowed to be deleted or replaced, and this plan does neither\n", addr)
		}
	}
	if len(refused) > 0 {
		fmt.Fprintf(w, "%d deletion(s) or replacement(s) of data or of the cluster refused; if one is meant, name its address with a reason in the run's allowed deletions\n", len(refused))
		return false
	}
	if len(allowed) > 0 {
		fmt.Fprintln(w, "no data resource or cluster is deleted or replaced without an allowance")
	} else {
		fmt.Fprintln(w, "no data resource or cluster is deleted or replaced")
	}
	return true
}

// loadAllowed reads the allowances of -guard: a line "ADDRESS REASON" each.
func loadAllowed(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	allow := map[string]string{}
	for n, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		addr := strings.Fields(line)[0]
		reason := strings.TrimSpace(line[len(addr):])
		if reason == "" {
			return nil, fmt.Errorf("%s:%d: %q has no reason: write the address, a space and why it may be deleted or replaced", path, n+1, addr)
		}
		allow[addr] = reason
	}
	return allow, nil
}
