package security

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/federatedidentitycredential"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/userassignedidentity"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// WorkloadIdentityAudience is the token audience of Microsoft Entra
// workload identity federation.
const WorkloadIdentityAudience = "api://AzureADTokenExchange"

// IdentityProps configures [NewWorkloadIdentity].
type IdentityProps struct {
	Name              string
	ResourceGroupName string
	Location          string
	Tags              map[string]string
	// OIDCIssuerURL is the cluster's OIDC issuer.
	OIDCIssuerURL string
	// Namespace and ServiceAccount are the Kubernetes service account whose
	// tokens may act as this identity.
	Namespace      string
	ServiceAccount string
}

// WorkloadIdentity is a user-assigned identity federated with a Kubernetes
// service account.
type WorkloadIdentity struct {
	// Scope is the construct that holds the resources below.
	Scope      constructs.Construct
	Identity   userassignedidentity.UserAssignedIdentity
	Federation federatedidentitycredential.FederatedIdentityCredential
}

// NewWorkloadIdentity creates the perpetual node's user-assigned identity and
// federates it with the cluster's OIDC issuer for one service account
// (Microsoft Entra Workload ID). The design's AcrPull assignment is gone:
// there is no Azure Container Registry, images come from ghcr.io.
func NewWorkloadIdentity(scope constructs.Construct, id string, p IdentityProps) *WorkloadIdentity {
	w := &WorkloadIdentity{Scope: constructs.NewConstruct(scope, &id)}
	w.Identity = tfx.Pin(userassignedidentity.NewUserAssignedIdentity(w.Scope, jsii.String("identity"), &userassignedidentity.UserAssignedIdentityConfig{
		Name:              jsii.String(p.Name),
		ResourceGroupName: jsii.String(p.ResourceGroupName),
		Location:          jsii.String(p.Location),
		Tags:              tfx.StringMap(p.Tags),
	}), id)
	w.Federation = federatedidentitycredential.NewFederatedIdentityCredential(w.Scope, jsii.String("federation"), &federatedidentitycredential.FederatedIdentityCredentialConfig{
		Name:              jsii.String(p.Namespace + "-" + p.ServiceAccount),
		ResourceGroupName: jsii.String(p.ResourceGroupName),
		ParentId:          w.Identity.Id(),
		Issuer:            jsii.String(p.OIDCIssuerURL),
		Subject:           jsii.String(ServiceAccountSubject(p.Namespace, p.ServiceAccount)),
		Audience:          tfx.Strings([]string{WorkloadIdentityAudience}),
	})
	return w
}

// ServiceAccountSubject is the subject of a Kubernetes service account's
// tokens.
func ServiceAccountSubject(namespace, serviceAccount string) string {
	return "system:serviceaccount:" + namespace + ":" + serviceAccount
}
