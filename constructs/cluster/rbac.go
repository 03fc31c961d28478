package cluster

import (
	"maps"
	"slices"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/kubernetescluster"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// ClusterAdminRole is the built-in Azure role that grants full access to the
// Kubernetes API under Azure RBAC for Kubernetes.
const ClusterAdminRole = "Azure Kubernetes Service RBAC Cluster Admin"

// Access configures who may reach and administer the cluster.
type Access struct {
	// TenantID is the Microsoft Entra tenant of the cluster's users.
	TenantID string
	// AdminGroupObjectIDs become cluster administrators.
	AdminGroupObjectIDs []string
	// ClusterAdmins are principal object IDs given ClusterAdminRole on the
	// cluster (the deploying principal, so that the in-cluster stack can
	// create its objects), keyed by a name for the construct ID.
	ClusterAdmins map[string]string
	// LocalAccountsEnabled keeps the static admin kubeconfig. Off in
	// production: every access then goes through Microsoft Entra ID.
	LocalAccountsEnabled bool
	// AuthorizedIPRanges limits the public API server to these networks
	// (an element may be a Terraform list expression, see tfx.List). Nil
	// leaves it open to the internet (still behind Entra ID).
	AuthorizedIPRanges []string
}

// applyAccess enables Kubernetes RBAC with Microsoft Entra ID integration and
// Azure RBAC for Kubernetes authorization.
func applyAccess(cfg *kubernetescluster.KubernetesClusterConfig, a Access) {
	cfg.RoleBasedAccessControlEnabled = jsii.Bool(true)
	cfg.AzureActiveDirectoryRoleBasedAccessControl = &kubernetescluster.KubernetesClusterAzureActiveDirectoryRoleBasedAccessControl{
		AzureRbacEnabled:    jsii.Bool(true),
		TenantId:            jsii.String(a.TenantID),
		AdminGroupObjectIds: tfx.Strings(a.AdminGroupObjectIDs),
	}
	cfg.LocalAccountDisabled = jsii.Bool(!a.LocalAccountsEnabled)
	if a.AuthorizedIPRanges != nil {
		cfg.ApiServerAccessProfile = &kubernetescluster.KubernetesClusterApiServerAccessProfile{
			AuthorizedIpRanges: tfx.Strings(a.AuthorizedIPRanges),
		}
	}
}

// grantClusterAdmins gives each of Access.ClusterAdmins the cluster admin
// role on this cluster.
func (c *Cluster) grantClusterAdmins(a Access) {
	for _, name := range slices.Sorted(maps.Keys(a.ClusterAdmins)) {
		azure.Grant(c.Construct, "admin-"+name, azure.RoleGrant{
			Role:      ClusterAdminRole,
			Scope:     *c.AKS.Id(),
			Principal: a.ClusterAdmins[name],
		})
	}
}
