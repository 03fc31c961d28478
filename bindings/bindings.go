// Package bindings reads the provider schemas the stacks' Go bindings are
// generated from (bindings/<provider>.schema.json, written by `node
// bindings/bindings.js refresh`, generated into .gen/providers by
// scripts/bootstrap.sh): the one place of a provider's version and kept
// resource and data source types, for tests and tools to ask.
package bindings

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

//go:embed *.schema.json
var files embed.FS

// Provider is one provider's kept schema.
type Provider struct {
	// Name is the provider's local name ("azurerm"), Source its registry
	// source ("hashicorp/azurerm").
	Name   string
	Source string
	// Version is the schema's exact version, which the bindings pin in
	// each stack's required_providers.
	Version string
	// Resources and DataSources are the kept types ("azurerm_key_vault"),
	// sorted.
	Resources   []string
	DataSources []string
}

// Providers returns every provider's kept schema, by name.
func Providers() ([]Provider, error) {
	names, err := files.ReadDir(".")
	if err != nil {
		return nil, err
	}
	var out []Provider
	for _, e := range names {
		p, err := read(e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Lookup returns the kept schema of the provider name.
func Lookup(name string) (Provider, error) {
	return read(name + ".schema.json")
}

func read(file string) (Provider, error) {
	data, err := files.ReadFile(file)
	if err != nil {
		return Provider{}, err
	}
	var doc struct {
		Versions map[string]string `json:"provider_versions"`
		Schemas  map[string]struct {
			Resources   map[string]json.RawMessage `json:"resource_schemas"`
			DataSources map[string]json.RawMessage `json:"data_source_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return Provider{}, fmt.Errorf("bindings/%s: %w", file, err)
	}
	if len(doc.Schemas) != 1 {
		return Provider{}, fmt.Errorf("bindings/%s: %d providers, want one", file, len(doc.Schemas))
	}
	for fqpn, s := range doc.Schemas {
		// registry.terraform.io/<namespace>/<name>
		parts := strings.Split(fqpn, "/")
		if len(parts) != 3 || doc.Versions[fqpn] == "" {
			return Provider{}, fmt.Errorf("bindings/%s: provider %q has no version in provider_versions", file, fqpn)
		}
		p := Provider{
			Name:        parts[2],
			Source:      parts[1] + "/" + parts[2],
			Version:     doc.Versions[fqpn],
			Resources:   slices.Sorted(maps.Keys(s.Resources)),
			DataSources: slices.Sorted(maps.Keys(s.DataSources)),
		}
		if want := strings.TrimSuffix(file, ".schema.json"); p.Name != want {
			return Provider{}, fmt.Errorf("bindings/%s holds the provider %s", file, p.Name)
		}
		return p, nil
	}
	panic("unreachable")
}

// Package is the generated bindings' Go package of a kept type, named as
// the cdktf generator does: "azurerm_key_vault" is keyvault,
// "kubernetes_secret_v1" secretv1, the data source "azurerm_client_config"
// dataazurermclientconfig.
func (p Provider) Package(typ string, data bool) string {
	name := strings.ReplaceAll(typ, "_", "")
	if data {
		return "data" + name
	}
	return strings.TrimPrefix(name, p.Name)
}
