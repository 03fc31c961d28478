package scripts

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestSetupRefusesAnOldTerraform: a Terraform from before version -json,
// its version read from the plain output, is named as too old before
// anything in Azure is asked or changed.
func TestSetupRefusesAnOldTerraform(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	e.extra = []string{"FAKE_TF_OLD=0.12.31"}
	out, code := e.run("setup.sh", "--repo", "octo/perpetual", "prod")
	if code != 1 || !strings.Contains(out, "Terraform 0.12.31 is too old; this project needs 1.11 or newer.") {
		t.Errorf("exit %d\n%s", code, out)
	}
	if calls := e.callsOf("az"); len(calls) > 0 {
		t.Errorf("asked Azure: %q", calls)
	}
}

func TestSetupIsIdempotent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	e.extra = []string{"FAKE_AZ_STATE=exists"}
	out, code := e.run("setup.sh", "--repo", "octo/perpetual", "prod")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, c := range e.calls() {
		if strings.Contains(c, " create ") || strings.Contains(c, " update ") || strings.Contains(c, " register ") {
			t.Errorf("changed existing state storage: %s", c)
		}
	}

	e = newEnv(t, true)
	e.extra = []string{"FAKE_AZ_STATE=missing", "FAKE_PROVIDER_STATE=NotRegistered"}
	out, code = e.run("setup.sh", "--repo", "octo/perpetual", "prod")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	var creates []string
	for _, c := range e.calls() {
		if strings.Contains(c, " create ") {
			creates = append(creates, strings.Join(strings.Fields(c)[:3], " "))
		}
	}
	equal(t, "creates", creates, []string{"az group create", "az storage account", "az role assignment", "az storage container"})
	for _, c := range e.calls() {
		if strings.HasPrefix(c, "az storage account create") && !strings.Contains(c, "--allow-shared-key-access false") {
			t.Errorf("state account allows shared keys: %s", c)
		}
	}
	// The pipeline's identities may not register resource providers.
	if !slices.Contains(e.calls(), "az provider register --namespace Microsoft.ContainerService --output none") {
		t.Error("resource providers not registered")
	}
}

