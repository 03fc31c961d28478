package scripts

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDrift(t *testing.T) {
	cases := []struct {
		name   string
		env    []string
		code   int
		report []string
	}{
		{"no changes", []string{"FAKE_PLAN_EXIT=0"}, 0, []string{"- `dev`: no drift\n", "- `dev-k8s`: no drift\n"}},
		{"a change made in the portal", []string{"FAKE_SKU_dev=Standard"}, 2, []string{
			"- `dev`: **DRIFTED**: 1 change(s)", "azurerm_kubernetes_cluster.aks: update (sku_tier)", "- `dev-k8s`: no drift (runner addresses aside)"}},
		{"a stack that cannot be planned", []string{"FAKE_PLAN_EXIT_dev_k8s=1", "FAKE_SKU_dev=Standard"}, 1, []string{
			"- `dev`: **DRIFTED**", "- `dev-k8s`: **could not be checked**: terraform plan failed"}},
		{"a stack whose init fails", []string{"FAKE_INIT_EXIT_dev=1"}, 1, []string{"- `dev`: **could not be checked**: terraform init failed"}},
		{"a stack not deployed", []string{"FAKE_STATE_dev_k8s=", "FAKE_PLAN_EXIT=0"}, 0, []string{"- `dev-k8s`: not deployed (empty state), skipped"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, true)
			e.extra = c.env
			report := filepath.Join(t.TempDir(), "drift.md")
			out, code := e.run("drift.sh", "--report", report, "dev")
			if code != c.code {
				t.Errorf("exit %d, want %d\n%s", code, c.code, out)
			}
			b, _ := os.ReadFile(report)
			contains(t, string(b), c.report...)
			if strings.Contains(string(b), "SENTINEL-SECRET-VALUE") {
				t.Errorf("the report holds a secret:\n%s", b)
			}
			for _, call := range e.callsOf("terraform") {
				if strings.Contains(call, " plan ") && (!strings.Contains(call, "-lock=false") || !strings.Contains(call, "-detailed-exitcode")) {
					t.Errorf("drift plan without -lock=false -detailed-exitcode: %s", call)
				}
			}
		})
	}
	// An empty state is never planned.
	e := newEnv(t, true)
	e.extra = []string{"FAKE_STATE_dev_k8s="}
	if out, code := e.run("drift.sh", "--stack", "dev-k8s"); code != 0 || slices.Contains(e.terraformCalls(), "dev-k8s plan") {
		t.Errorf("exit %d, calls %v\n%s", code, e.terraformCalls(), out)
	}
}
