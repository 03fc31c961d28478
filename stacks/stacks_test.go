package stacks

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/my-mimisbrunnr/perpetual-infra/bindings"
	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/cost"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/synthtest"
)

// The stacks of the fixture environments testdata/config/dev.json and
// prod.json (the project's behaviour, whatever config/ holds), synthesized
// once for the package, and a second synthesis for the determinism test.
var (
	cfgs          []*config.Config
	out, again    *synthtest.App
	firstSynthAt  time.Time
	stackNames    = []string{"dev", "dev-k8s", "prod", "prod-k8s"}
	dev, prod     *synthtest.Doc
	devK8s, prodK *synthtest.Doc
)

func TestMain(m *testing.M) { synthtest.Main(m.Run) }

// synthesized synthesizes the fixture environments on its first call (out,
// again, dev, prod, devK8s, prodK and cfgs), and fails the test when that
// failed. Every test that reads them calls it first: it runs inside the
// test, where go test's cache sees the configuration it reads.
func synthesized(t *testing.T) {
	t.Helper()
	if err := synthesis(); err != nil {
		t.Fatal(err)
	}
}

var synthesis = sync.OnceValue(func() error {
	var err error
	if cfgs, err = config.LoadDir("../testdata/config"); err != nil {
		return err
	}
	dir, err := synthtest.TempDir("stacks-")
	if err != nil {
		return err
	}
	build := func(app cdktf.App) { Build(app, cfgs) }
	firstSynthAt = time.Now()
	if out, err = synthtest.SynthApp(filepath.Join(dir, "first"), build); err != nil {
		return err
	}
	// Far enough apart that a timestamp in the output would differ.
	time.Sleep(time.Until(firstSynthAt.Add(1100 * time.Millisecond)))
	if again, err = synthtest.SynthApp(filepath.Join(dir, "second"), build); err != nil {
		return err
	}
	dev, prod = out.Stacks["dev"], out.Stacks["prod"]
	devK8s, prodK = out.Stacks["dev-k8s"], out.Stacks["prod-k8s"]
	return nil
})