// TestSetupWaitsForItsRoleAssignment: the container is created with the
// data role just granted, which Azure applies after a while.
func TestSetupWaitsForItsRoleAssignment(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	e.extra = []string{"FAKE_AZ_STATE=missing", "FAKE_AZ_FLAKY=storage container create", "RBAC_WAIT_INTERVAL=0"}
	out, code := e.run("setup.sh", "--repo", "octo/perpetual", "prod")
	if code != 0 || strings.Count(out, "waiting for Azure to apply the role assignment") != 2 {
		t.Errorf("exit %d\n%s", code, out)
	}
	if n := len(e.callsOf("az storage container create")); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
	if n := len(e.callsOf("sleep")); n != 2 {
		t.Errorf("%d waits between the attempts, want 2", n)
	}
	// Bounded: it gives up, saying why.
	e = newEnv(t, true)
	e.extra = []string{"FAKE_AZ_STATE=missing", "FAKE_AZ_FLAKY=storage container create", "FAKE_AZ_FLAKY_TIMES=100", "RBAC_WAIT_INTERVAL=1", "RBAC_WAIT_SECONDS=2"}
	out, code = e.run("setup.sh", "--repo", "octo/perpetual", "prod")
	if code != 1 || !strings.Contains(out, "still refused after 2s") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// pasted runs setup.sh with args, then the script it printed between its
// 8< lines, as an admin would paste it, with the fake az and gh, in a test
// environment with the fixture environments and, with third, a third one
// (thirdEnvironment). It returns setup.sh's output and the pasted script's
// calls. The same run gives the same: the tests that look at one share it
// (one run each, in the test that asks first), and each fails when it
// failed.
func pasted(t *testing.T, third bool, args ...string) (string, []string) {
	t.Helper()
	p, _ := pastes.LoadOrStore(fmt.Sprint(third, args), &paste{})
	run := p.(*paste)
	run.once.Do(func() {
		run.err = "the shared run of setup.sh " + strings.Join(args, " ") + " stopped (see the test that ran it)"
		e := newEnv(t, true)
		if third {
			thirdEnvironment(t, e)
		}
		run.out, run.calls, run.err = runPasted(t, e, args...)
	})
	if run.err != "" {
		t.Fatal(run.err)
	}
	return run.out, slices.Clone(run.calls)
}

// paste is one run of pasted.
type paste struct {
	once  sync.Once
	out   string
	calls []string
	err   string // why it failed
}

// pastes holds the runs of pasted, by their inputs.
var pastes sync.Map

// runPasted is pasted in a prepared test environment; it returns why it
// failed instead of failing the test.
func runPasted(t *testing.T, e *env, args ...string) (string, []string, string) {
	t.Helper()
	e.extra = append(e.extra, "FAKE_AZ_STATE=exists")
	out, code := e.run("setup.sh", args...)
	if code != 0 {
		return out, nil, fmt.Sprintf("exit %d\n%s", code, out)
	}
	start := strings.Index(out, "-------- 8< --------\n")
	end := strings.Index(out, "-------- >8 --------")
	if start < 0 || end < start {
		return out, nil, fmt.Sprintf("no script between 8< lines:\n%s", out)
	}
	script := filepath.Join(t.TempDir(), "pasted.sh")
	if err := os.WriteFile(script, []byte(out[start+len("-------- 8< --------\n"):end]), 0o755); err != nil {
		return out, nil, err.Error()
	}
	if err := os.Remove(e.log); err != nil {
		return out, nil, err.Error()
	}
	if out, code := e.runIn(t.TempDir(), "bash", "-n", script); code != 0 {
		return out, nil, fmt.Sprintf("the printed script is not valid bash:\n%s", out)
	}
	if out, code := e.runIn(t.TempDir(), "bash", script); code != 0 {
		return out, nil, fmt.Sprintf("the printed script failed: exit %d\n%s", code, out)
	}
	return out, e.calls(), ""
}

// TestSetupPrintsOneLeastPrivilegeIdentityPerEnvironment runs the printed
// script and checks what it would create.
func TestSetupPrintsOneLeastPrivilegeIdentityPerEnvironment(t *testing.T) {
	t.Parallel()
	_, calls := pasted(t, false, "--repo", "octo/perpetual-infra", "--reviewer", "alice", "--reviewer", "bob")
	var apps, subjects, grants []string
	conditions := map[string]string{} // role on scope -> condition
	for _, c := range calls {
		switch {
		case strings.HasPrefix(c, "az ad app create"):
			apps = append(apps, strings.Fields(c)[5])
		case strings.HasPrefix(c, "az ad app federated-credential create"):
			subjects = append(subjects, regexp.MustCompile(`"subject": "([^"]*)"`).FindStringSubmatch(c)[1])
		case strings.HasPrefix(c, "az role assignment create"):
			role := regexp.MustCompile(`--role (.*?) --scope`).FindStringSubmatch(c)[1]
			scope := regexp.MustCompile(`--scope (\S*)`).FindStringSubmatch(c)[1]
			grants = append(grants, role+" on "+scope)
			if m := regexp.MustCompile(`--condition (.*) --condition-version 2.0`).FindStringSubmatch(c); m != nil {
				conditions[role+" on "+scope] = m[1]
			}
		}
	}
	equal(t, "identities", apps, []string{"perpetual-infra-dev", "perpetual-infra-prod", "perpetual-infra-prod-plan"})
	// Trusted by GitHub environments only, one each: no branch, tag or
	// pull request, and the unapproved plan never as the identity that
	// writes.
	equal(t, "federated subjects", subjects, []string{
		"repo:octo/perpetual-infra:environment:dev",
		"repo:octo/perpetual-infra:environment:prod",
		"repo:octo/perpetual-infra:environment:prod-plan",
	})
	const sub = "/subscriptions/00000000-0000-0000-0000-00000000000a"
	const state = sub + "/resourceGroups/perpetual-tfstate-rg/providers/Microsoft.Storage/storageAccounts/perpetualtfstate/blobServices/default/containers/"
	equal(t, "role assignments", grants, []string{
		"Contributor on " + sub + "/resourceGroups/perpetual-dev-rg",
		"Role Based Access Control Administrator on " + sub + "/resourceGroups/perpetual-dev-rg",
		"Resource Policy Contributor on " + sub + "/resourceGroups/perpetual-dev-rg",
		"Storage Blob Data Contributor on " + state + "tfstate-dev",
		"Contributor on " + sub + "/resourceGroups/perpetual-prod-rg",
		"Role Based Access Control Administrator on " + sub + "/resourceGroups/perpetual-prod-rg",
		"Contributor on " + sub + "/resourceGroups/perpetual-prod-snapshots-rg",
		"Role Based Access Control Administrator on " + sub + "/resourceGroups/perpetual-prod-snapshots-rg",
		"Resource Policy Contributor on " + sub + "/resourceGroups/perpetual-prod-rg",
		"Storage Blob Data Contributor on " + state + "tfstate-prod",
		"Reader on " + sub + "/resourceGroups/perpetual-prod-rg",
		"Reader on " + sub + "/resourceGroups/perpetual-prod-snapshots-rg",
		"Azure Kubernetes Service Cluster User Role on " + sub + "/resourceGroups/perpetual-prod-rg",
		"Storage Blob Data Reader on " + state + "tfstate-prod",
	})
	// An earlier setup let prod's writing identity sign in for prod-plan:
	// the printed script takes that trust away.
	if !slices.Contains(calls, "az ad app federated-credential delete --id 11111111-1111-1111-1111-111111111111 --federated-credential-id github-env-prod-plan --output none") {
		t.Errorf("the writing identity keeps its trust of prod-plan: %v", calls)
	}
	for _, g := range grants {
		if strings.HasPrefix(g, "Role Based Access Control Administrator") && !strings.Contains(conditions[g], "ActionMatches{'Microsoft.Authorization/roleAssignments/write'}") {
			t.Errorf("%s without a condition on the roles it grants", g)
		}
	}
	// Each identity reads and writes its own environment's state blobs only.
	var stateConditions []string
	for _, c := range calls {
		if strings.Contains(c, "--role Storage Blob Data Contributor") {
			stateConditions = append(stateConditions, strings.Join(regexp.MustCompile(`blobs:path\] StringEquals '([^']*)'`).FindAllString(c, -1), " "))
		}
	}
	equal(t, "state blobs", stateConditions, []string{
		"blobs:path] StringEquals 'perpetual/dev.tfstate' blobs:path] StringEquals 'perpetual/dev-k8s.tfstate'",
		"blobs:path] StringEquals 'perpetual/prod.tfstate' blobs:path] StringEquals 'perpetual/prod-k8s.tfstate'",
	})
}

// readRoles are the roles an identity that can change nothing may hold:
// they read resources, the cluster's user kubeconfig (no credential with
// Entra ID and no local accounts), blobs.
var readRoles = []string{"Reader", "Azure Kubernetes Service Cluster User Role", "Storage Blob Data Reader"}

// TestSetupGivesThePlanIdentityReadRolesOnly: the identity of a production
// environment's unapproved jobs (<env>-plan) holds read roles only, its
// state's blobs conditioned to its own, and no environment's identity has
// a role on another environment's state container.
func TestSetupGivesThePlanIdentityReadRolesOnly(t *testing.T) {
	t.Parallel()
	_, calls := pasted(t, true, "--repo", "octo/perpetual-infra", "--reviewer", "alice", "--reviewer", "bob")
	identity := ""
	roles := map[string][]string{}
	for _, c := range calls {
		if strings.HasPrefix(c, "az ad app create") {
			identity = strings.Fields(c)[5]
		}
		if strings.HasPrefix(c, "az role assignment create") {
			role := regexp.MustCompile(`--role (.*?) --scope`).FindStringSubmatch(c)[1]
			scope := regexp.MustCompile(`--scope (\S*)`).FindStringSubmatch(c)[1]
			roles[identity] = append(roles[identity], role+" on "+scope)
			if strings.Contains(scope, "/containers/") {
				env := strings.TrimPrefix(identity, "perpetual-infra-")
				env = strings.TrimSuffix(env, "-plan")
				if !strings.HasSuffix(scope, "/containers/tfstate-"+env) {
					t.Errorf("%s has %s on another environment's state container", identity, role+" on "+scope)
				}
				if !strings.Contains(c, "--condition ") {
					t.Errorf("%s: %s on the state container without a condition to its own blobs", identity, role)
				}
			}
		}
	}
	if len(roles["perpetual-infra-prod-plan"]) == 0 || len(roles["perpetual-infra-stage"]) == 0 {
		t.Fatalf("roles %v", roles)
	}
	for _, g := range roles["perpetual-infra-prod-plan"] {
		if !slices.Contains(readRoles, strings.Split(g, " on ")[0]) {
			t.Errorf("the plan identity holds %s, which is not a read role", g)
		}
	}
}

// TestSetupProtectsTheState: versioning, blob soft delete and container
// soft delete on the state account, turned on where one is off, an account
// that exists included.
func TestSetupProtectsTheState(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		state, protection string
		update            bool
	}{
		{"exists", "true true true", false},
		{"exists", "true true false", true},
		{"exists", "false true true", true},
		{"missing", "", true},
	} {
		e := newEnv(t, true)
		e.extra = []string{"FAKE_AZ_STATE=" + c.state, "FAKE_STATE_PROTECTION=" + c.protection, "RBAC_WAIT_INTERVAL=0"}
		out, code := e.run("setup.sh", "--repo", "octo/perpetual", "prod")
		if code != 0 {
			t.Fatalf("%s %q: exit %d\n%s", c.state, c.protection, code, out)
		}
		updates := e.callsOf("az storage account blob-service-properties update")
		if (len(updates) == 1) != c.update {
			t.Errorf("%s %q: updates %q", c.state, c.protection, updates)
		}
		for _, u := range updates {
			for _, want := range []string{"--enable-versioning true", "--enable-delete-retention true --delete-retention-days 30", "--enable-container-delete-retention true --container-delete-retention-days 30"} {
				if !strings.Contains(u, want) {
					t.Errorf("%s lacks %s", u, want)
				}
			}
		}
	}
}

