package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/my-mimisbrunnr/perpetual-infra/internal/stackjson"
)

// outDir writes a small synthesized output directory: manifest.json and
// stacks/<name>/cdk.tf.json for each stack, and returns its path.
func outDir(t *testing.T, stacks map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	m := map[string]any{"stacks": map[string]any{}}
	for name, body := range stacks {
		p := filepath.Join("stacks", name, "cdk.tf.json")
		m["stacks"].(map[string]any)[name] = map[string]any{"synthesizedStackPath": p, "workingDirectory": filepath.Dir(p)}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The base stack of the fixtures: a disk, a Key Vault, an NSG rule and an
// output, with cdktf's "//" metadata.
const baseStack = `{
  "//": {"metadata": {"version": "0.20.12"}},
  "resource": {
    "azurerm_managed_disk": {"ipfs-data": {
      "//": {"metadata": {"path": "prod/ipfs-data", "uniqueId": "ipfs-data"}},
      "name": "perpetual-prod-ipfs-data", "location": "eastus",
      "resource_group_name": "${azurerm_resource_group.rg.name}",
      "disk_size_gb": 5, "storage_account_type": "Premium_LRS", "create_option": "Empty",
      "lifecycle": {"prevent_destroy": true}
    }},
    "azurerm_key_vault": {"kv": {
      "name": "perpetual-prod-kv", "location": "eastus", "resource_group_name": "rg", "sku_name": "standard",
      "network_acls": {"default_action": "Deny", "ip_rules": ["203.0.113.0/24"]}
    }},
    "azurerm_network_security_rule": {"rule_AllowHTTP_1": {
      "//": {"metadata": {"path": "prod/networking/rule-AllowHTTP"}},
      "name": "AllowHTTP", "priority": 300, "destination_port_range": "80"
    }}
  },
  "output": {"disk_id": {"value": "${azurerm_managed_disk.ipfs-data.id}"}},
  "terraform": {"required_providers": {"azurerm": {"source": "azurerm", "version": "3.97.1"}}}
}`

// edit returns baseStack with each old string replaced by its new one.
func edit(t *testing.T, pairs ...string) string {
	t.Helper()
	s := baseStack
	for i := 0; i < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("fixture lacks %q", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

func compare(t *testing.T, base, head map[string]string) Result {
	t.Helper()
	r, err := CompareDirs(outDir(t, base), outDir(t, head))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// find returns the change of addr in stack prod.
func find(r Result, addr string) *Change {
	for _, s := range r.Stacks {
		for i, c := range s.Changes {
			if s.Name == "prod" && c.Address == addr {
				return &s.Changes[i]
			}
		}
	}
	return nil
}

func TestChanges(t *testing.T) {
	cases := []struct {
		name   string
		head   func(t *testing.T) string
		addr   string
		kind   Kind
		from   string
		attrs  []string // "path: before -> after"
		danger string   // substring of the danger, "" for none
	}{
		{
			name:   "a disk removed is dangerous",
			head:   func(t *testing.T) string { return edit(t, `"azurerm_managed_disk"`, `"azurerm_managed_disk_gone"`) },
			addr:   "azurerm_managed_disk.ipfs-data",
			kind:   Removed,
			danger: "removed: Terraform destroys the managed disk",
		},
		{
			name:   "a Key Vault renamed in Azure is dangerous",
			head:   func(t *testing.T) string { return edit(t, `"perpetual-prod-kv"`, `"perpetual-prod-kv2"`) },
			addr:   "azurerm_key_vault.kv",
			kind:   Changed,
			attrs:  []string{`name: "perpetual-prod-kv" -> "perpetual-prod-kv2"`},
			danger: "identity attribute changed (name)",
		},
		{
			name: "a disk moved to another resource group is dangerous",
			head: func(t *testing.T) string {
				return edit(t, `"${azurerm_resource_group.rg.name}"`, `"${azurerm_resource_group.other.name}"`)
			},
			addr:   "azurerm_managed_disk.ipfs-data",
			kind:   Changed,
			danger: "identity attribute changed (resource_group_name)",
		},
		{
			name:  "a disk resized is an ordinary change",
			head:  func(t *testing.T) string { return edit(t, `"disk_size_gb": 5`, `"disk_size_gb": 10`) },
			addr:  "azurerm_managed_disk.ipfs-data",
			kind:  Changed,
			attrs: []string{"disk_size_gb: 5 -> 10"},
		},
		{
			name:   "a disk whose logical address changed is dangerous",
			head:   func(t *testing.T) string { return edit(t, `"ipfs-data": {`, `"ipfs-data_ABCD1234": {`) },
			addr:   "azurerm_managed_disk.ipfs-data_ABCD1234",
			kind:   Renamed,
			from:   "azurerm_managed_disk.ipfs-data",
			danger: "logical address changed from azurerm_managed_disk.ipfs-data without a moved block",
		},
		{
			name: "a moved block keeps a renamed disk",
			head: func(t *testing.T) string {
				return edit(t, `"ipfs-data": {`, `"data-disk": {`,
					`"output"`, `"moved": [{"from": "azurerm_managed_disk.ipfs-data", "to": "azurerm_managed_disk.data-disk"}], "output"`)
			},
			addr: "azurerm_managed_disk.data-disk",
			kind: Moved,
			from: "azurerm_managed_disk.ipfs-data",
		},
		{
			name:   "prevent_destroy taken off a disk is dangerous",
			head:   func(t *testing.T) string { return edit(t, `"prevent_destroy": true`, `"prevent_destroy": false`) },
			addr:   "azurerm_managed_disk.ipfs-data",
			kind:   Changed,
			attrs:  []string{"lifecycle.prevent_destroy: true -> false"},
			danger: "lifecycle.prevent_destroy removed",
		},
		{
			name:  "a list of plain values is one attribute",
			head:  func(t *testing.T) string { return edit(t, `["203.0.113.0/24"]`, `["203.0.113.0/24", "0.0.0.0/0"]`) },
			addr:  "azurerm_key_vault.kv",
			kind:  Changed,
			attrs: []string{`network_acls.ip_rules: ["203.0.113.0/24"] -> ["203.0.113.0/24","0.0.0.0/0"]`},
		},
		{
			name: "a stateless resource renamed is not dangerous",
			head: func(t *testing.T) string {
				return edit(t, `"rule_AllowHTTP_1"`, `"rule_AllowHTTP_2"`, `"priority": 300`, `"priority": 310`)
			},
			addr:  "azurerm_network_security_rule.rule_AllowHTTP_2",
			kind:  Renamed,
			from:  "azurerm_network_security_rule.rule_AllowHTTP_1",
			attrs: []string{"priority: 300 -> 310"},
		},
		{
			name:  "a provider upgrade is shown",
			head:  func(t *testing.T) string { return edit(t, `"3.97.1"`, `"4.20.0"`) },
			addr:  "terraform",
			kind:  Changed,
			attrs: []string{`required_providers.azurerm.version: "3.97.1" -> "4.20.0"`},
		},
		{
			name: "a moved state is dangerous",
			head: func(t *testing.T) string {
				return edit(t, `"terraform": {`, `"terraform": {"backend": {"azurerm": {"key": "other/prod.tfstate"}}, `)
			},
			addr:   "terraform",
			kind:   Changed,
			attrs:  []string{`backend.azurerm.key:  -> "other/prod.tfstate"`},
			danger: "state backend changed (backend.azurerm.key)",
		},
		{
			name:  "an output added",
			head:  func(t *testing.T) string { return edit(t, `"output": {`, `"output": {"kv": {"value": "x"}, `) },
			addr:  "output.kv",
			kind:  Added,
			attrs: []string{`value:  -> "x"`},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := compare(t, map[string]string{"prod": baseStack}, map[string]string{"prod": c.head(t)})
			got := find(r, c.addr)
			if got == nil {
				t.Fatalf("no change of %s in %+v", c.addr, r)
			}
			if got.Kind != c.kind || got.From != c.from {
				t.Errorf("kind %s from %q, want %s from %q", got.Kind, got.From, c.kind, c.from)
			}
			var attrs []string
			for _, a := range got.Attrs {
				attrs = append(attrs, a.Path+": "+a.Before+" -> "+a.After)
			}
			if c.attrs != nil && strings.Join(attrs, "\n") != strings.Join(c.attrs, "\n") {
				t.Errorf("attributes\n%s\nwant\n%s", strings.Join(attrs, "\n"), strings.Join(c.attrs, "\n"))
			}
			if c.danger == "" && got.Danger != "" {
				t.Errorf("danger %q, want none", got.Danger)
			}
			if !strings.Contains(got.Danger, c.danger) {
				t.Errorf("danger %q, want %q", got.Danger, c.danger)
			}
			// Every other stateful resource is untouched by these edits.
			if n := r.Dangerous(); (c.danger != "") != (n == 1) || n > 1 {
				t.Errorf("%d dangerous changes", n)
			}
		})
	}
}

func TestIdenticalAndMetadataOnly(t *testing.T) {
	r := compare(t, map[string]string{"prod": baseStack},
		map[string]string{"prod": edit(t, `"version": "0.20.12"`, `"version": "0.20.13"`, `"uniqueId": "ipfs-data"`, `"uniqueId": "x"`)})
	if !r.Empty() {
		t.Errorf("cdktf metadata is not configuration: %+v", r)
	}
	var out bytes.Buffer
	Text(&out, r)
	if out.String() != "No changes in the synthesized stacks.\n" {
		t.Errorf("text: %q", out.String())
	}
}

func TestStacksAddedAndRemoved(t *testing.T) {
	r := compare(t,
		map[string]string{"prod": baseStack, "old": `{"resource": {"azurerm_public_ip": {"ip": {"name": "pip"}}}}`},
		map[string]string{"prod": baseStack, "new": `{"resource": {"azurerm_resource_group": {"rg": {"name": "rg"}}}}`})
	got := map[string]StackDiff{}
	for _, s := range r.Stacks {
		got[s.Name] = s
	}
	if got["new"].Status != Added || got["new"].Count(Added) != 1 {
		t.Errorf("new stack: %+v", got["new"])
	}
	if got["old"].Status != Removed || len(got["old"].Dangerous()) != 1 || !strings.Contains(got["old"].Dangerous()[0].Danger, "no longer synthesized") {
		t.Errorf("removed stack with a public IP: %+v", got["old"])
	}
	if got["prod"].Status != "" || len(got["prod"].Changes) != 0 {
		t.Errorf("unchanged stack: %+v", got["prod"])
	}
}

func TestEveryStatefulTypeIsCalledOut(t *testing.T) {
	for typ := range stateful {
		base := `{"resource": {"` + typ + `": {"x": {"name": "a", "location": "eastus"}}}}`
		head := `{"resource": {"` + typ + `": {"x": {"name": "a", "location": "westeurope"}}}}`
		r := compare(t, map[string]string{"prod": base}, map[string]string{"prod": head})
		if r.Dangerous() != 1 {
			t.Errorf("%s: a changed location is not called out", typ)
		}
		r = compare(t, map[string]string{"prod": base}, map[string]string{"prod": `{}`})
		if r.Dangerous() != 1 {
			t.Errorf("%s: a removal is not called out", typ)
		}
	}
	// The table names what the design must never lose.
	for _, typ := range []string{"azurerm_managed_disk", "azurerm_key_vault", "azurerm_storage_account", "azurerm_public_ip", "azurerm_data_protection_backup_vault", "azurerm_kubernetes_cluster"} {
		if !isStateful(typ) {
			t.Errorf("%s is not in the stateful table", typ)
		}
	}
	if identityAttribute("azurerm_kubernetes_cluster", "network_profile.load_balancer_sku") || !identityAttribute("azurerm_kubernetes_cluster", "network_profile.pod_cidr") {
		t.Error("cluster identity attributes")
	}
}

func TestRender(t *testing.T) {
	r := compare(t, map[string]string{"prod": baseStack}, map[string]string{"prod": edit(t,
		`"azurerm_managed_disk"`, `"azurerm_managed_disk_gone"`,
		`"priority": 300`, "\"priority\": 310, \"description\": \"a ``` fence | pipe\"")})

	var text bytes.Buffer
	Text(&text, r)
	for _, want := range []string{
		"!!! 1 STATEFUL RESOURCE CHANGE(S) AT RISK OF DATA LOSS !!!",
		"!!! prod: azurerm_managed_disk.ipfs-data: removed: Terraform destroys the managed disk",
		"== prod: 1 added, 1 removed, 1 changed",
		"~   azurerm_network_security_rule.rule_AllowHTTP_1 (changed)",
		"      - priority = 300",
		"      + priority = 310",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}

	var md bytes.Buffer
	Markdown(&md, r)
	for _, want := range []string{
		"## Infrastructure changes (synthesized stacks, base → head)\n\n> [!CAUTION]",
		"> [!CAUTION]\n> **1 change(s) put a stateful resource at risk",
		"> - **`prod`**: `azurerm_managed_disk.ipfs-data`: removed: Terraform destroys",
		"| `prod` | 1 | 1 | 1 | 0 | **1** ⚠️ |",
		"- `-` azurerm_managed_disk.ipfs-data (removed) ⚠️ **removed",
		"  ```diff\n  + description = \"a ''' fence | pipe\"\n  - priority = 300\n  + priority = 310\n  ```",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	if strings.Count(md.String(), "```") != 2 {
		t.Errorf("a value broke out of its code block:\n%s", md.String())
	}
}

func TestCLI(t *testing.T) {
	base := outDir(t, map[string]string{"prod": baseStack})
	head := outDir(t, map[string]string{"prod": edit(t, `"disk_size_gb": 5`, `"disk_size_gb": 10`)})
	var out, errs bytes.Buffer
	if code := run([]string{"-base", base, "-head", head, "-format", "markdown"}, &out, &errs); code != 0 || !strings.Contains(out.String(), "+ disk_size_gb = 10") {
		t.Errorf("markdown: exit %d\n%s%s", code, out.String(), errs.String())
	}
	for _, args := range [][]string{{"-base", base}, {"-base", base, "-head", head, "-format", "html"}, {"-base", base, "-head", head, "extra"}} {
		if code := run(args, &out, &errs); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	errs.Reset()
	if code := run([]string{"-base", t.TempDir(), "-head", head}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "base:") {
		t.Errorf("missing manifest: exit %d %s", code, errs.String())
	}
}

// TestPathsAreStackjsonPaths: an attribute inside nested blocks and lists
// is shown by the path stackjson's Block.Get reads, so the path in a
// review comment leads to the value in the stack.
func TestPathsAreStackjsonPaths(t *testing.T) {
	pv := func(size string) string {
		return `{"resource": {"kubernetes_persistent_volume_v1": {"pv": {
		  "metadata": [{"name": "pv"}],
		  "spec": [{"capacity": {"storage": "` + size + `"}, "access_modes": ["ReadWriteOnce"]}]}}}}`
	}
	head := outDir(t, map[string]string{"prod": pv("10Gi")})
	r, err := CompareDirs(outDir(t, map[string]string{"prod": pv("5Gi")}), head)
	if err != nil {
		t.Fatal(err)
	}
	c := find(r, "kubernetes_persistent_volume_v1.pv")
	if c == nil || len(c.Attrs) != 1 || c.Attrs[0].Path != "spec.0.capacity.storage" {
		t.Fatalf("change %+v, want spec.0.capacity.storage", c)
	}
	stacks, err := stackjson.ReadDir(head)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := stacks["prod"].Lookup(c.Address)
	if v, ok := b.Get(c.Attrs[0].Path); !ok || encode(v) != c.Attrs[0].After {
		t.Errorf("Get(%q) = %v, %t; the diff shows %s", c.Attrs[0].Path, v, ok, c.Attrs[0].After)
	}
}

// TestDataSourcesAreNotStateful: a data source reads a resource, so
// removing or renaming one destroys nothing, whatever its type.
func TestDataSourcesAreNotStateful(t *testing.T) {
	base := `{"data": {"azurerm_managed_disk": {"ipfs-data": {"name": "disk"}}}}`
	for _, head := range []string{`{}`, `{"data": {"azurerm_managed_disk": {"disk": {"name": "disk"}}}}`} {
		if r := compare(t, map[string]string{"prod": base}, map[string]string{"prod": head}); r.Dangerous() != 0 || find(r, "data.azurerm_managed_disk.ipfs-data") == nil {
			t.Errorf("%s: %+v", head, r)
		}
	}
}
