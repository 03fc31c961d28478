package scripts

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// gitRepo makes a repository with main (two commits), a branch off main,
// a release tag on the branch and another tag on it, and a clone of it as
// the pipeline's checkout would be (origin/main, tags); returns the clone
// and the commits by name.
func gitRepo(t *testing.T) (string, map[string]string) {
	t.Helper()
	origin := t.TempDir()
	git := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	c := map[string]string{}
	git(origin, "init", "-q", "-b", "main")
	git(origin, "commit", "-q", "--allow-empty", "-m", "first")
	c["first"] = git(origin, "rev-parse", "HEAD")
	git(origin, "commit", "-q", "--allow-empty", "-m", "second")
	c["main"] = git(origin, "rev-parse", "HEAD")
	git(origin, "checkout", "-q", "-b", "feature", c["first"])
	git(origin, "commit", "-q", "--allow-empty", "-m", "unreviewed")
	c["feature"] = git(origin, "rev-parse", "HEAD")
	git(origin, "tag", "v1.0.1", c["feature"])
	git(origin, "tag", "-a", "-m", "annotated", "v1.0.0", c["first"])
	git(origin, "tag", "experiment", c["feature"])
	git(origin, "checkout", "-q", "main")
	clone := t.TempDir()
	git(clone, "clone", "-q", origin, ".")
	return clone, c
}

func TestCheckRef(t *testing.T) {
	clone, c := gitRepo(t)
	e := newEnv(t, true)
	script, _ := filepath.Abs("check-ref.sh")
	cases := []struct {
		ref, sha string // sha "" when refused
		want     string
	}{
		{"main", c["main"], "on main"},
		{c["first"], c["first"], "on main"},
		{c["first"][:10], c["first"], "on main"},
		{"v1.0.0", c["first"], "release tag"},
		{"v1.0.1", c["feature"], "release tag"},
		{"feature", "", "is not on main"},
		{c["feature"], "", "is not on main"},
		{"experiment", "", "is not on main"},
		{"nothing-like-this", "", "is not a branch, tag or commit"},
		{"main~1", "", "is not a branch, tag or commit name"},
		{"--help=x", "", "is not a branch, tag or commit name"},
		{"a..b", "", "is not a branch, tag or commit name"},
	}
	for _, tc := range cases {
		out, code := e.runIn(clone, script, tc.ref)
		if tc.sha == "" {
			if code != 1 || !strings.Contains(out, tc.want) {
				t.Errorf("%s: exit %d, want refused with %q\n%s", tc.ref, code, tc.want, out)
			}
			continue
		}
		if code != 0 || !strings.HasSuffix(out, tc.sha+"\n") || !strings.Contains(out, tc.want) {
			t.Errorf("%s: exit %d, want %s (%s)\n%s", tc.ref, code, tc.sha, tc.want, out)
		}
	}
	// Without main's history, nothing is accepted.
	shallow := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", shallow).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	if out, code := e.runIn(shallow, script, "main"); code != 1 || !strings.Contains(out, "fetch-depth: 0") {
		t.Errorf("no origin/main: exit %d\n%s", code, out)
	}
}

