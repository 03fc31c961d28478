package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
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
	got, err := claimTimeoutOverride("../../stacks/testdata/dev-k8s.tf.json", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"resource":{"kubernetes_persistent_volume_claim_v1":{"ipfs-volume-claim":{"timeouts":{"create":"10s"}}}}}`
	if compacted := compactJSON(t, got); compacted != want {
		t.Errorf("override:\n%s\nwant %s", compacted, want)
	}
	none := filepath.Join(t.TempDir(), "cdk.tf.json")
	if err := os.WriteFile(none, []byte(`{"resource":{"kubernetes_persistent_volume_claim_v1":{"c":{"wait_until_bound":false}}}}`), 0o644); err != nil {
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
