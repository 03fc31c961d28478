package stacks

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/cluster"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/monitoring"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/security"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/storage"
	"github.com/my-mimisbrunnr/perpetual-infra/guardrails"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/facts"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/synthtest"
)

// Networking.

func TestNSGRulesFromConfig(t *testing.T) {
	synthesized(t)
	// prod lists an admin CIDR: the admin rules exist and admit only it.
	for _, name := range []string{"AllowIPFSAPIFromAdmins", "AllowSSHFromAdmins"} {
		r := prod.Named(t, "azurerm_network_security_rule", name)
		r.Equal(t, "source_address_prefix", "203.0.113.0/24")
	}
	// dev lists none: the rules are absent.
	for _, r := range dev.Resources("azurerm_network_security_rule") {
		if n := r.Str(t, "name"); strings.Contains(n, "Admins") {
			t.Errorf("dev has %s without admin CIDRs", n)
		}
	}
	for _, doc := range []*synthtest.Doc{dev, prod} {
		lb := doc.Named(t, "azurerm_network_security_rule", "AllowAzureLoadBalancerInBound")
		vnet := doc.Named(t, "azurerm_network_security_rule", "AllowVnetInBound")
		deny := doc.Named(t, "azurerm_network_security_rule", "DenyAllInbound")
		if lb.Num(t, "priority") >= deny.Num(t, "priority") || vnet.Num(t, "priority") >= deny.Num(t, "priority") {
			t.Errorf("%s: probe and VNet allows must precede DenyAllInbound", doc.Name)
		}
		doc.Named(t, "azurerm_network_security_rule", "AllowIPFSSwarmUdp").Equal(t, "protocol", "Udp")
		doc.Named(t, "azurerm_virtual_network", "perpetual-"+doc.Name+"-vnet").Equal(t, "address_space", []string{"10.0.0.0/16"})
		if doc.Count("azurerm_lb") != 0 {
			t.Errorf("%s: an orphan azurerm_lb", doc.Name)
		}
		ip := doc.Named(t, "azurerm_public_ip", "perpetual-"+doc.Name+"-ingress-pip")
		ip.Equal(t, "sku", "Standard")
		ip.Equal(t, "allocation_method", "Static")
		ip.Equal(t, "domain_name_label", "perpetual-"+doc.Name)
	}
}

// Cluster.

func TestClusterFromConfig(t *testing.T) {
	synthesized(t)
	for _, doc := range []*synthtest.Doc{dev, prod} {
		aks := doc.Named(t, "azurerm_kubernetes_cluster", "perpetual-"+doc.Name+"-aks")
		aks.Equal(t, "sku_tier", "Free")
		aks.Equal(t, "kubernetes_version", "1.35")
		aks.Equal(t, "default_node_pool.vm_size", map[string]string{"dev": "Standard_B2als_v2", "prod": "Standard_D2s_v5"}[doc.Name])
		aks.Equal(t, "default_node_pool.node_count", 1)
		aks.Equal(t, "network_profile.network_plugin_mode", "overlay")
		aks.Equal(t, "network_profile.load_balancer_sku", "standard")
		aks.Equal(t, "role_based_access_control_enabled", true)
		aks.Equal(t, "azure_active_directory_role_based_access_control.azure_rbac_enabled", true)
		aks.Equal(t, "oidc_issuer_enabled", true)
		aks.Equal(t, "workload_identity_enabled", true)

		// The control-plane identity's grants exist before the cluster.
		id := doc.Named(t, "azurerm_user_assigned_identity", "perpetual-"+doc.Name+"-aks-identity")
		subnet := doc.Named(t, "azurerm_subnet", "nodes")
		rg := doc.Named(t, "azurerm_resource_group", "perpetual-"+doc.Name+"-rg")
		disk := doc.Named(t, "azurerm_managed_disk", "perpetual-"+doc.Name+"-ipfs-data")
		deps := aks.Strs(t, "depends_on")
		for scope, role := range map[string]string{
			synthtest.Ref(subnet, "id"): "Network Contributor",
			synthtest.Ref(rg, "id"):     "Network Contributor",
			synthtest.Ref(disk, "id"):   "Contributor",
		} {
			var grant *synthtest.Block
			for _, r := range doc.Resources("azurerm_role_assignment") {
				if r.Str(t, "scope") == scope && r.Str(t, "principal_id") == synthtest.Ref(id, "principal_id") {
					grant = &r
				}
			}
			if grant == nil {
				t.Errorf("%s: no grant for the cluster identity on %s", doc.Name, scope)
				continue
			}
			grant.Equal(t, "role_definition_name", role)
			synthtest.ContainsAll(t, doc.Name+" cluster depends_on", deps, grant.Address())
		}
		admin := doc.Where(t, "azurerm_role_assignment", "role_definition_name", cluster.ClusterAdminRole)
		admin.Equal(t, "principal_id", "${data.azurerm_client_config.current.object_id}")
	}

	d := dev.Named(t, "azurerm_kubernetes_cluster", "perpetual-dev-aks")
	d.Equal(t, "local_account_disabled", false)
	if d.Has("api_server_access_profile") {
		t.Error("dev restricts the API server without admin CIDRs")
	}
	p := prod.Named(t, "azurerm_kubernetes_cluster", "perpetual-prod-aks")
	p.Equal(t, "local_account_disabled", true)
	p.Equal(t, "api_server_access_profile.authorized_ip_ranges", `${concat(["203.0.113.0/24"], formatlist("%s/32", var.deployer_ips))}`)
	p.Equal(t, "azure_policy_enabled", true)
	p.Equal(t, "oms_agent.log_analytics_workspace_id", synthtest.Ref(prod.Only(t, "azurerm_log_analytics_workspace"), "id"))
}

