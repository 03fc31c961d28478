// Package scripts tests the shell scripts of this directory with fake
// terraform, az and kubelogin commands that record their arguments.
package scripts

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const fakeTerraform = `#!/usr/bin/env bash
echo "terraform $*" >> "$FAKE_LOG"
for a in "$@"; do case "$a" in -out=*) echo plan > "${a#-out=}" ;; esac; done
case " $* " in
  *" version "*) echo '{"terraform_version": "1.11.4"}' ;;
  *" plan "*) [[ " $* " == *" -detailed-exitcode "* ]] && exit "${FAKE_PLAN_EXIT:-2}" ;;
  *" show -json "*) echo "{\"resource_changes\": [{\"address\": \"azurerm_kubernetes_cluster.aks\", \"change\": {\"actions\": [\"${FAKE_ACTION:-update}\"]}}]}" ;;
  *" show "*) echo "Plan: 1 to add, 0 to change, 0 to destroy." ;;
esac
exit 0
`

// fakeAz answers the read-only calls from $FAKE_AZ_STATE ("exists" or
// "missing") and records every call.
const fakeAz = `#!/usr/bin/env bash
echo "az $*" >> "$FAKE_LOG"
case "$*" in
  "account show --query id -o tsv") echo 00000000-0000-0000-0000-00000000000a ;;
  "account show --query tenantId -o tsv") echo 00000000-0000-0000-0000-00000000000b ;;
  "account show --query name -o tsv") echo "Test subscription" ;;
  "account show --query user.name -o tsv") echo ops@example.com ;;
  "version "*) echo 2.70.0 ;;
  "ad signed-in-user show "*) echo 00000000-0000-0000-0000-00000000000c ;;
  "role assignment list "*) [ "$FAKE_AZ_STATE" = exists ] && echo /assignment ;;
  "storage account show "*"--query id"*) echo /subscriptions/a/resourceGroups/state/providers/Microsoft.Storage/storageAccounts/st ;;
  "group show "*|"storage account show "*|"storage container show "*) [ "$FAKE_AZ_STATE" = exists ] || exit 3 ;;
  "aks show "*) echo "${FAKE_POWER_STATE:-Running}" ;;
esac
exit 0
`

type env struct {
	t      *testing.T
	bin    string
	log    string
	outdir string
	extra  []string
}

