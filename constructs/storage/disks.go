// Package storage builds where the perpetual node keeps its data: the
// Premium SSD managed disk of the IPFS repository, the storage account for
// logs and backups, the Azure Backup of the disk, and (in the in-cluster
// stack) the PersistentVolume and claim that mount the disk.
package storage

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/manageddisk"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// DiskProps configures [NewDataDisk].
type DiskProps struct {
	Name              string
	ResourceGroupName string
	Location          string
	// SizeGB of the disk; it can grow later but never shrink.
	SizeGB int
	// PreventDestroy adds lifecycle.prevent_destroy: Terraform then refuses
	// any plan that would delete the disk.
	PreventDestroy bool
	Tags           map[string]string
}

// NewDataDisk creates the IPFS data disk: Premium SSD (Premium_LRS), empty,
// without a zone like the nodes, so that it attaches to any of them.
func NewDataDisk(scope constructs.Construct, id string, p DiskProps) manageddisk.ManagedDisk {
	return tfx.Pin(manageddisk.NewManagedDisk(scope, jsii.String(id), &manageddisk.ManagedDiskConfig{
		Name:               jsii.String(p.Name),
		ResourceGroupName:  jsii.String(p.ResourceGroupName),
		Location:           jsii.String(p.Location),
		StorageAccountType: jsii.String("Premium_LRS"),
		CreateOption:       jsii.String("Empty"),
		DiskSizeGb:         tfx.Num(p.SizeGB),
		Tags:               tfx.StringMap(p.Tags),
		Lifecycle:          tfx.PreventDestroy(p.PreventDestroy),
	}), id)
}