// TestRepositoryEnvironments: every environment of config/, with whatever
// values its owner gave it, synthesizes (so passes every guardrail it does
// not waive) and its estimate stays within its budget's first alert.
func TestRepositoryEnvironments(t *testing.T) {
	real, err := config.LoadDir("../config")
	if err != nil {
		t.Fatal(err)
	}
	app, err := synthtest.SynthApp(filepath.Join(t.TempDir(), "out"), func(app cdktf.App) { Build(app, real) })
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range real {
		for _, name := range []string{c.Environment, c.K8sStackName()} {
			if app.Stacks[name] == nil {
				t.Errorf("%s: no stack %s", c.File, name)
			}
		}
	}
	raw := map[string][]byte{}
	for name, doc := range app.Stacks {
		raw[name] = doc.Raw
	}
	ests, err := cost.EstimateAll(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ests {
		if e.OverBudget() {
			t.Errorf("%s: estimate $%.2f passes the budget's alert at $%.2f (make cost shows why)", e.Stack, e.Total, e.Budget.AlertAt())
		}
	}
}

func TestStacks(t *testing.T) {
	synthesized(t)
	var names []string
	for n := range out.Stacks {
		names = append(names, n)
	}
	slices.Sort(names)
	if !slices.Equal(names, stackNames) {
		t.Fatalf("stacks %v, want %v", names, stackNames)
	}
}

// TestGolden compares every synthesized stack with its snapshot in
// testdata/. Regenerate with `make golden` (UPDATE_SNAPSHOTS=1) only, and
// explain every changed line in the commit.
func TestGolden(t *testing.T) {
	synthesized(t)
	for _, name := range stackNames {
		t.Run(name, func(t *testing.T) {
			synthtest.Golden(t, name+".tf.json", out.Stacks[name].Raw)
		})
	}
}

// TestDeterministic: the same configuration gives byte-identical output,
// without the synthesizing directory's path or the time in it.
func TestDeterministic(t *testing.T) {
	synthesized(t)
	files := func(root string) map[string][]byte {
		m, err := synthtest.ReadTree(root)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	first, second := files(out.Dir), files(again.Dir)
	if len(first) != len(second) {
		t.Fatalf("%d files, then %d", len(first), len(second))
	}
	for name, b := range first {
		if !bytes.Equal(b, second[name]) {
			t.Errorf("%s differs between two syntheses of the same configuration", name)
		}
		for _, dir := range []string{out.Dir, filepath.Dir(out.Dir), mustGetwd(t)} {
			if bytes.Contains(b, []byte(dir)) {
				t.Errorf("%s contains the local path %s", name, dir)
			}
		}
		// Dates may only come from configuration: the budget's start month
		// and the backup schedule's fixed anchor.
		for _, m := range regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}`).FindAll(b, -1) {
			if s := string(m); s != "2026-12-01T00:00" && s != "2024-01-01T02:00" {
				t.Errorf("%s contains a date-time %s that does not come from configuration", name, s)
			}
		}
		if bytes.Contains(b, []byte(firstSynthAt.Format("2006-01-02"))) {
			t.Errorf("%s contains today's date", name)
		}
	}
}

func mustGetwd(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

// TestLocalBackend: an environment without backend settings keeps its state
// next to cdktf.json, by a relative path.
func TestLocalBackend(t *testing.T) {
	synthesized(t)
	local := *cfgs[0]
	local.Environment = "try"
	local.Backend = config.Backend{Type: config.BackendLocal}
	app, err := synthtest.SynthApp(t.TempDir()+"/out", func(app cdktf.App) { NewAzureStack(app, &local) })
	if err != nil {
		t.Fatal(err)
	}
	app.Stacks["try"].Terraform().Equal(t, "backend", map[string]any{"local": map[string]any{"path": "../../../terraform.try.tfstate"}})
}

func TestBackends(t *testing.T) {
	synthesized(t)
	for _, name := range stackNames {
		tf := out.Stacks[name].Terraform()
		tf.Equal(t, "backend.azurerm", map[string]any{
			"resource_group_name":  "perpetual-tfstate-rg",
			"storage_account_name": "perpetualtfstate",
			"container_name":       "tfstate-" + strings.TrimSuffix(name, "-k8s"),
			"key":                  "perpetual/" + name + ".tfstate",
			"use_azuread_auth":     true,
			"use_oidc":             true,
		})
		for _, key := range []string{"access_key", "sas_token", "client_secret"} {
			if tf.Has("backend.azurerm." + key) {
				t.Errorf("%s: backend has %s; the backend authenticates with Microsoft Entra ID only", name, key)
			}
		}
	}
}

// The stacks pin exactly the provider versions whose schemas the bindings
// were generated from (bindings/<provider>.schema.json), and refuse a
// Terraform without ephemeral variables and write-only attributes.
func TestProviders(t *testing.T) {
	synthesized(t)
	pinned := map[string]string{}
	for _, name := range []string{"azurerm", "kubernetes"} {
		p, err := bindings.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		pinned[name] = p.Version
	}
	want := map[string][]string{"dev": {"azurerm"}, "prod": {"azurerm"}, "dev-k8s": {"azurerm", "kubernetes"}, "prod-k8s": {"azurerm", "kubernetes"}}
	for name, providers := range want {
		tf := out.Stacks[name].Terraform()
		tf.Equal(t, "required_version", RequiredTerraform)
		for _, p := range providers {
			tf.Equal(t, "required_providers."+p+".version", pinned[p])
		}
	}
	for _, name := range []string{"dev", "prod"} {
		p := out.Stacks[name].Provider(t, "azurerm")
		p.Equal(t, "features.0.key_vault.0.purge_soft_delete_on_destroy", false)
		p.Equal(t, "features.0.resource_group.0.prevent_deletion_if_contains_resources", true)
		p.Equal(t, "features.0.storage.0.data_plane_available", false)
	}
}

// Every resource has a fixed Terraform name (tfx.Pin: its construct's id,
// or id-<part>), none the name cdktf derives from its construct path
// (path_<hash>), which any reorganization of constructs would change; and
// every moved block leads to a declared resource.
func TestEveryAddressIsPinned(t *testing.T) {
	synthesized(t)
	derived := regexp.MustCompile(`_[0-9A-F]{8}$`)
	for _, name := range stackNames {
		doc := out.Stacks[name]
		declared := map[string]bool{}
		for _, r := range doc.Resources("") {
			declared[r.Address()] = true
			if derived.MatchString(r.ID) {
				t.Errorf("%s: %s has the name cdktf derives from its construct path: pin it (tfx.Pin) and add a moved block from this name (stacks/moved.go)", name, r.Address())
			}
		}
		moves, _ := doc.JSON["moved"].([]any)
		for _, m := range moves {
			if to, _ := m.(map[string]any)["to"].(string); !declared[to] {
				t.Errorf("%s: moved block to %s, which the stack does not declare", name, to)
			}
		}
	}
}

// TestStatefulAddressesAreStable pins the Terraform addresses of the
// resources that hold data or that other systems point at. A changed
// address makes Terraform delete the old resource and create a new one;
// prevent_destroy stops that in production, but the plan would still be
// wrong. The names are fixed with tfx.Pin; a new name needs a moved block
// from the old one (stacks/moved.go).
func TestStatefulAddressesAreStable(t *testing.T) {
	synthesized(t)
	want := map[string][]string{
		"azurerm_resource_group":                       {"resource-group", "snapshot-resource-group"},
		"azurerm_managed_disk":                         {"ipfs-data"},
		"azurerm_storage_account":                      {"storage-account"},
		"azurerm_storage_container":                    {"storage-account-logs"},
		"azurerm_key_vault":                            {"key-vault"},
		"azurerm_key_vault_secret":                     {"key-vault-secret-github-token", "key-vault-secret-ipfs-private-key"},
		"azurerm_public_ip":                            {"ingress-ip"},
		"azurerm_kubernetes_cluster":                   {"cluster"},
		"azurerm_user_assigned_identity":               {"cluster-identity", "node-identity"},
		"azurerm_log_analytics_workspace":              {"log-analytics"},
		"azurerm_data_protection_backup_vault":         {"backup-vault"},
		"azurerm_data_protection_backup_instance_disk": {"backup-instance"},
	}
	for typ, ids := range want {
		var got []string
		for _, r := range prod.Resources(typ) {
			got = append(got, r.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, ids) {
			t.Errorf("prod: %s named %q, want %q; the address of a stateful resource changed", typ, got, ids)
		}
	}
}

// TestMovedBlocksPointAtDeclaredResources checks that every moved block of
// every stack leads to a resource the stack declares, and comes from an
// address it no longer declares.
func TestMovedBlocksPointAtDeclaredResources(t *testing.T) {
	synthesized(t)
	for _, name := range stackNames {
		doc := out.Stacks[name]
		moves, _ := doc.JSON["moved"].([]any)
		if strings.HasSuffix(name, "-k8s") {
			continue
		}
		if len(moves) == 0 {
			t.Errorf("%s: no moved blocks from the names before pinning", name)
		}
		for _, m := range moves {
			mv := m.(map[string]any)
			from, to := mv["from"].(string), mv["to"].(string)
			if !doc.Declares(to) {
				t.Errorf("%s: moved block to %s, which the stack does not declare", name, to)
			}
			if doc.Declares(from) {
				t.Errorf("%s: moved block from %s, which the stack still declares", name, from)
			}
		}
	}
}
