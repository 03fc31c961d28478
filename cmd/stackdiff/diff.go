package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/stackjson"
)

// Kind of a block change.
type Kind string

// The kinds of change of a block (resource, data source, output, ...).
const (
	Added   Kind = "added"
	Removed Kind = "removed"
	Changed Kind = "changed"
	// Renamed: the block's logical address changed. Without a moved block,
	// Terraform destroys the old address and creates the new one.
	Renamed Kind = "renamed"
	// Moved: the logical address changed and a moved block tells Terraform
	// to carry the state over; nothing is replaced.
	Moved Kind = "moved"
)

// Attr is one changed attribute (a flattened path, see flatten). Before or
// After is empty when the attribute was added or removed.
type Attr struct {
	Path          string
	Before, After string
	Identity      bool // the attribute names or places a stateful resource
}

// Change is the change of one block of a stack.
type Change struct {
	Address string // azurerm_managed_disk.ipfs-data, data.x.y, output.name, var.name, provider.azurerm, terraform
	From    string // the earlier address, for Renamed and Moved
	Type    string // resource type for resources, "" otherwise
	Kind    Kind
	Attrs   []Attr
	Danger  string // why a stateful resource is at risk; empty otherwise
}

// paths lists the paths of the attributes of c for which is reports true.
func (c Change) paths(is func(Attr) bool) []string {
	var out []string
	for _, a := range c.Attrs {
		if is(a) {
			out = append(out, a.Path)
		}
	}
	return out
}

// StackDiff is the comparison of one stack.
type StackDiff struct {
	Name    string
	Status  Kind // Added or Removed for a stack only in head or base, "" for both
	Changes []Change
}

// Unchanged reports whether the stack is in base and head alike.
func (s StackDiff) Unchanged() bool { return s.Status == "" && len(s.Changes) == 0 }

// Dangerous lists the changes that put a stateful resource at risk.
func (s StackDiff) Dangerous() []Change {
	return slices.DeleteFunc(slices.Clone(s.Changes), func(c Change) bool { return c.Danger == "" })
}

// Count returns how many changes of the stack are of one of the kinds.
func (s StackDiff) Count(kinds ...Kind) int {
	n := 0
	for _, c := range s.Changes {
		if slices.Contains(kinds, c.Kind) {
			n++
		}
	}
	return n
}

// Result is the comparison of two synthesized output directories.
type Result struct {
	Stacks []StackDiff // every stack in base or head, sorted by name
}

// Empty reports whether nothing differs.
func (r Result) Empty() bool {
	return !slices.ContainsFunc(r.Stacks, func(s StackDiff) bool { return !s.Unchanged() })
}

// Dangerous counts the changes that put a stateful resource at risk.
func (r Result) Dangerous() int {
	n := 0
	for _, s := range r.Stacks {
		n += len(s.Dangerous())
	}
	return n
}

// CompareDirs reads two cdktf output directories and compares their stacks,
// by name.
func CompareDirs(base, head string) (Result, error) {
	b, err := stackjson.ReadDir(base)
	if err != nil {
		return Result{}, fmt.Errorf("base: %w", err)
	}
	h, err := stackjson.ReadDir(head)
	if err != nil {
		return Result{}, fmt.Errorf("head: %w", err)
	}
	var r Result
	all := maps.Clone(b)
	maps.Copy(all, h)
	for _, n := range slices.Sorted(maps.Keys(all)) {
		sd := StackDiff{Name: n}
		switch {
		case b[n] == nil:
			sd.Status = Added
		case h[n] == nil:
			sd.Status = Removed
		}
		sd.Changes = compareStacks(parseStack(b[n]), parseStack(h[n]))
		if sd.Status == Removed {
			// Nothing plans the stack any more: its resources stay in Azure
			// unmanaged, or go with a last destroy.
			for i := range sd.Changes {
				if isStateful(sd.Changes[i].Type) {
					sd.Changes[i].Danger = "its stack is no longer synthesized: it is left unmanaged, or destroyed with the stack"
				}
			}
		}
		r.Stacks = append(r.Stacks, sd)
	}
	return r, nil
}

// block is one addressable block of a stack with its flattened attributes.
type block struct {
	typ       string            // resource type, for resources
	attrs     map[string]string // flattened path -> JSON value
	construct string            // the construct path in cdktf's "//" metadata
}

type stack struct {
	blocks map[string]block
	moved  map[string]string // a moved block's "to" address -> its "from"
}

// parseStack reads a stack's blocks by address; a nil stack has none.
func parseStack(s *stackjson.Stack) *stack {
	out := &stack{blocks: map[string]block{}, moved: map[string]string{}}
	if s == nil {
		return out
	}
	for key, v := range s.JSON {
		switch key {
		case "//":
			// Synthesis metadata (cdktf version, backend, ...): not configuration.
		case "resource", "data", "output", "variable", "provider":
			for _, b := range s.Blocks(key, "") {
				typ := ""
				if key == "resource" {
					typ = b.Type
				}
				out.blocks[b.Address()] = newBlock(typ, b.ConstructPath(), b.Attrs)
			}
		case "locals":
			items, _ := v.(map[string]any)
			for name, body := range items {
				out.blocks["local."+name] = newBlock("", "", body)
			}
		case "moved":
			list, _ := v.([]any)
			for _, m := range list {
				mv, _ := m.(map[string]any)
				from, _ := mv["from"].(string)
				to, _ := mv["to"].(string)
				if from != "" && to != "" {
					out.moved[to] = from
				}
			}
		default:
			// terraform, import, check, ...: one block each.
			out.blocks[key] = newBlock("", "", v)
		}
	}
	return out
}