func TestAzureOutputs(t *testing.T) {
	synthesized(t)
	for _, doc := range []*synthtest.Doc{dev, prod} {
		synthtest.ContainsAll(t, doc.Name+" outputs", doc.Outputs(),
			"cluster_name", "cluster_resource_group", "resource_group_name", "oidc_issuer_url", "kube_config_raw",
			"ingress_ip_address", "ingress_ip_name", "ingress_ip_resource_group", "ingress_fqdn",
			"ipfs_disk_id", "ipfs_disk_name", "node_identity_client_id", "key_vault_name", "storage_account_name")
		doc.Output(t, "kube_config_raw").Equal(t, "sensitive", true)
		aks := doc.Named(t, "azurerm_kubernetes_cluster", "perpetual-"+doc.Name+"-aks")
		doc.Output(t, "kube_config_raw").Equal(t, "value", synthtest.Ref(aks, "kube_config_raw"))
		for _, name := range doc.Outputs() {
			if name != "kube_config_raw" {
				doc.Output(t, name).Equal(t, "sensitive", false)
			}
		}
	}
}

// Storage, security and monitoring.

// TestDevelopmentStaysDisposable: production keeps its data resources
// (guardrail DATA-001 checks that at every synthesis); development does
// not, so that it can be torn down.
func TestDevelopmentStaysDisposable(t *testing.T) {
	synthesized(t)
	for _, typ := range guardrails.DataResources {
		for _, r := range dev.Resources(typ) {
			if v, _ := r.Get("lifecycle.prevent_destroy"); v == true {
				t.Errorf("dev %s has prevent_destroy; dev stays disposable", r.Address())
			}
		}
	}
	for _, typ := range []string{"azurerm_managed_disk", "azurerm_storage_account", "azurerm_key_vault", "azurerm_public_ip", "azurerm_data_protection_backup_vault"} {
		if !slices.Contains(guardrails.DataResources, typ) {
			t.Errorf("%s is not among guardrails.DataResources", typ)
		}
	}
	disk := prod.Only(t, "azurerm_managed_disk")
	disk.Equal(t, "storage_account_type", "Premium_LRS")
	disk.Equal(t, "disk_size_gb", 5)
	dev.Only(t, "azurerm_managed_disk").Equal(t, "disk_size_gb", 1)
}

// TestStorageAccount: what the configuration sets (the hardening the
// guardrails ST-001 to ST-003 check is not repeated here).
func TestStorageAccount(t *testing.T) {
	synthesized(t)
	for _, doc := range []*synthtest.Doc{dev, prod} {
		a := doc.Only(t, "azurerm_storage_account")
		a.Equal(t, "blob_properties.versioning_enabled", true)
		a.Equal(t, "blob_properties.delete_retention_policy.days", 7)
		doc.Named(t, "azurerm_storage_container", "logs").Equal(t, "container_access_type", "private")
	}
	prod.Only(t, "azurerm_storage_account").Equal(t, "network_rules.default_action", "Deny")
	prod.Only(t, "azurerm_storage_account").Equal(t, "network_rules.ip_rules", `${concat(["203.0.113.0/24"], var.deployer_ips)}`)
	dev.Only(t, "azurerm_storage_account").Equal(t, "network_rules.default_action", "Allow")
}

