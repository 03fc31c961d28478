package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/stackjson"
	"github.com/my-mimisbrunnr/perpetual-infra/tools/kubelive"
)

const testsRoot = "../../tftest"

func configs(t *testing.T) []*config.Config {
	t.Helper()
	cfgs, err := config.LoadDir("../../config")
	if err != nil {
		t.Fatal(err)
	}
	return cfgs
}

// Every in-cluster stack gets the live sets, and exactly one of the two
// about the development Secret.
func TestLiveSets(t *testing.T) {
	for _, cfg := range configs(t) {
		sets := liveSets(cfg)
		if !slices.Contains(sets, SetLive) || !slices.Contains(sets, SetLiveClaims) {
			t.Errorf("%s: live sets %q", cfg.Environment, sets)
		}
		if slices.Contains(sets, SetLiveDevSecrets) != cfg.Workload.DevSecrets || slices.Contains(sets, SetLiveNoDevSecrets) == cfg.Workload.DevSecrets {
			t.Errorf("%s (devSecrets %t): live sets %q", cfg.Environment, cfg.Workload.DevSecrets, sets)
		}
	}
}

// Each test set directory is chosen for some stack, and each chosen set
// has test files: a set nobody runs, or a set without files, is a mistake.
func TestSetsAndDirectories(t *testing.T) {
	chosen := map[string]bool{}
	for _, cfg := range configs(t) {
		azure, k8s := testSets(cfg)
		for _, s := range slices.Concat(azure, k8s, liveSets(cfg)) {
			chosen[s] = true
		}
	}
	entries, err := os.ReadDir(testsRoot)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && e.Name() != "mocks" && e.Name() != "modules" && !chosen[e.Name()] {
			t.Errorf("tftest/%s is no test set of any stack", e.Name())
		}
	}
	for s := range chosen {
		if files, _ := filepath.Glob(filepath.Join(testsRoot, s, "*.tftest.hcl")); len(files) == 0 {
			t.Errorf("set %s has no test files", s)
		}
	}
}

// The live test files reach the control plane through the context of the
// kubeconfig that tfcheck writes, and only through it.
func TestLiveFilesNameTheLocalContext(t *testing.T) {
	for _, set := range []string{SetLive, SetLiveClaims, SetLiveDevSecrets, SetLiveNoDevSecrets} {
		files, _ := filepath.Glob(filepath.Join(testsRoot, set, "*.tftest.hcl"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), `config_context = "`+kubelive.Context+`"`) || strings.Contains(string(b), `mock_provider "kubernetes"`) {
				t.Errorf("%s: the kubernetes provider is not the live one (config_context = %q)", f, kubelive.Context)
			}
		}
	}
}

// The live tests shorten the wait of every claim that waits until bound,
// and only of those.
func TestClaimTimeoutOverride(t *testing.T) {
	golden, err := stackjson.ReadFile("dev-k8s", "../../stacks/testdata/dev-k8s.tf.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := claimTimeoutOverride(golden, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"resource":{"kubernetes_persistent_volume_claim_v1":{"ipfs-volume-claim":{"timeouts":{"create":"10s"}}}}}`
	if compacted := compactJSON(t, got); compacted != want {
		t.Errorf("override:\n%s\nwant %s", compacted, want)
	}
	none, err := stackjson.Parse("none", []byte(`{"resource":{"kubernetes_persistent_volume_claim_v1":{"c":{"wait_until_bound":false}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := claimTimeoutOverride(none, time.Second); err != nil || got != nil {
		t.Errorf("a claim that does not wait: %s, %v; want no override", got, err)
	}
}

func compactJSON(t *testing.T, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return buf.String()
}

// The data resources of the production golden stack, whose replacement the
// generated tests plan, are those production keeps with prevent_destroy.
func TestDataResources(t *testing.T) {
	prod, err := stackjson.ReadFile("prod", "../../stacks/testdata/prod.tf.json")
	if err != nil {
		t.Fatal(err)
	}
	got := dataResources(prod)
	if len(got) < 5 || !slices.Contains(got, "azurerm_managed_disk.ipfs-data") || !slices.Contains(got, "azurerm_key_vault.key-vault") {
		t.Errorf("data resources %q", got)
	}
	for _, addr := range got {
		r, _ := prod.Lookup(addr)
		if v, _ := r.Get("lifecycle.prevent_destroy"); v != true {
			t.Errorf("%s: no prevent_destroy", addr)
		}
	}
}

// The variant aks-moved is the stack one minor Kubernetes version ahead;
// the stack itself is left as it was.
func TestUpgradeVariants(t *testing.T) {
	prod, err := stackjson.ReadFile("prod", "../../stacks/testdata/prod.tf.json")
	if err != nil {
		t.Fatal(err)
	}
	variants, err := upgradeVariants(prod)
	if err != nil {
		t.Fatal(err)
	}
	moved, err := stackjson.Parse("aks-moved", variants["aks-moved"])
	if err != nil {
		t.Fatal(err)
	}
	version := func(s *stackjson.Stack, address, path string) any {
		b, _ := s.Lookup(address)
		v, _ := b.Get(path)
		return v
	}
	var major, minor int
	if _, err := fmt.Sscanf(fmt.Sprint(version(prod, "azurerm_kubernetes_cluster.cluster", "kubernetes_version")), "%d.%d", &major, &minor); err != nil {
		t.Fatal(err)
	}
	newer := fmt.Sprintf("%d.%d", major, minor+1)
	for _, at := range [][2]string{
		{"azurerm_kubernetes_cluster.cluster", "kubernetes_version"},
		{"azurerm_kubernetes_cluster.cluster", "default_node_pool.orchestrator_version"},
		{"output.aks_kubernetes_version", "value"},
	} {
		if v := version(moved, at[0], at[1]); v != newer {
			t.Errorf("aks-moved: %s %s = %v, want %s", at[0], at[1], v, newer)
		}
		if v := version(prod, at[0], at[1]); v == newer {
			t.Errorf("the stack itself was changed: %s %s = %v", at[0], at[1], v)
		}
	}
	if _, err := upgradeVariants(&stackjson.Stack{Name: "k8s", Raw: []byte(`{}`)}); err == nil {
		t.Error("no error for a stack without a cluster")
	}
}
