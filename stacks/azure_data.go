package stacks

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/resourcegroup"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/constructs/storage"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// newDataDisk builds the IPFS data disk, kept in production.
func newDataDisk(stack cdktf.TerraformStack, cfg *config.Config, place azure.Placement) *storage.DataDisk {
	return storage.NewDataDisk(stack, "ipfs-data", storage.DataDiskProps{
		Placement:      place,
		Name:           cfg.Names().DataDisk,
		SizeGB:         cfg.StorageSize,
		PreventDestroy: cfg.Production,
	})
}

// newStorageAccount builds the storage account for logs and backups, kept
// in production.
func newStorageAccount(stack cdktf.TerraformStack, cfg *config.Config, place azure.Placement, in azureInputs) *storage.Account {
	a := cfg.StorageAccount
	return storage.NewAccount(stack, "storage-account", storage.AccountProps{
		Placement:               place,
		Name:                    cfg.Names().StorageAccount,
		Replication:             a.Replication,
		BlobSoftDeleteDays:      a.BlobSoftDeleteDays,
		ContainerSoftDeleteDays: a.ContainerSoftDeleteDays,
		LogsContainer:           a.LogsContainer,
		NetworkDefaultAction:    a.NetworkDefaultAction,
		IPRules:                 firewallRules(cfg.Network, a.NetworkDefaultAction, in.DeployerIPs),
		PreventDestroy:          cfg.Production,
	})
}

// newBackup builds the Azure Backup of the data disk, with its snapshot
// resource group, when enableBackups is set; nil otherwise.
func newBackup(stack cdktf.TerraformStack, cfg *config.Config, place azure.Placement, disk *storage.DataDisk) *storage.Backup {
	if !cfg.EnableBackups {
		return nil
	}
	names := cfg.Names()
	snapshots := tfx.Pin(resourcegroup.NewResourceGroup(stack, jsii.String("snapshot-resource-group"), &resourcegroup.ResourceGroupConfig{
		Name:     jsii.String(names.SnapshotResourceGroup),
		Location: place.Region(),
		Tags:     place.TagMap(),
	}), "snapshot-resource-group")
	return storage.NewBackup(stack, "backup", storage.BackupProps{
		Placement:             place,
		VaultName:             names.BackupVault,
		Redundancy:            cfg.Backup.Redundancy,
		Disk:                  disk.Disk,
		SnapshotResourceGroup: snapshots,
		TimeOfDay:             cfg.Backup.TimeOfDay,
		RetentionDays:         cfg.Backup.RetentionDays,
		PreventDestroy:        cfg.Production,
	})
}

// firewallRules returns the admin CIDRs that the Key Vault and storage
// firewalls accept (config.Network.PublicAdminRules) followed, when the
// firewall denies by default, by the deployer's addresses (an open firewall
// needs no exception, and a rule per runner would change on every run).
func firewallRules(n config.Network, defaultAction string, deployers cdktf.TerraformVariable) []string {
	public := n.PublicAdminRules()
	if defaultAction != "Deny" {
		return public
	}
	return tfx.List(cdktf.Token_AsList(cdktf.Fn_Concat(&[]interface{}{
		tfx.Strings(public), deployers.ListValue(),
	}), nil))
}
