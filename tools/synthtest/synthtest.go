// Package synthtest is the test harness of this project: it synthesizes
// stacks and looks things up in the resulting Terraform JSON, with failure
// messages that say what was looked for and what was there.
//
// jsii runs one Node.js process per Go process and loading a provider costs
// seconds, so a test package builds all the stacks it needs once, with
// [Once] (or in TestMain when it needs a full app on disk), and its tests
// share the results. Never call jsii
// from parallel goroutines: no t.Parallel around synthesis.
package synthtest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/dataazurermclientconfig"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/provider"
	"github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/azurerm/resourcegroup"
	kubeprovider "github.com/my-mimisbrunnr/perpetual-infra/.gen/providers/kubernetes/provider"

	"github.com/my-mimisbrunnr/perpetual-infra/constructs/azure"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/golden"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/manifest"
)

// Updating reports whether golden snapshots should be rewritten
// ([golden.Updating]: UPDATE_SNAPSHOTS=1, make golden).
func Updating() bool { return golden.Updating() }

// Doc is one synthesized stack.
type Doc struct {
	Name string
	Raw  []byte
	JSON map[string]any
}

// Parse decodes a synthesized stack.
func Parse(name string, raw []byte) (*Doc, error) {
	d := &Doc{Name: name, Raw: raw}
	if err := json.Unmarshal(raw, &d.JSON); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

// SynthStack synthesizes one stack in memory (cdktf's Testing_Synth, with
// validations). The result has no "//" metadata and sorted keys.
func SynthStack(stack cdktf.TerraformStack) (*Doc, error) {
	raw := cdktf.Testing_Synth(stack, jsii.Bool(true))
	return Parse(*stack.Node().Id(), []byte(*raw))
}

// StackJSON returns the stack's Terraform JSON as cdktf holds it before
// writing it, without running validations: with the "//" metadata that
// names each resource's construct path, as the guardrails read it.
func StackJSON(tb testing.TB, stack cdktf.TerraformStack) map[string]any {
	tb.Helper()
	raw, err := json.Marshal(stack.ToTerraform())
	if err != nil {
		tb.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		tb.Fatal(err)
	}
	return doc
}

// Stacks are the synthesized stacks of a test package, by stack name.
type Stacks map[string]*Doc

// Once returns the synthesis of a test package: its first call makes a
// testing app, lets build add stacks to it, and synthesizes every stack
// (with validations); every call returns that same result, and a failed
// synthesis fails each test that asks. Declare it as a package variable:
//
//	var synth = synthtest.Once(func(app cdktf.App) { ... })
//	func TestX(t *testing.T) { doc := synth(t)["stack"] }
//
// jsii loads the provider bindings once per process, which costs seconds,
// and must not be called from parallel goroutines: one synthesis per
// package, shared, and no t.Parallel.
func Once(build func(app cdktf.App)) func(tb testing.TB) Stacks {
	result := sync.OnceValues(func() (stacks Stacks, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("synthesis failed: %v", r)
			}
		}()
		app := cdktf.Testing_App(nil)
		build(app)
		stacks = Stacks{}
		for _, c := range *app.Node().Children() {
			if !*cdktf.TerraformStack_IsStack(c) {
				continue
			}
			doc, err := SynthStack(c.(cdktf.TerraformStack))
			if err != nil {
				return nil, err
			}
			stacks[doc.Name] = doc
		}
		return stacks, nil
	})
	return func(tb testing.TB) Stacks {
		tb.Helper()
		stacks, err := result()
		if err != nil {
			tb.Fatal(err)
		}
		return stacks
	}
}

// NewAzureStack returns a stack of a testing app with an azurerm provider,
// for constructs that create Azure resources.
func NewAzureStack(app cdktf.App, id string) cdktf.TerraformStack {
	stack := cdktf.NewTerraformStack(app, jsii.String(id))
	provider.NewAzurermProvider(stack, jsii.String("azurerm"), &provider.AzurermProviderConfig{
		Features: &[]*provider.AzurermProviderFeatures{{}},
	})
	return stack
}

