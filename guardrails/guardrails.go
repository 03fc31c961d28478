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
	Rules   []string       `json:"rules"` // the rules checked
	Waivers []WaiverRecord `json:"waivers"`
}

// WaiverRecord is one waiver as recorded in the stack, with the findings
// it covered.
type WaiverRecord struct {
	Rule   string   `json:"rule"`
	Reason string   `json:"reason"`
	Waived []string `json:"waived"`
}

// Evaluate applies the rules that opts selects to a stack's Terraform JSON
// and returns one message per finding no waiver covers, and the metadata
// the stack records. Package stacks runs it when cdktf validates a stack,
// just before writing it.
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
