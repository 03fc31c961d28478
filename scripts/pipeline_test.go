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
// the cdktf CLI, without the scripts' guards.
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
	for _, args := range [][]string{{"deploy", "STACK=prod"}, {"deploy", "STACK=prod-k8s"}, {"destroy", "STACK=prod"}, {"destroy", "STACK=prod-k8s"}} {
		out, code := make(args...)
		if code == 0 || !strings.Contains(out, "is a stack of the production environment prod: make "+args[0]+" refuses it") || !strings.Contains(out, "scripts/"+args[0]+".sh --production prod") {
			t.Errorf("make %v: exit %d\n%s", args, code, out)
		}
	}
	if len(e.calls()) != 0 {
		t.Errorf("the cdktf CLI ran: %v", e.calls())
	}
	if out, code := make("deploy", "STACK=dev-k8s"); code != 0 || !slices.Contains(e.calls(), "cdktf deploy dev-k8s") {
		t.Errorf("make deploy STACK=dev-k8s: exit %d, calls %v\n%s", code, e.calls(), out)
	}
}

// job is one job of a workflow file, as text.
type job struct{ workflow, name, text string }

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
	return heads, jobs
}

// TestWorkflowsGiveCredentialsOnlyInProtectedEnvironments: pull requests
// (forks included) reach no Azure identity and no secret; only jobs in an
// environment (which admits main only) may ask for an OIDC token.
func TestWorkflowsGiveCredentialsOnlyInProtectedEnvironments(t *testing.T) {
	heads, jobs := workflowJobs(t)
	protected := map[string]bool{"dev": true, "production-plan": true, "production": true}
	for _, j := range jobs {
		text := heads[j.workflow] + j.text
		if strings.Contains(j.text, "id-token: write") {
			env := ""
			if m := regexp.MustCompile(`(?m)^    environment:[ \t]*(\S*)[ \t]*\n(?:      name: (\S+))?`).FindStringSubmatch(j.text); m != nil {
				env = m[1] + m[2]
			}
			if !protected[env] {
				t.Errorf("%s/%s asks for an OIDC token outside a protected environment (%q)", j.workflow, j.name, env)
			}
		}
		if strings.Contains(heads[j.workflow], "pull_request") {
			for _, bad := range []string{"id-token: write", "secrets.", "vars.AZURE_CLIENT_ID", "azure-login", "Azure/login", "pull_request_target"} {
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
		// Every job that opens a firewall closes it, always, after logging in again.
		if strings.Contains(j.text, "firewall.sh open") {
			closeStep := regexp.MustCompile(`(?s)- name: Log in to Azure again to close the firewalls\n\s*if: always\(\)[^\n]*\n\s*uses: ./.github/actions/azure-login\n\s*- name: Close[^\n]*\n\s*if: always\(\)[^\n]*\n\s*run: scripts/firewall.sh close`)
			if !closeStep.MatchString(j.text) {
				t.Errorf("%s/%s opens a firewall without an always() re-login and close", j.workflow, j.name)
			}
		}
		// A fresh login right before every step that runs Terraform on a
		// -k8s stack (kubelogin needs a new token for the AKS API).
		steps := strings.Split(j.text, "\n      - ")
		for i, step := range steps {
			name := strings.SplitN(step, "\n", 2)[0]
			if strings.Contains(name, "-k8s") && strings.Contains(step, "scripts/") && strings.Contains(step, "TF_VAR_") {
				if i == 0 || !strings.Contains(steps[i-1], "uses: ./.github/actions/azure-login") {
					t.Errorf("%s/%s: %q does not follow a fresh Azure login", j.workflow, j.name, name)
				}
			}
		}
	}
	if !strings.Contains(heads["infra.yml"], "workflow_dispatch") || strings.Contains(heads["infra.yml"], "pull_request") {
		t.Error("infra.yml: deploys on main and on dispatch only")
	}
}

// TestWorkflowConcurrency: scheduled work never shares a concurrency group
// with the deployments (a queued job cancels the one pending in its
// group); the deploying jobs serialize per state.
func TestWorkflowConcurrency(t *testing.T) {
	heads, jobs := workflowJobs(t)
	group := regexp.MustCompile(`group: (\S+)`)
	deployGroups := map[string]bool{}
	for _, j := range jobs {
		if j.workflow == "infra.yml" && j.name != "resolve" {
			m := group.FindStringSubmatch(j.text)
			if m == nil {
				t.Errorf("infra.yml/%s has no concurrency group", j.name)
				continue
			}
			deployGroups[m[1]] = true
		}
	}
	if len(deployGroups) != 2 {
		t.Errorf("deploy groups %v, want one per state (tfstate-dev, tfstate-prod)", deployGroups)
	}
	for name, head := range heads {
		if name == "infra.yml" {
			continue
		}
		for _, m := range group.FindAllStringSubmatch(head, -1) {
			if deployGroups[m[1]] {
				t.Errorf("%s shares the deployments' group %s", name, m[1])
			}
		}
	}
	for _, j := range jobs {
		if j.workflow != "infra.yml" {
			for _, m := range group.FindAllStringSubmatch(j.text, -1) {
				if deployGroups[m[1]] {
					t.Errorf("%s/%s shares the deployments' group %s", j.workflow, j.name, m[1])
				}
			}
		}
	}
	for _, f := range []string{"infra.yml"} {
		if !strings.Contains(heads[f], "      - Makefile\n") {
			t.Errorf("%s: the Makefile is not in the path filters", f)
		}
	}
}
