package synthtest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/stackjson"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/golden"
)

// Doc is one synthesized stack, read by [stackjson], with the lookups of
// tests, which fail the test when what they look for is not there.
type Doc struct{ *stackjson.Stack }

// Block is one block of a stack, with the assertions of tests. Paths are
// those of [stackjson.Block.Get].
type Block struct{ stackjson.Block }

// Address is the block's address, less the "data." of a data source: the
// stacks' tests write "data."+Address() for one. [Ref] and [DataRef] give
// whole references.
func (b Block) Address() string { return strings.TrimPrefix(b.Block.Address(), "data.") }

func wrap(bs []stackjson.Block) []Block {
	out := make([]Block, len(bs))
	for i, b := range bs {
		out[i] = Block{b}
	}
	return out
}

// Value returns the value at path, failing the test if it is absent.
func (b Block) Value(t testing.TB, path string) any {
	t.Helper()
	v, ok := b.Get(path)
	if !ok {
		t.Fatalf("%s: no attribute %q; attributes: %s", b.Address(), path, compact(b.Attrs))
	}
	return v
}

// valueAs returns the value at path as a T, failing the test otherwise.
func valueAs[T any](t testing.TB, b Block, path, kind string) T {
	t.Helper()
	v := b.Value(t, path)
	x, ok := v.(T)
	if !ok {
		t.Fatalf("%s: %q is %T %v, not %s", b.Address(), path, v, v, kind)
	}
	return x
}

// Str returns the string at path, failing the test otherwise.
func (b Block) Str(t testing.TB, path string) string {
	t.Helper()
	return valueAs[string](t, b, path, "a string")
}

// Num returns the number at path, failing the test otherwise.
func (b Block) Num(t testing.TB, path string) float64 {
	t.Helper()
	return valueAs[float64](t, b, path, "a number")
}

// Strs returns the list of strings at path, failing the test otherwise.
func (b Block) Strs(t testing.TB, path string) []string {
	t.Helper()
	list := valueAs[[]any](t, b, path, "a list")
	out := make([]string, len(list))
	for i, e := range list {
		var ok bool
		if out[i], ok = e.(string); !ok {
			t.Fatalf("%s: %q[%d] is %T %v, not a string", b.Address(), path, i, e, e)
		}
	}
	return out
}

// Equal fails the test unless the value at path equals want (compared as
// JSON, so 3 and 3.0 are equal and lists compare element by element).
func (b Block) Equal(t testing.TB, path string, want any) {
	t.Helper()
	got := b.Value(t, path)
	if compact(got) != compact(want) {
		t.Errorf("%s: %s = %s, want %s", b.Address(), path, compact(got), compact(want))
	}
}

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// Resources returns the resources of a type, sorted by logical ID.
func (d *Doc) Resources(typ string) []Block { return wrap(d.Stack.Resources(typ)) }

// DataSources returns the data sources of a type, sorted by logical ID.
func (d *Doc) DataSources(typ string) []Block { return wrap(d.Stack.DataSources(typ)) }

// Declares reports whether the stack declares a block at address
// ("<type>.<name>", see [stackjson.Block.Address]).
func (d *Doc) Declares(address string) bool {
	_, ok := d.Lookup(address)
	return ok
}

// Count returns how many resources of a type the stack has.
func (d *Doc) Count(typ string) int { return len(d.Stack.Resources(typ)) }

// Only returns the single resource of a type, failing the test if there is
// not exactly one.
func (d *Doc) Only(t testing.TB, typ string) Block {
	t.Helper()
	return d.one(t, "resource", typ)
}

// DataSource returns the single data source of a type.
func (d *Doc) DataSource(t testing.TB, typ string) Block {
	t.Helper()
	return d.one(t, "data", typ)
}

func (d *Doc) one(t testing.TB, section, typ string) Block {
	t.Helper()
	bs := d.Blocks(section, typ)
	if len(bs) != 1 {
		t.Fatalf("%s: want exactly one %s %s, found %d: %v", d.Name, section, typ, len(bs), ids(bs))
	}
	return Block{bs[0]}
}

// Named returns the resource of a type whose "name" attribute is name.
func (d *Doc) Named(t testing.TB, typ, name string) Block {
	t.Helper()
	return d.Where(t, typ, "name", name)
}

// Where returns the one resource of a type whose attribute at path is value.
func (d *Doc) Where(t testing.TB, typ, path string, value any) Block {
	t.Helper()
	var found []Block
	var seen []string
	for _, r := range d.Resources(typ) {
		v, _ := r.Get(path)
		seen = append(seen, compact(v))
		if compact(v) == compact(value) {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: want one %s with %s = %s, found %d among %s", d.Name, typ, path, compact(value), len(found), strings.Join(seen, ", "))
	}
	return found[0]
}

// named returns the block of a section by its ID, failing the test if
// there is none.
func (d *Doc) named(t testing.TB, section, id string) Block {
	t.Helper()
	address := stackjson.Block{Section: section, ID: id}.Address()
	b, ok := d.Lookup(address)
	if !ok {
		t.Fatalf("%s: no %s; have %v", d.Name, address, ids(d.Blocks(section, "")))
	}
	return Block{b}
}

// Output returns a stack output by name.
func (d *Doc) Output(t testing.TB, name string) Block {
	t.Helper()
	return d.named(t, "output", name)
}

// Outputs lists the output names.
func (d *Doc) Outputs() []string { return ids(d.Blocks("output", "")) }

// Variable returns a variable by name.
func (d *Doc) Variable(t testing.TB, name string) Block {
	t.Helper()
	return d.named(t, "variable", name)
}

// Variables lists the variable names.
func (d *Doc) Variables() []string { return ids(d.Blocks("variable", "")) }

// Terraform returns the "terraform" block (backend, required providers).
func (d *Doc) Terraform() Block { return Block{d.Stack.Terraform()} }

// Provider returns the configuration of a provider without an alias.
func (d *Doc) Provider(t testing.TB, name string) Block {
	t.Helper()
	return d.named(t, "provider", name)
}

// Ref is the interpolation of an attribute of a block: ${type.id.attr},
// ${data.type.id.attr}.
func Ref(b Block, attr string) string { return b.Ref(attr) }

// DataRef is [Ref], for data sources.
var DataRef = Ref

func ids(bs []stackjson.Block) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.ID
	}
	return out
}

// Golden compares got with testdata/<name>, or rewrites the file when
// updating ([golden.Updating]: UPDATE_SNAPSHOTS=1, make golden). Golden
// files change only so, and every change to them is read and explained in
// the commit.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if golden.Updating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it with: make golden)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the synthesized output:\n%s\nIf the change is intended, run `make golden`, read the diff of testdata/ and explain it in the commit.", path, diff(string(want), string(got)))
	}
}

// diff shows the first differing lines of two texts.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 20; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  - %s\n  + %s\n", i+1, wl, gl)
			shown++
		}
	}
	return b.String()
}

// ContainsAll fails unless every string of want is in got.
func ContainsAll(t testing.TB, what string, got []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s: %q missing from %v", what, w, got)
		}
	}
}
