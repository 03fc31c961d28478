// Package storage builds where the perpetual node keeps its data in Azure:
// the Premium SSD managed disk of the IPFS repository, the storage account
// for logs and backups, and the Azure Backup of the disk.
package storage

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/manageddisk"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// DataDiskProps configures [NewDataDisk].
type DataDiskProps struct {
	azure.Placement
	Name string
	// SizeGB of the disk; it can grow later but never shrink.
	SizeGB int
	// PreventDestroy adds lifecycle.prevent_destroy: Terraform then refuses
	// any plan that would delete the disk.
	PreventDestroy bool
}

// DataDisk is the IPFS data disk.
type DataDisk struct {
	constructs.Construct
	Disk manageddisk.ManagedDisk
}

// NewDataDisk creates the IPFS data disk, named id in Terraform: Premium SSD
// (Premium_LRS), empty, without a zone like the nodes, so that it attaches
// to any of them.
func NewDataDisk(scope constructs.Construct, id string, p DataDiskProps) *DataDisk {
	d := &DataDisk{Construct: constructs.NewConstruct(scope, &id)}
	d.Disk = tfx.Pin(manageddisk.NewManagedDisk(d.Construct, jsii.String("disk"), &manageddisk.ManagedDiskConfig{
		Name:               jsii.String(p.Name),
		ResourceGroupName:  p.GroupName(),
		Location:           p.Region(),
		StorageAccountType: jsii.String("Premium_LRS"),
		CreateOption:       jsii.String("Empty"),
		DiskSizeGb:         tfx.Num(p.SizeGB),
		Tags:               p.TagMap(),
		Lifecycle:          tfx.PreventDestroy(p.PreventDestroy),
	}), id)
	return d
}
