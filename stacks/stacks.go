// Package stacks composes the constructs into the stacks of each
// environment, from one validated configuration:
//
//   - <environment> (AzureStack): everything in Azure.
//   - <environment>-k8s (KubernetesStack): the objects inside the cluster,
//     deployed after the Azure stack (the kubernetes provider must not be
//     configured from a cluster created in the same run).
package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
)

// Build adds the two stacks of every configuration to app, in order.
func Build(app cdktf.App, cfgs []*config.Config) {
	for _, cfg := range cfgs {
		NewKubernetesStack(app, cfg, NewAzureStack(app, cfg))
	}
}

// RequiredTerraform is the Terraform versions every stack accepts
// (required_version): 1.11 is the first with ephemeral variables feeding
// write-only attributes, which keep the secrets out of state and plans.
const RequiredTerraform = ">= 1.11"

// newStack creates an empty stack named name that refuses older Terraform.
func newStack(scope constructs.Construct, name string) cdktf.TerraformStack {
	stack := cdktf.NewTerraformStack(scope, jsii.String(name))
	stack.AddOverride(jsii.String("terraform.required_version"), jsii.String(RequiredTerraform))
	return stack
}