func TestWaitIdle(t *testing.T) {
	e := newEnv(t, true)
	e.seed("runs", "-\n")
	out, code := e.run("wait-idle.sh", "--interval", "0", "infra.yml", "drift.yml")
	if code != 0 || !strings.Contains(out, "idle: no active run of infra.yml drift.yml") {
		t.Errorf("idle: exit %d\n%s", code, out)
	}
	if n := len(e.callsOf("gh run list")); n != 2 {
		t.Errorf("%d gh run list, want one per workflow", n)
	}

	// Busy for two looks, then idle; this run itself never counts.
	e = newEnv(t, true)
	e.seed("runs", "101 7\n101\n-\n")
	e.extra = []string{"GITHUB_RUN_ID=7"}
	out, code = e.run("wait-idle.sh", "--interval", "0", "infra.yml")
	if code != 0 || strings.Count(out, "waiting for: infra.yml run 101") != 2 || strings.Contains(out, "run 7") {
		t.Errorf("busy, then idle: exit %d\n%s", code, out)
	}
	if n := len(e.callsOf("sleep")); n != 2 {
		t.Errorf("%d waits between the looks, want 2", n)
	}

	e = newEnv(t, true)
	e.seed("runs", "101\n")
	out, code = e.run("wait-idle.sh", "--interval", "1", "--timeout", "2", "infra.yml")
	if code != 1 || !strings.Contains(out, "still busy after 2s: infra.yml run 101") {
		t.Errorf("busy: exit %d\n%s", code, out)
	}

	e = newEnv(t, true)
	e.extra = []string{"FAKE_GH_FAIL=1"}
	out, code = e.run("wait-idle.sh", "--interval", "0", "infra.yml")
	if code != 1 || !strings.Contains(out, "cannot list the runs of infra.yml") {
		t.Errorf("gh failing: exit %d\n%s", code, out)
	}
	// The runs that count as active.
	for _, c := range e.callsOf("gh run list") {
		for _, status := range []string{"queued", "pending", "requested", "in_progress"} {
			if !strings.Contains(c, `"`+status+`"`) {
				t.Errorf("%s is not an active status in %s", status, c)
			}
		}
	}
}

