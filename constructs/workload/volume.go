package workload

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/kubernetes/persistentvolumeclaimv1"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/kubernetes/persistentvolumev1"

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

// Disk is a managed disk as the azurerm data source finds it: its resource
// ID and its actual size in GiB.
type Disk interface {
	Id() *string
	DiskSizeGb() *float64
}

// VolumeProps configures [NewVolume].
type VolumeProps struct {
	// Names of the PersistentVolume and of the claim, and the claim's
	// namespace.
	VolumeName string
	ClaimName  string
	Namespace  *Namespace
	// Disk is the Azure stack's data disk.
	Disk Disk
	// SizeGB is what the volume declares and the claim requests
	// (storageSize).
	SizeGB int
}

// ClaimBindTimeout is how long an apply waits for the claim to be bound.
// The volume binder binds a claim to the volume it names as soon as it sees
// both, or at its next periodic pass (every 15 s by default) when the claim
// came before the volume reached its cache: a minute leaves it four passes.
const ClaimBindTimeout = "1m"

// Volume is the statically provisioned volume and its claim.
type Volume struct {
	constructs.Construct
	Volume persistentvolumev1.PersistentVolumeV1
	Claim  persistentvolumeclaimv1.PersistentVolumeClaimV1
}

// NewVolume binds an existing managed disk to a PersistentVolume on the
// Azure Disk CSI driver and a claim for it. The reclaim policy is Retain:
// deleting the claim (or the volume object) never deletes the disk, which
// belongs to the Azure stack.
//
// The volume is reserved for the claim (claimRef) and the claim names the
// volume, so nothing is provisioned dynamically and no other claim can take
// the disk. For such a pair the volume binder checks neither size nor
// class: a disk smaller than the size the volume declares is refused here,
// at plan time, by a precondition. Apply waits until the claim is bound and
// fails after [ClaimBindTimeout] if it is not, for example when the volume
// is still bound to an earlier claim of the same name (a replaced claim
// finds its Retain volume Released, bound to the old claim's UID).
func NewVolume(scope constructs.Construct, id string, p VolumeProps) *Volume {
	v := &Volume{Construct: constructs.NewConstruct(scope, &id)}
	size := fmt.Sprintf("%dGi", p.SizeGB)
	diskSize := p.Disk.DiskSizeGb()
	v.Volume = tfx.Pin(persistentvolumev1.NewPersistentVolumeV1(v.Construct, jsii.String("volume"), &persistentvolumev1.PersistentVolumeV1Config{
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
				Namespace: p.Namespace.Name(),
			},
			PersistentVolumeSource: &persistentvolumev1.PersistentVolumeV1SpecPersistentVolumeSource{
				Csi: &persistentvolumev1.PersistentVolumeV1SpecPersistentVolumeSourceCsi{
					Driver:       jsii.String(DiskCSIDriver),
					VolumeHandle: p.Disk.Id(),
					FsType:       jsii.String("ext4"),
				},
			},
		}},
		Lifecycle: &cdktf.TerraformResourceLifecycle{
			Precondition: &[]*cdktf.Precondition{{
				Condition: cdktf.Op_Gte(diskSize, tfx.Num(p.SizeGB)),
				ErrorMessage: jsii.String(fmt.Sprintf("The data disk has %s GiB, less than the %d GiB (storageSize) that the volume declares and its claim requests; Kubernetes would bind the claim all the same. Deploy the Azure stack first: it sizes the disk from storageSize.",
					*cdktf.Token_AsString(diskSize, nil), p.SizeGB)),
			}},
		},
	}), id)
	v.Claim = tfx.Pin(persistentvolumeclaimv1.NewPersistentVolumeClaimV1(v.Construct, jsii.String("claim"), &persistentvolumeclaimv1.PersistentVolumeClaimV1Config{
		Metadata: &persistentvolumeclaimv1.PersistentVolumeClaimV1Metadata{
			Name:      jsii.String(p.ClaimName),
			Namespace: p.Namespace.Name(),
		},
		Spec: &persistentvolumeclaimv1.PersistentVolumeClaimV1Spec{
			AccessModes:      tfx.Strings([]string{"ReadWriteOnce"}),
			StorageClassName: jsii.String(StorageClass),
			VolumeName:       v.Volume.Metadata().Name(),
			Resources: &persistentvolumeclaimv1.PersistentVolumeClaimV1SpecResources{
				Requests: &map[string]*string{"storage": jsii.String(size)},
			},
		},
		// A claim that cannot bind fails the deploy instead of leaving the
		// node's pod Pending.
		WaitUntilBound: jsii.Bool(true),
		Timeouts: &persistentvolumeclaimv1.PersistentVolumeClaimV1Timeouts{
			Create: jsii.String(ClaimBindTimeout),
		},
	}), id+"-claim")
	return v
}
