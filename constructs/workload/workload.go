// Package workload builds the Kubernetes objects the perpetual node's Helm
// chart relies on: its namespace, its service account (bound to an Azure
// workload identity) and, in development only, a Secret with its secrets.
package workload

import (
	"maps"
	"slices"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v11/namespacev1"
	"github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v11/secretv1"
	"github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v11/serviceaccountv1"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// Workload identity annotations read by the Microsoft Entra Workload ID
// webhook.
const (
	ClientIDAnnotation = "azure.workload.identity/client-id"
	TenantIDAnnotation = "azure.workload.identity/tenant-id"
)

// NewNamespace creates a namespace.
func NewNamespace(scope constructs.Construct, id, name string, labels map[string]string) namespacev1.NamespaceV1 {
	return tfx.Pin(namespacev1.NewNamespaceV1(scope, jsii.String(id), &namespacev1.NamespaceV1Config{
		Metadata: &namespacev1.NamespaceV1Metadata{
			Name:   jsii.String(name),
			Labels: tfx.StringMap(labels),
		},
	}), id)
}

// ServiceAccountProps configures [NewServiceAccount].
type ServiceAccountProps struct {
	Name      string
	Namespace string
	// ClientID and TenantID of the Azure identity federated with this
	// service account (Terraform expressions).
	ClientID string
	TenantID string
	// ImagePullSecrets are attached so that every pod of the account can
	// pull from the private registry.
	ImagePullSecrets []string
}

// NewServiceAccount creates the node's service account, annotated for
// Microsoft Entra Workload ID. Pods that use it and carry the label
// azure.workload.identity/use: "true" get tokens for the Azure identity.
func NewServiceAccount(scope constructs.Construct, id string, p ServiceAccountProps) serviceaccountv1.ServiceAccountV1 {
	var pulls []*serviceaccountv1.ServiceAccountV1ImagePullSecret
	for _, s := range p.ImagePullSecrets {
		pulls = append(pulls, &serviceaccountv1.ServiceAccountV1ImagePullSecret{Name: jsii.String(s)})
	}
	return tfx.Pin(serviceaccountv1.NewServiceAccountV1(scope, jsii.String(id), &serviceaccountv1.ServiceAccountV1Config{
		Metadata: &serviceaccountv1.ServiceAccountV1Metadata{
			Name:      jsii.String(p.Name),
			Namespace: jsii.String(p.Namespace),
			Annotations: tfx.StringMap(map[string]string{
				ClientIDAnnotation: p.ClientID,
				TenantIDAnnotation: p.TenantID,
			}),
		},
		ImagePullSecret: &pulls,
	}), id)
}

// SecretProps configures [NewSecret].
type SecretProps struct {
	Name      string
	Namespace string
	// Data maps keys to Terraform expressions (ephemeral variables). It is
	// written through the write-only data_wo: never in state or a plan.
	Data map[string]string
	// Revision is data_wo_revision (a Terraform expression, 1 or more):
	// the data is written again only when it grows.
	Revision float64
}

// NewSecret creates an Opaque Secret from Terraform expressions. In this
// project it holds development secrets only; production reads Key Vault.
func NewSecret(scope constructs.Construct, id string, p SecretProps) secretv1.SecretV1 {
	data := map[string]*string{}
	for _, k := range slices.Sorted(maps.Keys(p.Data)) {
		data[k] = jsii.String(p.Data[k])
	}
	return tfx.Pin(secretv1.NewSecretV1(scope, jsii.String(id), &secretv1.SecretV1Config{
		Metadata: &secretv1.SecretV1Metadata{
			Name:      jsii.String(p.Name),
			Namespace: jsii.String(p.Namespace),
		},
		Type:           jsii.String("Opaque"),
		DataWo:         &data,
		DataWoRevision: jsii.Number(p.Revision),
	}), id)
}