// Placement creates a resource group "rg" in eastus in stack and returns
// the placement of construct tests: that group, eastus, tag project=p.
func Placement(stack cdktf.TerraformStack) azure.Placement {
	rg := resourcegroup.NewResourceGroup(stack, jsii.String("rg"), &resourcegroup.ResourceGroupConfig{
		Name: jsii.String("rg"), Location: jsii.String("eastus"),
	})
	return azure.Placement{ResourceGroup: rg, Location: "eastus", Tags: map[string]string{"project": "p"}}
}

// Client adds the data source azurerm_client_config "current" to stack: the
// tenant and the principal running Terraform, for constructs that take
// them.
func Client(stack cdktf.TerraformStack) dataazurermclientconfig.DataAzurermClientConfig {
	return dataazurermclientconfig.NewDataAzurermClientConfig(stack, jsii.String("current"), &dataazurermclientconfig.DataAzurermClientConfigConfig{})
}

// NewKubernetesStack returns a stack of a testing app with a kubernetes
// provider, for constructs that create Kubernetes objects.
func NewKubernetesStack(app cdktf.App, id string) cdktf.TerraformStack {
	stack := cdktf.NewTerraformStack(app, jsii.String(id))
	kubeprovider.NewKubernetesProvider(stack, jsii.String("kubernetes"), &kubeprovider.KubernetesProviderConfig{})
	return stack
}

// App is a synthesized app: the output directory and every stack in it.
type App struct {
	Dir    string
	Stacks map[string]*Doc
}

// SynthApp calls build with a new app writing into dir, synthesizes it, and
// reads every stack the manifest lists.
func SynthApp(dir string, build func(app cdktf.App)) (app *App, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("synthesis failed: %v", r)
		}
	}()
	a := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(dir), StackTraces: jsii.Bool(false)})
	build(a)
	a.Synth()
	return ReadOutput(dir)
}