// newEnv builds a PATH of symlinks to the real tools the scripts use and
// the fakes, and a synthesized-looking output directory.
func newEnv(t *testing.T, withTerraform bool) *env {
	t.Helper()
	e := &env{t: t, bin: t.TempDir(), log: filepath.Join(t.TempDir(), "calls.log"), outdir: t.TempDir()}
	for _, tool := range []string{"bash", "env", "go", "sed", "grep", "mktemp", "dirname", "basename", "cat", "head", "tr", "rm", "mkdir", "git", "sort", "ls", "node", "npm", "sleep"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		if err := os.Symlink(p, filepath.Join(e.bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	fakes := map[string]string{"az": fakeAz, "kubelogin": "#!/usr/bin/env bash\nexit 0\n"}
	if withTerraform {
		fakes["terraform"] = fakeTerraform
	}
	for name, body := range fakes {
		if err := os.WriteFile(filepath.Join(e.bin, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, st := range []string{"dev", "dev-k8s", "prod", "prod-k8s"} {
		dir := filepath.Join(e.outdir, "stacks", st)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "cdk.tf.json"), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// run runs a script and returns its combined output and exit code.
func (e *env) run(script string, args ...string) (string, int) {
	e.t.Helper()
	cmd := exec.Command("./"+script, args...)
	home, _ := os.UserHomeDir()
	cmd.Env = append([]string{
		"PATH=" + e.bin,
		"HOME=" + home,
		"GOPATH=" + os.Getenv("GOPATH"),
		"GOCACHE=" + goEnv(e.t, "GOCACHE"),
		"GOMODCACHE=" + goEnv(e.t, "GOMODCACHE"),
		"GOFLAGS=" + os.Getenv("GOFLAGS"),
		"GONOSUMDB=github.com/cdktf,github.com/hashicorp/terraform-cdk-go",
		"FAKE_LOG=" + e.log,
		"CDKTF_OUTDIR=" + e.outdir,
		"SKIP_SYNTH=1",
	}, e.extra...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Stdin = strings.NewReader("")
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		e.t.Fatal(err)
	}
	return out.String(), code
}

func goEnv(t *testing.T, name string) string {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// calls returns the recorded commands, with the outdir shortened to OUT.
func (e *env) calls() []string {
	b, err := os.ReadFile(e.log)
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if l != "" {
			out = append(out, strings.ReplaceAll(l, e.outdir, "OUT"))
		}
	}
	return out
}

// terraformCalls keeps the terraform calls, each as "<stack> <command>".
func (e *env) terraformCalls() []string {
	var out []string
	for _, c := range e.calls() {
		f := strings.Fields(c)
		if len(f) < 3 || f[0] != "terraform" {
			continue
		}
		out = append(out, strings.TrimPrefix(f[1], "-chdir=OUT/stacks/")+" "+f[2])
	}
	return out
}

func TestHelp(t *testing.T) {
	e := newEnv(t, true)
	for _, s := range []string{"setup.sh", "preview.sh", "deploy.sh", "destroy.sh", "dev-schedule.sh", "firewall.sh", "bootstrap.sh", "scan.sh", "kube-testenv.sh"} {
		out, code := e.run(s, "--help")
		if code != 0 || !strings.Contains(out, "Usage: scripts/"+s) {
			t.Errorf("%s --help: exit %d\n%s", s, code, out)
		}
	}
}

// kube-testenv.sh refuses a version setup-envtest and the module proxy
// would not understand, before fetching anything.
func TestKubeTestenvVersion(t *testing.T) {
	e := newEnv(t, true)
	out, code := e.run("kube-testenv.sh", "1.35")
	if code != 2 || !strings.Contains(out, "VERSION must look like 1.35.0") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestMissingTerraformIsNamed(t *testing.T) {
	e := newEnv(t, false)
	for _, s := range []string{"deploy.sh", "destroy.sh", "preview.sh"} {
		out, code := e.run(s, "dev")
		if code != 1 || !strings.Contains(out, "'terraform' is not installed or not on PATH") {
			t.Errorf("%s without terraform: exit %d\n%s", s, code, out)
		}
	}
}

func TestDeployOrdersStacks(t *testing.T) {
	e := newEnv(t, true)
	out, code := e.run("deploy.sh", "--yes", "dev")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	want := []string{"dev init", "dev plan", "dev show", "dev apply", "dev-k8s init", "dev-k8s plan", "dev-k8s show", "dev-k8s apply"}
	if got := e.terraformCalls(); !slices.Equal(got, want) {
		t.Errorf("terraform calls %v, want %v", got, want)
	}
	// The applied file is the plan just made.
	for _, c := range e.calls() {
		if strings.Contains(c, " apply ") && !strings.HasSuffix(c, ".tfplan") {
			t.Errorf("apply without the plan file: %s", c)
		}
	}
}

func TestDeployWithoutTerminalOrYesDoesNotApply(t *testing.T) {
	e := newEnv(t, true)
	out, code := e.run("deploy.sh", "dev")
	if code != 1 || !strings.Contains(out, "pass --yes") {
		t.Errorf("exit %d\n%s", code, out)
	}
	if slices.Contains(e.terraformCalls(), "dev apply") {
		t.Error("applied without confirmation")
	}
}

func TestProductionNeedsFlagAndTypedConfirmation(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"prod"}, "pass --production"},
		{[]string{"--production", "prod"}, "type 'prod' to confirm, or pass --confirm prod"},
		{[]string{"--production", "--confirm", "dev", "prod"}, "--confirm 'dev' does not match 'prod'"},
	}
	for _, c := range cases {
		e := newEnv(t, true)
		out, code := e.run("deploy.sh", c.args...)
		if code != 1 || !strings.Contains(out, c.want) {
			t.Errorf("deploy.sh %v: exit %d, want %q\n%s", c.args, code, c.want, out)
		}
		if len(e.terraformCalls()) != 0 {
			t.Errorf("deploy.sh %v ran terraform: %v", c.args, e.terraformCalls())
		}
	}
	e := newEnv(t, true)
	out, code := e.run("deploy.sh", "--production", "--confirm", "prod", "prod")
	if code != 0 {
		t.Fatalf("confirmed production deploy: exit %d\n%s", code, out)
	}
	want := []string{"prod init", "prod plan", "prod show", "prod apply", "prod-k8s init", "prod-k8s plan", "prod-k8s show", "prod-k8s apply"}
	if got := e.terraformCalls(); !slices.Equal(got, want) {
		t.Errorf("terraform calls %v, want %v", got, want)
	}
}

// TestDeployChecksAgainstTheReviewedPlan: a production deploy on another
// runner plans again and applies only a plan with the reviewed changes.
func TestDeployChecksAgainstTheReviewedPlan(t *testing.T) {
	reviewed := t.TempDir()
	plan := `{"resource_changes": [{"address": "azurerm_kubernetes_cluster.aks", "change": {"actions": ["update"]}}]}`
	if err := os.WriteFile(filepath.Join(reviewed, "prod.json"), []byte(plan), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--production", "--confirm", "prod", "--only", "prod", "--check-against", reviewed, "prod"}

	e := newEnv(t, true)
	out, code := e.run("deploy.sh", args...)
	if code != 0 || !strings.Contains(out, "matches the reviewed plan") {
		t.Fatalf("matching plan: exit %d\n%s", code, out)
	}
	if got := e.terraformCalls(); !slices.Equal(got, []string{"prod init", "prod plan", "prod show", "prod show", "prod apply"}) {
		t.Errorf("terraform calls %v", got)
	}

	e = newEnv(t, true)
	e.extra = []string{"FAKE_ACTION=delete"}
	out, code = e.run("deploy.sh", args...)
	if code != 1 || !strings.Contains(out, "azurerm_kubernetes_cluster.aks: delete, reviewed as update") || !strings.Contains(out, "differs from the reviewed one") {
		t.Errorf("differing plan: exit %d\n%s", code, out)
	}
	if slices.Contains(e.terraformCalls(), "prod apply") {
		t.Error("applied a plan that differs from the reviewed one")
	}
}

func TestFirewall(t *testing.T) {
	e := newEnv(t, true)
	e.extra = []string{"FIREWALL_SETTLE_SECONDS=0"}
	out, code := e.run("firewall.sh", "open", "prod", "198.51.100.7")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	want := []string{
		"az keyvault network-rule add --name perpetual-prod-kv --resource-group perpetual-prod-rg --ip-address 198.51.100.7/32 --output none",
		"az storage account network-rule add --account-name stperpetualprod --resource-group perpetual-prod-rg --ip-address 198.51.100.7 --output none",
	}
	if got := e.calls(); !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
	out, code = e.run("firewall.sh", "open", "prod", "198.51.100.0/24")
	if code != 1 || !strings.Contains(out, "is not an IPv4 address") {
		t.Errorf("a CIDR was accepted: exit %d\n%s", code, out)
	}
}

func TestDeployAppliesReviewedPlans(t *testing.T) {
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
	if got := e.terraformCalls(); !slices.Equal(got, []string{"prod init", "prod apply"}) {
		t.Errorf("terraform calls %v: a reviewed plan is applied, not planned again", got)
	}
	if c := e.calls(); !strings.HasSuffix(c[len(c)-1], filepath.Join(plans, "prod.tfplan")) {
		t.Errorf("applied %s", c[len(c)-1])
	}
}

func TestDestroy(t *testing.T) {
	e := newEnv(t, true)
	out, code := e.run("destroy.sh", "prod")
	if code != 1 || !strings.Contains(out, "prevent_destroy") || !strings.Contains(out, "type 'prod' to confirm") {
		t.Errorf("unconfirmed production destroy: exit %d\n%s", code, out)
	}
	if len(e.terraformCalls()) != 0 {
		t.Errorf("ran terraform: %v", e.terraformCalls())
	}
	out, code = e.run("destroy.sh", "--confirm", "prod", "prod")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	want := []string{"prod-k8s init", "prod-k8s destroy", "prod init", "prod destroy"}
	if got := e.terraformCalls(); !slices.Equal(got, want) {
		t.Errorf("terraform calls %v, want %v (in-cluster stack first)", got, want)
	}
}

func TestPreview(t *testing.T) {
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
	}
	s, _ := os.ReadFile(summary)
	for _, want := range []string{"### prod\n", "### prod-k8s\n", "Plan: 1 to add", "without refresh"} {
		if !strings.Contains(string(s), want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	for _, c := range e.calls() {
		if strings.Contains(c, " plan ") && (!strings.Contains(c, "-refresh=false") || !strings.Contains(c, "-lock=false")) {
			t.Errorf("--no-refresh or --no-lock not passed: %s", c)
		}
	}
}

func TestSetupIsIdempotent(t *testing.T) {
	e := newEnv(t, true)
	e.extra = []string{"FAKE_AZ_STATE=exists"}
	out, code := e.run("setup.sh", "--repo", "octo/perpetual", "prod")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, c := range e.calls() {
		if strings.Contains(c, " create ") || strings.Contains(c, " update ") {
			t.Errorf("changed existing state storage: %s", c)
		}
	}
	for _, want := range []string{"repo:octo/perpetual:environment:$env", "repo:octo/perpetual:pull_request", "production-plan production", "gh secret set AZURE_PLAN_CLIENT_ID"} {
		if !strings.Contains(out, want) {
			t.Errorf("setup output lacks %q", want)
		}
	}

	e = newEnv(t, true)
	e.extra = []string{"FAKE_AZ_STATE=missing"}
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
	want := []string{"az group create", "az storage account", "az role assignment", "az storage container"}
	if !slices.Equal(creates, want) {
		t.Errorf("creates %v, want %v", creates, want)
	}
	for _, c := range e.calls() {
		if strings.HasPrefix(c, "az storage account create") && !strings.Contains(c, "--allow-shared-key-access false") {
			t.Errorf("state account allows shared keys: %s", c)
		}
	}
}

func TestDevSchedule(t *testing.T) {
	cases := []struct {
		schedule, power string
		want            string // the az aks call, or "" for none
	}{
		{"0 19 * * 1-5", "Running", "az aks stop --resource-group perpetual-dev-rg --name perpetual-dev-aks --no-wait"},
		{"30 6 * * 1-5", "Stopped", "az aks start --resource-group perpetual-dev-rg --name perpetual-dev-aks --no-wait"},
		{"0 19 * * 1-5", "Stopped", ""},
	}
	for _, c := range cases {
		e := newEnv(t, true)
		e.extra = []string{"SCHEDULE=" + c.schedule, "FAKE_POWER_STATE=" + c.power}
		out, code := e.run("dev-schedule.sh", "auto", "dev")
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", c.schedule, code, out)
		}
		var got string
		for _, call := range e.calls() {
			if strings.HasPrefix(call, "az aks start") || strings.HasPrefix(call, "az aks stop") {
				got = call
			}
		}
		if got != c.want {
			t.Errorf("%s with the cluster %s: %q, want %q", c.schedule, c.power, got, c.want)
		}
	}
	e := newEnv(t, true)
	out, code := e.run("dev-schedule.sh", "stop", "prod")
	if code != 1 || !strings.Contains(out, "never stopped on a schedule") {
		t.Errorf("stopping production: exit %d\n%s", code, out)
	}
}

// TestBootstrapNeedsNode: without Node.js, setup stops with a clear message.
func TestBootstrapNeedsNode(t *testing.T) {
	bin := t.TempDir()
	for _, tool := range []string{"bash", "env", "dirname", "cat", "sha256sum", "cut"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		if err := os.Symlink(p, filepath.Join(bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("./bootstrap.sh")
	cmd.Env = []string{"PATH=" + bin}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "'node' is not installed or not on PATH. Install Node.js 20 or newer") {
		t.Errorf("bootstrap.sh without node: %v\n%s", err, out)
	}
}