// builtinRoles are the IDs of the built-in roles the stacks may assign.
var builtinRoles = map[string]string{
	"Network Contributor":                         "4d97b98b-1d4f-4787-a291-c67834d212e7",
	"Contributor":                                 "b24988ac-6180-42a0-ab88-20f7382dd24c",
	"Disk Backup Reader":                          "3e5e47e6-65f7-47ef-90b5-e5dd4d455f24",
	"Disk Snapshot Contributor":                   "7efff54f-a5b4-42b5-a1c5-5411624893ce",
	"Azure Kubernetes Service RBAC Cluster Admin": "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
	"Key Vault Secrets User":                      "4633458b-17de-408a-b874-0445c86b69e6",
	"Key Vault Secrets Officer":                   "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
}

// TestSetupLetsTheIdentitiesGrantExactlyTheStacksRoles compares the roles
// in the condition with the role assignments of the synthesized stacks
// (the golden snapshots): a new role in constructs/ must be added to
// setup.sh, or the pipeline cannot deploy it.
func TestSetupLetsTheIdentitiesGrantExactlyTheStacksRoles(t *testing.T) {
	t.Parallel()
	var want []string
	files, _ := filepath.Glob("../stacks/testdata/*.tf.json")
	if len(files) == 0 {
		t.Fatal("no golden stacks in ../stacks/testdata")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var stack struct {
			Resource map[string]map[string]struct {
				RoleDefinitionName string `json:"role_definition_name"`
				RoleDefinitionID   string `json:"role_definition_id"`
			} `json:"resource"`
		}
		if err := json.Unmarshal(b, &stack); err != nil {
			t.Fatal(err)
		}
		for name, ra := range stack.Resource["azurerm_role_assignment"] {
			id, ok := builtinRoles[ra.RoleDefinitionName]
			if !ok {
				t.Fatalf("%s: %s assigns %q (%s): add its ID here and to assignable_roles in setup.sh", f, name, ra.RoleDefinitionName, ra.RoleDefinitionID)
			}
			if !slices.Contains(want, id) {
				want = append(want, id)
			}
		}
	}
	_, calls := pasted(t, false, "--repo", "octo/perpetual-infra")
	identities, grants := 0, 0
	for _, c := range calls {
		if strings.HasPrefix(c, "az ad app create") {
			identities++
		}
		if !strings.Contains(c, "--role Role Based Access Control Administrator") {
			continue
		}
		grants++
		lists := regexp.MustCompile(`GuidEquals \{([^}]*)\}`).FindAllStringSubmatch(c, -1)
		if len(lists) != 2 {
			t.Errorf("%d lists of roles (GuidEquals {...}) in %s; want 2, for write and delete", len(lists), c)
		}
		for _, m := range lists {
			got := strings.Split(m[1], ", ")
			slices.Sort(got)
			slices.Sort(want)
			equal(t, "roles the identity may grant (write and delete)", got, want)
		}
	}
	// Every identity gets the role on its environment's resource groups.
	if identities == 0 || grants < identities {
		t.Errorf("%d grants of Role Based Access Control Administrator for %d identities; want at least one each", grants, identities)
	}
}

