package cluster

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/kubernetescluster"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// Upgrades configures automatic upgrades.
type Upgrades struct {
	// AutomaticChannel: patch, stable, rapid or node-image; empty for no
	// automatic Kubernetes upgrades (AKS has no channel value for that: the
	// attribute and its maintenance window are left out).
	AutomaticChannel string
	// NodeOSChannel: NodeImage, SecurityPatch, Unmanaged or None.
	NodeOSChannel string
	Window        MaintenanceWindow
}

// MaintenanceWindow is a weekly window.
type MaintenanceWindow struct {
	DayOfWeek     string
	StartTime     string
	DurationHours int
	UTCOffset     string
}

// VersionsLeftToAKS are the attributes that an automatic upgrade channel
// moves: the control plane's and the node pool's Kubernetes versions.
// Terraform ignores their changes wherever a channel is set, so that no
// plan ever tries to take the cluster back to the configured version (a
// downgrade, which AKS refuses; AKS also upgrades a cluster whose minor
// version leaves support, whatever the channel).
var VersionsLeftToAKS = []string{"kubernetes_version", "default_node_pool[0].orchestrator_version"}

// applyUpgrades sets the automatic upgrade channels and their windows. With
// a channel, the configured version is the one a new cluster starts at;
// AKS moves it from there.
func applyUpgrades(cfg *kubernetescluster.KubernetesClusterConfig, u Upgrades) {
	window := weekly(u.Window)
	if u.AutomaticChannel != "" {
		cfg.AutomaticUpgradeChannel = jsii.String(u.AutomaticChannel)
		auto := kubernetescluster.KubernetesClusterMaintenanceWindowAutoUpgrade(window)
		cfg.MaintenanceWindowAutoUpgrade = &auto
		cfg.Lifecycle = &cdktf.TerraformResourceLifecycle{IgnoreChanges: tfx.Strings(VersionsLeftToAKS)}
	}
	cfg.NodeOsUpgradeChannel = jsii.String(u.NodeOSChannel)
	cfg.MaintenanceWindowNodeOs = &window
}

// weekly is the weekly window w, as both maintenance window blocks take it
// (the two binding types have the same fields).
func weekly(w MaintenanceWindow) kubernetescluster.KubernetesClusterMaintenanceWindowNodeOs {
	return kubernetescluster.KubernetesClusterMaintenanceWindowNodeOs{
		Frequency: jsii.String("Weekly"),
		Interval:  tfx.Num(1),
		DayOfWeek: jsii.String(w.DayOfWeek),
		StartTime: jsii.String(w.StartTime),
		Duration:  tfx.Num(w.DurationHours),
		UtcOffset: jsii.String(w.UTCOffset),
	}
}
