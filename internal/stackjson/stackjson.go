// Package stackjson reads what synthesis writes: an output directory
// (cdktf.out: manifest.json and one cdk.tf.json per stack) and the
// Terraform JSON of a stack. It is the one reader of that JSON for the
// guardrails, the tests, the structural diff, the cost estimate and the
// scripts' helpers, with one path syntax (see [Block.Get]).
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
	// Raw is the file as written.
	Raw []byte
	// JSON is the decoded document.
	JSON map[string]any
}

// Parse decodes the Terraform JSON of the stack name.
func Parse(name string, raw []byte) (*Stack, error) {
	s := &Stack{Name: name, Raw: raw}
	if err := json.Unmarshal(raw, &s.JSON); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

// ManifestStack is one stack of an output directory's manifest.json.
type ManifestStack struct {
	// SynthesizedStackPath is its cdk.tf.json, relative to the directory.
	SynthesizedStackPath string   `json:"synthesizedStackPath"`
	WorkingDirectory     string   `json:"workingDirectory"`
	Dependencies         []string `json:"dependencies"`
}

// Manifest reads dir/manifest.json: the stacks of an output directory, by
// name.
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
		raw, err := os.ReadFile(filepath.Join(dir, st.SynthesizedStackPath))
		if err != nil {
			return nil, err
		}
		if out[name], err = Parse(name, raw); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Block is one named block of a stack: a resource, a data source, a
// variable, an output, a provider.
type Block struct {
	// Section is "resource", "data", "variable", "output" or "provider".
	Section string
	// Type is the resource or data source type; empty for the others.
	Type string
	Name string
	// Attrs is the block's body.
	Attrs map[string]any
}

// Address is the block's Terraform address: type.name, data.type.name,
// var.name, output.name or the provider's name.
func (b Block) Address() string {
	switch b.Section {
	case "resource":
		return b.Type + "." + b.Name
	case "data":
		return "data." + b.Type + "." + b.Name
	case "variable":
		return "var." + b.Name
	case "output":
		return "output." + b.Name
	}
	return b.Name
}

// Ref is a Terraform reference to the block's attribute attr, as it stands
// in synthesized JSON: "${type.name.attr}".
func (b Block) Ref(attr string) string { return "${" + b.Address() + "." + attr + "}" }

// ConstructPath is the path of the construct that wrote the block
// ("prod/key-vault/vault"), from cdktf's metadata, or its address.
func (b Block) ConstructPath() string {
	if p, ok := b.Get("//.metadata.path"); ok {
		if s, ok := p.(string); ok {
			return s
		}
	}
	return b.Address()
}

// Get returns the value at path: keys separated by dots, and list indices
// as numbers ("network_profile.pod_cidr", "spec.0.capacity.storage"). A
// list of exactly one element is looked through by a key, since cdktf
// writes a nested block either as an object or as a list of one.
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

// Blocks returns the blocks of a section ("resource", "data", "variable",
// "output", "provider"), of type typ for resources and data sources (all
// types when typ is empty), in address order.
func (s *Stack) Blocks(section, typ string) []Block {
	sec, _ := s.JSON[section].(map[string]any)
	var out []Block
	if section != "resource" && section != "data" {
		for _, name := range slices.Sorted(maps.Keys(sec)) {
			out = append(out, Block{Section: section, Name: name, Attrs: body(sec[name])})
		}
		return out
	}
	types := []string{typ}
	if typ == "" {
		types = slices.Sorted(maps.Keys(sec))
	}
	for _, t := range types {
		byName, _ := sec[t].(map[string]any)
		for _, name := range slices.Sorted(maps.Keys(byName)) {
			out = append(out, Block{Section: section, Type: t, Name: name, Attrs: body(byName[name])})
		}
	}
	return out
}

// body is a block's attributes; a provider may be a list of one block.
func body(v any) map[string]any {
	if list, ok := v.([]any); ok && len(list) == 1 {
		v = list[0]
	}
	m, _ := v.(map[string]any)
	return m
}

// Resources returns the resources of type typ (every type when empty).
func (s *Stack) Resources(typ string) []Block { return s.Blocks("resource", typ) }

// DataSources returns the data sources of type typ (every type when empty).
func (s *Stack) DataSources(typ string) []Block { return s.Blocks("data", typ) }

// Lookup returns the block at a Terraform address (type.name,
// data.type.name, var.name, output.name).
func (s *Stack) Lookup(address string) (Block, bool) {
	section, rest := "resource", address
	for _, p := range []struct{ prefix, section string }{{"data.", "data"}, {"var.", "variable"}, {"output.", "output"}} {
		if r, ok := strings.CutPrefix(address, p.prefix); ok {
			section, rest = p.section, r
		}
	}
	typ, name := "", rest
	if section == "resource" || section == "data" {
		var ok bool
		if typ, name, ok = strings.Cut(rest, "."); !ok {
			return Block{}, false
		}
	}
	for _, b := range s.Blocks(section, typ) {
		if b.Name == name {
			return b, true
		}
	}
	return Block{}, false
}

// Terraform is the stack's terraform block (backend, required providers,
// required_version).
func (s *Stack) Terraform() Block {
	return Block{Section: "terraform", Name: "terraform", Attrs: body(s.JSON["terraform"])}
}
