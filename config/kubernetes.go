package config

// NoUpgradeChannel is the value of kubernetes.automaticUpgradeChannel that
// turns automatic Kubernetes upgrades off.
const NoUpgradeChannel = "none"

// UpgradeChannel returns the automatic upgrade channel of the cluster, or
// "" for none.
func (k Kubernetes) UpgradeChannel() string {
	if k.AutomaticUpgradeChannel == NoUpgradeChannel {
		return ""
	}
	return k.AutomaticUpgradeChannel
}