// ReadOutput reads the stacks of a synthesized output directory.
func ReadOutput(dir string) (*App, error) {
	raw, err := manifest.Stacks(dir)
	if err != nil {
		return nil, err
	}
	out := &App{Dir: dir, Stacks: map[string]*Doc{}}
	for name, b := range raw {
		if out.Stacks[name], err = Parse(name, b); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ReadTree reads every file under root, keyed by its slash-separated path
// relative to root.
func ReadTree(root string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	return files, err
}

// Block is one resource, data source, output or variable.
type Block struct {
	// Type is the resource type ("azurerm_subnet"), or "output"/"variable".
	Type string
	// ID is the logical name in the configuration.
	ID    string
	Attrs map[string]any
}

// Address is the Terraform address of a resource: type.id.
func (b Block) Address() string { return b.Type + "." + b.ID }

// Get follows a dotted path of keys and list indexes ("spec.0.capacity").
// Blocks that cdktf writes as single-element lists are not unwrapped: say
// ".0" where the JSON has a list.
func (b Block) Get(path string) (any, bool) {
	var v any = b.Attrs
	for _, key := range strings.Split(path, ".") {
		switch c := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = c[key]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// Has reports whether path exists.
func (b Block) Has(path string) bool {
	_, ok := b.Get(path)
	return ok
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
	v := b.Value(t, path)
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("%s: %q is %T %v, not a list", b.Address(), path, v, v)
	}
	out := make([]string, len(list))
	for i, e := range list {
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

// blocks returns the blocks under section ("resource", "data") of a type,
// sorted by ID.
func (d *Doc) blocks(section, typ string) []Block {
	sec, _ := d.JSON[section].(map[string]any)
	byID, _ := sec[typ].(map[string]any)
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]Block, 0, len(ids))
	for _, id := range ids {
		attrs, _ := byID[id].(map[string]any)
		out = append(out, Block{Type: typ, ID: id, Attrs: attrs})
	}
	return out
}

// Resources returns the resources of a type, sorted by logical ID.
func (d *Doc) Resources(typ string) []Block { return d.blocks("resource", typ) }

// DataSources returns the data sources of a type, sorted by logical ID.
func (d *Doc) DataSources(typ string) []Block { return d.blocks("data", typ) }

// Declares reports whether the stack declares a resource at address
// ("<type>.<name>").
func (d *Doc) Declares(address string) bool {
	typ, name, _ := strings.Cut(address, ".")
	sec, _ := d.JSON["resource"].(map[string]any)
	byName, _ := sec[typ].(map[string]any)
	_, ok := byName[name]
	return ok
}

// ResourceTypes lists the resource types in the stack.
func (d *Doc) ResourceTypes() []string {
	sec, _ := d.JSON["resource"].(map[string]any)
	types := make([]string, 0, len(sec))
	for t := range sec {
		types = append(types, t)
	}
	sort.Strings(types)
	return types
}

// Only returns the single resource of a type, failing the test if there is
// not exactly one.
func (d *Doc) Only(t testing.TB, typ string) Block {
	t.Helper()
	rs := d.Resources(typ)
	if len(rs) != 1 {
		t.Fatalf("%s: want exactly one %s, found %d: %v", d.Name, typ, len(rs), ids(rs))
	}
	return rs[0]
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

// Count returns how many resources of a type the stack has.
func (d *Doc) Count(typ string) int { return len(d.Resources(typ)) }

// DataSource returns the single data source of a type.
func (d *Doc) DataSource(t testing.TB, typ string) Block {
	t.Helper()
	ds := d.DataSources(typ)
	if len(ds) != 1 {
		t.Fatalf("%s: want exactly one data source %s, found %d: %v", d.Name, typ, len(ds), ids(ds))
	}
	return ds[0]
}

func (d *Doc) named(t testing.TB, section, name string) Block {
	t.Helper()
	sec, _ := d.JSON[section].(map[string]any)
	v, ok := sec[name].(map[string]any)
	if !ok {
		names := make([]string, 0, len(sec))
		for n := range sec {
			names = append(names, n)
		}
		sort.Strings(names)
		t.Fatalf("%s: no %s %q; have %v", d.Name, section, name, names)
	}
	return Block{Type: section, ID: name, Attrs: v}
}

// Output returns a stack output by name.
func (d *Doc) Output(t testing.TB, name string) Block {
	t.Helper()
	return d.named(t, "output", name)
}

// Outputs lists the output names.
func (d *Doc) Outputs() []string { return d.keys("output") }

// Variable returns a variable by name.
func (d *Doc) Variable(t testing.TB, name string) Block {
	t.Helper()
	return d.named(t, "variable", name)
}

// Variables lists the variable names.
func (d *Doc) Variables() []string { return d.keys("variable") }

func (d *Doc) keys(section string) []string {
	sec, _ := d.JSON[section].(map[string]any)
	names := make([]string, 0, len(sec))
	for n := range sec {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Terraform returns the "terraform" block (backend, required providers).
func (d *Doc) Terraform() Block {
	tf, _ := d.JSON["terraform"].(map[string]any)
	return Block{Type: "terraform", ID: d.Name, Attrs: tf}
}

// Provider returns the first configuration of a provider.
func (d *Doc) Provider(t testing.TB, name string) Block {
	t.Helper()
	sec, _ := d.JSON["provider"].(map[string]any)
	list, _ := sec[name].([]any)
	if len(list) == 0 {
		t.Fatalf("%s: no provider %q", d.Name, name)
	}
	attrs, _ := list[0].(map[string]any)
	return Block{Type: "provider", ID: name, Attrs: attrs}
}

// Ref is the interpolation of an attribute of a resource: ${type.id.attr}.
func Ref(b Block, attr string) string { return "${" + b.Address() + "." + attr + "}" }

// DataRef is the interpolation of an attribute of a data source.
func DataRef(b Block, attr string) string { return "${data." + b.Address() + "." + attr + "}" }

func ids(bs []Block) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.ID
	}
	return out
}

// Golden compares got with testdata/<name>, or rewrites the file when
// updating. Golden files change only with UPDATE_SNAPSHOTS=1, and
// every change to them is read and explained in the commit.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if Updating() {
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
