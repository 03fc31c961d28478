package cluster

import (
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/loganalyticsworkspace"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/manageddisk"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/subnet"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/synthtest"
)

// newTestCluster builds a cluster in a new stack, with its subnet and, when
// withWorkspace, a Log Analytics workspace and the Azure Policy add-on.
func newTestCluster(app cdktf.App, id string, local bool, ranges []string, withWorkspace bool, upgrades string) {
	stack := synthtest.NewAzureStack(app, id)
	place := synthtest.Placement(stack)
	nodes := subnet.NewSubnet(stack, jsii.String("nodes"), &subnet.SubnetConfig{
		Name: jsii.String("nodes"), ResourceGroupName: jsii.String("rg"), VirtualNetworkName: jsii.String("vnet"),
		AddressPrefixes: &[]*string{jsii.String("10.0.1.0/24")},
	})
	disk := manageddisk.NewManagedDisk(stack, jsii.String("data"), &manageddisk.ManagedDiskConfig{
		Name: jsii.String("data"), ResourceGroupName: jsii.String("rg"), Location: jsii.String("eastus"),
		StorageAccountType: jsii.String("Premium_LRS"), CreateOption: jsii.String("Empty"), DiskSizeGb: jsii.Number(1),
	})
	var ws loganalyticsworkspace.LogAnalyticsWorkspace
	if withWorkspace {
		ws = loganalyticsworkspace.NewLogAnalyticsWorkspace(stack, jsii.String("logs"), &loganalyticsworkspace.LogAnalyticsWorkspaceConfig{
			Name: jsii.String("logs"), ResourceGroupName: jsii.String("rg"), Location: jsii.String("eastus"),
		})
	}
	client := synthtest.Client(stack)
	c := NewCluster(stack, "cluster", ClusterProps{
		Placement:         place,
		Name:              "aks",
		DNSPrefix:         "perpetual-test",
		NodeResourceGroup: "nodes-rg",
		IdentityName:      "aks-identity",
		KubernetesVersion: "1.35",
		SkuTier:           "Free",
		NodePool:          NodePool{Name: "system", VMSize: "Standard_D2s_v5", Count: 1, OSDiskSizeGB: 32, Subnet: nodes},
		Network:           Network{PodCIDR: "10.244.0.0/16", ServiceCIDR: "10.96.0.0/16", DNSServiceIP: "10.96.0.10"},
		Upgrades: Upgrades{AutomaticChannel: upgrades, NodeOSChannel: "NodeImage",
			Window: MaintenanceWindow{DayOfWeek: "Sunday", StartTime: "02:00", DurationHours: 4, UTCOffset: "+00:00"}},
		Access: Access{
			Tenant:               client,
			AdminGroupObjectIDs:  []string{"00000000-0000-0000-0000-000000000001"},
			LocalAccountsEnabled: local,
			AuthorizedIPRanges:   ranges,
		},
		RoleGrants: []IdentityGrant{
			{Name: "subnet", Role: "Network Contributor", On: nodes},
			{Name: "disk", Role: "Contributor", On: disk},
		},
		Workspace:   ws,
		AzurePolicy: withWorkspace,
	})
	c.GrantAdmin("deployer", azure.CurrentClient(client))
}

// TestMain ends jsii and removes the synthesis' output (synthtest.Main).
func TestMain(m *testing.M) { synthtest.Main(m.Run) }

var synth = synthtest.Once(func(app cdktf.App) {
	newTestCluster(app, "restricted", false, []string{"203.0.113.0/24"}, true, "patch")
	newTestCluster(app, "open", true, nil, false, "patch")
	newTestCluster(app, "manual", true, nil, false, "")
})

func TestControlPlaneAndNodePool(t *testing.T) {
	aks := synth(t)["restricted"].Named(t, "azurerm_kubernetes_cluster", "aks")
	aks.Equal(t, "sku_tier", "Free")
	aks.Equal(t, "kubernetes_version", "1.35")
	aks.Equal(t, "node_resource_group", "nodes-rg")
	aks.Equal(t, "oidc_issuer_enabled", true)
	aks.Equal(t, "workload_identity_enabled", true)
	aks.Equal(t, "automatic_upgrade_channel", "patch")
	aks.Equal(t, "node_os_upgrade_channel", "NodeImage")
	for _, w := range []string{"maintenance_window_auto_upgrade", "maintenance_window_node_os"} {
		aks.Equal(t, w+".frequency", "Weekly")
		aks.Equal(t, w+".day_of_week", "Sunday")
		aks.Equal(t, w+".start_time", "02:00")
		aks.Equal(t, w+".duration", 4)
	}
	aks.Equal(t, "default_node_pool.name", "system")
	aks.Equal(t, "default_node_pool.vm_size", "Standard_D2s_v5")
	aks.Equal(t, "default_node_pool.node_count", 1)
	aks.Equal(t, "default_node_pool.os_disk_size_gb", 32)
	aks.Equal(t, "default_node_pool.orchestrator_version", "1.35")
	aks.Equal(t, "default_node_pool.vnet_subnet_id", synthtest.Ref(synth(t)["restricted"].Named(t, "azurerm_subnet", "nodes"), "id"))
	aks.Equal(t, "default_node_pool.temporary_name_for_rotation", "systemtmp")
	if aks.Has("default_node_pool.only_critical_addons_enabled") {
		t.Error("the only pool must also run the node's pods; no CriticalAddonsOnly taint")
	}
}

