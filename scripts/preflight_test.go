package scripts

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPreflightStopsBeforeAnyPlan: each thing a run needs is checked
// before the first terraform call, and named on a line of its own.
func TestPreflightStopsBeforeAnyPlan(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		args    []string
		extra   []string
		without []string
		want    []string
	}{
		{"no Azure CLI", []string{"--yes", "dev"}, nil, []string{"az"},
			[]string{"'az' is not installed or not on PATH: Terraform signs in to Azure through it"}},
		{"not logged in to Azure", []string{"--yes", "dev"}, []string{"FAKE_AZ_FAIL=account show"}, nil,
			[]string{"not logged in to Azure (az account show failed): run az login"}},
		{"another subscription than ARM_SUBSCRIPTION_ID", []string{"--yes", "dev"}, []string{"ARM_SUBSCRIPTION_ID=00000000-0000-0000-0000-0000000000ff"}, nil,
			[]string{"the Azure CLI's subscription is Test subscription (00000000-0000-0000-0000-00000000000a), not ARM_SUBSCRIPTION_ID=00000000-0000-0000-0000-0000000000ff"}},
		{"no make to synthesize", []string{"--yes", "dev"}, []string{"SKIP_SYNTH=0"}, nil,
			[]string{"'make' is not installed or not on PATH"}},
		{"no kubelogin for the in-cluster stack", []string{"--yes", "dev"}, nil, []string{"kubelogin"},
			[]string{"'kubelogin' is not installed or not on PATH. The dev-k8s stack authenticates to AKS with kubelogin"}},
		// The in-cluster stack's variable, missing, is found before the
		// Azure stack is applied.
		{"the in-cluster stack's variable", []string{"--yes", "dev"}, []string{"TF_VAR_github_username="}, nil,
			[]string{"TF_VAR_github_username is not set; dev-k8s cannot be planned without it"}},
		{"the Azure stack's variable", []string{"--yes", "--only", "dev", "dev"}, []string{"TF_VAR_ipfs_private_key="}, nil,
			[]string{"TF_VAR_ipfs_private_key is not set; dev cannot be planned without it"}},
		{"a variable both stacks need", []string{"--yes", "dev"}, []string{"TF_VAR_github_token="}, nil,
			[]string{"TF_VAR_github_token is not set; dev, dev-k8s cannot be planned without it"}},
		{"production, before the typed confirmation", []string{"--production", "--confirm", "prod", "prod"}, []string{"TF_VAR_github_token=", "TF_VAR_github_username="}, nil,
			[]string{"TF_VAR_github_token is not set; prod, prod-k8s cannot", "TF_VAR_github_username is not set; prod-k8s cannot"}},
		// Everything missing at once is said at once, a line each.
		{"several at once", []string{"--yes", "dev"}, []string{"FAKE_AZ_FAIL=account show"}, []string{"terraform", "kubelogin"},
			[]string{"deploy.sh: 'terraform' is not installed", "deploy.sh: 'kubelogin' is not installed", "deploy.sh: not logged in to Azure", "3 problem(s) above; nothing was planned or changed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, true)
			e.extra = c.extra
			for _, tool := range c.without {
				e.without(tool)
			}
			out, code := e.run("deploy.sh", c.args...)
			if code != 1 {
				t.Errorf("exit %d\n%s", code, out)
			}
			contains(t, out, c.want...)
			contains(t, out, "problem(s) above; nothing was planned or changed")
			if len(e.terraformCalls()) != 0 {
				t.Errorf("ran terraform before the checks failed: %v", e.terraformCalls())
			}
		})
	}
}

