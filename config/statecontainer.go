package config

import (
	"encoding/json"
	"fmt"
)

// sharedStateContainers returns a problem for every environment whose
// azurerm state container (storage account and container) an earlier one in
// cfgs already uses: scripts/setup.sh gives each environment's pipeline
// identities roles on its own container only, and a shared one would let
// one environment's identity delete or overwrite the other's state.
func sharedStateContainers(cfgs []*Config) []Problem {
	first := map[string]*Config{}
	var out []Problem
	for _, c := range cfgs {
		b := c.Backend
		if b.Type != BackendAzureRM {
			continue
		}
		key := b.StorageAccountName + "/" + b.ContainerName
		prev, ok := first[key]
		if !ok {
			first[key] = c
			continue
		}
		value, _ := json.Marshal(b.ContainerName)
		out = append(out, Problem{File: c.File, Path: "/backend/containerName", Value: string(value), Message: fmt.Sprintf(
			"is also the state container of %s (%s) in the storage account %s; each environment keeps its state in a container of its own, on which only its own identities have roles: name another one, such as \"tfstate-%s\"",
			prev.Environment, prev.File, b.StorageAccountName, c.Environment)})
	}
	return out
}
