package workload

import (
	"maps"
	"slices"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/kubernetes/secretv1"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// SecretProps configures [NewSecret].
type SecretProps struct {
	Name      string
	Namespace *Namespace
	// Data maps keys to Terraform expressions (ephemeral variables). It is
	// written through the write-only data_wo: never in state or a plan.
	Data map[string]string
	// Revision is data_wo_revision (a Terraform expression, 1 or more):
	// the data is written again only when it grows.
	Revision float64
}

// Secret is a Secret whose data is write-only.
type Secret struct {
	constructs.Construct
	Secret secretv1.SecretV1
}

// Name is a reference to the Secret's name: what refers to it by name is
// created after it.
func (s *Secret) Name() *string { return s.Secret.Metadata().Name() }

// NewSecret creates an Opaque Secret from Terraform expressions. In this
// project it holds development secrets only; production reads Key Vault.
func NewSecret(scope constructs.Construct, id string, p SecretProps) *Secret {
	data := map[string]*string{}
	for _, k := range slices.Sorted(maps.Keys(p.Data)) {
		data[k] = jsii.String(p.Data[k])
	}
	return newSecret(scope, id, "Opaque", p.Name, p.Namespace, data, p.Revision)
}

// GitHubRegistry is the registry host of GitHub Container Registry.
const GitHubRegistry = "ghcr.io"

// PullSecretProps configures [NewPullSecret].
type PullSecretProps struct {
	Name      string
	Namespace *Namespace
	// Server is the registry host; GitHubRegistry when empty.
	Server string
	// Username and Token are Terraform expressions, normally references to
	// ephemeral variables. They are combined inside Terraform, so the token
	// never passes through Go or appears in the synthesized configuration.
	Username string
	Token    string
	// Revision is data_wo_revision (a Terraform expression, 1 or more): the
	// Secret's data is written again only when it grows.
	Revision float64
}

// NewPullSecret creates a kubernetes.io/dockerconfigjson Secret for the
// registry, with write-only data. Its .dockerconfigjson is built by
// Terraform:
//
//	jsonencode({auths = {"ghcr.io" = {username, password, auth = base64encode(join(":", [user, token]))}}})
//
// (the kubernetes provider base64-encodes Secret data itself).
func NewPullSecret(scope constructs.Construct, id string, p PullSecretProps) *Secret {
	server := p.Server
	if server == "" {
		server = GitHubRegistry
	}
	auth := cdktf.Fn_Base64encode(cdktf.Fn_Join(jsii.String(":"), &[]*string{jsii.String(p.Username), jsii.String(p.Token)}))
	dockerConfig := cdktf.Fn_Jsonencode(map[string]any{
		"auths": map[string]any{
			server: map[string]any{
				"username": p.Username,
				"password": p.Token,
				"auth":     auth,
			},
		},
	})
	return newSecret(scope, id, "kubernetes.io/dockerconfigjson", p.Name, p.Namespace,
		map[string]*string{".dockerconfigjson": dockerConfig}, p.Revision)
}

// newSecret creates a Secret whose data is write-only (data_wo): the values
// never reach state or a saved plan, and are written again only when
// revision grows.
func newSecret(scope constructs.Construct, id, typ, name string, namespace *Namespace, data map[string]*string, revision float64) *Secret {
	s := &Secret{Construct: constructs.NewConstruct(scope, &id)}
	s.Secret = tfx.Pin(secretv1.NewSecretV1(s.Construct, jsii.String("secret"), &secretv1.SecretV1Config{
		Metadata: &secretv1.SecretV1Metadata{
			Name:      jsii.String(name),
			Namespace: namespace.Name(),
		},
		Type:           jsii.String(typ),
		DataWo:         &data,
		DataWoRevision: jsii.Number(revision),
	}), id)
	return s
}