// TestPreflightBeforeSynthesis: what can be checked without the stacks is
// checked before synthesizing them (minutes, with the bindings).
func TestPreflightBeforeSynthesis(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	if err := os.WriteFile(filepath.Join(e.bin, "make"), []byte("#!/usr/bin/env bash\necho \"make $*\" >> \"$FAKE_LOG\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	e.extra = []string{"SKIP_SYNTH=0", "FAKE_AZ_FAIL=account show"}
	out, code := e.run("deploy.sh", "--yes", "dev")
	if code != 1 || !strings.Contains(out, "not logged in to Azure") || len(e.callsOf("make")) != 0 {
		t.Errorf("exit %d, make %v\n%s", code, e.callsOf("make"), out)
	}
	e.extra = []string{"SKIP_SYNTH=0"}
	if out, code := e.run("deploy.sh", "--yes", "dev"); code != 0 || len(e.callsOf("make")) != 1 {
		t.Errorf("exit %d, make %v\n%s", code, e.callsOf("make"), out)
	}
}

// TestPreflightOnlyWhatTheRunNeeds: a run of the Azure stack alone needs
// neither the in-cluster stack's variables nor kubelogin; a stack that
// does not use kubelogin needs none.
func TestPreflightOnlyWhatTheRunNeeds(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	e.extra = []string{"TF_VAR_github_username="}
	e.without("kubelogin")
	if out, code := e.run("deploy.sh", "--yes", "--only", "dev", "dev"); code != 0 {
		t.Errorf("--only dev: exit %d\n%s", code, out)
	}
	// prod-k8s does not have dev's development Secret: no ipfs key.
	e = newEnv(t, true)
	e.extra = []string{"TF_VAR_ipfs_private_key="}
	if out, code := e.run("deploy.sh", "--production", "--confirm", "prod", "--only", "prod-k8s", "prod"); code != 0 {
		t.Errorf("--only prod-k8s without the ipfs key: exit %d\n%s", code, out)
	}
}

// TestPreflightSaysWhichSubscription: without ARM_SUBSCRIPTION_ID the run
// says which subscription the Azure CLI will use; with it, that it matches.
func TestPreflightSaysWhichSubscription(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	out, code := e.run("deploy.sh", "--yes", "dev")
	if code != 0 || !strings.Contains(out, "Azure subscription: Test subscription (00000000-0000-0000-0000-00000000000a), the Azure CLI's active one") {
		t.Errorf("exit %d\n%s", code, out)
	}
	e = newEnv(t, true)
	e.extra = []string{"ARM_SUBSCRIPTION_ID=00000000-0000-0000-0000-00000000000a"}
	out, code = e.run("deploy.sh", "--yes", "dev")
	if code != 0 || !strings.Contains(out, "as ARM_SUBSCRIPTION_ID says") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// TestReach: before planning an Azure stack whose Key Vault denies by
// default, deploy.sh asks the vault whether it admits this machine. A
// refusal names this machine's address, which becomes TF_VAR_deployer_ips
// (the apply lets it through the firewalls and the API server), and the
// stack is planned without refresh, then checked with refresh after the
// apply. Where the address cannot be known, or is given wrong, the deploy
// stops before planning (the need for TF_VAR_deployer_ips in production,
// issue #18, is now this). Development's firewalls allow: nothing to ask.
func TestReach(t *testing.T) {
	t.Parallel()
	deploy := []string{"--production", "--confirm", "prod", "--only", "prod", "prod"}
	planOf := func(e *env, refresh string) bool {
		for _, c := range e.callsOf("terraform -chdir=OUT/stacks/prod plan") {
			if strings.Contains(c, refresh) {
				return true
			}
		}
		return false
	}
	// Refused by the firewall: the address Azure reports is let through.
	e := newEnv(t, true)
	e.extra = []string{"TF_VAR_deployer_ips=", "FAKE_KV_CLIENT=198.51.100.99"}
	out, code := e.run("deploy.sh", deploy...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	contains(t, out, `prod's Key Vault does not admit this machine, 198.51.100.99 as Azure reports it: the apply of prod lets it through (TF_VAR_deployer_ips=["198.51.100.99"])`,
		"prod: terraform plan, without refresh", "prod: was planned without refresh; a refreshed plan now shows")
	equal(t, "terraform calls", e.terraformCalls(), []string{"prod init", "prod plan", "prod show", "prod show", "prod apply", "prod plan", "prod show"})
	plans := e.callsOf("terraform -chdir=OUT/stacks/prod plan")
	if len(plans) != 2 || !strings.Contains(plans[0], "-refresh=false") || strings.Contains(plans[1], "-refresh=false") {
		t.Errorf("want the plan without refresh, then the check after the apply with it: %q", plans)
	}
	// The same address given: the same.
	e = newEnv(t, true)
	e.extra = []string{`TF_VAR_deployer_ips=["198.51.100.99"]`, "FAKE_KV_CLIENT=198.51.100.99"}
	if out, code := e.run("deploy.sh", deploy...); code != 0 || !planOf(e, "-refresh=false") {
		t.Errorf("the right address given: exit %d\n%s", code, out)
	}

	// Stops before planning: the address given is another; the vault does
	// not exist yet and no address is given; the vault admits this machine
	// and addresses of earlier deploys, one of which may be this one.
	for _, c := range []struct {
		name  string
		extra []string
		want  string
	}{
		{"another address than Azure reports", []string{`TF_VAR_deployer_ips=["198.51.100.7"]`, "FAKE_KV_CLIENT=198.51.100.99"},
			`TF_VAR_deployer_ips=["198.51.100.7"] does not hold this machine's address 198.51.100.99, as prod's Key Vault reports it`},
		{"a first deployment", []string{"TF_VAR_deployer_ips=", "FAKE_KV=missing"},
			"prod's Key Vault perpetual-prod-kv does not exist yet, so Azure cannot say which address of this machine its firewalls and API server must admit: set TF_VAR_deployer_ips"},
		{"admitted, with earlier deployers' addresses", []string{"TF_VAR_deployer_ips="},
			"prod's Key Vault admits this machine, and also addresses outside network.adminCidrs that earlier deploys let through (192.0.2.50)"},
		{"Azure cannot be asked", []string{"TF_VAR_deployer_ips=", "FAKE_AZ_FAIL=keyvault show"},
			"cannot ask Azure whether the Key Vault perpetual-prod-kv of prod admits this machine"},
		{"the Key Vault cannot be asked", []string{"TF_VAR_deployer_ips=", "FAKE_AZ_FAIL=keyvault secret list"},
			"cannot ask the Key Vault perpetual-prod-kv of prod whether it admits this machine: ERROR: (AuthorizationFailed) fake failure of: keyvault secret list"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, true)
			e.seed("kv", "203.0.113.0/24\n192.0.2.50/32\n")
			e.extra = c.extra
			out, code := e.run("deploy.sh", deploy...)
			if code != 1 || !strings.Contains(out, c.want) || !strings.Contains(out, "problem(s) above; nothing was planned or changed") {
				t.Errorf("exit %d, want %q\n%s", code, c.want, out)
			}
			if len(e.terraformCalls()) != 0 {
				t.Errorf("ran terraform: %v", e.terraformCalls())
			}
		})
	}

	// Admitted by network.adminCidrs alone (or given '[]', or an address
	// with an earlier one present): planned with refresh, as usual.
	for _, extra := range [][]string{{"TF_VAR_deployer_ips="}, {"TF_VAR_deployer_ips=[]"}} {
		e := newEnv(t, true)
		e.seed("kv", "203.0.113.0/24\n")
		e.extra = extra
		if out, code := e.run("deploy.sh", deploy...); code != 0 || !planOf(e, "-refresh=true") || planOf(e, "-refresh=false") {
			t.Errorf("%v: exit %d, plans %q\n%s", extra, code, e.callsOf("terraform -chdir=OUT/stacks/prod plan"), out)
		}
	}
	// Development allows by default: nothing asked, nothing needed.
	e = newEnv(t, true)
	e.extra = []string{"TF_VAR_deployer_ips=", "FAKE_KV_CLIENT=198.51.100.99"}
	if out, code := e.run("deploy.sh", "--yes", "dev"); code != 0 || len(e.callsOf("az keyvault")) != 0 {
		t.Errorf("dev: exit %d, %q\n%s", code, e.callsOf("az keyvault"), out)
	}
	// The plan for review asks nothing: it does not refresh.
	e = newEnv(t, true)
	e.extra = []string{"TF_VAR_deployer_ips=", "FAKE_KV_CLIENT=198.51.100.99"}
	if out, code := e.run("preview.sh", "--no-refresh", "--no-lock", "--plan-dir", t.TempDir(), "prod"); code != 0 || len(e.callsOf("az keyvault")) != 0 {
		t.Errorf("preview --no-refresh: exit %d, %q\n%s", code, e.callsOf("az keyvault"), out)
	}
	// A preview that refreshes, where the vault refuses: without refresh, and said so.
	e = newEnv(t, true)
	e.extra = []string{"TF_VAR_deployer_ips=", "FAKE_KV_CLIENT=198.51.100.99"}
	out, code = e.run("preview.sh", "--plan-dir", t.TempDir(), "prod")
	if code != 0 || !strings.Contains(out, "the Key Vault of prod does not admit this machine: planned against the state, without refresh") {
		t.Errorf("preview: exit %d\n%s", code, out)
	}
}

// TestEveryPlanningScriptChecksFirst: destroy, preview and drift check
// like deploy before planning anything.
func TestEveryPlanningScriptChecksFirst(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		script string
		args   []string
	}{
		{"destroy.sh", []string{"--confirm", "dev", "dev"}},
		{"preview.sh", []string{"--plan-dir", "", "dev"}},
		{"drift.sh", []string{"dev"}},
	} {
		for _, missing := range []struct{ env, want string }{
			{"TF_VAR_github_username=", "TF_VAR_github_username is not set; dev-k8s cannot be planned"},
			{"FAKE_AZ_FAIL=account show", "not logged in to Azure"},
		} {
			e := newEnv(t, true)
			e.extra = []string{missing.env}
			args := slices.Clone(c.args)
			if c.script == "preview.sh" {
				args[1] = t.TempDir()
			}
			out, code := e.run(c.script, args...)
			if code != 1 || !strings.Contains(out, missing.want) || len(e.terraformCalls()) != 0 {
				t.Errorf("%s with %s: exit %d, terraform %v\n%s", c.script, missing.env, code, e.terraformCalls(), out)
			}
		}
	}
}

// TestMissingGoIsNamed: everything reads the environment files through
// cmd/envinfo.
func TestMissingGoIsNamed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	e.without("go")
	// Not the commands built for the tests: go run, as for everyone.
	e.extra = []string{"CMD_BIN="}
	for _, c := range []struct {
		script string
		args   []string
	}{
		{"deploy.sh", []string{"dev"}},
		{"environments.sh", nil},
	} {
		out, code := e.run(c.script, c.args...)
		if code != 1 || !strings.Contains(out, "'go' is not installed or not on PATH") {
			t.Errorf("%s without go: exit %d\n%s", c.script, code, out)
		}
	}
}

