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
	for _, name := range p.ImagePullSecrets {
		pulls = append(pulls, &serviceaccountv1.ServiceAccountV1ImagePullSecret{Name: jsii.String(name)})
	}
	s.Account = tfx.Pin(serviceaccountv1.NewServiceAccountV1(s.Construct, jsii.String("account"), &serviceaccountv1.ServiceAccountV1Config{
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
	return s
}
