// Package cluster builds the AKS cluster of the perpetual node: its
// user-assigned control-plane identity and the role assignments that identity
// needs, the cluster itself with one system node pool, and the cluster's
// access control.
package cluster

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/kubernetescluster"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/roleassignment"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/userassignedidentity"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// Props configures [New].
type Props struct {
	// Name of the cluster, and DNSPrefix of its API server FQDN.
	Name      string
	DNSPrefix string
	// ResourceGroupName and Location place the cluster and its identity.
	ResourceGroupName string
	Location          string
	// NodeResourceGroup names the resource group AKS creates for the nodes.
	NodeResourceGroup string
	// IdentityName names the control-plane identity.
	IdentityName string
	Tags         map[string]string

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
	RoleGrants []RoleGrant

	// LogAnalyticsWorkspaceID, when set, enables the monitoring add-on
	// (Container Insights, managed identity auth) against that workspace.
	LogAnalyticsWorkspaceID string
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

// RoleGrant is an Azure role for the control-plane identity at a scope.
type RoleGrant struct {
	// Name makes the construct ID; it must be unique among the grants.
	Name  string
	Role  string
	Scope string
}

// Upgrades configures automatic upgrades.
type Upgrades struct {
	// AutomaticChannel: patch, stable, rapid, node-image, or
	// NoAutomaticUpgrades.
	AutomaticChannel string
	// NodeOSChannel: NodeImage, SecurityPatch, Unmanaged or None.
	NodeOSChannel string
	Window        MaintenanceWindow
}

// MaintenanceWindow is a weekly window.
type MaintenanceWindow struct {
	DayOfWeek     string
	StartTime     string
	DurationHours int
	UTCOffset     string
}

// Cluster is the built cluster.
type Cluster struct {
	// Scope is the construct that holds the resources below.
	Scope constructs.Construct

	Identity userassignedidentity.UserAssignedIdentity
	AKS      kubernetescluster.KubernetesCluster
}

// New builds the cluster described by props.
func New(scope constructs.Construct, id string, props Props) *Cluster {
	c := &Cluster{Scope: constructs.NewConstruct(scope, &id)}
	c.Identity = tfx.Pin(userassignedidentity.NewUserAssignedIdentity(c.Scope, jsii.String("identity"), &userassignedidentity.UserAssignedIdentityConfig{
		Name:              jsii.String(props.IdentityName),
		ResourceGroupName: jsii.String(props.ResourceGroupName),
		Location:          jsii.String(props.Location),
		Tags:              tfx.StringMap(props.Tags),
	}), id+"-identity")
	var grants []cdktf.ITerraformDependable
	for _, g := range props.RoleGrants {
		grants = append(grants, roleassignment.NewRoleAssignment(c.Scope, jsii.String("grant-"+g.Name), &roleassignment.RoleAssignmentConfig{
			Scope:              jsii.String(g.Scope),
			RoleDefinitionName: jsii.String(g.Role),
			PrincipalId:        c.Identity.PrincipalId(),
			PrincipalType:      jsii.String("ServicePrincipal"),
		}))
	}

	cfg := &kubernetescluster.KubernetesClusterConfig{
		Name:                    jsii.String(props.Name),
		ResourceGroupName:       jsii.String(props.ResourceGroupName),
		Location:                jsii.String(props.Location),
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
		Tags:      tfx.StringMap(props.Tags),
		DependsOn: &grants,
	}
	applyUpgrades(cfg, props.Upgrades)
	applyAccess(cfg, props.Access)
	if props.LogAnalyticsWorkspaceID != "" {
		cfg.OmsAgent = &kubernetescluster.KubernetesClusterOmsAgent{
			LogAnalyticsWorkspaceId:     jsii.String(props.LogAnalyticsWorkspaceID),
			MsiAuthForMonitoringEnabled: jsii.Bool(true),
		}
	}
	c.AKS = tfx.Pin(kubernetescluster.NewKubernetesCluster(c.Scope, jsii.String("aks"), cfg), id)
	c.grantClusterAdmins(props.Access)
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

// NoAutomaticUpgrades is the value of Upgrades.AutomaticChannel that turns
// automatic Kubernetes upgrades off. AKS has no such channel value: the
// attribute and its maintenance window are left out instead.
const NoAutomaticUpgrades = "none"

// applyUpgrades sets the automatic upgrade channels and their windows.
func applyUpgrades(cfg *kubernetescluster.KubernetesClusterConfig, u Upgrades) {
	w := u.Window
	if u.AutomaticChannel != NoAutomaticUpgrades {
		cfg.AutomaticUpgradeChannel = jsii.String(u.AutomaticChannel)
		cfg.MaintenanceWindowAutoUpgrade = &kubernetescluster.KubernetesClusterMaintenanceWindowAutoUpgrade{
			Frequency: jsii.String("Weekly"),
			Interval:  tfx.Num(1),
			DayOfWeek: jsii.String(w.DayOfWeek),
			StartTime: jsii.String(w.StartTime),
			Duration:  tfx.Num(w.DurationHours),
			UtcOffset: jsii.String(w.UTCOffset),
		}
	}
	cfg.NodeOsUpgradeChannel = jsii.String(u.NodeOSChannel)
	cfg.MaintenanceWindowNodeOs = &kubernetescluster.KubernetesClusterMaintenanceWindowNodeOs{
		Frequency: jsii.String("Weekly"),
		Interval:  tfx.Num(1),
		DayOfWeek: jsii.String(w.DayOfWeek),
		StartTime: jsii.String(w.StartTime),
		Duration:  tfx.Num(w.DurationHours),
		UtcOffset: jsii.String(w.UTCOffset),
	}
}
