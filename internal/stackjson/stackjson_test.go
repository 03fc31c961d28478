package stackjson

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// stack is a small stack with a block of every kind, nested blocks written
// both ways (an object, a list of one) and an aliased provider.
const stack = `{
  "//": {"metadata": {"version": "0.21.0"}},
  "resource": {
    "azurerm_managed_disk": {"ipfs-data": {
      "//": {"metadata": {"path": "prod/storage/ipfs-data"}},
      "name": "disk", "zones": ["1"], "rules": [{"name": "x"}, {"name": "y"}], "lifecycle": {"prevent_destroy": true}
    }},
    "kubernetes_persistent_volume_v1": {"pv": {
      "metadata": [{"name": "pv"}],
      "spec": [{"capacity": {"storage": "5Gi"}, "access_modes": ["ReadWriteOnce", "ReadOnlyMany"]}]
    }},
    "azurerm_subnet": {"b": {"name": "b"}, "a": {"name": "a"}}
  },
  "data": {"azurerm_client_config": {"current": {}}},
  "variable": {"token": {"sensitive": true}, "revision": {"default": 1}},
  "output": {"disk_id": {"value": "${azurerm_managed_disk.ipfs-data.id}"}},
  "provider": {"azurerm": [{"features": [{}]}, {"alias": "west", "features": [{}]}]},
  "terraform": {"backend": {"azurerm": {"key": "prod.tfstate"}}}
}`

func parse(t *testing.T) *Stack {
	t.Helper()
	s, err := Parse("prod", []byte(stack))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func addresses(bs []Block) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Address())
	}
	return out
}

func TestBlocksAndAddresses(t *testing.T) {
	s := parse(t)
	for _, c := range []struct {
		section, typ string
		want         []string
	}{
		{"resource", "", []string{"azurerm_managed_disk.ipfs-data", "azurerm_subnet.a", "azurerm_subnet.b", "kubernetes_persistent_volume_v1.pv"}},
		{"resource", "azurerm_subnet", []string{"azurerm_subnet.a", "azurerm_subnet.b"}},
		{"resource", "azurerm_public_ip", nil},
		{"data", "", []string{"data.azurerm_client_config.current"}},
		{"variable", "", []string{"var.revision", "var.token"}},
		{"output", "", []string{"output.disk_id"}},
		{"provider", "", []string{"provider.azurerm", "provider.azurerm.west"}},
		{"locals", "", nil},
	} {
		if got := addresses(s.Blocks(c.section, c.typ)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Blocks(%q, %q) = %q, want %q", c.section, c.typ, got, c.want)
		}
	}
	if got := addresses(s.Resources("azurerm_managed_disk")); len(got) != 1 || got[0] != "azurerm_managed_disk.ipfs-data" {
		t.Errorf("Resources: %q", got)
	}
	if got := addresses(s.DataSources("")); len(got) != 1 {
		t.Errorf("DataSources: %q", got)
	}
	if tf := s.Terraform(); tf.Address() != "terraform" || !tf.Has("backend.azurerm.key") {
		t.Errorf("Terraform() = %+v", tf)
	}
}

// TestLookupFindsEveryBlockByItsAddress, in a small stack and in the
// project's synthesized stacks.
func TestLookupFindsEveryBlockByItsAddress(t *testing.T) {
	stacks := []*Stack{parse(t)}
	files, _ := filepath.Glob("../../stacks/testdata/*.tf.json")
	if len(files) == 0 {
		t.Fatal("no golden stacks in stacks/testdata")
	}
	for _, f := range files {
		s, err := ReadFile(filepath.Base(f), f)
		if err != nil {
			t.Fatal(err)
		}
		stacks = append(stacks, s)
	}
	for _, s := range stacks {
		n := 0
		for _, section := range []string{"resource", "data", "variable", "output", "provider"} {
			for _, b := range s.Blocks(section, "") {
				n++
				got, ok := s.Lookup(b.Address())
				if !ok || !reflect.DeepEqual(got, b) {
					t.Errorf("%s: Lookup(%q) = %+v, %t; want %+v", s.Name, b.Address(), got, ok, b)
				}
			}
		}
		if n < 4 {
			t.Errorf("%s: only %d blocks", s.Name, n)
		}
	}
	s := parse(t)
	for _, missing := range []string{"azurerm_subnet.c", "azurerm_subnet", "data.azurerm_client_config.other", "var.nope", "output.nope", "provider.kubernetes", ""} {
		if b, ok := s.Lookup(missing); ok {
			t.Errorf("Lookup(%q) found %+v", missing, b)
		}
	}
}

