// Package container connects the cluster to the node's container registry:
// GitHub Container Registry (ghcr.io). No Azure Container
// Registry is created.
package container

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v11/secretv1"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// GitHubRegistry is the registry host of GitHub Container Registry.
const GitHubRegistry = "ghcr.io"

// PullSecretProps configures [NewPullSecret].
type PullSecretProps struct {
	// Name and Namespace of the Secret.
	Name      string
	Namespace string
	// Server is the registry host (ghcr.io).
	Server string
	// Username and Token are Terraform expressions, normally references to
	// sensitive variables. They are combined inside Terraform, so the token
	// never passes through Go or appears in the synthesized configuration.
	Username string
	Token    string
	// Revision is data_wo_revision (a Terraform expression, 1 or more): the
	// Secret's data is write-only and written again only when it grows.
	Revision float64
}

// NewPullSecret creates a kubernetes.io/dockerconfigjson Secret for the
// registry. Its .dockerconfigjson is built by Terraform:
//
//	jsonencode({auths = {"ghcr.io" = {username, password, auth = base64encode(join(":", [user, token]))}}})
//
// (the kubernetes provider base64-encodes Secret data itself).
func NewPullSecret(scope constructs.Construct, id string, p PullSecretProps) secretv1.SecretV1 {
	auth := cdktf.Fn_Base64encode(cdktf.Fn_Join(jsii.String(":"), &[]*string{jsii.String(p.Username), jsii.String(p.Token)}))
	dockerConfig := cdktf.Fn_Jsonencode(map[string]any{
		"auths": map[string]any{
			p.Server: map[string]any{
				"username": p.Username,
				"password": p.Token,
				"auth":     auth,
			},
		},
	})
	return tfx.Pin(secretv1.NewSecretV1(scope, jsii.String(id), &secretv1.SecretV1Config{
		Metadata: &secretv1.SecretV1Metadata{
			Name:      jsii.String(p.Name),
			Namespace: jsii.String(p.Namespace),
		},
		Type: jsii.String("kubernetes.io/dockerconfigjson"),
		// Write-only: the credentials never reach state or a saved plan.
		DataWo:         &map[string]*string{".dockerconfigjson": dockerConfig},
		DataWoRevision: jsii.Number(p.Revision),
	}), id)
}