// thirdEnvironment writes a configuration directory with the fixture
// environments and stage.json, a copy of the dev fixture with a state
// container of its own, and stage's synthesized-looking stacks.
func thirdEnvironment(t *testing.T, e *env) string {
	t.Helper()
	dir := t.TempDir()
	for name, from := range map[string]string{"dev.json": "dev.json", "prod.json": "prod.json", "stage.json": "dev.json"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "config", from))
		if err != nil {
			t.Fatal(err)
		}
		if name != from {
			b = []byte(strings.Replace(string(b), `"tfstate-dev"`, `"tfstate-stage"`, 1))
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.stack("stage", "dev")
	e.stack("stage-k8s", "dev-k8s")
	e.extra = append(e.extra, "CONFIG_DIR="+dir)
	return dir
}

func TestEnvironmentsAreTheFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	for args, want := range map[string]string{
		"":                     "dev\nprod\n",
		"--production":         "prod\n",
		"--development --json": "[\"dev\"]\n",
		"--production --json":  "[\"prod\"]\n",
	} {
		out, code := e.run("environments.sh", strings.Fields(args)...)
		if code != 0 || out != want {
			t.Errorf("environments.sh %s: exit %d, %q, want %q", args, code, out, want)
		}
	}
	thirdEnvironment(t, e)
	for args, want := range map[string]string{
		"":                     "dev\nprod\nstage\n",
		"--development --json": "[\"dev\",\"stage\"]\n",
		"--production --json":  "[\"prod\"]\n",
	} {
		out, code := e.run("environments.sh", strings.Fields(args)...)
		if code != 0 || out != want {
			t.Errorf("with stage.json, environments.sh %s: exit %d, %q, want %q", args, code, out, want)
		}
	}
	// A file synthesis refuses fails the list, with the loader's reason.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "staging.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.extra = []string{"CONFIG_DIR=" + dir}
	out, code := e.run("environments.sh")
	if code != 1 || !strings.Contains(out, "staging") || !strings.Contains(out, "cannot list the environments of "+dir) {
		t.Errorf("staging.json: exit %d\n%s", code, out)
	}
	// An unknown environment's error names the ones there are.
	e = newEnv(t, true)
	out, code = e.run("deploy.sh", "--yes", "stage")
	if code != 1 || !strings.Contains(out, "no environment 'stage' (testdata/config/stage.json does not exist); the environments are: dev prod") {
		t.Errorf("unknown environment: exit %d\n%s", code, out)
	}
}

