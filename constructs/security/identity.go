package security

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/federatedidentitycredential"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/userassignedidentity"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// WorkloadIdentityAudience is the token audience of Microsoft Entra
// workload identity federation.
const WorkloadIdentityAudience = "api://AzureADTokenExchange"

// WorkloadIdentityProps configures [NewWorkloadIdentity].
type WorkloadIdentityProps struct {
	azure.Placement
	Name string
	// Cluster is the cluster whose OIDC issuer signs the service account's
	// tokens.
	Cluster interface{ OidcIssuerUrl() *string }
	// Namespace and ServiceAccount are the Kubernetes service account whose
	// tokens may act as this identity.
	Namespace      string
	ServiceAccount string
}

// WorkloadIdentity is a user-assigned identity federated with a Kubernetes
// service account.
type WorkloadIdentity struct {
	constructs.Construct
	Identity   userassignedidentity.UserAssignedIdentity
	Federation federatedidentitycredential.FederatedIdentityCredential
}

// NewWorkloadIdentity creates the perpetual node's user-assigned identity
// (named id in Terraform) and federates it with the cluster's OIDC issuer
// for one service account (Microsoft Entra Workload ID). It needs no
// registry role: images come from ghcr.io with a pull secret.
func NewWorkloadIdentity(scope constructs.Construct, id string, p WorkloadIdentityProps) *WorkloadIdentity {
	w := &WorkloadIdentity{Construct: constructs.NewConstruct(scope, &id)}
	w.Identity = azure.NewIdentity(w.Construct, id, p.Name, p.Placement)
	w.Federation = tfx.Pin(federatedidentitycredential.NewFederatedIdentityCredential(w.Construct, jsii.String("federation"), &federatedidentitycredential.FederatedIdentityCredentialConfig{
		Name:                   jsii.String(p.Namespace + "-" + p.ServiceAccount),
		UserAssignedIdentityId: w.Identity.Id(),
		Issuer:                 p.Cluster.OidcIssuerUrl(),
		Subject:                jsii.String(ServiceAccountSubject(p.Namespace, p.ServiceAccount)),
		Audience:               tfx.Strings([]string{WorkloadIdentityAudience}),
	}), id+"-federation")
	return w
}

// ServiceAccountSubject is the subject of a Kubernetes service account's
// tokens.
func ServiceAccountSubject(namespace, serviceAccount string) string {
	return "system:serviceaccount:" + namespace + ":" + serviceAccount
}