func TestSetupProductionEnvironmentNeedsReviewers(t *testing.T) {
	t.Parallel()
	out, calls := pasted(t, false, "--repo", "octo/perpetual-infra", "--reviewer", "alice", "--reviewer", "bob")
	var envs []string
	for _, c := range calls {
		if strings.HasPrefix(c, "gh api -X PUT repos/octo/perpetual-infra/environments/") {
			envs = append(envs, strings.TrimPrefix(strings.Fields(c)[4], "repos/octo/perpetual-infra/environments/"))
		}
	}
	equal(t, "environments", envs, []string{"dev", "prod", "prod-plan"})
	var clientIDs, secrets []string
	for _, c := range calls {
		if strings.HasPrefix(c, "gh variable set AZURE_CLIENT_ID") {
			clientIDs = append(clientIDs, strings.Fields(c)[7])
			if !strings.Contains(c, "--body 11111111-1111-1111-1111-111111111111") {
				t.Errorf("the client ID is not the identity's: %s", c)
			}
		}
		if strings.HasPrefix(c, "gh secret set GH_PACKAGES_TOKEN") {
			secrets = append(secrets, strings.Fields(c)[7])
		}
	}
	equal(t, "GitHub environments with a client ID", clientIDs, envs)
	// The plan and the drift check never read the secrets: the environment
	// that does not apply has none (and loses those an earlier setup gave).
	equal(t, "GitHub environments with the node's secrets", secrets, []string{"dev", "prod"})
	if !slices.Contains(calls, "gh secret delete GH_PACKAGES_TOKEN --repo octo/perpetual-infra --env prod-plan") {
		t.Errorf("prod-plan keeps the node's secrets: %v", calls)
	}
	// Each environment admits main by a branch policy of its own.
	var policies []string
	for _, c := range calls {
		if strings.HasPrefix(c, "gh api -X POST repos/octo/perpetual-infra/environments/") && strings.HasSuffix(c, "/deployment-branch-policies -f name=main -f type=branch --silent") {
			policies = append(policies, strings.Split(strings.TrimPrefix(c, "gh api -X POST repos/octo/perpetual-infra/environments/"), "/")[0])
		}
	}
	equal(t, "GitHub environments admitting main by a policy", policies, envs)

	// The environment bodies go through stdin: check them in the output.
	// Admins cannot bypass the environments' rules, and main is admitted by
	// a policy of its own, not by whatever branch is protected.
	const policy = `"can_admins_bypass": false, "deployment_branch_policy": {"protected_branches": false, "custom_branch_policies": true}`
	contains(t, out, `{"prevent_self_review": true, "reviewers": [{"type": "User", "id": $reviewer_0}, {"type": "User", "id": $reviewer_1}], `+policy+`}`,
		"reviewer_0=$(gh api users/alice --jq .id)", "environments/dev\" --input - <<JSON\n{"+policy+"}\nJSON\nmain_only dev\n",
		"environments/prod-plan\" --input - <<JSON\n{"+policy+"}\nJSON\nmain_only prod-plan\n")
	if strings.Contains(out, `"protected_branches": true`) {
		t.Error("an environment admits protected branches")
	}
	out, _ = pasted(t, false, "--repo", "octo/perpetual-infra")
	contains(t, out, "prod is production and needs required reviewers: run setup.sh again with --reviewer LOGIN")
	if strings.Contains(out, "environments/prod\"") || strings.Contains(out, "main_only prod\n") {
		t.Error("production created without reviewers")
	}
	// Every environment file is in the printout, production or not.
	contains(t, out, "#   dev: development; GitHub environment dev (perpetual-infra-dev)\n", "#   prod: production; GitHub environments prod-plan (plan for review, drift check: perpetual-infra-prod-plan, reads only) and prod (approved apply: perpetual-infra-prod)\n")
}