func TestGet(t *testing.T) {
	s := parse(t)
	pv, _ := s.Lookup("kubernetes_persistent_volume_v1.pv")
	disk, _ := s.Lookup("azurerm_managed_disk.ipfs-data")
	for _, c := range []struct {
		b    Block
		path string
		want any // nil: absent
	}{
		{disk, "name", "disk"},
		{disk, "lifecycle.prevent_destroy", true},
		{disk, "zones.0", "1"},
		{disk, "zones", []any{"1"}},
		{disk, "rules.1.name", "y"},
		{disk, "rules.name", nil}, // a list of two needs an index
		{pv, "spec.0.capacity.storage", "5Gi"},
		{pv, "spec.capacity.storage", "5Gi"}, // a list of one is looked through
		{pv, "metadata.name", "pv"},
		{pv, "spec.access_modes.1", "ReadOnlyMany"},
		{pv, "spec.access_modes.2", nil},
		{pv, "spec.1.capacity", nil},
		{pv, "spec.-1.capacity", nil},
		{pv, "spec.0.capacity.storage.size", nil},
		{pv, "status", nil},
		{pv, "", nil},
	} {
		got, ok := c.b.Get(c.path)
		if ok != (c.want != nil) || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: Get(%q) = %v, %t; want %v", c.b.Address(), c.path, got, ok, c.want)
		}
		if c.b.Has(c.path) != ok {
			t.Errorf("%s: Has(%q) disagrees with Get", c.b.Address(), c.path)
		}
	}
}

func TestRefAndConstructPath(t *testing.T) {
	s := parse(t)
	disk, _ := s.Lookup("azurerm_managed_disk.ipfs-data")
	client, _ := s.Lookup("data.azurerm_client_config.current")
	out, _ := s.Lookup("output.disk_id")
	if got := disk.Ref("id"); got != "${azurerm_managed_disk.ipfs-data.id}" || got != out.Attrs["value"] {
		t.Errorf("Ref: %s", got)
	}
	if got := client.Ref("tenant_id"); got != "${data.azurerm_client_config.current.tenant_id}" {
		t.Errorf("data Ref: %s", got)
	}
	if disk.ConstructPath() != "prod/storage/ipfs-data" || client.ConstructPath() != "data.azurerm_client_config.current" {
		t.Errorf("construct paths %q, %q", disk.ConstructPath(), client.ConstructPath())
	}
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ReadDir(dir); !os.IsNotExist(err) {
		t.Errorf("no manifest: %v", err)
	}
	write("manifest.json", `{"stacks": {"prod": {"synthesizedStackPath": "stacks/prod/cdk.tf.json", "workingDirectory": "stacks/prod", "dependencies": ["base"]}}}`)
	write("stacks/prod/cdk.tf.json", stack)
	m, err := Manifest(dir)
	if err != nil || m["prod"].WorkingDirectory != "stacks/prod" || len(m["prod"].Dependencies) != 1 {
		t.Errorf("Manifest: %+v, %v", m, err)
	}
	stacks, err := ReadDir(dir)
	if err != nil || len(stacks) != 1 || stacks["prod"].Name != "prod" || string(stacks["prod"].Raw) != stack {
		t.Fatalf("ReadDir: %v, %v", stacks, err)
	}
	if _, ok := stacks["prod"].Lookup("azurerm_subnet.a"); !ok {
		t.Error("the stack read is not decoded")
	}

	write("stacks/prod/cdk.tf.json", `{"resource": `)
	if _, err := ReadDir(dir); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "stacks/prod/cdk.tf.json")) {
		t.Errorf("a broken stack: %v, want an error naming the file", err)
	}
	write("manifest.json", `{"stacks": [`)
	if _, err := ReadDir(dir); err == nil || !strings.Contains(err.Error(), "manifest.json") {
		t.Errorf("a broken manifest: %v", err)
	}
}