// TestMakeRefusesProductionStacks: make deploy and make destroy go through
// the cdktf CLI, without the scripts' guards. The Makefile reads config/
// (what the cdktf CLI synthesizes), whatever its environments are.
func TestMakeRefusesProductionStacks(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	e := newEnv(t, true)
	cdktf := filepath.Join(e.bin, "fake-cdktf")
	if err := os.WriteFile(cdktf, []byte("#!/usr/bin/env bash\necho \"cdktf $*\" >> \"$FAKE_LOG\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	make := func(args ...string) (string, int) {
		cmd := exec.Command("make", append([]string{"--no-print-directory", "CDKTF=" + cdktf}, args...)...)
		cmd.Dir = ".."
		cmd.Env = append(os.Environ(), "FAKE_LOG="+e.log)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return string(out), exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	list := func(kind string) []string {
		out, err := exec.Command("go", "run", "../cmd/envinfo", "-config", "../config", "-list", kind).Output()
		if err != nil {
			t.Fatalf("envinfo -list %s: %v", kind, err)
		}
		return strings.Fields(string(out))
	}
	production, development := list("production"), list("development")
	for _, env := range production {
		for _, args := range [][]string{{"deploy", "STACK=" + env}, {"deploy", "STACK=" + env + "-k8s"}, {"destroy", "STACK=" + env}, {"destroy", "STACK=" + env + "-k8s"}} {
			out, code := make(args...)
			if code == 0 || !strings.Contains(out, "is a stack of the production environment "+env+": make "+args[0]+" refuses it") || !strings.Contains(out, "scripts/"+args[0]+".sh --production "+env) {
				t.Errorf("make %v: exit %d\n%s", args, code, out)
			}
		}
	}
	if len(e.calls()) != 0 {
		t.Errorf("the cdktf CLI ran: %v", e.calls())
	}
	// A stack that is no environment's, or none: the stacks there are.
	var stacks []string
	for _, env := range list("all") {
		stacks = append(stacks, env, env+"-k8s")
	}
	for _, args := range [][]string{{"deploy", "STACK=nosuch"}, {"diff"}} {
		out, code := make(args...)
		if code == 0 || !strings.Contains(out, "(stacks: "+strings.Join(stacks, " ")+")") {
			t.Errorf("make %v: exit %d\n%s", args, code, out)
		}
	}
	if len(e.calls()) != 0 {
		t.Errorf("the cdktf CLI ran: %v", e.calls())
	}
	for _, env := range development {
		if out, code := make("deploy", "STACK="+env+"-k8s"); code != 0 || !slices.Contains(e.calls(), "cdktf deploy "+env+"-k8s") {
			t.Errorf("make deploy STACK=%s-k8s: exit %d, calls %v\n%s", env, code, e.calls(), out)
		}
	}
	// make help lists them too.
	out, code := make("help")
	none := func(l []string) string {
		if len(l) == 0 {
			return "none"
		}
		return strings.Join(l, " ")
	}
	if code != 0 || !strings.Contains(out, "\n  development  "+none(development)+"\n  production   "+none(production)+"\n") {
		t.Errorf("make help: exit %d\n%s", code, out)
	}
}

// job is one job of a workflow file, as text, with what decides where its
// credentials come from.
type job struct {
	workflow, name, text string
	// environment is the job's GitHub environment (expression), matrix
	// the list its matrix's environment runs over, uses the workflow it
	// calls and with the environment it passes to it.
	environment, matrix, uses, with string
}

var (
	jobEnvironment = regexp.MustCompile(`(?m)^    environment:[ \t]*(.*?)[ \t]*\n(?:      name: (.+)\n)?`)
	jobMatrix      = regexp.MustCompile(`(?m)^      matrix:\n        environment: (.+)$`)
	jobUses        = regexp.MustCompile(`(?m)^    uses: (\S+)$`)
	jobWith        = regexp.MustCompile(`(?m)^    with:\n(?:      .*\n)*?      environment: (.+)$`)
)

// workflowJobs splits every workflow into its jobs (two-space indented
// keys under "jobs:") and returns them with each file's text before jobs.
func workflowJobs(t *testing.T) (map[string]string, []job) {
	t.Helper()
	files, _ := filepath.Glob("../.github/workflows/*.yml")
	if len(files) == 0 {
		t.Fatal("no workflows")
	}
	heads := map[string]string{}
	var jobs []job
	key := regexp.MustCompile(`^  ([a-z][a-z0-9-]*):\s*$`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		i := strings.Index(text, "\njobs:\n")
		if i < 0 {
			t.Fatalf("%s: no jobs", f)
		}
		name := filepath.Base(f)
		heads[name] = text[:i]
		var cur *job
		for _, line := range strings.Split(text[i+len("\njobs:\n"):], "\n") {
			if m := key.FindStringSubmatch(line); m != nil {
				jobs = append(jobs, job{workflow: name, name: m[1]})
				cur = &jobs[len(jobs)-1]
				continue
			}
			if cur != nil {
				cur.text += line + "\n"
			}
		}
	}
	for i := range jobs {
		j := &jobs[i]
		if m := jobEnvironment.FindStringSubmatch(j.text); m != nil {
			j.environment = m[1] + m[2]
		}
		if m := jobMatrix.FindStringSubmatch(j.text); m != nil {
			j.matrix = m[1]
		}
		if m := jobUses.FindStringSubmatch(j.text); m != nil {
			j.uses = m[1]
		}
		if m := jobWith.FindStringSubmatch(j.text); m != nil {
			j.with = m[1]
		}
	}
	return heads, jobs
}

// triggers returns the events of a workflow's on: block.
func triggers(head string) []string {
	i := strings.Index(head, "\non:\n")
	if i < 0 {
		return nil
	}
	var out []string
	for _, line := range strings.Split(head[i+len("\non:\n"):], "\n") {
		if line != "" && !strings.HasPrefix(line, " ") {
			break
		}
		if m := regexp.MustCompile(`^  ([a-z_]+):`).FindStringSubmatch(line); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// The environment lists of the credential-free job resolve
// (.github/actions/environments: every config/<env>.json, by kind).
const (
	developmentList = "${{ fromJSON(needs.resolve.outputs.development) }}"
	productionList  = "${{ fromJSON(needs.resolve.outputs.production) }}"
)

// protectedEnvironment tells whether a job's GitHub environment is one that
// scripts/setup.sh creates (each admits main only; TestSetupCreatesTheWorkflowsEnvironments
// checks the names): a development environment <env> deploys in <env>, a
// production environment <env> plans in <env>-plan and applies in <env>
// (required reviewers). In a workflow that only runs when called, the
// environment comes from the caller's matrix (checked at the caller).
func protectedEnvironment(j job, called bool) bool {
	switch {
	case called:
		return j.environment == "${{ inputs.environment }}-plan" || j.environment == "${{ inputs.environment }}"
	case j.environment == "${{ matrix.environment }}":
		return j.matrix == developmentList
	case j.environment == "${{ matrix.environment }}-plan":
		return j.matrix == productionList
	}
	return false
}

// TestWorkflowsGiveCredentialsOnlyInProtectedEnvironments: pull requests
// (forks included) reach no Azure identity and no secret; only jobs in an
// environment that setup.sh protects (main only) may ask for an OIDC token,
// for any number of environments.
func TestWorkflowsGiveCredentialsOnlyInProtectedEnvironments(t *testing.T) {
	heads, jobs := workflowJobs(t)
	calledOnly := func(workflow string) bool {
		return slices.Equal(triggers(heads[workflow]), []string{"workflow_call"})
	}
	byName := map[string]job{}
	for _, j := range jobs {
		byName[j.workflow+"/"+j.name] = j
	}
	for _, j := range jobs {
		text := heads[j.workflow] + j.text
		if strings.Contains(j.text, "id-token: write") {
			switch {
			case j.uses != "":
				// A call: the called workflow's jobs are checked themselves;
				// it must run only when called, by a job that passes a
				// production environment from the list.
				called := strings.TrimPrefix(j.uses, "./.github/workflows/")
				if !calledOnly(called) || j.matrix != productionList || j.with != "${{ matrix.environment }}" {
					t.Errorf("%s/%s lends id-token to %s (on %v) with environment %q from %q; want a workflow_call-only workflow, given a production environment of the list", j.workflow, j.name, j.uses, triggers(heads[called]), j.with, j.matrix)
				}
			case !protectedEnvironment(j, calledOnly(j.workflow)):
				t.Errorf("%s/%s asks for an OIDC token outside a protected environment (%q over %q)", j.workflow, j.name, j.environment, j.matrix)
			}
		}
		// The lists come from a job that has no credentials.
		if j.matrix != "" {
			resolve, ok := byName[j.workflow+"/resolve"]
			if !ok || strings.Contains(resolve.text, "id-token") || strings.Contains(resolve.text, "secrets.") || !strings.Contains(resolve.text, "uses: ./.github/actions/environments") {
				t.Errorf("%s/%s: its environments do not come from a credential-free resolve job that lists config/", j.workflow, j.name)
			}
			if !strings.Contains(j.text, "    if: needs.resolve.outputs.") && !strings.Contains(j.text, "&& needs.resolve.outputs.") {
				t.Errorf("%s/%s: an empty list would fail the run (a matrix needs a value): guard it with if", j.workflow, j.name)
			}
		}
		if strings.Contains(heads[j.workflow], "pull_request") {
			for _, bad := range []string{"id-token: write", "secrets.", "vars.AZURE_CLIENT_ID", "azure-login", "Azure/login", "pull_request_target", "uses: ./.github/workflows/"} {
				if strings.Contains(text, bad) {
					t.Errorf("%s/%s runs for pull requests and uses %q", j.workflow, j.name, bad)
				}
			}
		}
		// The workflow that may write to pull requests runs none of their code.
		if strings.Contains(heads[j.workflow], "workflow_run") && regexp.MustCompile(`actions/checkout|run: make|go run|scripts/`).MatchString(j.text) {
			t.Errorf("%s/%s runs with write access after a pull request's CI and checks out or runs code", j.workflow, j.name)
		}
		// TF_VAR_ secrets only in the env of the steps that run Terraform.
		if regexp.MustCompile(`(?m)^    env:\n(      .*\n)*      TF_VAR_(github|ipfs)`).MatchString(j.text) {
			t.Errorf("%s/%s gives the node's secrets to every step", j.workflow, j.name)
		}
		// A command that fails inside echo's arguments goes unseen (bash -e
		// checks echo's status): outputs are assigned first.
		if m := regexp.MustCompile(`echo "[A-Za-z_]+=\$\(`).FindString(j.text); m != "" {
			t.Errorf("%s/%s: %s...: a failure of the command would go unseen; assign it to a variable first", j.workflow, j.name, m)
		}
		// Any environment's firewalls may deny by default: every job that
		// runs Terraform opens them first (firewall.sh does nothing when
		// they allow).
		if tf := regexp.MustCompile(`scripts/(deploy|preview|drift)\.sh`).FindStringIndex(j.text); tf != nil {
			if open := strings.Index(j.text, "run: scripts/firewall.sh open"); open < 0 || open > tf[0] {
				t.Errorf("%s/%s runs Terraform without opening the firewalls first", j.workflow, j.name)
			}
		}
		// Every job that opens a firewall closes it, always, after logging in again.
		if strings.Contains(j.text, "firewall.sh open") {
			closeStep := regexp.MustCompile(`(?s)- name: Log in to Azure again to close the firewalls\n\s*if: always\(\)[^\n]*\n\s*uses: ./.github/actions/azure-login\n\s*- name: Close[^\n]*\n\s*if: always\(\)[^\n]*\n\s*run: scripts/firewall.sh close`)
			if !closeStep.MatchString(j.text) {
				t.Errorf("%s/%s opens a firewall without an always() re-login and close", j.workflow, j.name)
			}
		}
		for i, step := range steps(j) {
			name := strings.SplitN(step, "\n", 2)[0]
			if !strings.Contains(step, "scripts/") || !strings.Contains(step, "TF_VAR_") {
				continue
			}
			// A fresh login right before every step that runs Terraform on
			// a -k8s stack (kubelogin needs a new token for the AKS API),
			// whose kubelogin reads that login's token file.
			if strings.Contains(step, "-k8s") {
				if i == 0 || !strings.Contains(steps(j)[i-1], "uses: ./.github/actions/azure-login") {
					t.Errorf("%s/%s: %q does not follow a fresh Azure login", j.workflow, j.name, name)
				}
				if !strings.Contains(step, "TF_VAR_kubelogin_login: workloadidentity") {
					t.Errorf("%s/%s: %q does not set TF_VAR_kubelogin_login", j.workflow, j.name, name)
				}
			}
			// The secrets are written again when the revision grows.
			if strings.Contains(step, "TF_VAR_github_token") && !strings.Contains(step, "TF_VAR_secrets_revision: ${{ vars.SECRETS_REVISION || 1 }}") {
				t.Errorf("%s/%s: %q does not set TF_VAR_secrets_revision", j.workflow, j.name, name)
			}
			// The identities may not register resource providers.
			if !strings.Contains(heads[j.workflow], "  ARM_RESOURCE_PROVIDER_REGISTRATIONS: none\n") {
				t.Errorf("%s: runs Terraform without ARM_RESOURCE_PROVIDER_REGISTRATIONS=none", j.workflow)
			}
		}
	}
	if !strings.Contains(heads["infra.yml"], "workflow_dispatch") || strings.Contains(heads["infra.yml"], "pull_request") {
		t.Error("infra.yml: deploys on main and on dispatch only")
	}
}

// steps splits a job into its steps.
func steps(j job) []string {
	return strings.Split(j.text, "\n      - ")
}

// TestProductionAppliesOnlyTheReviewedPlans: every job that applies with
// --check-against first checks the reviewed plans' digest against the one
// its plan job output (not a value the artifact could bring), and the plan
// job outputs it.
func TestProductionAppliesOnlyTheReviewedPlans(t *testing.T) {
	_, jobs := workflowJobs(t)
	byName := map[string]job{}
	for _, j := range jobs {
		byName[j.workflow+"/"+j.name] = j
	}
	n := 0
	for _, j := range jobs {
		deploy := strings.Index(j.text, "--check-against reviewed")
		if deploy < 0 {
			continue
		}
		n++
		m := regexp.MustCompile(`DIGEST: \$\{\{ needs\.([a-z-]+)\.outputs\.digest \}\}`).FindStringSubmatchIndex(j.text)
		if m == nil || m[0] > deploy || !strings.Contains(j.text[m[0]:deploy], `[ "$got" != "$DIGEST" ]`) {
			t.Errorf("%s/%s applies without checking the reviewed plans' digest first", j.workflow, j.name)
			continue
		}
		plan := byName[j.workflow+"/"+j.text[m[2]:m[3]]]
		if !strings.Contains(plan.text, "digest: ${{ steps.digest.outputs.digest }}") || !strings.Contains(plan.text, `grep -q '"redacted": true'`) {
			t.Errorf("%s/%s: the plan job %s does not output the digest of redacted plans", j.workflow, j.name, plan.name)
		}
	}
	if n == 0 {
		t.Error("no job applies reviewed plans")
	}
}

// TestWorkflowConcurrency: the deploying jobs serialize per state, one
// group per environment however many there are (tfstate-<env>, the plan and
// the apply of a production environment sharing theirs); scheduled work
// never shares a group with the deployments (a queued job cancels the one
// pending in its group).
func TestWorkflowConcurrency(t *testing.T) {
	heads, jobs := workflowJobs(t)
	group := regexp.MustCompile(`group: (.+)`)
	deploying := func(j job) bool {
		called := slices.Equal(triggers(heads[j.workflow]), []string{"workflow_call"})
		return (j.workflow == "infra.yml" || called) && j.name != "resolve" && j.uses == ""
	}
	n := 0
	for _, j := range jobs {
		if !deploying(j) {
			continue
		}
		n++
		base := strings.TrimSuffix(j.environment, "-plan")
		want := "tfstate-" + base
		m := regexp.MustCompile(`(?m)^    concurrency:\n      group: (.+)\n      cancel-in-progress: false\n`).FindStringSubmatch(j.text)
		if base == "" || m == nil || m[1] != want {
			t.Errorf("%s/%s (environment %q): concurrency %v, want group %s without cancel-in-progress", j.workflow, j.name, j.environment, m, want)
		}
	}
	if n < 3 {
		t.Errorf("%d deploying jobs, want the development one, a production plan and apply", n)
	}
	for name, head := range heads {
		for _, m := range group.FindAllStringSubmatch(head, -1) {
			if strings.HasPrefix(m[1], "tfstate-") {
				t.Errorf("%s shares the deployments' group %s", name, m[1])
			}
		}
	}
	for _, j := range jobs {
		if !deploying(j) {
			for _, m := range group.FindAllStringSubmatch(j.text, -1) {
				if strings.HasPrefix(m[1], "tfstate-") {
					t.Errorf("%s/%s shares the deployments' group %s", j.workflow, j.name, m[1])
				}
			}
		}
	}
	for _, f := range []string{"infra.yml"} {
		if !strings.Contains(heads[f], "      - Makefile\n") {
			t.Errorf("%s: the Makefile is not in the path filters", f)
		}
		// A change to the workflow or to one it calls (the production
		// apply) deploys too.
		filters := []string{".github/workflows/" + f}
		for _, j := range jobs {
			if j.workflow == f && strings.HasPrefix(j.uses, "./.github/workflows/") {
				filters = append(filters, strings.TrimPrefix(j.uses, "./"))
			}
		}
		for _, path := range filters {
			if !strings.Contains(heads[f], "      - "+path+"\n") {
				t.Errorf("%s: %s is not in the path filters", f, path)
			}
		}
	}
}

// TestSetupCreatesTheWorkflowsEnvironments: the GitHub environments the
// workflows run in, for each environment file, are exactly the ones
// setup.sh creates and trusts, with a third environment too.
func TestSetupCreatesTheWorkflowsEnvironments(t *testing.T) {
	_, jobs := workflowJobs(t)
	e := newEnv(t, true)
	thirdEnvironment(t, e)
	_, calls := pastedIn(t, e, "--repo", "octo/perpetual-infra", "--reviewer", "alice", "--reviewer", "bob")
	created := map[string]bool{}
	for _, c := range calls {
		if strings.HasPrefix(c, "gh api -X PUT repos/octo/perpetual-infra/environments/") {
			created[strings.TrimPrefix(strings.Fields(c)[4], "repos/octo/perpetual-infra/environments/")] = true
		}
	}
	kinds := map[string][]string{developmentList: {"dev", "stage"}, productionList: {"prod"}}
	used := map[string]bool{}
	for _, j := range jobs {
		if !strings.Contains(j.text, "id-token: write") || j.uses != "" {
			continue
		}
		envs := kinds[j.matrix]
		expr := strings.ReplaceAll(j.environment, "${{ matrix.environment }}", "%s")
		if strings.Contains(j.environment, "inputs.environment") {
			envs = kinds[productionList] // the callers' list (checked above)
			expr = strings.ReplaceAll(j.environment, "${{ inputs.environment }}", "%s")
		}
		for _, env := range envs {
			name := strings.ReplaceAll(expr, "%s", env)
			used[name] = true
			if !created[name] {
				t.Errorf("%s/%s runs in the GitHub environment %s, which setup.sh does not create", j.workflow, j.name, name)
			}
		}
	}
	for name := range created {
		if !used[name] {
			t.Errorf("setup.sh creates the GitHub environment %s, which no workflow uses", name)
		}
	}
}

// TestTheEnvironmentsActionListsTheFiles runs the step of
// .github/actions/environments as GitHub would (bash -eo pipefail) on a
// configuration with a second development and a second production
// environment: its outputs are the files.
func TestTheEnvironmentsActionListsTheFiles(t *testing.T) {
	b, err := os.ReadFile("../.github/actions/environments/action.yml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)\n      run: \|\n((?:        .*\n|\n)+)`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatal("no run step in the environments action")
	}
	script := strings.ReplaceAll(m[1], "\n        ", "\n")[8:]
	e := newEnv(t, true)
	dir := thirdEnvironment(t, e)
	// And a second production environment, a copy of prod.
	prod, err := os.ReadFile("../testdata/config/prod.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "live.json"), prod, 0o644); err != nil {
		t.Fatal(err)
	}
	output := filepath.Join(t.TempDir(), "output")
	e.extra = append(e.extra, "CONFIG_DIR="+dir, "GITHUB_OUTPUT="+output, "GITHUB_STEP_SUMMARY="+filepath.Join(t.TempDir(), "summary"))
	out, code := e.runIn("..", "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	got, _ := os.ReadFile(output)
	want := "all=[\"dev\",\"live\",\"prod\",\"stage\"]\ndevelopment=[\"dev\",\"stage\"]\nproduction=[\"live\",\"prod\"]\n"
	if string(got) != want {
		t.Errorf("outputs\n%s\nwant\n%s", got, want)
	}
	// An environment file that does not load fails the step.
	if err := os.WriteFile(filepath.Join(dir, "staging.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := e.runIn("..", "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script); code == 0 {
		t.Errorf("staging.json listed:\n%s", out)
	}
}

// TestPRCommentReportsACIJob: pr-comment.yml runs after the workflow CI and
// reports the conclusion of CI jobs it selects by their names: each must
// be the name of a job in ci.yml, or the comment always says "not run".
func TestPRCommentReportsACIJob(t *testing.T) {
	heads, jobs := workflowJobs(t)
	if !regexp.MustCompile(`(?m)^name: CI$`).MatchString(heads["ci.yml"]) || !strings.Contains(heads["pr-comment.yml"], "    workflows: [CI]\n") {
		t.Error("pr-comment.yml does not run after ci.yml (name: CI)")
	}
	jobName := regexp.MustCompile(`(?m)^    name: (.+)$`)
	var ci []string
	for _, j := range jobs {
		if m := jobName.FindStringSubmatch(j.text); j.workflow == "ci.yml" && m != nil {
			ci = append(ci, strings.Trim(m[1], `"'`))
		}
	}
	var selected []string
	for _, j := range jobs {
		if j.workflow != "pr-comment.yml" {
			continue
		}
		for _, m := range regexp.MustCompile(`select\(\.name == "([^"]+)"\)`).FindAllStringSubmatch(j.text, -1) {
			selected = append(selected, m[1])
		}
	}
	if len(selected) == 0 {
		t.Fatal("pr-comment.yml selects no CI job by name")
	}
	for _, name := range selected {
		if !slices.Contains(ci, name) {
			t.Errorf("pr-comment.yml reports the CI job %q, which ci.yml does not have (its jobs: %q)", name, ci)
		}
	}
}
