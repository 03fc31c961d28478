package cluster

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13/kubernetescluster"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/tfx"
)

// Upgrades configures automatic upgrades.
type Upgrades struct {
	// AutomaticChannel: patch, stable, rapid, node-image, or
	// NoAutomaticUpgrades.
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

// NoAutomaticUpgrades is the value of Upgrades.AutomaticChannel that turns
// automatic Kubernetes upgrades off. AKS has no such channel value: the
// attribute and its maintenance window are left out instead.
const NoAutomaticUpgrades = "none"

// applyUpgrades sets the automatic upgrade channels and their windows.
func applyUpgrades(cfg *kubernetescluster.KubernetesClusterConfig, u Upgrades) {
	window := weekly(u.Window)
	if u.AutomaticChannel != NoAutomaticUpgrades {
		cfg.AutomaticUpgradeChannel = jsii.String(u.AutomaticChannel)
		auto := kubernetescluster.KubernetesClusterMaintenanceWindowAutoUpgrade(window)
		cfg.MaintenanceWindowAutoUpgrade = &auto
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
