package scripts

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDeployOrdersStacks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	out, code := e.run("deploy.sh", "--yes", "dev")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	equal(t, "terraform calls", e.terraformCalls(), []string{"dev init", "dev plan", "dev show", "dev apply", "dev-k8s init", "dev-k8s plan", "dev-k8s show", "dev-k8s apply"})
	// The applied file is the plan just made.
	for _, c := range e.calls() {
		if strings.Contains(c, " apply ") && !strings.HasSuffix(c, ".tfplan") {
			t.Errorf("apply without the plan file: %s", c)
		}
	}
}

func TestDeployWithoutTerminalOrYesDoesNotApply(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	out, code := e.run("deploy.sh", "dev")
	if code != 1 || !strings.Contains(out, "pass --yes") {
		t.Errorf("exit %d\n%s", code, out)
	}
	if slices.Contains(e.terraformCalls(), "dev apply") {
		t.Error("applied without confirmation")
	}
}

// TestDeployStopsOnAFailedPlan: a plan that fails applies nothing, and the
// in-cluster stack is not even planned.
func TestDeployStopsOnAFailedPlan(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	e.extra = []string{"FAKE_PLAN_EXIT_dev=1"}
	out, code := e.run("deploy.sh", "--yes", "dev")
	if code != 1 || !strings.Contains(out, "dev: plan failed") {
		t.Errorf("exit %d\n%s", code, out)
	}
	equal(t, "terraform calls", e.terraformCalls(), []string{"dev init", "dev plan"})

	// A failure of the second stack names what the run already applied.
	e = newEnv(t, true)
	e.extra = []string{"FAKE_PLAN_EXIT_dev_k8s=1"}
	out, code = e.run("deploy.sh", "--yes", "dev")
	if code != 1 || !strings.Contains(out, "dev-k8s: plan failed (above); nothing of dev-k8s was applied. ALREADY APPLIED in this run: dev.") {
		t.Errorf("exit %d\n%s", code, out)
	}
	if slices.Contains(e.terraformCalls(), "dev-k8s apply") {
		t.Error("applied after a failed plan")
	}
}

func TestDeployWithoutChangesAppliesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	e.extra = []string{"FAKE_PLAN_EXIT=0"}
	out, code := e.run("deploy.sh", "--yes", "dev")
	if code != 0 || strings.Count(out, "no changes") != 2 {
		t.Errorf("exit %d\n%s", code, out)
	}
	for _, c := range e.terraformCalls() {
		if strings.HasSuffix(c, " apply") {
			t.Errorf("applied an empty plan: %s", c)
		}
	}
}

func TestDeployGuards(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"production needs the flag", []string{"prod"}, "pass --production"},
		{"production needs the name typed back", []string{"--production", "prod"}, "type 'prod' to confirm, or pass --confirm prod"},
		{"the typed name must match", []string{"--production", "--confirm", "dev", "prod"}, "--confirm 'dev' does not match 'prod'"},
		{"a stack of the environment only", []string{"--yes", "--only", "prod", "dev"}, "prod is not a stack of dev (dev, dev-k8s)"},
		{"plans or checks, not both", []string{"--yes", "--plan-dir", "a", "--check-against", "b", "dev"}, "--plan-dir and --check-against exclude each other"},
		{"an unknown environment", []string{"--yes", "staging"}, "no environment 'staging'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, true)
			out, code := e.run("deploy.sh", c.args...)
			if code != 1 || !strings.Contains(out, c.want) {
				t.Errorf("deploy.sh %v: exit %d, want %q\n%s", c.args, code, c.want, out)
			}
			if len(e.terraformCalls()) != 0 {
				t.Errorf("deploy.sh %v ran terraform: %v", c.args, e.terraformCalls())
			}
		})
	}
	e := newEnv(t, true)
	out, code := e.run("deploy.sh", "--production", "--confirm", "prod", "prod")
	if code != 0 {
		t.Fatalf("confirmed production deploy: exit %d\n%s", code, out)
	}
	// The guard reads each plan (show -json) before it is applied.
	equal(t, "terraform calls", e.terraformCalls(), []string{"prod init", "prod plan", "prod show", "prod show", "prod apply", "prod-k8s init", "prod-k8s plan", "prod-k8s show", "prod-k8s show", "prod-k8s apply"})
}

