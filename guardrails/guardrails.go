package guardrails

import (
	"fmt"
	"slices"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/stackjson"
)

// Waiver switches one rule off for a stack, with the reason written in the
// environment's configuration.
type Waiver struct {
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

// Metadata is what a stack records of its guardrails in "//".guardrails.
type Metadata struct {
	// Rules are the rules checked.
	Rules []string `json:"rules"`
	// Waivers are the waived rules, each with the findings it covered.
	Waivers []WaiverRecord `json:"waivers"`
}

// WaiverRecord is one waiver as recorded in the stack.
type WaiverRecord struct {
	Rule   string   `json:"rule"`
	Reason string   `json:"reason"`
	Waived []string `json:"waived"`
}

// Evaluate applies the rules that opts selects to a stack's Terraform JSON
// and sorts the findings out by the waivers: it returns one message per
// finding no waiver covers, and the metadata the stack records (the rules
// checked, and each waiver with the findings it covered). The stacks run it
// when cdktf validates a stack, just before writing it (package stacks).
func Evaluate(stack *stackjson.Stack, opts Options, waivers []Waiver) (broken []string, meta Metadata) {
	meta = Metadata{Rules: []string{}, Waivers: make([]WaiverRecord, len(waivers))}
	for _, r := range Applicable(opts.Production) {
		meta.Rules = append(meta.Rules, r.ID)
	}
	slices.Sort(meta.Rules)
	waived := map[string]*WaiverRecord{}
	for i, w := range waivers {
		meta.Waivers[i] = WaiverRecord{Rule: w.Rule, Reason: w.Reason, Waived: []string{}}
		waived[w.Rule] = &meta.Waivers[i]
	}
	for _, f := range Check(stack, opts) {
		if w, ok := waived[f.Rule]; ok {
			w.Waived = append(w.Waived, f.String())
			continue
		}
		rule, _ := Lookup(f.Rule)
		broken = append(broken, fmt.Sprintf("guardrail %s (%s) broken by %s. Fix it, or waive %s for this environment in its configuration (guardrails.waivers) with the reason.",
			f.Rule, rule.Summary, f, f.Rule))
	}
	return broken, meta
}
