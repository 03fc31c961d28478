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
	"time"
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
		cmd := command(t, "git", args...)
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
	t.Parallel()
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
		{"v1.0.0", c["first"], "is tag, commit " + c["first"] + " on main"},
		// A release tag is no way around main.
		{"v1.0.1", "", "'v1.0.1' (tag, commit " + c["feature"] + ") is not on main"},
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
	if out, err := command(t, "git", "init", "-q", shallow).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	if out, code := e.runIn(shallow, script, "main"); code != 1 || !strings.Contains(out, "fetch-depth: 0") {
		t.Errorf("no origin/main: exit %d\n%s", code, out)
	}
}

func TestWaitIdle(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	e := newEnv(t, true)
	cdktf := filepath.Join(e.bin, "fake-cdktf")
	if err := os.WriteFile(cdktf, []byte("#!/usr/bin/env bash\necho \"cdktf $*\" >> \"$FAKE_LOG\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	make := func(args ...string) (string, int) {
		cmd := command(t, "make", append([]string{"--no-print-directory", "CDKTF=" + cdktf}, args...)...)
		cmd.Dir = ".."
		// The fake az, kubelogin and terraform first: the preflight passes.
		// cmd/envinfo from CMD_BIN, for the Makefile and the preflight,
		// except for make help, which runs it as everyone does (go run).
		cmd.Env = append(os.Environ(), "FAKE_LOG="+e.log, "FAKE_AZ_DIR="+e.state, "PATH="+e.bin+":"+os.Getenv("PATH"), "CMD_BIN="+cmdBin)
		if args[0] == "help" {
			cmd.Env = append(cmd.Env, "CMD_BIN=")
		}
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
		out, err := command(t, filepath.Join(cmdBin, "envinfo"), "-config", "../config", "-list", kind).Output()
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
	t.Parallel()
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
		// After a pull request's CI (workflow_run), a job that may write
		// runs no code at all, and a job that runs code runs the default
		// branch's: it checks out no other ref or repository.
		if strings.Contains(heads[j.workflow], "workflow_run") {
			runsCode := regexp.MustCompile(`actions/checkout|run: make|go run|scripts/`).MatchString(j.text)
			if runsCode && regexp.MustCompile(`(?m)^      [a-z-]+: write$`).MatchString(j.text) {
				t.Errorf("%s/%s runs with write access after a pull request's CI and checks out or runs code", j.workflow, j.name)
			}
			if strings.Contains(j.text, "actions/checkout") && regexp.MustCompile(`(?m)^\s+(ref|repository): `).MatchString(j.text) {
				t.Errorf("%s/%s checks out another ref or repository than the default branch after a pull request's CI", j.workflow, j.name)
			}
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
		for _, step := range steps(j) {
			name := strings.SplitN(step, "\n", 2)[0]
			if !strings.Contains(step, "scripts/") || !strings.Contains(step, "TF_VAR_") {
				continue
			}
			// kubelogin reads the federated token file (which lib.sh renews
			// before every Terraform process), not the Azure CLI's login.
			if strings.Contains(step, "-k8s") && !strings.Contains(step, "TF_VAR_kubelogin_login: workloadidentity") {
				t.Errorf("%s/%s: %q does not set TF_VAR_kubelogin_login", j.workflow, j.name, name)
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
	_, jobs := workflowJobs(t)
	_, calls := pasted(t, true, "--repo", "octo/perpetual-infra", "--reviewer", "alice", "--reviewer", "bob")
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

// actionScript returns the script of the (one) bash step of the composite
// action .github/actions/NAME, to run as GitHub would.
func actionScript(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../.github/actions/" + name + "/action.yml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)\n      run: \|\n((?:        .*\n|\n)+)`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("no run step in the %s action", name)
	}
	return strings.ReplaceAll(m[1], "\n        ", "\n")[8:]
}

// TestTheEnvironmentsActionListsTheFiles runs the step of
// .github/actions/environments as GitHub would (bash -eo pipefail) on a
// configuration with a second development and a second production
// environment: its outputs are the files.
func TestTheEnvironmentsActionListsTheFiles(t *testing.T) {
	t.Parallel()
	script := actionScript(t, "environments")
	e := newEnv(t, true)
	dir := thirdEnvironment(t, e)
	// And a second production environment, a copy of prod with a state
	// container of its own.
	prod, err := os.ReadFile("../testdata/config/prod.json")
	if err != nil {
		t.Fatal(err)
	}
	prod = []byte(strings.Replace(string(prod), `"tfstate-prod"`, `"tfstate-live"`, 1))
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
	t.Parallel()
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

// actionsUsed returns the text of the local composite actions a job (or
// action) uses, recursively.
func actionsUsed(t *testing.T, text string) string {
	t.Helper()
	var out string
	for _, m := range regexp.MustCompile(`uses: \./\.github/actions/([a-z-]+)`).FindAllStringSubmatch(text, -1) {
		b, err := os.ReadFile("../.github/actions/" + m[1] + "/action.yml")
		if err != nil {
			t.Fatal(err)
		}
		out += string(b) + actionsUsed(t, string(b))
	}
	return out
}

// TestUnapprovedJobsCanChangeNothing: the jobs that run without an
// approval in a production environment (<env>-plan: the plan for review,
// the drift check) get no secret, open no firewall, plan without refresh
// or with what the firewall admits, without the state's lease, and apply
// nothing. (Their identity may only read: TestSetupGivesThePlanIdentityReadRolesOnly.)
func TestUnapprovedJobsCanChangeNothing(t *testing.T) {
	t.Parallel()
	_, jobs := workflowJobs(t)
	n := 0
	for _, j := range jobs {
		if !strings.HasSuffix(j.environment, "-plan") {
			continue
		}
		n++
		if strings.Contains(j.text, "secrets.") {
			t.Errorf("%s/%s runs without approval and gets secrets", j.workflow, j.name)
		}
		for _, bad := range []string{"deploy.sh", "destroy.sh", "firewall.sh", "network-rule add", "TF_VAR_deployer_ips"} {
			if strings.Contains(j.text, bad) {
				t.Errorf("%s/%s runs without approval and uses %s", j.workflow, j.name, bad)
			}
		}
		for _, m := range regexp.MustCompile(`scripts/preview\.sh[^\n]*`).FindAllString(j.text, -1) {
			if !strings.Contains(m, "--no-refresh") || !strings.Contains(m, "--no-lock") {
				t.Errorf("%s/%s: %s: the plan for review reads the state only (--no-refresh --no-lock)", j.workflow, j.name, m)
			}
		}
	}
	if n < 2 {
		t.Errorf("%d jobs in <env>-plan environments, want the plan for review and the drift check", n)
	}
	// No runner address from a third party, and no second way in: the
	// address comes from the Key Vault (deploy.sh), the firewall rules from
	// Terraform.
	for _, dir := range []string{"../.github/workflows", "../.github/actions"} {
		if err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, bad := range []string{"ipify", "ifconfig", "TF_VAR_deployer_ips", "firewall.sh", "RUNNER_IP"} {
				if strings.Contains(string(b), bad) {
					t.Errorf("%s: %s", path, bad)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestNoUncheckedCacheWhereAzureLogsIn: a job that can log in to Azure
// restores no cache that another job could have written (Go's build
// cache, generated bindings, a built tool), the actions it uses included;
// npm's download cache is the one allowed: npm ci checks each package
// against package-lock.json's integrity.
func TestNoUncheckedCacheWhereAzureLogsIn(t *testing.T) {
	t.Parallel()
	_, jobs := workflowJobs(t)
	n := 0
	for _, j := range jobs {
		if !strings.Contains(j.text, "id-token: write") || j.uses != "" {
			continue
		}
		n++
		text := j.text + actionsUsed(t, j.text)
		if strings.Contains(text, "actions/cache@") {
			t.Errorf("%s/%s can log in to Azure and restores a cache (actions/cache)", j.workflow, j.name)
		}
		for _, m := range regexp.MustCompile(`(?m)^\s+cache: (.+)$`).FindAllStringSubmatch(text, -1) {
			if m[1] != "false" && m[1] != "npm" {
				t.Errorf("%s/%s can log in to Azure and restores a cache: cache: %s", j.workflow, j.name, m[1])
			}
		}
		for _, m := range regexp.MustCompile(`(?s)uses: actions/setup-go@[^\n]*\n(\s+with:\n(?:\s{6,}.*\n)*)?`).FindAllStringSubmatch(text, -1) {
			if !strings.Contains(m[0], "cache: false") {
				t.Errorf("%s/%s can log in to Azure and sets up Go with its cache (setup-go caches by default):\n%s", j.workflow, j.name, m[0])
			}
		}
	}
	if n < 4 {
		t.Errorf("%d jobs that log in, want at least the development deploy, the production plan and apply, the drift checks", n)
	}
	// npm's cache is safe only with npm ci.
	if b, err := os.ReadFile("bootstrap.sh"); err != nil || !strings.Contains(string(b), "npm ci") || !strings.Contains(string(b), "\nexport NODE_DISABLE_COMPILE_CACHE=1\n") {
		t.Errorf("bootstrap.sh installs without npm ci, or lets npm leave its compile cache in $TMPDIR: %v", err)
	}
}

// TestThePullRequestDiffIsTheDefaultBranchs: no workflow that a pull
// request triggers computes the structural diff (its code could hide the
// warnings); pr-comment.yml does, with the default branch's stackdiff, over
// the stacks of the pull request's CI run as data, in a job that cannot
// write; the job that writes the comment runs no code.
func TestThePullRequestDiffIsTheDefaultBranchs(t *testing.T) {
	t.Parallel()
	heads, jobs := workflowJobs(t)
	found := false
	for _, j := range jobs {
		if !strings.Contains(j.text, "stackdiff -base") {
			continue
		}
		if strings.Contains(heads[j.workflow], "pull_request") {
			t.Errorf("%s/%s computes the diff in a workflow a pull request runs (and can change)", j.workflow, j.name)
			continue
		}
		if !strings.Contains(heads[j.workflow], "workflow_run") {
			continue
		}
		found = true
		if !strings.Contains(j.text, "go run ./cmd/stackdiff -base") || !strings.Contains(j.text, "actions/checkout") {
			t.Errorf("%s/%s does not run the checked-out default branch's stackdiff", j.workflow, j.name)
		}
		if !regexp.MustCompile(`(?s)name: cdktf\.out\n\s+path: [^\n]*head\.out\n\s+run-id: \$\{\{ github\.event\.workflow_run\.id \}\}`).MatchString(j.text) {
			t.Errorf("%s/%s does not take the head's stacks from the pull request's CI run, as data", j.workflow, j.name)
		}
		if regexp.MustCompile(`(?m)^      [a-z-]+: write$`).MatchString(j.text) {
			t.Errorf("%s/%s computes the diff with write access", j.workflow, j.name)
		}
	}
	if !found {
		t.Error("no workflow_run job computes the structural diff")
	}
	uploads := false
	for _, j := range jobs {
		if j.workflow == "ci.yml" && strings.Contains(j.text, "uses: actions/upload-artifact") && strings.Contains(j.text, "name: cdktf.out\n          path: cdktf.out\n") {
			uploads = true
		}
	}
	if !uploads || !strings.Contains(heads["ci.yml"], "  pull_request:\n") || !strings.Contains(heads["ci.yml"], "branches: [main]") {
		t.Error("ci.yml does not keep the synthesized stacks (cdktf.out) of pull requests and of main, which the diff reads")
	}
}

// TestEveryProductionApplyIsGuarded: the apply job passes the run's
// allowed deletions (infra.yml's dispatch input, shown in the summary)
// to every deploy, whose plans go through plancheck -guard; the plan job
// says the same before anyone approves.
func TestEveryProductionApplyIsGuarded(t *testing.T) {
	t.Parallel()
	heads, jobs := workflowJobs(t)
	if !strings.Contains(heads["infra.yml"], "      allowed-deletions:\n") || !strings.Contains(heads["deploy-production.yml"], "      allowed-deletions:\n") {
		t.Error("no allowed-deletions input in infra.yml and deploy-production.yml")
	}
	n := 0
	for _, j := range jobs {
		if j.uses == "./.github/workflows/deploy-production.yml" && !strings.Contains(j.text, "allowed-deletions: ${{ inputs.allowed-deletions }}") {
			t.Errorf("%s/%s does not pass the run's allowed deletions", j.workflow, j.name)
		}
		if j.workflow != "deploy-production.yml" {
			continue
		}
		write := strings.Index(j.text, `run: scripts/allowed-deletions.sh "$ALLOWED" "$ALLOWED_DELETIONS" >> "$GITHUB_STEP_SUMMARY"`)
		if write < 0 || !strings.Contains(j.text, "ALLOWED: ${{ inputs.allowed-deletions }}") {
			t.Errorf("%s/%s does not write the run's allowed deletions, with the summary", j.workflow, j.name)
			continue
		}
		for _, m := range regexp.MustCompile(`scripts/deploy\.sh[^\n]*\n[^\n]*`).FindAllStringIndex(j.text, -1) {
			n++
			step := j.text[m[0]:m[1]]
			if !strings.Contains(step, `--allow "$ALLOWED_DELETIONS"`) || !strings.Contains(step, "--production") || m[0] < write {
				t.Errorf("%s/%s: %s: a production deploy without the run's allowed deletions", j.workflow, j.name, step)
			}
		}
		if strings.Contains(j.text, "scripts/preview.sh") && !strings.Contains(j.text, `go run ./cmd/plancheck -guard "reviewed/$stack.json" "$ALLOWED_DELETIONS"`) {
			t.Errorf("%s/%s plans for review without saying what the guard will refuse", j.workflow, j.name)
		}
	}
	if n != 2 {
		t.Errorf("%d production deploys, want 2 (the Azure stack, the in-cluster stack)", n)
	}
}

// TestAllowedDeletions: the run's input becomes the guard's file, every
// entry with its reason, and the summary says them.
func TestAllowedDeletions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	file := filepath.Join(t.TempDir(), "allowed")
	out, code := e.run("allowed-deletions.sh", "azurerm_managed_disk.data moved to a new disk, restored from the backup; azurerm_kubernetes_cluster.aks  a new node OS ;", file)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	contains(t, out, "- `azurerm_managed_disk.data`: moved to a new disk, restored from the backup\n", "- `azurerm_kubernetes_cluster.aks`: a new node OS\n")
	b, _ := os.ReadFile(file)
	if string(b) != "azurerm_managed_disk.data moved to a new disk, restored from the backup\nazurerm_kubernetes_cluster.aks a new node OS\n" {
		t.Errorf("the file:\n%s", b)
	}
	// Read back by the guard.
	plan := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(plan, []byte(`{"format_version": "1.2", "resource_changes": [{"address": "azurerm_managed_disk.data", "type": "azurerm_managed_disk", "change": {"actions": ["delete"]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := command(t, filepath.Join(cmdBin, "plancheck"), "-guard", plan, file).CombinedOutput(); err != nil || !strings.Contains(string(out), "allowed: the plan deletes azurerm_managed_disk.data (delete): moved to a new disk") {
		t.Errorf("the guard with the file: %v\n%s", err, out)
	}
	out, code = e.run("allowed-deletions.sh", "", file)
	if b, _ := os.ReadFile(file); code != 0 || len(b) != 0 || !strings.Contains(out, "None: ") {
		t.Errorf("none: exit %d, file %q\n%s", code, b, out)
	}
	if out, code := e.run("allowed-deletions.sh", "azurerm_managed_disk.data", file); code != 1 || !strings.Contains(out, "'azurerm_managed_disk.data' has no reason") {
		t.Errorf("no reason: exit %d\n%s", code, out)
	}
}

// TestTheAzureLoginActionSetsUpKubelogin runs the token step of
// .github/actions/azure-login as GitHub would: it writes a fresh OIDC token
// with lib.sh (the same function that renews it before every Terraform
// process) and exports the file for kubelogin.
func TestTheAzureLoginActionSetsUpKubelogin(t *testing.T) {
	t.Parallel()
	script := actionScript(t, "azure-login")
	e := newEnv(t, false)
	runner := t.TempDir()
	githubEnv := filepath.Join(t.TempDir(), "env")
	e.extra = []string{"RUNNER_TEMP=" + runner, "GITHUB_ENV=" + githubEnv, "ARM_CLIENT_ID=client", "ARM_TENANT_ID=tenant",
		"ACTIONS_ID_TOKEN_REQUEST_URL=https://token.actions.example/r?x=1", "ACTIONS_ID_TOKEN_REQUEST_TOKEN=t"}
	out, code := e.runIn("..", "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	token, _ := os.ReadFile(filepath.Join(runner, "azure-federated-token"))
	got, _ := os.ReadFile(githubEnv)
	if string(token) != "oidc-1" || !strings.Contains(string(got), "AZURE_FEDERATED_TOKEN_FILE="+filepath.Join(runner, "azure-federated-token")+"\n") || !strings.Contains(string(got), "AZURE_CLIENT_ID=client\n") {
		t.Errorf("token %q, GITHUB_ENV:\n%s", token, got)
	}
}

// TestMakeChecksBeforeTheCdktfCLI: make diff, deploy and destroy run the
// scripts' preflight (scripts/preflight.sh) before anything is built or
// synthesized: a missing Azure CLI, or kubelogin for an in-cluster stack, is
// named at once, not found by the backend after the cdktf CLI synthesized.
func TestMakeChecksBeforeTheCdktfCLI(t *testing.T) {
	t.Parallel()
	makePath, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make is not installed")
	}
	for _, c := range []struct {
		args    []string
		without []string
		want    []string
	}{
		{[]string{"diff", "STACK=dev"}, []string{"az"}, []string{"preflight.sh: 'az' is not installed or not on PATH: Terraform signs in to Azure through it"}},
		{[]string{"diff", "STACK=dev-k8s"}, []string{"az", "kubelogin"}, []string{"'kubelogin' is not installed", "'az' is not installed", "2 problem(s) above"}},
		{[]string{"deploy", "STACK=dev"}, []string{"az"}, []string{"'az' is not installed"}},
		{[]string{"destroy", "STACK=dev-k8s"}, []string{"terraform"}, []string{"'terraform' is not installed"}},
	} {
		e := newEnv(t, true)
		for _, tool := range c.without {
			e.without(tool)
		}
		if err := os.Symlink(makePath, filepath.Join(e.bin, "make")); err != nil {
			t.Fatal(err)
		}
		// The cdktf CLI and bootstrap.sh (make setup), recording that they ran.
		cdktf := filepath.Join(t.TempDir(), "cdktf")
		if err := os.WriteFile(cdktf, []byte("#!/usr/bin/env bash\necho \"cdktf $*\" >> \"$FAKE_LOG\"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		out, code := e.runIn("..", "make", append([]string{"--no-print-directory", "CDKTF=" + cdktf}, c.args...)...)
		if code == 0 {
			t.Errorf("make %v: exit 0\n%s", c.args, out)
		}
		contains(t, out, c.want...)
		if len(e.callsOf("cdktf")) != 0 || strings.Contains(out, "bootstrap") {
			t.Errorf("make %v went on to the bootstrap or the cdktf CLI:\n%s", c.args, out)
		}
		t.Logf("make %v: %s", c.args, time.Since(start).Round(time.Millisecond))
	}
}
