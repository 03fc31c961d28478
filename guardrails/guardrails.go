package guardrails

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
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

// validation checks one stack when cdktf validates it, just before the
// stack is written.
type validation struct {
	stack   cdktf.TerraformStack
	opts    Options
	waivers []Waiver
}

// Attach makes synthesis of the stack fail when a rule is broken and not
// waived, and records the rules and waivers in the stack's metadata.
// Validations run in `go run .` and under the cdktf CLI alike (unlike error
// annotations, which the CLI lets through).
func Attach(stack cdktf.TerraformStack, opts Options, waivers []Waiver) {
	stack.Node().AddValidation(&validation{stack: stack, opts: opts, waivers: waivers})
}

// Validate implements constructs.IValidation.
func (v *validation) Validate() *[]*string {
	raw, err := json.Marshal(v.stack.ToTerraform())
	if err != nil {
		return &[]*string{jsii.String("guardrails: cannot read the stack: " + err.Error())}
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return &[]*string{jsii.String("guardrails: cannot read the stack: " + err.Error())}
	}
	findings := Check(doc, v.opts)

	meta := Metadata{Waivers: []WaiverRecord{}}
	for _, r := range Applicable(v.opts.Production) {
		meta.Rules = append(meta.Rules, r.ID)
	}
	slices.Sort(meta.Rules)
	waived := map[string]*WaiverRecord{}
	for _, w := range v.waivers {
		meta.Waivers = append(meta.Waivers, WaiverRecord{Rule: w.Rule, Reason: w.Reason, Waived: []string{}})
	}
	for i := range meta.Waivers {
		waived[meta.Waivers[i].Rule] = &meta.Waivers[i]
	}
	var errs []*string
	for _, f := range findings {
		if w, ok := waived[f.Rule]; ok {
			w.Waived = append(w.Waived, f.String())
			continue
		}
		rule, _ := Lookup(f.Rule)
		errs = append(errs, jsii.String(fmt.Sprintf("guardrail %s (%s) broken by %s. Fix it, or waive %s for this environment in its configuration (guardrails.waivers) with the reason.",
			f.Rule, rule.Summary, f, f.Rule)))
	}
	var record map[string]any
	raw, _ = json.Marshal(meta)
	_ = json.Unmarshal(raw, &record)
	v.stack.AddOverride(jsii.String("//.guardrails"), record)
	return &errs
}
