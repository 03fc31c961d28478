package storage

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/resourcegroup"

	"github.com/my-mimisbrunnr/perpetual-infra/tools/synthtest"
)

// TestMain ends jsii and removes the synthesis' output (synthtest.Main).
func TestMain(m *testing.M) { synthtest.Main(m.Run) }

var synth = synthtest.Once(func(app cdktf.App) {
	a := synthtest.NewAzureStack(app, "azure")
	place := synthtest.Placement(a)
	snapshots := resourcegroup.NewResourceGroup(a, jsii.String("snapshots"), &resourcegroup.ResourceGroupConfig{Name: jsii.String("snapshots-rg"), Location: jsii.String("eastus")})
	disk := NewDataDisk(a, "disk", DataDiskProps{Placement: place, Name: "data", SizeGB: 5, PreventDestroy: true})
	NewDataDisk(a, "scratch", DataDiskProps{Placement: place, Name: "scratch", SizeGB: 1})
	NewAccount(a, "account", AccountProps{
		Placement: place, Name: "stdata", Replication: "LRS",
		BlobSoftDeleteDays: 7, ContainerSoftDeleteDays: 14, LogsContainer: "logs",
		NetworkDefaultAction: "Deny", IPRules: []string{"203.0.113.0/24"}, PreventDestroy: true,
	})
	NewBackup(a, "backup", BackupProps{
		Placement: place, VaultName: "vault", Redundancy: "LocallyRedundant",
		Disk: disk.Disk, SnapshotResourceGroup: snapshots,
		TimeOfDay: "02:00", RetentionDays: 7, PreventDestroy: true,
	})
	// Backups that differ in one argument of the policy each.
	p := synthtest.NewAzureStack(app, "policies")
	pplace := synthtest.Placement(p)
	pdisk := NewDataDisk(p, "disk", DataDiskProps{Placement: pplace, Name: "data", SizeGB: 5})
	for i, v := range []struct {
		time string
		days int
	}{{"02:00", 7}, {"03:30", 7}, {"02:00", 14}, {"14:00", 7}} {
		NewBackup(p, fmt.Sprint("backup", i), BackupProps{
			Placement: pplace, VaultName: "vault", Redundancy: "LocallyRedundant",
			Disk: pdisk.Disk, SnapshotResourceGroup: pplace.ResourceGroup,
			TimeOfDay: v.time, RetentionDays: v.days,
		})
	}
})

func TestDataDisk(t *testing.T) {
	d := synth(t)["azure"].Named(t, "azurerm_managed_disk", "data")
	d.Equal(t, "storage_account_type", "Premium_LRS")
	d.Equal(t, "create_option", "Empty")
	d.Equal(t, "disk_size_gb", 5)
	d.Equal(t, "lifecycle.prevent_destroy", true)
	if d.Has("zone") {
		t.Error("the disk has a zone; the nodes have none, so it could not attach")
	}
	if synth(t)["azure"].Named(t, "azurerm_managed_disk", "scratch").Has("lifecycle") {
		t.Error("prevent_destroy without PreventDestroy")
	}
}

func TestStorageAccount(t *testing.T) {
	a := synth(t)["azure"].Named(t, "azurerm_storage_account", "stdata")
	a.Equal(t, "min_tls_version", "TLS1_2")
	a.Equal(t, "https_traffic_only_enabled", true)
	a.Equal(t, "shared_access_key_enabled", false)
	a.Equal(t, "allow_nested_items_to_be_public", false)
	a.Equal(t, "blob_properties.versioning_enabled", true)
	a.Equal(t, "blob_properties.delete_retention_policy.days", 7)
	a.Equal(t, "blob_properties.container_delete_retention_policy.days", 14)
	a.Equal(t, "network_rules.default_action", "Deny")
	a.Equal(t, "network_rules.ip_rules", []string{"203.0.113.0/24"})
	synthtest.ContainsAll(t, "bypass", a.Strs(t, "network_rules.bypass"), "AzureServices")
	a.Equal(t, "lifecycle.prevent_destroy", true)
	logs := synth(t)["azure"].Named(t, "azurerm_storage_container", "logs")
	logs.Equal(t, "container_access_type", "private")
	logs.Equal(t, "storage_account_id", synthtest.Ref(a, "id"))
	if logs.Has("storage_account_name") {
		t.Error("the container names its account: the provider then reads it through the data plane, which the storage firewall blocks")
	}
}

