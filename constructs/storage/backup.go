package storage

import (
	"fmt"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/dataprotectionbackupinstancedisk"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/dataprotectionbackuppolicydisk"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/dataprotectionbackupvault"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/manageddisk"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/resourcegroup"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// Built-in roles the backup vault's identity needs (Azure Backup for managed
// disks): read the disk, and create snapshots in the snapshot group.
const (
	DiskBackupReaderRole         = "Disk Backup Reader"
	DiskSnapshotContributorRole  = "Disk Snapshot Contributor"
	backupScheduleAnchorDateTime = "2024-01-01T%s:00+00:00"
)

// BackupProps configures [NewBackup].
type BackupProps struct {
	azure.Placement
	VaultName string
	// Redundancy of the vault: LocallyRedundant, GeoRedundant or
	// ZoneRedundant. (Disk backups live in the operational tier, as
	// snapshots, whatever the vault's redundancy.)
	Redundancy string
	// Disk is the disk to protect.
	Disk manageddisk.ManagedDisk
	// SnapshotResourceGroup is where the snapshots go; Microsoft asks for a
	// group other than the disk's.
	SnapshotResourceGroup resourcegroup.ResourceGroup
	// TimeOfDay (UTC, HH:MM) of the daily backup.
	TimeOfDay string
	// RetentionDays of each daily snapshot (1 to 360).
	RetentionDays int
	// PreventDestroy adds lifecycle.prevent_destroy to the vault and the
	// backup instance: deleting the instance stops protection and deletes
	// its recovery points.
	PreventDestroy bool
}

// PolicyName names the backup policy after everything Azure cannot change
// in place: every argument of a disk backup policy forces a new one, and
// with create_before_destroy the new policy exists next to the old one
// until the instance has moved to it, so two versions must never share a
// name ("daily-7d-0200": daily snapshots at 02:00 UTC kept 7 days).
func PolicyName(retentionDays int, timeOfDay string) string {
	return fmt.Sprintf("daily-%dd-%s", retentionDays, strings.ReplaceAll(timeOfDay, ":", ""))
}

// Backup is the disk's Azure Backup.
type Backup struct {
	constructs.Construct
	Vault    dataprotectionbackupvault.DataProtectionBackupVault
	Policy   dataprotectionbackuppolicydisk.DataProtectionBackupPolicyDisk
	Instance dataprotectionbackupinstancedisk.DataProtectionBackupInstanceDisk
}

// NewBackup protects a managed disk with daily Azure Backup snapshots: a
// Data Protection backup vault with a system-assigned identity (Terraform
// name id+"-vault"), a daily disk policy, the vault identity's two role
// assignments, and the backup instance (id+"-instance"), created after the
// role assignments.
func NewBackup(scope constructs.Construct, id string, p BackupProps) *Backup {
	b := &Backup{Construct: constructs.NewConstruct(scope, &id)}
	b.Vault = tfx.Pin(dataprotectionbackupvault.NewDataProtectionBackupVault(b.Construct, jsii.String("vault"), &dataprotectionbackupvault.DataProtectionBackupVaultConfig{
		Name:              jsii.String(p.VaultName),
		ResourceGroupName: p.GroupName(),
		Location:          p.Region(),
		DatastoreType:     jsii.String("VaultStore"),
		Redundancy:        jsii.String(p.Redundancy),
		Identity:          &dataprotectionbackupvault.DataProtectionBackupVaultIdentity{Type: jsii.String("SystemAssigned")},
		Tags:              p.TagMap(),
		Lifecycle:         tfx.PreventDestroy(p.PreventDestroy),
	}), id+"-vault")
	b.Policy = tfx.Pin(dataprotectionbackuppolicydisk.NewDataProtectionBackupPolicyDisk(b.Construct, jsii.String("policy"), &dataprotectionbackuppolicydisk.DataProtectionBackupPolicyDiskConfig{
		Name:    jsii.String(PolicyName(p.RetentionDays, p.TimeOfDay)),
		VaultId: b.Vault.Id(),
		// ISO 8601 repeating interval: every day (P1D) from a fixed anchor
		// date at TimeOfDay. The anchor is constant so synthesis never
		// depends on today's date.
		BackupRepeatingTimeIntervals: tfx.Strings([]string{"R/" + fmt.Sprintf(backupScheduleAnchorDateTime, p.TimeOfDay) + "/P1D"}),
		DefaultRetentionDuration:     jsii.String(fmt.Sprintf("P%dD", p.RetentionDays)),
		TimeZone:                     jsii.String("UTC"),
		// Policies are immutable and cannot be deleted while an instance uses
		// them: a changed policy (under a new PolicyName) is created first,
		// the instance moves to it in place, then the old one goes.
		Lifecycle: &cdktf.TerraformResourceLifecycle{CreateBeforeDestroy: jsii.Bool(true)},
	}), id+"-policy")
	vault := azure.ManagedIdentity(b.Vault.Identity())
	reader := azure.Grant(b.Construct, id+"-disk-reader", DiskBackupReaderRole, p.Disk, vault)
	snapshots := azure.Grant(b.Construct, id+"-snapshot-contributor", DiskSnapshotContributorRole, p.SnapshotResourceGroup, vault)
	b.Instance = tfx.Pin(dataprotectionbackupinstancedisk.NewDataProtectionBackupInstanceDisk(b.Construct, jsii.String("instance"), &dataprotectionbackupinstancedisk.DataProtectionBackupInstanceDiskConfig{
		Name:                      p.Disk.Name(),
		Location:                  p.Region(),
		VaultId:                   b.Vault.Id(),
		DiskId:                    p.Disk.Id(),
		SnapshotResourceGroupName: p.SnapshotResourceGroup.Name(),
		BackupPolicyId:            b.Policy.Id(),
		DependsOn:                 &[]cdktf.ITerraformDependable{reader, snapshots},
		Lifecycle:                 tfx.PreventDestroy(p.PreventDestroy),
	}), id+"-instance")
	return b
}
