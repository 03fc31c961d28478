package scripts

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDrift(t *testing.T) {
	t.Parallel()
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
			t.Parallel()
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

// TestDriftLeavesOutWhatTheFirewallKeeps: where the Key Vault does not
// admit the runner (a production drift check, whose identity may not open
// anything), the Azure stack's plan refreshes every resource of the state
// but the vault's secrets, and the report says how many were left out.
func TestDriftLeavesOutWhatTheFirewallKeeps(t *testing.T) {
	t.Parallel()
	state := "azurerm_resource_group.rg\nazurerm_key_vault.kv\nazurerm_key_vault_secret.token\nazurerm_key_vault_secret.key\nazurerm_role_assignment.grant[\"a b\"]\ndata.azurerm_client_config.current"
	e := newEnv(t, true)
	e.extra = []string{"FAKE_KV_CLIENT=198.51.100.99", "FAKE_STATE_prod=" + state}
	report := filepath.Join(t.TempDir(), "drift.md")
	out, code := e.run("drift.sh", "--report", report, "--stack", "prod")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	plans := e.callsOf("terraform -chdir=OUT/stacks/prod plan")
	if len(plans) != 1 {
		t.Fatalf("plans %q", plans)
	}
	for _, want := range []string{"-target=azurerm_resource_group.rg", "-target=azurerm_key_vault.kv", `-target=azurerm_role_assignment.grant["a`} {
		if !strings.Contains(plans[0], want) {
			t.Errorf("the plan lacks %s: %s", want, plans[0])
		}
	}
	if strings.Contains(plans[0], "secret") || strings.Contains(plans[0], "data.") {
		t.Errorf("the plan refreshes what the firewall keeps, or targets a data source: %s", plans[0])
	}
	b, _ := os.ReadFile(report)
	contains(t, string(b), "- `prod`: 2 resource(s) behind the Key Vault firewall, which does not admit this runner, not refreshed")
	// Admitted: everything is refreshed.
	e = newEnv(t, true)
	e.extra = []string{"FAKE_STATE_prod=" + state}
	if out, code := e.run("drift.sh", "--stack", "prod"); code != 0 || strings.Contains(strings.Join(e.callsOf("terraform"), "\n"), "-target") {
		t.Errorf("admitted: exit %d, %q\n%s", code, e.callsOf("terraform"), out)
	}
}