// TestAThirdEnvironment: a new file is a new environment for every script,
// with no list to edit.
func TestAThirdEnvironment(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	thirdEnvironment(t, e)
	out, code := e.run("deploy.sh", "--yes", "stage")
	if code != 0 {
		t.Fatalf("deploy.sh stage: exit %d\n%s", code, out)
	}
	equal(t, "terraform calls", e.terraformCalls(), []string{"stage init", "stage plan", "stage show", "stage apply", "stage-k8s init", "stage-k8s plan", "stage-k8s show", "stage-k8s apply"})

	e = newEnv(t, true)
	thirdEnvironment(t, e)
	if out, code := e.run("drift.sh", "stage"); code != 0 || !slices.Contains(e.terraformCalls(), "stage-k8s plan") {
		t.Errorf("drift.sh stage: exit %d, %v\n%s", code, e.terraformCalls(), out)
	}

	// The off-hours schedule takes every development environment.
	e = newEnv(t, true)
	thirdEnvironment(t, e)
	e.seed("power", "Running\n")
	out, code = e.run("dev-schedule.sh", "stop")
	if code != 0 {
		t.Fatalf("dev-schedule.sh stop: exit %d\n%s", code, out)
	}
	var stops []string
	for _, c := range e.callsOf("az aks stop") {
		stops = append(stops, strings.Fields(c)[6])
	}
	equal(t, "clusters stopped", stops, []string{"perpetual-dev-aks"})
	contains(t, out, "perpetual-stage-aks is already Stopped")

	// setup.sh prints an identity and a GitHub environment for it.
	_, calls := pasted(t, true, "--repo", "octo/perpetual-infra", "--reviewer", "alice", "--reviewer", "bob")
	var subjects []string
	for _, c := range calls {
		if strings.HasPrefix(c, "az ad app federated-credential create") {
			subjects = append(subjects, strings.Split(strings.Split(c, `"subject": "`)[1], `"`)[0])
		}
	}
	equal(t, "federated subjects", subjects, []string{
		"repo:octo/perpetual-infra:environment:dev",
		"repo:octo/perpetual-infra:environment:prod",
		"repo:octo/perpetual-infra:environment:prod-plan",
		"repo:octo/perpetual-infra:environment:stage",
	})
}

// TestPlansAreNotCommitted: preview.sh's default plan directory is
// ignored by git, and what it writes is for its owner only.
func TestPlansAreNotCommitted(t *testing.T) {
	t.Parallel()
	cmd := command(t, "git", "check-ignore", "--no-index", "plans/dev.tfplan", "plans/dev.json", "plans/dev.txt")
	cmd.Dir = ".."
	if out, err := cmd.Output(); err != nil || strings.Count(string(out), "\n") != 3 {
		t.Errorf("plans/ is not git-ignored: %v\n%s", err, out)
	}
	e := newEnv(t, true)
	plans := filepath.Join(t.TempDir(), "plans")
	if out, code := e.run("preview.sh", "--plan-dir", plans, "dev"); code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	files, _ := filepath.Glob(filepath.Join(plans, "*"))
	if len(files) != 6 {
		t.Errorf("files %v", files)
	}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is %v: readable by others", filepath.Base(f), st.Mode().Perm())
		}
		if b, _ := os.ReadFile(f); strings.Contains(string(b), "SENTINEL-SECRET-VALUE") {
			t.Errorf("%s holds a secret", filepath.Base(f))
		}
	}
}
