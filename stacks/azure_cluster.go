package stacks

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/cluster"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/monitoring"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/networking"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/storage"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// newCluster builds the AKS cluster on the node subnet, with the roles its
// identity needs on the subnet, the IP's resource group and the data disk,
// the deployer as cluster admin, and Container Insights when logs is set.
func newCluster(stack cdktf.TerraformStack, cfg *config.Config, place azure.Placement, in azureInputs,
	net *networking.Network, disk *storage.DataDisk, logs *monitoring.LogAnalytics) *cluster.Cluster {
	names, k := cfg.Names(), cfg.Kubernetes
	props := cluster.ClusterProps{
		Placement:         place,
		Name:              names.Cluster,
		DNSPrefix:         names.ClusterDNSPrefix,
		NodeResourceGroup: names.NodeResourceGroup,
		IdentityName:      names.ClusterIdentity,
		KubernetesVersion: k.Version,
		SkuTier:           k.SkuTier,
		NodePool: cluster.NodePool{
			Name:         "system",
			VMSize:       cfg.VMSize,
			Count:        cfg.NodeCount,
			OSDiskSizeGB: k.OSDiskSizeGB,
			Subnet:       net.Subnet,
		},
		Network: cluster.Network{
			PodCIDR:      cfg.Network.PodCIDR,
			ServiceCIDR:  cfg.Network.ServiceCIDR,
			DNSServiceIP: cfg.Network.DNSServiceIP,
		},
		Upgrades: cluster.Upgrades{
			AutomaticChannel: k.UpgradeChannel(),
			NodeOSChannel:    k.NodeOSUpgradeChannel,
			Window: cluster.MaintenanceWindow{
				DayOfWeek:     k.MaintenanceWindow.DayOfWeek,
				StartTime:     k.MaintenanceWindow.StartTime,
				DurationHours: k.MaintenanceWindow.DurationHours,
				UTCOffset:     k.MaintenanceWindow.UTCOffset,
			},
		},
		Access: cluster.Access{
			Tenant:               in.Client,
			AdminGroupObjectIDs:  k.AdminGroupObjectIDs,
			LocalAccountsEnabled: k.LocalAccountsEnabled,
		},
		RoleGrants: []cluster.IdentityGrant{
			// AKS joins its nodes to the subnet (custom VNet).
			{Name: "subnet", Role: "Network Contributor", On: net.Subnet},
			// AKS attaches the static public IP to its load balancer; Microsoft
			// documents the grant on the IP's resource group.
			{Name: "ingress-ip", Role: "Network Contributor", On: place.ResourceGroup},
			// The Azure Disk CSI driver attaches the data disk, which lives
			// outside the node resource group.
			{Name: "data-disk", Role: "Contributor", On: disk.Disk},
		},
		AzurePolicy: cfg.Policy.AzurePolicyAddon,
	}
	if len(cfg.Network.AdminCIDRs) > 0 {
		// The admin networks and the deploying runner (which must reach the
		// API server for the -k8s stack).
		props.Access.AuthorizedIPRanges = tfx.List(cdktf.Token_AsList(cdktf.Fn_Concat(&[]interface{}{
			tfx.Strings(cfg.Network.AdminCIDRs),
			cdktf.Fn_Formatlist(jsii.String("%s/32"), &[]interface{}{in.DeployerIPs.ListValue()}),
		}), nil))
	}
	if logs != nil {
		props.Workspace = logs.Workspace
	}
	c := cluster.NewCluster(stack, "cluster", props)
	c.GrantAdmin("deployer", azure.CurrentClient(in.Client))
	return c
}
