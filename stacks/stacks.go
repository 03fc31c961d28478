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

// Environment is the pair of stacks of one environment.
type Environment struct {
	Azure      *AzureStack
	Kubernetes *KubernetesStack
}

// Build adds the stacks of every configuration to app, in order.
func Build(app cdktf.App, cfgs []*config.Config) []*Environment {
	envs := make([]*Environment, 0, len(cfgs))
	for _, cfg := range cfgs {
		azure := NewAzureStack(app, cfg)
		envs = append(envs, &Environment{
			Azure:      azure,
			Kubernetes: NewKubernetesStack(app, cfg, azure),
		})
	}
	return envs
}