func TestBackupsOnlyWhereEnabled(t *testing.T) {
	synthesized(t)
	if n := dev.Count("azurerm_data_protection_backup_vault"); n != 0 {
		t.Errorf("dev (enableBackups false) has %d backup vaults", n)
	}
	prod.Only(t, "azurerm_data_protection_backup_vault")
	policy := prod.Only(t, "azurerm_data_protection_backup_policy_disk")
	policy.Equal(t, "default_retention_duration", "P7D")
	policy.Equal(t, "backup_repeating_time_intervals", []string{"R/2024-01-01T02:00:00+00:00/P1D"})
	inst := prod.Only(t, "azurerm_data_protection_backup_instance_disk")
	disk := prod.Only(t, "azurerm_managed_disk")
	inst.Equal(t, "disk_id", synthtest.Ref(disk, "id"))
	snapshots := prod.Named(t, "azurerm_resource_group", "perpetual-prod-snapshots-rg")
	inst.Equal(t, "snapshot_resource_group_name", synthtest.Ref(snapshots, "name"))
	prod.Where(t, "azurerm_role_assignment", "role_definition_name", storage.DiskBackupReaderRole).Equal(t, "scope", synthtest.Ref(disk, "id"))
	prod.Where(t, "azurerm_role_assignment", "role_definition_name", storage.DiskSnapshotContributorRole).Equal(t, "scope", synthtest.Ref(snapshots, "id"))
}

func TestKeyVault(t *testing.T) {
	synthesized(t)
	p := prod.Only(t, "azurerm_key_vault")
	p.Equal(t, "sku_name", "standard")
	p.Equal(t, "network_acls.bypass", "AzureServices")
	p.Equal(t, "network_acls.ip_rules", `${concat(["203.0.113.0/24"], var.deployer_ips)}`)
	// The node's workload identity reads the vault from the node subnet.
	subnet := prod.Only(t, "azurerm_subnet")
	p.Equal(t, "network_acls.virtual_network_subnet_ids", []string{synthtest.Ref(subnet, "id")})
	synthtest.ContainsAll(t, "node subnet service endpoints", subnet.Strs(t, "service_endpoints"), "Microsoft.KeyVault")
	d := dev.Only(t, "azurerm_key_vault")
	d.Equal(t, "purge_protection_enabled", false)
	d.Equal(t, "network_acls.default_action", "Allow")

	for _, doc := range []*synthtest.Doc{dev, prod} {
		// The node's identity reads the secrets, the deploying identity
		// writes them (Azure RBAC on the vault).
		node := doc.Named(t, "azurerm_user_assigned_identity", "perpetual-"+doc.Name+"-node-identity")
		vault := doc.Only(t, "azurerm_key_vault")
		vault.Equal(t, "rbac_authorization_enabled", true)
		reader := doc.Where(t, "azurerm_role_assignment", "principal_id", synthtest.Ref(node, "principal_id"))
		reader.Equal(t, "role_definition_name", security.SecretsUserRole)
		reader.Equal(t, "scope", synthtest.Ref(vault, "id"))
		writer := doc.Where(t, "azurerm_role_assignment", "role_definition_name", security.SecretsOfficerRole)
		writer.Equal(t, "principal_id", "${data.azurerm_client_config.current.object_id}")
		writer.Equal(t, "scope", synthtest.Ref(vault, "id"))
		for name, v := range map[string]string{SecretGitHubToken: facts.VarGitHubToken, SecretIPFSPrivateKey: facts.VarIPFSPrivateKey} {
			s := doc.Named(t, "azurerm_key_vault_secret", name)
			s.Equal(t, "value_wo", "${var."+v+"}")
			s.Equal(t, "value_wo_version", "${var."+facts.VarSecretsRevision+"}")
			doc.Variable(t, v).Equal(t, "sensitive", true)
			doc.Variable(t, v).Equal(t, "ephemeral", true)
		}
		doc.Variable(t, facts.VarSecretsRevision).Equal(t, "default", 1)
		doc.Variable(t, facts.VarDeployerIPs).Equal(t, "default", []string{})

		fed := doc.Only(t, "azurerm_federated_identity_credential")
		aks := doc.Named(t, "azurerm_kubernetes_cluster", "perpetual-"+doc.Name+"-aks")
		fed.Equal(t, "issuer", synthtest.Ref(aks, "oidc_issuer_url"))
		fed.Equal(t, "subject", "system:serviceaccount:perpetual:perpetual-node")
		for _, r := range doc.Resources("azurerm_role_assignment") {
			if strings.Contains(r.Str(t, "role_definition_name"), "AcrPull") {
				t.Errorf("%s: AcrPull without a registry", doc.Name)
			}
		}
	}
}