func TestDiskBackup(t *testing.T) {
	vault := synth(t)["azure"].Named(t, "azurerm_data_protection_backup_vault", "vault")
	vault.Equal(t, "identity.type", "SystemAssigned")
	policy := synth(t)["azure"].Only(t, "azurerm_data_protection_backup_policy_disk")
	policy.Equal(t, "backup_repeating_time_intervals", []string{"R/2024-01-01T02:00:00+00:00/P1D"})
	policy.Equal(t, "default_retention_duration", "P7D")
	policy.Equal(t, "vault_id", synthtest.Ref(vault, "id"))
	policy.Equal(t, "lifecycle.create_before_destroy", true)

	disk := synth(t)["azure"].Named(t, "azurerm_managed_disk", "data")
	principal := "${" + vault.Address() + ".identity[0].principal_id}"
	reader := synth(t)["azure"].Where(t, "azurerm_role_assignment", "role_definition_name", DiskBackupReaderRole)
	reader.Equal(t, "scope", synthtest.Ref(disk, "id"))
	reader.Equal(t, "principal_id", principal)
	snap := synth(t)["azure"].Where(t, "azurerm_role_assignment", "role_definition_name", DiskSnapshotContributorRole)
	snap.Equal(t, "scope", synthtest.Ref(synth(t)["azure"].Named(t, "azurerm_resource_group", "snapshots-rg"), "id"))
	snap.Equal(t, "principal_id", principal)

	inst := synth(t)["azure"].Only(t, "azurerm_data_protection_backup_instance_disk")
	inst.Equal(t, "disk_id", synthtest.Ref(disk, "id"))
	inst.Equal(t, "snapshot_resource_group_name", synthtest.Ref(synth(t)["azure"].Named(t, "azurerm_resource_group", "snapshots-rg"), "name"))
	inst.Equal(t, "name", synthtest.Ref(disk, "name"))
	inst.Equal(t, "backup_policy_id", synthtest.Ref(policy, "id"))
	synthtest.ContainsAll(t, "instance depends_on", inst.Strs(t, "depends_on"), reader.Address(), snap.Address())
	vault.Equal(t, "lifecycle.prevent_destroy", true)
	inst.Equal(t, "lifecycle.prevent_destroy", true)
}

// TestBackupPolicyNamesFollowEveryArgument: every argument of a disk backup
// policy forces a replacement, created before the old policy goes. Two
// policies that differ in any argument must have different names, or
// Azure answers "already exists".
func TestBackupPolicyNamesFollowEveryArgument(t *testing.T) {
	byName := map[string]string{}
	for _, pol := range synth(t)["policies"].Resources("azurerm_data_protection_backup_policy_disk") {
		args := map[string]any{}
		for k, v := range pol.Attrs {
			if k != "name" && k != "vault_id" && k != "lifecycle" && k != "//" {
				args[k] = v
			}
		}
		b, _ := json.Marshal(args)
		name := pol.Str(t, "name")
		if other, ok := byName[name]; ok && other != string(b) {
			t.Errorf("two policies named %q with different arguments:\n%s\n%s", name, other, b)
		}
		byName[name] = string(b)
	}
	if len(byName) != 4 {
		t.Errorf("%d distinct policy names for 4 distinct policies: %v", len(byName), byName)
	}
	if vault := synth(t)["policies"].Resources("azurerm_data_protection_backup_vault")[0]; vault.Has("lifecycle") {
		t.Error("prevent_destroy on a backup vault without PreventDestroy")
	}
}
