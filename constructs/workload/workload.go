// Package workload builds the Kubernetes objects the perpetual node's Helm
// chart relies on: its namespace, its service account (bound to an Azure
// workload identity), the pull secret for GitHub Container Registry, the
// statically provisioned volume of its data disk and, in development only,
// a Secret with its secrets.
//
// Every construct has the same shape: NewX(scope, id, XProps) returns an *X
// that embeds constructs.Construct and holds its Kubernetes objects. The
// objects are named id (and id-claim for a volume's claim) in Terraform, so
// a construct can move in the tree without its objects being replaced.
// Constructs take the objects they refer to (the *Namespace, the pull
// *Secret, the identity and the disk as the data sources return them), so
// that every edge Terraform needs comes from a reference.
package workload

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/kubernetes/namespacev1"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// NamespaceProps configures [NewNamespace].
type NamespaceProps struct {
	Name   string
	Labels map[string]string
}

// Namespace is the node's namespace.
type Namespace struct {
	constructs.Construct
	Namespace namespacev1.NamespaceV1
}

// Name is a reference to the namespace's name: objects created in it are
// created after it and deleted before it.
func (n *Namespace) Name() *string { return n.Namespace.Metadata().Name() }

// NewNamespace creates a namespace.
func NewNamespace(scope constructs.Construct, id string, p NamespaceProps) *Namespace {
	n := &Namespace{Construct: constructs.NewConstruct(scope, &id)}
	n.Namespace = tfx.Pin(namespacev1.NewNamespaceV1(n.Construct, jsii.String("namespace"), &namespacev1.NamespaceV1Config{
		Metadata: &namespacev1.NamespaceV1Metadata{
			Name:   jsii.String(p.Name),
			Labels: tfx.StringMap(p.Labels),
		},
	}), id)
	return n
}
