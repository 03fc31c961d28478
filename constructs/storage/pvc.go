package storage

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v11/persistentvolumeclaimv1"
	"github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v11/persistentvolumev1"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// Azure Disk CSI constants.
const (
	DiskCSIDriver = "disk.csi.azure.com"
	// StorageClass is AKS's built-in Azure Disk class. The volume and the
	// claim name the same class so that they bind to each other; the claim
	// also names the volume, so nothing is provisioned dynamically.
	StorageClass = "managed-csi"
)

// VolumeProps configures [NewVolume].
type VolumeProps struct {
	// Name of the PersistentVolume and of the claim, and the claim's
	// Namespace.
	VolumeName string
	ClaimName  string
	Namespace  string
	// DiskID is the managed disk's resource ID (a Terraform expression).
	DiskID string
	// SizeGB of the disk.
	SizeGB int
}

// Volume is the statically provisioned volume and its claim.
type Volume struct {
	Volume persistentvolumev1.PersistentVolumeV1
	Claim  persistentvolumeclaimv1.PersistentVolumeClaimV1
}

// NewVolume binds an existing managed disk to a PersistentVolume on the
// Azure Disk CSI driver and a claim for it. The reclaim policy is Retain:
// deleting the claim (or the volume object) never deletes the disk, which
// belongs to the Azure stack.
func NewVolume(scope constructs.Construct, id string, p VolumeProps) *Volume {
	size := fmt.Sprintf("%dGi", p.SizeGB)
	pv := tfx.Pin(persistentvolumev1.NewPersistentVolumeV1(scope, jsii.String(id), &persistentvolumev1.PersistentVolumeV1Config{
		Metadata: &persistentvolumev1.PersistentVolumeV1Metadata{
			Name: jsii.String(p.VolumeName),
		},
		Spec: &[]*persistentvolumev1.PersistentVolumeV1Spec{{
			Capacity:                      &map[string]*string{"storage": jsii.String(size)},
			AccessModes:                   tfx.Strings([]string{"ReadWriteOnce"}),
			PersistentVolumeReclaimPolicy: jsii.String("Retain"),
			StorageClassName:              jsii.String(StorageClass),
			ClaimRef: &persistentvolumev1.PersistentVolumeV1SpecClaimRef{
				Name:      jsii.String(p.ClaimName),
				Namespace: jsii.String(p.Namespace),
			},
			PersistentVolumeSource: &persistentvolumev1.PersistentVolumeV1SpecPersistentVolumeSource{
				Csi: &persistentvolumev1.PersistentVolumeV1SpecPersistentVolumeSourceCsi{
					Driver:       jsii.String(DiskCSIDriver),
					VolumeHandle: jsii.String(p.DiskID),
					FsType:       jsii.String("ext4"),
				},
			},
		}},
	}), id)
	claim := tfx.Pin(persistentvolumeclaimv1.NewPersistentVolumeClaimV1(scope, jsii.String(id+"-claim"), &persistentvolumeclaimv1.PersistentVolumeClaimV1Config{
		Metadata: &persistentvolumeclaimv1.PersistentVolumeClaimV1Metadata{
			Name:      jsii.String(p.ClaimName),
			Namespace: jsii.String(p.Namespace),
		},
		Spec: &persistentvolumeclaimv1.PersistentVolumeClaimV1Spec{
			AccessModes:      tfx.Strings([]string{"ReadWriteOnce"}),
			StorageClassName: jsii.String(StorageClass),
			VolumeName:       pv.Metadata().Name(),
			Resources: &persistentvolumeclaimv1.PersistentVolumeClaimV1SpecResources{
				Requests: &map[string]*string{"storage": jsii.String(size)},
			},
		},
		// managed-csi binds on first use (WaitForFirstConsumer); a claim that
		// names its volume binds at once, but apply must not hang on it if a
		// cluster delays binding anyway.
		WaitUntilBound: jsii.Bool(false),
	}), id+"-claim")
	return &Volume{Volume: pv, Claim: claim}
}
