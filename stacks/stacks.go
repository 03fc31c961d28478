// Package stacks composes the constructs into the stacks of each
// environment, from one validated configuration:
//
//   - <environment> (AzureStack): everything in Azure.
//   - <environment>-k8s (KubernetesStack): the objects inside the cluster,
//     deployed after the Azure stack (the kubernetes provider must not be
//     configured from a cluster created in the same run).
package stacks

import (
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
)

// Build adds the two stacks of every configuration to app, in order.
func Build(app cdktf.App, cfgs []*config.Config) {
	for _, cfg := range cfgs {
		NewKubernetesStack(app, cfg, NewAzureStack(app, cfg))
	}
}