// TestNoAutomaticUpgrades: AKS has no "none" channel (the provider rejects
// it); turning upgrades off leaves the channel and its window out, while
// node OS updates keep theirs.
func TestNoAutomaticUpgrades(t *testing.T) {
	aks := synth(t)["manual"].Named(t, "azurerm_kubernetes_cluster", "aks")
	// Without a channel the configured version is the cluster's: a change
	// of it must be planned.
	for _, attr := range []string{"automatic_upgrade_channel", "maintenance_window_auto_upgrade", "lifecycle.ignore_changes"} {
		if aks.Has(attr) {
			t.Errorf("%s is set with upgrades off: %v", attr, aks.Value(t, attr))
		}
	}
	aks.Equal(t, "node_os_upgrade_channel", "NodeImage")
	aks.Equal(t, "maintenance_window_node_os.day_of_week", "Sunday")
}

func TestNetworkProfile(t *testing.T) {
	aks := synth(t)["restricted"].Named(t, "azurerm_kubernetes_cluster", "aks")
	aks.Equal(t, "network_profile", map[string]any{
		"network_plugin":      "azure",
		"network_plugin_mode": "overlay",
		"network_policy":      "cilium",
		"network_data_plane":  "cilium",
		"load_balancer_sku":   "standard",
		"outbound_type":       "loadBalancer",
		"pod_cidr":            "10.244.0.0/16",
		"service_cidr":        "10.96.0.0/16",
		"dns_service_ip":      "10.96.0.10",
	})
}

func TestIdentityAndGrantsComeFirst(t *testing.T) {
	aks := synth(t)["restricted"].Named(t, "azurerm_kubernetes_cluster", "aks")
	id := synth(t)["restricted"].Named(t, "azurerm_user_assigned_identity", "aks-identity")
	aks.Equal(t, "identity.type", "UserAssigned")
	aks.Equal(t, "identity.identity_ids", []string{synthtest.Ref(id, "id")})
	deps := aks.Strs(t, "depends_on")
	subnetID := synthtest.Ref(synth(t)["restricted"].Named(t, "azurerm_subnet", "nodes"), "id")
	diskID := synthtest.Ref(synth(t)["restricted"].Named(t, "azurerm_managed_disk", "data"), "id")
	for scope, role := range map[string]string{subnetID: "Network Contributor", diskID: "Contributor"} {
		g := synth(t)["restricted"].Where(t, "azurerm_role_assignment", "scope", scope)
		g.Equal(t, "role_definition_name", role)
		g.Equal(t, "principal_id", synthtest.Ref(id, "principal_id"))
		synthtest.ContainsAll(t, "cluster depends_on", deps, g.Address())
	}
}

func TestAccessControl(t *testing.T) {
	aks := synth(t)["restricted"].Named(t, "azurerm_kubernetes_cluster", "aks")
	aks.Equal(t, "role_based_access_control_enabled", true)
	aks.Equal(t, "azure_active_directory_role_based_access_control", map[string]any{
		"azure_rbac_enabled":     true,
		"tenant_id":              "${data.azurerm_client_config.current.tenant_id}",
		"admin_group_object_ids": []string{"00000000-0000-0000-0000-000000000001"},
	})
	aks.Equal(t, "local_account_disabled", true)
	aks.Equal(t, "api_server_access_profile.authorized_ip_ranges", []string{"203.0.113.0/24"})

	admin := synth(t)["restricted"].Where(t, "azurerm_role_assignment", "role_definition_name", ClusterAdminRole)
	admin.Equal(t, "principal_id", "${data.azurerm_client_config.current.object_id}")
	admin.Equal(t, "scope", synthtest.Ref(aks, "id"))

	dev := synth(t)["open"].Named(t, "azurerm_kubernetes_cluster", "aks")
	dev.Equal(t, "local_account_disabled", false)
	if dev.Has("api_server_access_profile") {
		t.Error("authorized IP ranges without Access.AuthorizedIPRanges")
	}
}

func TestAddOns(t *testing.T) {
	aks := synth(t)["restricted"].Named(t, "azurerm_kubernetes_cluster", "aks")
	aks.Equal(t, "oms_agent.log_analytics_workspace_id", synthtest.Ref(synth(t)["restricted"].Named(t, "azurerm_log_analytics_workspace", "logs"), "id"))
	aks.Equal(t, "oms_agent.msi_auth_for_monitoring_enabled", true)
	aks.Equal(t, "azure_policy_enabled", true)
	aks.Equal(t, "key_vault_secrets_provider.secret_rotation_enabled", true)
	aks.Equal(t, "storage_profile.disk_driver_enabled", true)

	dev := synth(t)["open"].Named(t, "azurerm_kubernetes_cluster", "aks")
	if dev.Has("oms_agent") {
		t.Error("monitoring add-on without a workspace")
	}
	dev.Equal(t, "azure_policy_enabled", false)
}