func TestDeployNeedsKubeloginForTheClusterStack(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	e.without("kubelogin")
	out, code := e.run("deploy.sh", "--yes", "dev")
	if code != 1 || !strings.Contains(out, "'kubelogin' is not installed") {
		t.Errorf("exit %d\n%s", code, out)
	}
	if out, code := e.run("deploy.sh", "--yes", "--only", "dev", "dev"); code != 0 {
		t.Errorf("the Azure stack alone needs no kubelogin: exit %d\n%s", code, out)
	}
}

// reviewedDir writes the plans of prod and prod-k8s as reviewed: the fake
// terraform's plan with sku_tier sku.
func reviewedDir(t *testing.T, sku string) string {
	t.Helper()
	dir := t.TempDir()
	for _, st := range []string{"prod", "prod-k8s"} {
		plan := `{"redacted": true, "format_version": "1.2", "variables": {"deployer_ips": {"value": ["192.0.2.1"]}}, "resource_changes": [{"address": "azurerm_kubernetes_cluster.aks", "type": "azurerm_kubernetes_cluster", "change": {"actions": ["update"], "before": {"sku_tier": "Free"}, "after": {"sku_tier": "` + sku + `"}, "after_unknown": {}}}]}`
		if err := os.WriteFile(filepath.Join(dir, st+".json"), []byte(plan), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestDeployChecksBothStacksAgainstTheReviewedPlans: a production deploy
// on another runner plans again and applies only plans with the reviewed
// changes and planned values, the in-cluster stack's included.
func TestDeployChecksBothStacksAgainstTheReviewedPlans(t *testing.T) {
	t.Parallel()
	reviewed := reviewedDir(t, "Free")
	args := []string{"--production", "--confirm", "prod", "--check-against", reviewed, "prod"}

	e := newEnv(t, true)
	out, code := e.run("deploy.sh", args...)
	if code != 0 || strings.Count(out, "matches the reviewed plan") != 2 {
		t.Fatalf("matching plans: exit %d\n%s", code, out)
	}
	equal(t, "terraform calls", e.terraformCalls(), []string{"prod init", "prod plan", "prod show", "prod show", "prod show", "prod apply", "prod-k8s init", "prod-k8s plan", "prod-k8s show", "prod-k8s show", "prod-k8s show", "prod-k8s apply"})

	// Another action on the Azure stack: nothing applied.
	e = newEnv(t, true)
	e.extra = []string{"FAKE_ACTION_prod=delete"}
	out, code = e.run("deploy.sh", args...)
	if code != 1 {
		t.Errorf("differing plan: exit %d\n%s", code, out)
	}
	contains(t, out, "azurerm_kubernetes_cluster.aks: delete, reviewed as update", "prod: the plan differs from the reviewed one")
	if slices.Contains(e.terraformCalls(), "prod apply") || slices.Contains(e.terraformCalls(), "prod-k8s apply") {
		t.Errorf("applied a plan that differs from the reviewed one: %v", e.terraformCalls())
	}

	// The same action with another planned value, on the in-cluster stack,
	// after the Azure stack was applied: refused, and said so.
	e = newEnv(t, true)
	e.extra = []string{"FAKE_SKU_prod_k8s=Standard"}
	out, code = e.run("deploy.sh", args...)
	if code != 1 {
		t.Errorf("differing in-cluster plan: exit %d\n%s", code, out)
	}
	contains(t, out, `azurerm_kubernetes_cluster.aks: sku_tier would become "Standard", reviewed as "Free"`,
		"prod-k8s: the plan differs from the reviewed one", "ALREADY APPLIED in this run: prod.", "If prod was applied before this")
	if slices.Contains(e.terraformCalls(), "prod-k8s apply") || !slices.Contains(e.terraformCalls(), "prod apply") {
		t.Errorf("terraform calls %v", e.terraformCalls())
	}

	// The pipeline's second step alone (--only prod-k8s) checks too.
	e = newEnv(t, true)
	e.extra = []string{"FAKE_SKU_prod_k8s=Standard"}
	out, code = e.run("deploy.sh", "--production", "--confirm", "prod", "--check-against", reviewed, "--only", "prod-k8s", "prod")
	if code != 1 || slices.Contains(e.terraformCalls(), "prod-k8s apply") {
		t.Errorf("--only prod-k8s: exit %d, calls %v\n%s", code, e.terraformCalls(), out)
	}
	contains(t, out, "If prod was applied before this (the previous step of the pipeline)")

	// Without a reviewed plan for a stack, nothing of it is applied.
	if err := os.Remove(filepath.Join(reviewed, "prod-k8s.json")); err != nil {
		t.Fatal(err)
	}
	e = newEnv(t, true)
	out, code = e.run("deploy.sh", args...)
	if code != 1 || !strings.Contains(out, "prod-k8s: no reviewed plan") || slices.Contains(e.terraformCalls(), "prod-k8s apply") {
		t.Errorf("missing reviewed plan: exit %d, calls %v\n%s", code, e.terraformCalls(), out)
	}
}

// TestDeployKeepsNoSecretOnDisk: the plan JSON checked against the review
// is written redacted only (the fake apply copies what the script wrote).
func TestDeployKeepsNoSecretOnDisk(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	out, code := e.run("deploy.sh", "--production", "--confirm", "prod", "--check-against", reviewedDir(t, "Free"), "--only", "prod", "prod")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	files, _ := filepath.Glob(filepath.Join(e.state, "workdir", "*"))
	if len(files) < 2 {
		t.Fatalf("the fake apply saw %v", files)
	}
	for _, f := range files {
		if b, _ := os.ReadFile(f); strings.HasSuffix(f, ".json") && strings.Contains(string(b), "SENTINEL-SECRET-VALUE") {
			t.Errorf("%s holds a secret:\n%s", filepath.Base(f), b)
		}
	}
}

func TestDeployAppliesReviewedPlans(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	plans := t.TempDir()
	for _, st := range []string{"prod", "prod-k8s"} {
		if err := os.WriteFile(filepath.Join(plans, st+".tfplan"), []byte("reviewed"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, code := e.run("deploy.sh", "--production", "--confirm", "prod", "--plan-dir", plans, "--only", "prod", "prod")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	equal(t, "a reviewed plan is applied, not planned again (the guard reads it)", e.terraformCalls(), []string{"prod init", "prod show", "prod apply"})
	if c := e.calls(); !strings.HasSuffix(c[len(c)-1], filepath.Join(plans, "prod.tfplan")) {
		t.Errorf("applied %s", c[len(c)-1])
	}
	e = newEnv(t, true)
	out, code = e.run("deploy.sh", "--production", "--confirm", "prod", "--plan-dir", t.TempDir(), "prod")
	if code != 1 || !strings.Contains(out, "no reviewed plan") || slices.Contains(e.terraformCalls(), "prod apply") {
		t.Errorf("missing reviewed plan file: exit %d\n%s", code, out)
	}
}

func TestDestroy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	out, code := e.run("destroy.sh", "--production", "prod")
	if code != 1 || !strings.Contains(out, "prevent_destroy") || !strings.Contains(out, "type 'prod' to confirm") {
		t.Errorf("unconfirmed production destroy: exit %d\n%s", code, out)
	}
	out, code = e.run("destroy.sh", "--confirm", "prod", "prod")
	if code != 1 || !strings.Contains(out, "pass --production to destroy it") {
		t.Errorf("production destroy without --production: exit %d\n%s", code, out)
	}
	out, code = e.run("destroy.sh", "--confirm", "prod", "dev")
	if code != 1 || !strings.Contains(out, "--confirm 'prod' does not match 'dev'") {
		t.Errorf("wrong confirmation: exit %d\n%s", code, out)
	}
	if len(e.terraformCalls()) != 0 {
		t.Errorf("ran terraform: %v", e.terraformCalls())
	}

	// Every stack's destruction is planned before any is applied; then the
	// saved plans are applied, the in-cluster stack first.
	e = newEnv(t, true)
	out, code = e.run("destroy.sh", "--confirm", "dev", "dev")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	equal(t, "terraform calls", e.terraformCalls(), []string{"dev-k8s init", "dev-k8s plan -destroy", "dev init", "dev plan -destroy", "dev-k8s apply", "dev apply"})
	for _, c := range e.callsOf("terraform") {
		if strings.Contains(c, " apply ") && !strings.HasSuffix(c, ".tfplan") {
			t.Errorf("destroyed without the planned destruction: %s", c)
		}
	}
}

// TestProductionDestroyStopsBeforeTouchingAnything: prevent_destroy fails
// the Azure stack's destroy plan, and the in-cluster stack, planned first,
// is not destroyed either.
func TestProductionDestroyStopsBeforeTouchingAnything(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	e.extra = []string{"FAKE_PLAN_EXIT_prod=1"}
	out, code := e.run("destroy.sh", "--production", "--confirm", "prod", "prod")
	if code != 1 || !strings.Contains(out, "the destroy plan of prod failed") || !strings.Contains(out, "nothing was destroyed") {
		t.Errorf("exit %d\n%s", code, out)
	}
	equal(t, "terraform calls", e.terraformCalls(), []string{"prod-k8s init", "prod-k8s plan -destroy", "prod init", "prod plan -destroy"})
}

func TestPreview(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	plans := t.TempDir()
	summary := filepath.Join(t.TempDir(), "summary.md")
	out, code := e.run("preview.sh", "--no-refresh", "--no-lock", "--plan-dir", plans, "--summary", summary, "prod")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, st := range []string{"prod", "prod-k8s"} {
		for _, ext := range []string{".tfplan", ".txt", ".json"} {
			if _, err := os.Stat(filepath.Join(plans, st+ext)); err != nil {
				t.Errorf("no saved %s for %s: %v", ext, st, err)
			}
		}
		// The JSON is the one that may be shared: redacted.
		b, _ := os.ReadFile(filepath.Join(plans, st+".json"))
		if strings.Contains(string(b), "SENTINEL-SECRET-VALUE") || !strings.Contains(string(b), `"redacted": true`) {
			t.Errorf("%s.json is not redacted:\n%s", st, b)
		}
	}
	s, _ := os.ReadFile(summary)
	contains(t, string(s), "### prod\n", "### prod-k8s\n", "Plan: 1 to add", "without refresh")
	for _, c := range e.calls() {
		if strings.Contains(c, " plan ") && (!strings.Contains(c, "-refresh=false") || !strings.Contains(c, "-lock=false")) {
			t.Errorf("--no-refresh or --no-lock not passed: %s", c)
		}
	}
	// --stack is exactly that stack.
	e = newEnv(t, true)
	if out, code := e.run("preview.sh", "--plan-dir", plans, "--stack", "prod"); code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	equal(t, "--stack prod", e.terraformCalls(), []string{"prod init", "prod plan", "prod show", "prod show"})
}

// TestPreviewReportsFailures: a failed init or plan fails the preview, is
// said in the summary, and the other stacks are still planned.
func TestPreviewReportsFailures(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ env, want string }{
		{"FAKE_PLAN_EXIT_prod=1", "terraform plan failed"},
		{"FAKE_INIT_EXIT_prod=1", "terraform init failed"},
	} {
		e := newEnv(t, true)
		e.extra = []string{c.env}
		summary := filepath.Join(t.TempDir(), "summary.md")
		out, code := e.run("preview.sh", "--plan-dir", t.TempDir(), "--summary", summary, "prod")
		if code != 1 {
			t.Errorf("%s: exit %d\n%s", c.env, code, out)
		}
		s, _ := os.ReadFile(summary)
		contains(t, string(s), "### prod\n\n"+c.want, "### prod-k8s\n")
		if !slices.Contains(e.terraformCalls(), "prod-k8s plan") {
			t.Errorf("%s: prod-k8s not planned: %v", c.env, e.terraformCalls())
		}
	}
}

// TestDeployWaitsForRoleAssignments: an apply that fails because Azure has
// not yet propagated a role assignment is retried after a wait, with a new
// plan that must be the rest of the applied one; other failures, a new plan
// that does more, and failures beyond the waits stop the deploy.
func TestDeployWaitsForRoleAssignments(t *testing.T) {
	t.Parallel()
	const propagating = "FAKE_APPLY_ERROR_dev=Error: creating Kubernetes Cluster: (LinkedAuthorizationFailed) The client has permission to perform action but does not have permission on the linked scope"
	e := newEnv(t, true)
	e.extra = []string{"FAKE_APPLY_FAILURES_dev=2", propagating}
	out, code := e.run("deploy.sh", "--yes", "dev")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	equal(t, "terraform calls", e.terraformCalls(), []string{
		"dev init", "dev plan", "dev show", "dev apply",
		"dev show", "dev plan", "dev show", "dev apply",
		"dev plan", "dev show", "dev apply",
		"dev-k8s init", "dev-k8s plan", "dev-k8s show", "dev-k8s apply"})
	equal(t, "waits", e.callsOf("sleep"), []string{"sleep 60", "sleep 120"})
	if !strings.Contains(out, "the plan is the rest of the applied plan") {
		t.Errorf("the retried plan was not checked against the applied one:\n%s", out)
	}

	// The Key Vault rule that the apply just added, not in effect yet.
	e = newEnv(t, true)
	e.extra = []string{"FAKE_APPLY_FAILURES_dev=1", "FAKE_APPLY_ERROR_dev=Error: checking for presence of existing Secret: keyvault.BaseClient#GetSecret: Failure responding to request: StatusCode=403 Code=\"Forbidden\" Message=\"Client address is not authorized and caller is not a trusted service.\" InnerError={\"code\":\"ForbiddenByFirewall\"}"}
	out, code = e.run("deploy.sh", "--yes", "dev")
	if code != 0 || len(e.callsOf("sleep")) != 1 {
		t.Errorf("a firewall rule not in effect yet: exit %d, waits %q\n%s", code, e.callsOf("sleep"), out)
	}

	// A create that failed in Terraform but finished in Azure: the retry's
	// create finds it there. It is imported at the address being created,
	// then the rest is planned and applied.
	e = newEnv(t, true)
	e.extra = []string{"FAKE_APPLY_FAILURES_dev=1", "FAKE_APPLY_ERROR_dev=Error: A resource with the ID \"/subscriptions/a/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/v/backupInstances/d\" already exists - to be managed via Terraform this resource needs to be imported into the State. Please see the resource documentation for \"azurerm_data_protection_backup_instance_disk\" for more information.\n\n  with azurerm_data_protection_backup_instance_disk.backup-instance,\n  on cdk.tf.json line 7, in resource \"azurerm_data_protection_backup_instance_disk\" \"backup-instance\":"}
	out, code = e.run("deploy.sh", "--yes", "dev")
	if code != 0 {
		t.Fatalf("a resource the failed apply created: exit %d\n%s", code, out)
	}
	equal(t, "terraform calls", e.terraformCalls()[:9], []string{
		"dev init", "dev plan", "dev show", "dev apply",
		"dev import azurerm_data_protection_backup_instance_disk.backup-instance /subscriptions/a/resourceGroups/rg/providers/Microsoft.DataProtection/backupVaults/v/backupInstances/d",
		"dev show", "dev plan", "dev show", "dev apply"})
	e = newEnv(t, true)
	e.extra = []string{"FAKE_APPLY_FAILURES_dev=1", "FAKE_IMPORT_EXIT_dev=1", "FAKE_APPLY_ERROR_dev=Error: A resource with the ID \"/x\" already exists - to be managed via Terraform this resource needs to be imported into the State.\n\n  with azurerm_managed_disk.ipfs-data,"}
	out, code = e.run("deploy.sh", "--yes", "dev")
	if code != 1 || !strings.Contains(out, "cannot import azurerm_managed_disk.ipfs-data (/x) into state") {
		t.Errorf("a failed import: exit %d\n%s", code, out)
	}

	// Another failure is not waited for.
	e = newEnv(t, true)
	e.extra = []string{"FAKE_APPLY_FAILURES_dev=1", "FAKE_APPLY_ERROR_dev=Error: quota exceeded"}
	out, code = e.run("deploy.sh", "--yes", "dev")
	if code != 1 || !strings.Contains(out, "dev: apply failed (above).") || len(e.callsOf("sleep")) != 0 {
		t.Errorf("exit %d, waits %q\n%s", code, e.callsOf("sleep"), out)
	}

	// A plan after the wait that does something else is not applied.
	e = newEnv(t, true)
	e.extra = []string{"FAKE_APPLY_FAILURES_dev=1", propagating, "FAKE_RETRY_SKU=Standard"}
	out, code = e.run("deploy.sh", "--yes", "dev")
	if code != 1 || !strings.Contains(out, "the new plan is not the rest of the applied one") {
		t.Errorf("exit %d\n%s", code, out)
	}
	if n := strings.Count(strings.Join(e.terraformCalls(), "\n"), "dev apply"); n != 1 {
		t.Errorf("%d applies of dev; the changed plan must not be applied", n)
	}

	// The waits are bounded.
	e = newEnv(t, true)
	e.extra = []string{"FAKE_APPLY_FAILURES_dev=9", propagating, "RETRY_WAITS=5 10"}
	out, code = e.run("deploy.sh", "--yes", "dev")
	if code != 1 || !strings.Contains(out, "apply failed 2 more times while Azure propagated role assignments") {
		t.Errorf("exit %d\n%s", code, out)
	}
	equal(t, "waits", e.callsOf("sleep"), []string{"sleep 5", "sleep 10"})
}

// TestProductionGuardsDataAndTheCluster: no plan of a production
// environment that deletes or replaces data or the cluster is applied,
// whichever order the replacement takes, the first plan, a retry's or a
// saved one, unless --allow names the address with a reason; what the
// guard says is in the summary. Development plans are not guarded.
func TestProductionGuardsDataAndTheCluster(t *testing.T) {
	t.Parallel()
	deploy := []string{"--production", "--confirm", "prod", "--only", "prod"}
	for _, action := range []string{`delete`, `delete", "create`, `create", "delete`} {
		e := newEnv(t, true)
		summary := filepath.Join(t.TempDir(), "summary.md")
		e.extra = []string{"FAKE_ACTION_prod=" + action}
		out, code := e.run("deploy.sh", append(deploy, "--summary", summary, "prod")...)
		if code != 1 || slices.Contains(e.terraformCalls(), "prod apply") {
			t.Errorf("%s: exit %d, calls %v\n%s", action, code, e.terraformCalls(), out)
		}
		contains(t, out, "REFUSED: the plan", "azurerm_kubernetes_cluster.aks", "prod: the plan deletes or replaces data or the cluster")
		b, _ := os.ReadFile(summary)
		contains(t, string(b), "#### prod: deletions and replacements of data and of the cluster", "REFUSED: the plan")
	}

	// Allowed with a reason: applied, and the allowance is in the summary.
	allow := filepath.Join(t.TempDir(), "allowed")
	if err := os.WriteFile(allow, []byte("azurerm_kubernetes_cluster.aks a new node OS needs a new cluster\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, true)
	summary := filepath.Join(t.TempDir(), "summary.md")
	e.extra = []string{`FAKE_ACTION_prod=create", "delete`}
	out, code := e.run("deploy.sh", append(deploy, "--allow", allow, "--summary", summary, "prod")...)
	if code != 0 || !slices.Contains(e.terraformCalls(), "prod apply") {
		t.Errorf("allowed: exit %d\n%s", code, out)
	}
	b, _ := os.ReadFile(summary)
	contains(t, string(b), "allowed: the plan replaces azurerm_kubernetes_cluster.aks (create,delete): a new node OS needs a new cluster")

	// A retry's plan is guarded too: after a partial apply, the plan of
	// the rest goes through the guard again (allowed here, and said twice).
	e = newEnv(t, true)
	e.extra = []string{"FAKE_ACTION_prod=delete", "FAKE_APPLY_FAILURES_prod=1", "FAKE_APPLY_ERROR_prod=Error: (LinkedAuthorizationFailed) not yet"}
	out, code = e.run("deploy.sh", append(deploy, "--allow", allow, "prod")...)
	if code != 0 || strings.Count(out, "allowed: the plan deletes azurerm_kubernetes_cluster.aks") != 2 {
		t.Errorf("the retry's plan: exit %d\n%s", code, out)
	}

	// A saved plan (--plan-dir) is guarded before it is applied.
	plans := t.TempDir()
	if err := os.WriteFile(filepath.Join(plans, "prod.tfplan"), []byte("reviewed"), 0o644); err != nil {
		t.Fatal(err)
	}
	e = newEnv(t, true)
	e.extra = []string{"FAKE_ACTION_prod=delete"}
	if out, code := e.run("deploy.sh", append(deploy, "--plan-dir", plans, "prod")...); code != 1 || slices.Contains(e.terraformCalls(), "prod apply") {
		t.Errorf("saved plan: exit %d, calls %v\n%s", code, e.terraformCalls(), out)
	}

	// Development is not guarded.
	e = newEnv(t, true)
	e.extra = []string{"FAKE_ACTION_dev=delete"}
	if out, code := e.run("deploy.sh", "--yes", "--only", "dev", "dev"); code != 0 || !slices.Contains(e.terraformCalls(), "dev apply") {
		t.Errorf("dev: exit %d\n%s", code, out)
	}
}

// TestKubeloginGetsAFreshTokenForEveryTerraformProcess: in GitHub Actions,
// the federated token file kubelogin reads holds a token fetched just
// before each terraform plan and apply, however long the job has run and
// however many retries it made; the token the login step wrote would
// have expired (GitHub's lives about five minutes).
func TestKubeloginGetsAFreshTokenForEveryTerraformProcess(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	token := filepath.Join(t.TempDir(), "azure-federated-token")
	e.extra = []string{
		"AZURE_FEDERATED_TOKEN_FILE=" + token,
		"ACTIONS_ID_TOKEN_REQUEST_URL=https://token.actions.example/request?api-version=2.0",
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN=request-token",
		"FAKE_APPLY_FAILURES_dev_k8s=2", "FAKE_APPLY_ERROR_dev_k8s=Error: secrets is forbidden: User \"x\" cannot create resource",
	}
	out, code := e.run("deploy.sh", "--yes", "dev")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	// Each plan and apply ran with a token no earlier one had.
	var tokens []string
	for _, c := range e.calls() {
		if !strings.HasPrefix(c, "token ") {
			continue
		}
		f := strings.Fields(c)
		if slices.Contains(f, "plan") || slices.Contains(f, "apply") {
			if slices.Contains(tokens, f[1]) || !strings.HasPrefix(f[1], "oidc-") {
				t.Errorf("terraform %s ran with the token %q, not a fresh one (earlier: %v)", strings.Join(f[3:], " "), f[1], tokens)
			}
			tokens = append(tokens, f[1])
		}
	}
	// dev: plan, apply; dev-k8s: plan, apply, then two retries of plan and apply.
	if len(tokens) != 8 {
		t.Errorf("%d plans and applies with a token, want 8: %v\n%s", len(tokens), tokens, strings.Join(e.calls(), "\n"))
	}
	for _, c := range e.callsOf("curl") {
		if !strings.Contains(c, "Authorization: bearer request-token") || !strings.Contains(c, "request?api-version=2.0&audience=api://AzureADTokenExchange") {
			t.Errorf("the token request %s", c)
		}
	}
	if st, err := os.Stat(token); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the token file: %v %v", st, err)
	}
	// Without a token from GitHub, nothing is planned with a stale one.
	e = newEnv(t, true)
	e.extra = []string{"AZURE_FEDERATED_TOKEN_FILE=" + token, "ACTIONS_ID_TOKEN_REQUEST_URL=https://x/r?a=1", "ACTIONS_ID_TOKEN_REQUEST_TOKEN=t", "FAKE_CURL_FAIL=1"}
	if out, code := e.run("deploy.sh", "--yes", "dev"); code != 1 || !strings.Contains(out, "cannot get an OIDC token from GitHub for kubelogin") || len(e.callsOf("terraform -chdir=OUT/stacks/dev plan")) != 0 {
		t.Errorf("GitHub refusing: exit %d\n%s", code, out)
	}
	// Outside GitHub Actions, nothing is asked.
	e = newEnv(t, true)
	if out, code := e.run("deploy.sh", "--yes", "dev"); code != 0 || len(e.callsOf("curl")) != 0 {
		t.Errorf("locally: exit %d, %q\n%s", code, e.callsOf("curl"), out)
	}
}
