// Package manifest reads a synthesized output directory (cdktf.out): its
// manifest.json and the Terraform JSON of every stack it lists.
package manifest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Manifest is the part of cdktf's manifest.json this project reads.
type Manifest struct {
	Stacks map[string]Stack `json:"stacks"`
}

// Stack is one stack of the manifest.
type Stack struct {
	SynthesizedStackPath string   `json:"synthesizedStackPath"`
	WorkingDirectory     string   `json:"workingDirectory"`
	Dependencies         []string `json:"dependencies"`
}

// Read reads dir/manifest.json.
func Read(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, err
	}
	m := &Manifest{}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "manifest.json"), err)
	}
	return m, nil
}

// Stacks reads the synthesized configuration of every stack in dir, by
// stack name.
func Stacks(dir string) (map[string][]byte, error) {
	m, err := Read(dir)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(m.Stacks))
	for name, st := range m.Stacks {
		if out[name], err = os.ReadFile(filepath.Join(dir, st.SynthesizedStackPath)); err != nil {
			return nil, err
		}
	}
	return out, nil
}
