package cluster

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/kubernetescluster"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/roleassignment"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// ClusterAdminRole is the built-in Azure role that grants full access to the
// Kubernetes API under Azure RBAC for Kubernetes.
const ClusterAdminRole = "Azure Kubernetes Service RBAC Cluster Admin"

// Access configures who may reach and administer the cluster.
type Access struct {
	// Tenant is the Microsoft Entra tenant of the cluster's users (the
	// data source azurerm_client_config).
	Tenant interface{ TenantId() *string }
	// AdminGroupObjectIDs become cluster administrators.
	AdminGroupObjectIDs []string
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
		TenantId:            a.Tenant.TenantId(),
		AdminGroupObjectIds: tfx.Strings(a.AdminGroupObjectIDs),
	}
	cfg.LocalAccountDisabled = jsii.Bool(!a.LocalAccountsEnabled)
	if a.AuthorizedIPRanges != nil {
		cfg.ApiServerAccessProfile = &kubernetescluster.KubernetesClusterApiServerAccessProfile{
			AuthorizedIpRanges: tfx.Strings(a.AuthorizedIPRanges),
		}
	}
}

// GrantAdmin makes principal an administrator of the cluster's Kubernetes
// API (ClusterAdminRole on the cluster), with the Terraform name
// <cluster id>-admin-<name>: the deploying principal gets it, so that the
// in-cluster stack can create its objects.
func (c *Cluster) GrantAdmin(name string, principal azure.Principal) roleassignment.RoleAssignment {
	return azure.Grant(c.Construct, c.id+"-admin-"+name, ClusterAdminRole, c.AKS, principal)
}