func TestPolicies(t *testing.T) {
	synthesized(t)
	var prodDefs []string
	for _, a := range prod.Resources("azurerm_resource_group_policy_assignment") {
		prodDefs = append(prodDefs, a.Str(t, "policy_definition_id"))
	}
	if len(prodDefs) != 3 {
		t.Errorf("prod assigns %v, want allowed locations and the two Kubernetes policies", prodDefs)
	}
	var devDefs []string
	for _, a := range dev.Resources("azurerm_resource_group_policy_assignment") {
		devDefs = append(devDefs, a.Str(t, "policy_definition_id"))
	}
	if len(devDefs) != 1 || !strings.HasSuffix(devDefs[0], "e56962a6-4747-49cd-b67b-bf8b01975c4c") {
		t.Errorf("dev assigns %v, want allowed locations only", devDefs)
	}
	dev.Named(t, "azurerm_kubernetes_cluster", "perpetual-dev-aks").Equal(t, "azure_policy_enabled", false)
}

func TestMonitoring(t *testing.T) {
	synthesized(t)
	if n := dev.Count("azurerm_log_analytics_workspace"); n != 0 {
		t.Errorf("dev (monitoring basic) has %d workspaces", n)
	}
	ws := prod.Only(t, "azurerm_log_analytics_workspace")
	ws.Equal(t, "sku", "PerGB2018")
	ws.Equal(t, "daily_quota_gb", 0.16)
	ws.Equal(t, "retention_in_days", 30)
	prod.Only(t, "azurerm_monitor_data_collection_rule_association")

	for _, doc := range []*synthtest.Doc{dev, prod} {
		group := doc.Only(t, "azurerm_monitor_action_group")
		group.Equal(t, "email_receiver.0.email_address", "ops@example.com")
		metrics := map[string]float64{}
		for _, a := range doc.Resources("azurerm_monitor_metric_alert") {
			metrics[a.Str(t, "criteria.0.metric_name")] = a.Num(t, "criteria.0.threshold")
			a.Equal(t, "frequency", "PT5M")
			a.Equal(t, "window_size", "PT15M")
			a.Equal(t, "severity", 3)
		}
		want := map[string]float64{"node_cpu_usage_percentage": 90, "node_memory_working_set_percentage": 90, "node_disk_usage_percentage": 80}
		for m, th := range want {
			if metrics[m] != th {
				t.Errorf("%s: alert on %s at %v, want %v", doc.Name, m, metrics[m], th)
			}
		}
		b := doc.Only(t, "azurerm_consumption_budget_resource_group")
		b.Equal(t, "amount", map[string]int{"dev": 90, "prod": 150}[doc.Name])
		b.Equal(t, "time_period.start_date", monitoring.StartDate)
		b.Equal(t, "resource_group_id", synthtest.Ref(doc.Named(t, "azurerm_resource_group", "perpetual-"+doc.Name+"-rg"), "id"))
		var kinds []string
		for i := range 2 {
			kinds = append(kinds, b.Str(t, "notification."+string(rune('0'+i))+".threshold_type"))
		}
		slices.Sort(kinds)
		if !slices.Equal(kinds, []string{"Actual", "Forecasted"}) {
			t.Errorf("%s: budget notifications %v", doc.Name, kinds)
		}
	}
}

// The deploying machine's addresses (the variable deployer_ips) reach
// exactly the attributes facts.RunnerPaths names, which cmd/plancheck
// leaves out when it compares the reviewed plan with the applied one. (A
// nested block is an object here and a list in a plan: the paths are
// compared without their list elements.)
func TestRunnerPathsAreTheDeployerIPs(t *testing.T) {
	synthesized(t)
	var walk func(v any, path []string, found map[string]bool)
	walk = func(v any, path []string, found map[string]bool) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if k != "//" {
					walk(e, append(slices.Clone(path), k), found)
				}
			}
		case []any:
			for _, e := range v {
				walk(e, path, found)
			}
		case string:
			if strings.Contains(v, "var."+facts.VarDeployerIPs) {
				found[strings.Join(path, ".")] = true
			}
		}
	}
	for _, doc := range []*synthtest.Doc{dev, prod} {
		for _, r := range doc.Resources("") {
			found := map[string]bool{}
			walk(r.Attrs, nil, found)
			want := map[string]bool{}
			for _, p := range facts.RunnerPaths[r.Type] {
				want[strings.Join(slices.DeleteFunc(slices.Clone(p), func(s string) bool { return s == "*" }), ".")] = true
			}
			// prod's firewalls deny and it lists admin networks, so every
			// path lets the runner in; dev's are open, and need none.
			if doc == dev {
				maps.DeleteFunc(want, func(p string, _ bool) bool { return !found[p] })
			}
			if !maps.Equal(found, want) {
				t.Errorf("%s: %s reads %s at %v; facts.RunnerPaths says %v", doc.Name, r.Address(), facts.VarDeployerIPs, slices.Sorted(maps.Keys(found)), slices.Sorted(maps.Keys(want)))
			}
		}
	}
}
