package stacks

import (
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/guardrails"
)

// attachGuardrails makes the stack's synthesis fail when it breaks a
// guardrail that the environment does not waive.
func attachGuardrails(stack cdktf.TerraformStack, cfg *config.Config) {
	guardrails.Attach(stack, guardrails.Options{Production: cfg.Production, RequiredTags: cfg.Guardrails.RequiredTags}, cfg.Guardrails.Waivers)
}
