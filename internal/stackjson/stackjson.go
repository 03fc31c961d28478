// Package stackjson reads what synthesis writes (cdktf.out: manifest.json
// and one cdk.tf.json per stack): the one reader of stacks' Terraform JSON
// for guardrails, tests, diff, cost estimate and commands, with one path
// syntax ([Block.Get]).
package stackjson

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Stack is one synthesized stack.
type Stack struct {
	Name string
	Raw  []byte         // the file as written
	JSON map[string]any // the decoded document
}

// Parse decodes the Terraform JSON of the stack name.
func Parse(name string, raw []byte) (*Stack, error) {
	s := &Stack{Name: name, Raw: raw}
	if err := json.Unmarshal(raw, &s.JSON); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

// ReadFile reads the stack name from file (its cdk.tf.json); an error
// names the file.
func ReadFile(name, file string) (*Stack, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	s, err := Parse(file, raw)
	if err != nil {
		return nil, err
	}
	s.Name = name
	return s, nil
}

// ManifestStack is one stack of an output directory's manifest.json.
type ManifestStack struct {
	// SynthesizedStackPath is its cdk.tf.json, relative to the directory.
	SynthesizedStackPath string   `json:"synthesizedStackPath"`
	WorkingDirectory     string   `json:"workingDirectory"`
	Dependencies         []string `json:"dependencies"`
}

// Manifest reads dir/manifest.json: the output directory's stacks by name.
func Manifest(dir string) (map[string]ManifestStack, error) {
	file := filepath.Join(dir, "manifest.json")
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var m struct {
		Stacks map[string]ManifestStack `json:"stacks"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return m.Stacks, nil
}

// ReadDir reads every stack of the output directory dir, by name.
func ReadDir(dir string) (map[string]*Stack, error) {
	m, err := Manifest(dir)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Stack, len(m))
	for name, st := range m {
		if out[name], err = ReadFile(name, filepath.Join(dir, st.SynthesizedStackPath)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Block is one named block of a stack.
type Block struct {
	// Section is "resource", "data", "variable", "output", "provider" or
	// "terraform".
	Section string
	// Type is the resource or data source type; empty for the others.
	Type string
	// ID is the block's name in its address: a resource's logical ID, a
	// variable's name, name.alias for an aliased provider configuration.
	ID    string
	Attrs map[string]any // the block's body
}

// prefixes are the address prefixes of the sections, as Terraform writes
// references (var.x); a resource's address has none.
var prefixes = map[string]string{"resource": "", "data": "data.", "variable": "var.", "output": "output.", "provider": "provider."}

// Address is the block's address: type.id, data.type.id, var.id,
// output.id, provider.id, or terraform.
func (b Block) Address() string {
	if b.Type != "" {
		return prefixes[b.Section] + b.Type + "." + b.ID
	}
	return prefixes[b.Section] + b.ID
}

// Ref is a Terraform reference to the block's attribute attr, as it stands
// in synthesized JSON: "${type.id.attr}", "${data.type.id.attr}".
func (b Block) Ref(attr string) string { return "${" + b.Address() + "." + attr + "}" }

// ConstructPath is the path of the construct that wrote the block
// ("prod/key-vault/vault"), from cdktf's metadata, or its address.
func (b Block) ConstructPath() string {
	p, _ := b.Get("//.metadata.path")
	if s, ok := p.(string); ok {
		return s
	}
	return b.Address()
}

// Get returns the value at path: dotted keys and list indices
// ("spec.0.capacity.storage"). A key looks through a list of exactly one
// element, since cdktf writes a nested block as an object or a list of one.
func (b Block) Get(path string) (any, bool) {
	var v any = b.Attrs
	for _, key := range strings.Split(path, ".") {
		if list, ok := v.([]any); ok {
			if i, err := strconv.Atoi(key); err == nil {
				if i < 0 || i >= len(list) {
					return nil, false
				}
				v = list[i]
				continue
			}
			if len(list) != 1 {
				return nil, false
			}
			v = list[0]
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[key]; !ok {
			return nil, false
		}
	}
	return v, true
}

// Has reports whether path holds a value.
func (b Block) Has(path string) bool {
	_, ok := b.Get(path)
	return ok
}

// Blocks returns a section's blocks in address order; for resources and
// data sources only those of type typ, unless it is empty.
func (s *Stack) Blocks(section, typ string) []Block {
	sec, _ := s.JSON[section].(map[string]any)
	byType := map[string]any{"": sec}
	if section == "resource" || section == "data" {
		byType = sec
		if typ != "" {
			byType = map[string]any{typ: sec[typ]}
		}
	}
	var out []Block
	for _, t := range slices.Sorted(maps.Keys(byType)) {
		byName, _ := byType[t].(map[string]any)
		for _, name := range slices.Sorted(maps.Keys(byName)) {
			// A provider is a list of configurations, told apart by alias.
			bodies, ok := byName[name].([]any)
			if !ok {
				bodies = []any{byName[name]}
			}
			for _, body := range bodies {
				attrs, _ := body.(map[string]any)
				id := name
				if alias, ok := attrs["alias"].(string); ok && section == "provider" {
					id += "." + alias
				}
				out = append(out, Block{Section: section, Type: t, ID: id, Attrs: attrs})
			}
		}
	}
	return out
}

// Resources returns the resources of type typ (every type when empty).
func (s *Stack) Resources(typ string) []Block { return s.Blocks("resource", typ) }

// DataSources returns the data sources of type typ (every type when empty).
func (s *Stack) DataSources(typ string) []Block { return s.Blocks("data", typ) }

// Lookup returns the block at an address (see [Block.Address]).
func (s *Stack) Lookup(address string) (Block, bool) {
	section := "resource"
	for sec, prefix := range prefixes {
		if prefix != "" && strings.HasPrefix(address, prefix) {
			section = sec
		}
	}
	typ := ""
	if section == "resource" || section == "data" {
		typ, _, _ = strings.Cut(strings.TrimPrefix(address, prefixes[section]), ".")
	}
	for _, b := range s.Blocks(section, typ) {
		if b.Address() == address {
			return b, true
		}
	}
	return Block{}, false
}

// Terraform is the stack's terraform block (backend, required providers,
// required_version).
func (s *Stack) Terraform() Block {
	attrs, _ := s.JSON["terraform"].(map[string]any)
	return Block{Section: "terraform", ID: "terraform", Attrs: attrs}
}
