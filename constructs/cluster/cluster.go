// Package cluster builds the AKS cluster of the perpetual node: its
// user-assigned control-plane identity and the role assignments that identity
// needs, the cluster itself with one system node pool, and the cluster's
// access control.
package cluster

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/kubernetescluster"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/loganalyticsworkspace"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/userassignedidentity"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// ClusterProps configures [NewCluster].
type ClusterProps struct {
	azure.Placement

	// Name of the cluster, and DNSPrefix of its API server FQDN.
	Name      string
	DNSPrefix string
	// NodeResourceGroup names the resource group AKS creates for the nodes.
	NodeResourceGroup string
	// IdentityName names the control-plane identity.
	IdentityName string

	// KubernetesVersion is a minor version ("1.35"); patches come from the
	// automatic upgrade channel.
	KubernetesVersion string
	// SkuTier is "Free" (no uptime SLA, no cost) or "Standard".
	SkuTier string

	NodePool NodePool
	Network  Network
	Upgrades Upgrades
	Access   Access

	// RoleGrants are given to the control-plane identity before the cluster
	// exists: Network Contributor on the node subnet and on the public IP's
	// resource group, Contributor on the data disk for the Azure Disk CSI
	// driver.
	RoleGrants []IdentityGrant

	// Workspace, when set, enables the monitoring add-on (Container
	// Insights, managed identity auth) against that workspace.
	Workspace loganalyticsworkspace.LogAnalyticsWorkspace
	// AzurePolicy enables the Azure Policy add-on (Gatekeeper).
	AzurePolicy bool
}

// Network is the cluster's network profile.
type Network struct {
	// PodCIDR, ServiceCIDR and DNSServiceIP of Azure CNI overlay.
	PodCIDR      string
	ServiceCIDR  string
	DNSServiceIP string
}

// IdentityGrant is an Azure role for the control-plane identity on a
// resource.
type IdentityGrant struct {
	// Name makes the Terraform name <cluster id>-grant-<Name>; it must be
	// unique among the grants.
	Name string
	Role string
	On   azure.Scope
}

// Cluster is the AKS cluster and its control-plane identity.
type Cluster struct {
	constructs.Construct
	AKS      kubernetescluster.KubernetesCluster
	Identity userassignedidentity.UserAssignedIdentity

	id string
}

// NewCluster builds the cluster described by props. Its Terraform names
// are id (the cluster) and id+"-identity".
func NewCluster(scope constructs.Construct, id string, props ClusterProps) *Cluster {
	c := &Cluster{Construct: constructs.NewConstruct(scope, &id)}
	c.Identity = azure.NewIdentity(c.Construct, id+"-identity", props.IdentityName, props.Placement)
	var grants []cdktf.ITerraformDependable
	for _, g := range props.RoleGrants {
		grants = append(grants, azure.Grant(c.Construct, id+"-grant-"+g.Name, g.Role, g.On, azure.ManagedIdentity(c.Identity)))
	}

	cfg := &kubernetescluster.KubernetesClusterConfig{
		Name:                    jsii.String(props.Name),
		ResourceGroupName:       props.GroupName(),
		Location:                props.Region(),
		DnsPrefix:               jsii.String(props.DNSPrefix),
		NodeResourceGroup:       jsii.String(props.NodeResourceGroup),
		KubernetesVersion:       jsii.String(props.KubernetesVersion),
		SkuTier:                 jsii.String(props.SkuTier),
		DefaultNodePool:         defaultNodePool(props.NodePool, props.KubernetesVersion, props.Tags),
		NetworkProfile:          networkProfile(props.Network),
		OidcIssuerEnabled:       jsii.Bool(true),
		WorkloadIdentityEnabled: jsii.Bool(true),
		// The Secrets Store CSI driver with the Key Vault provider: how the
		// node's pods read Key Vault secrets through workload identity.
		KeyVaultSecretsProvider: &kubernetescluster.KubernetesClusterKeyVaultSecretsProvider{
			SecretRotationEnabled: jsii.Bool(true),
		},
		AzurePolicyEnabled: jsii.Bool(props.AzurePolicy),
		StorageProfile: &kubernetescluster.KubernetesClusterStorageProfile{
			DiskDriverEnabled: jsii.Bool(true),
			// Nothing here uses Azure Files, blobs or snapshots from inside
			// the cluster; each driver costs memory on a small node.
			FileDriverEnabled:         jsii.Bool(false),
			BlobDriverEnabled:         jsii.Bool(false),
			SnapshotControllerEnabled: jsii.Bool(false),
		},
		Identity: &kubernetescluster.KubernetesClusterIdentity{
			Type:        jsii.String("UserAssigned"),
			IdentityIds: &[]*string{c.Identity.Id()},
		},
		Tags:      props.TagMap(),
		DependsOn: &grants,
	}
	applyUpgrades(cfg, props.Upgrades)
	applyAccess(cfg, props.Access)
	if props.Workspace != nil {
		cfg.OmsAgent = &kubernetescluster.KubernetesClusterOmsAgent{
			LogAnalyticsWorkspaceId:     props.Workspace.Id(),
			MsiAuthForMonitoringEnabled: jsii.Bool(true),
		}
	}
	c.AKS = tfx.Pin(kubernetescluster.NewKubernetesCluster(c.Construct, jsii.String("aks"), cfg), id)
	c.id = id
	return c
}

// networkProfile selects Azure CNI overlay (kubenet is being retired) with
// Cilium for network policy, and the Standard load balancer that AKS manages
// for LoadBalancer Services.
func networkProfile(n Network) *kubernetescluster.KubernetesClusterNetworkProfile {
	return &kubernetescluster.KubernetesClusterNetworkProfile{
		NetworkPlugin:     jsii.String("azure"),
		NetworkPluginMode: jsii.String("overlay"),
		NetworkPolicy:     jsii.String("cilium"),
		NetworkDataPlane:  jsii.String("cilium"),
		LoadBalancerSku:   jsii.String("standard"),
		OutboundType:      jsii.String("loadBalancer"),
		PodCidr:           jsii.String(n.PodCIDR),
		ServiceCidr:       jsii.String(n.ServiceCIDR),
		DnsServiceIp:      jsii.String(n.DNSServiceIP),
	}
}
