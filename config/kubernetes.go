package config

import (
	"encoding/json"
	"sync"
)

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

// KubeloginModes are the values of kubernetes.kubeloginMode (the enum in
// schema.json), kubelogin's --login methods: the in-cluster stack's
// variable kubelogin_login accepts the same.
var KubeloginModes = sync.OnceValue(func() []string {
	type node struct {
		Properties map[string]node `json:"properties"`
		Enum       []string        `json:"enum"`
	}
	var schema node
	err := json.Unmarshal(SchemaJSON, &schema)
	modes := schema.Properties["kubernetes"].Properties["kubeloginMode"].Enum
	if err != nil || len(modes) == 0 {
		panic("config: schema.json has no kubernetes.kubeloginMode enum")
	}
	return modes
})
