package workload

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/kubernetes/serviceaccountv1"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// Workload identity annotations read by the Microsoft Entra Workload ID
// webhook.
const (
	ClientIDAnnotation = "azure.workload.identity/client-id"
	TenantIDAnnotation = "azure.workload.identity/tenant-id"
)

// Identity is the Azure identity federated with a service account, as the
// azurerm data source finds it.
type Identity interface {
	ClientId() *string
	TenantId() *string
}

// ServiceAccountProps configures [NewServiceAccount].
type ServiceAccountProps struct {
	Name      string
	Namespace *Namespace
	// Identity is the Azure identity whose tokens the account's pods get.
	Identity Identity
	// PullSecrets are attached so that every pod of the account can pull
	// from the private registry.
	PullSecrets []*Secret
}

// ServiceAccount is the node's service account.
type ServiceAccount struct {
	constructs.Construct
	Account serviceaccountv1.ServiceAccountV1
}

// NewServiceAccount creates the node's service account, annotated for
// Microsoft Entra Workload ID. Pods that use it and carry the label
// azure.workload.identity/use: "true" get tokens for the Azure identity.
func NewServiceAccount(scope constructs.Construct, id string, p ServiceAccountProps) *ServiceAccount {
	s := &ServiceAccount{Construct: constructs.NewConstruct(scope, &id)}
	var pulls []*serviceaccountv1.ServiceAccountV1ImagePullSecret
	for _, secret := range p.PullSecrets {
		pulls = append(pulls, &serviceaccountv1.ServiceAccountV1ImagePullSecret{Name: secret.Name()})
	}
	s.Account = tfx.Pin(serviceaccountv1.NewServiceAccountV1(s.Construct, jsii.String("account"), &serviceaccountv1.ServiceAccountV1Config{
		Metadata: &serviceaccountv1.ServiceAccountV1Metadata{
			Name:      jsii.String(p.Name),
			Namespace: p.Namespace.Name(),
			Annotations: &map[string]*string{
				ClientIDAnnotation: p.Identity.ClientId(),
				TenantIDAnnotation: p.Identity.TenantId(),
			},
		},
		ImagePullSecret: &pulls,
	}), id)
	return s
}
