package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/my-mimisbrunnr/perpetual-infra/config"
	"github.com/my-mimisbrunnr/perpetual-infra/internal/kubelive"
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