func newBlock(typ, construct string, body any) block {
	b := block{typ: typ, construct: construct, attrs: map[string]string{}}
	flatten("", body, b.attrs)
	return b
}

// flatten writes the leaves of v into out, keyed by their path in the
// syntax of stackjson.Block.Get (keys and indices joined with "."). A list
// of plain values (tags, IP ranges, depends_on) stays one leaf. cdktf's "//"
// metadata is not configuration and is left out.
func flatten(path string, v any, out map[string]string) {
	join := func(key string) string {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			out[path] = "{}"
			return
		}
		for k, e := range x {
			if k != "//" {
				flatten(join(k), e, out)
			}
		}
	case []any:
		nested := slices.ContainsFunc(x, func(e any) bool {
			switch e.(type) {
			case map[string]any, []any:
				return true
			}
			return false
		})
		if !nested {
			out[path] = encode(x)
			return
		}
		for i, e := range x {
			flatten(join(strconv.Itoa(i)), e, out)
		}
	default:
		out[path] = encode(x)
	}
}

// encode writes v, decoded from JSON, as JSON again (which cannot fail).
func encode(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// compareStacks returns the changes from before to after, sorted by
// address.
func compareStacks(before, after *stack) []Change {
	var changes []Change
	removed := missing(before.blocks, after.blocks)
	for _, to := range missing(after.blocks, before.blocks) {
		// An added block replaces the removed block a moved block names, or
		// else one that is the same thing (sameThing); each is paired once.
		c := Change{Address: to, Type: after.blocks[to].typ, Kind: Moved}
		i := -1
		if from, ok := after.moved[to]; ok {
			i = slices.Index(removed, from)
		}
		if i < 0 {
			c.Kind = Renamed
			i = slices.IndexFunc(removed, func(r string) bool { return sameThing(before.blocks[r], after.blocks[to]) })
		}
		if i < 0 {
			c.Kind = Added
		} else {
			c.From = removed[i]
			removed = slices.Delete(removed, i, i+1)
		}
		c.Attrs = compareAttrs(c.Type, before.blocks[c.From].attrs, after.blocks[to].attrs)
		changes = append(changes, c)
	}
	for _, addr := range removed {
		b := before.blocks[addr]
		changes = append(changes, Change{Address: addr, Type: b.typ, Kind: Removed, Attrs: compareAttrs(b.typ, b.attrs, nil)})
	}
	for addr, b := range before.blocks {
		if a, ok := after.blocks[addr]; ok {
			if attrs := compareAttrs(b.typ, b.attrs, a.attrs); len(attrs) > 0 {
				changes = append(changes, Change{Address: addr, Type: b.typ, Kind: Changed, Attrs: attrs})
			}
		}
	}
	for i := range changes {
		changes[i].Danger = danger(changes[i])
	}
	slices.SortFunc(changes, func(a, b Change) int { return strings.Compare(a.Address, b.Address) })
	return changes
}

// missing returns the addresses of a that b lacks, sorted.
func missing(a, b map[string]block) []string {
	var out []string
	for addr := range a {
		if _, ok := b[addr]; !ok {
			out = append(out, addr)
		}
	}
	slices.Sort(out)
	return out
}

// sameThing reports whether a removed and an added block are the same
// resource under a new address: same type and the same name attribute,
// construct path or configuration.
func sameThing(before, after block) bool {
	if before.typ == "" || before.typ != after.typ {
		return false
	}
	if n, ok := before.attrs["name"]; ok && n == after.attrs["name"] {
		return true
	}
	return before.construct != "" && before.construct == after.construct || maps.Equal(before.attrs, after.attrs)
}

// compareAttrs lists the attributes that differ, sorted by path.
func compareAttrs(typ string, before, after map[string]string) []Attr {
	all := map[string]string{}
	maps.Copy(all, before)
	maps.Copy(all, after)
	var out []Attr // flatten writes JSON, so a value is never ""
	for _, p := range slices.Sorted(maps.Keys(all)) {
		if before[p] != after[p] {
			out = append(out, Attr{Path: p, Before: before[p], After: after[p], Identity: identityAttribute(typ, p)})
		}
	}
	return out
}

// danger explains why a change puts a stateful resource at risk, or
// returns "".
func danger(c Change) string {
	if c.Address == "terraform" {
		if paths := c.paths(func(a Attr) bool { return strings.HasPrefix(a.Path, "backend.") }); len(paths) > 0 {
			return "state backend changed (" + strings.Join(paths, ", ") + "): Terraform reads another state and loses track of every resource; migrate the state (terraform init -migrate-state) first"
		}
		return ""
	}
	if !isStateful(c.Type) {
		return ""
	}
	what := stateful[c.Type].what
	switch c.Kind {
	case Removed:
		return "removed: Terraform destroys the " + what
	case Renamed:
		return "logical address changed from " + c.From + " without a moved block: Terraform destroys the old one and creates an empty one (" + what + ")"
	case Added:
		return "" // a new resource loses nothing
	}
	// Changed or Moved (the state carried over): the attributes decide.
	if ids := c.paths(func(a Attr) bool { return a.Identity }); len(ids) > 0 {
		return "identity attribute changed (" + strings.Join(ids, ", ") + "): Azure replaces the resource, losing the " + what
	}
	for _, a := range c.Attrs {
		if a.Path == "lifecycle.prevent_destroy" && a.Before == "true" && a.After != "true" {
			return "lifecycle.prevent_destroy removed: nothing stops a plan from destroying the " + what
		}
	}
	return ""
}
