package cluster

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/kubernetescluster"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/subnet"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// NodePool configures the cluster's only node pool, a system pool that also
// runs the perpetual node (so it carries no CriticalAddonsOnly taint).
type NodePool struct {
	// Name of the pool: lower-case letters and digits, at most 12.
	Name string
	// VMSize needs at least 2 vCPU and 4 GiB (config validation enforces it;
	// AKS rejects smaller system pools).
	VMSize string
	Count  int
	// OSDiskSizeGB of each node's managed OS disk.
	OSDiskSizeGB int
	// Subnet is the node subnet.
	Subnet subnet.Subnet
}

// defaultNodePool returns the system pool. temporary_name_for_rotation lets
// a change of VM size or OS disk rotate the pool instead of replacing the
// whole cluster.
func defaultNodePool(p NodePool, version string, tags map[string]string) *kubernetescluster.KubernetesClusterDefaultNodePool {
	return &kubernetescluster.KubernetesClusterDefaultNodePool{
		Name:                     jsii.String(p.Name),
		VmSize:                   jsii.String(p.VMSize),
		NodeCount:                tfx.Num(p.Count),
		OrchestratorVersion:      jsii.String(version),
		OsDiskSizeGb:             tfx.Num(p.OSDiskSizeGB),
		OsDiskType:               jsii.String("Managed"),
		OsSku:                    jsii.String("AzureLinux"),
		VnetSubnetId:             p.Subnet.Id(),
		Type:                     jsii.String("VirtualMachineScaleSets"),
		TemporaryNameForRotation: jsii.String(p.Name + "tmp"),
		UpgradeSettings: &kubernetescluster.KubernetesClusterDefaultNodePoolUpgradeSettings{
			MaxSurge: jsii.String("1"),
		},
		Tags: tfx.StringMap(tags),
	}
}
