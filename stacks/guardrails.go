package stacks

import (
	"encoding/json"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/guardrails"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/stackjson"
)

// attachGuardrails makes the stack's synthesis fail when it breaks a
// guardrail that the environment does not waive, and records the rules and
// waivers in the stack's metadata ("//".guardrails). It is a construct
// validation, so it runs in `go run .` and under the cdktf CLI alike
// (unlike error annotations, which the CLI lets through). Configuration
// validation has refused, before synthesis, every value that could break a
// rule; this is the backstop for what the constructs themselves write.
func attachGuardrails(stack cdktf.TerraformStack, cfg *config.Config) {
	stack.Node().AddValidation(&guardrailValidation{
		stack:   stack,
		opts:    guardrails.Options{Production: cfg.Production, RequiredTags: cfg.Guardrails.RequiredTags},
		waivers: cfg.Guardrails.Waivers,
	})
}

// guardrailValidation checks one stack when cdktf validates it, just before
// the stack is written.
type guardrailValidation struct {
	stack   cdktf.TerraformStack
	opts    guardrails.Options
	waivers []guardrails.Waiver
}

// Validate implements constructs.IValidation.
func (v *guardrailValidation) Validate() *[]*string {
	raw, err := json.Marshal(v.stack.ToTerraform())
	if err != nil {
		return &[]*string{jsii.String("guardrails: cannot read the stack: " + err.Error())}
	}
	doc, err := stackjson.Parse(*v.stack.Node().Id(), raw)
	if err != nil {
		return &[]*string{jsii.String("guardrails: cannot read the stack: " + err.Error())}
	}
	broken, meta := guardrails.Evaluate(doc, v.opts, v.waivers)
	var record map[string]any
	raw, _ = json.Marshal(meta)
	_ = json.Unmarshal(raw, &record)
	v.stack.AddOverride(jsii.String("//.guardrails"), record)
	errs := make([]*string, len(broken))
	for i, msg := range broken {
		errs[i] = jsii.String(msg)
	}
	return &errs
}
