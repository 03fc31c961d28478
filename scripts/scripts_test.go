// Package scripts tests the shell scripts of this directory with fake
// terraform, az, kubelogin and gh commands that record their arguments.
// Every guard and every step of the scripts has a test here that fails when
// the guard or the step is removed.
package scripts

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/my-mimisbrunnr/perpetual-infra/tools/testinputs"
)

// fakeTerraform records its calls, and before each, when
// AZURE_FEDERATED_TOKEN_FILE is set, the token in that file ("token T for
// ARGS"). Per stack (the -chdir directory's name, with - as _ in variable
// names), FAKE_PLAN_EXIT_<stack> (default FAKE_PLAN_EXIT, default 2) is
// plan's exit status, FAKE_INIT_EXIT_<stack> init's and
// FAKE_APPLY_EXIT_<stack> apply's, FAKE_IMPORT_EXIT_<stack> import's;
// FAKE_STATE_<stack> is what state list
// prints (default one resource); show -json prints a plan (format 1.2)
// whose cluster change has the actions FAKE_ACTION[_<stack>] (a JSON
// string's content: 'delete", "create' for a replacement) and the
// sku_tier FAKE_SKU[_<stack>] (FAKE_RETRY_SKU for plans made on a retry),
// and a Key Vault secret with a sensitive value. apply copies the files
// next to the applied plan into $FAKE_AZ_DIR/workdir; its first
// FAKE_APPLY_FAILURES calls per stack fail with FAKE_APPLY_ERROR.
// version -json says 1.11.4; with FAKE_TF_OLD=VERSION, a Terraform from
// before -json, it fails and version prints "Terraform vVERSION".
const fakeTerraform = `#!/usr/bin/env bash
if [ -n "${AZURE_FEDERATED_TOKEN_FILE:-}" ]; then
  token=""; IFS= read -r token 2>/dev/null <"$AZURE_FEDERATED_TOKEN_FILE"
  echo "token $token for $*" >> "$FAKE_LOG"
fi
echo "terraform $*" >> "$FAKE_LOG"
stack=""
for a in "$@"; do case "$a" in -chdir=*) stack=${a#-chdir=}; stack=${stack##*/} ;; esac; done
# val NAME DEFAULT: set v to $NAME_<stack>, else $NAME, else DEFAULT (a
# variable, not $(val ...): a subshell each time costs).
val() { v="$1_${stack//-/_}"; if [ -n "${!v+x}" ]; then v=${!v}; else v=$1; v=${!v-$2}; fi; }
for a in "$@"; do case "$a" in -out=*) echo plan > "${a#-out=}" ;; esac; done
case " $* " in
  *" version -json "*) [ -z "${FAKE_TF_OLD:-}" ] || exit 1; echo '{"terraform_version": "1.11.4"}' ;;
  *" version "*) echo "Terraform v${FAKE_TF_OLD:-1.11.4}" ;;
  *" init "*) val FAKE_INIT_EXIT 0; exit "$v" ;;
  *" import "*) val FAKE_IMPORT_EXIT 0; exit "$v" ;;
  *" state list "*) val FAKE_STATE azurerm_resource_group.rg; printf '%s' "$v" ;;
  *" plan "*)
    val FAKE_PLAN_EXIT 2; code=$v
    [ "$code" != 1 ] || { echo "Error: Instance cannot be destroyed (lifecycle.prevent_destroy)" >&2; exit 1; }
    [[ " $* " == *" -detailed-exitcode "* ]] && exit "$code" ;;
  *" show -json "*)
    val FAKE_SKU Free; sku=$v
    [[ " $* " != *retry* ]] || { val FAKE_RETRY_SKU "$sku"; sku=$v; }
    val FAKE_ACTION update
    echo "{\"format_version\": \"1.2\", \"variables\": {\"deployer_ips\": {\"value\": [\"198.51.100.7\"]}, \"github_token\": {\"value\": \"SENTINEL-SECRET-VALUE\"}},
      \"resource_changes\": [
        {\"address\": \"azurerm_kubernetes_cluster.aks\", \"type\": \"azurerm_kubernetes_cluster\", \"change\": {\"actions\": [\"$v\"],
          \"before\": {\"sku_tier\": \"Free\"}, \"after\": {\"sku_tier\": \"$sku\"}, \"after_unknown\": {}, \"after_sensitive\": {}}},
        {\"address\": \"azurerm_key_vault_secret.token\", \"type\": \"azurerm_key_vault_secret\", \"change\": {\"actions\": [\"no-op\"],
          \"before\": {\"value\": \"SENTINEL-SECRET-VALUE\"}, \"after\": {\"value\": \"SENTINEL-SECRET-VALUE\"}, \"after_unknown\": {}, \"after_sensitive\": {\"value\": true}}}]}" ;;
  *" show "*) echo "Plan: 1 to add, 0 to change, 0 to destroy." ;;
  *" apply "*)
    # Keep a copy of what the script wrote next to the plan it applies.
    plan=${!#}; [[ "$plan" == */* ]] && plandir=${plan%/*} || plandir=.
    { [ -d "$FAKE_AZ_DIR/workdir" ] || mkdir -p "$FAKE_AZ_DIR/workdir"; } && cp "$plandir"/* "$FAKE_AZ_DIR/workdir/" 2>/dev/null
    n=0; [ ! -f "$FAKE_AZ_DIR/applies-$stack" ] || read -r n <"$FAKE_AZ_DIR/applies-$stack"
    echo $((n + 1)) >"$FAKE_AZ_DIR/applies-$stack"
    val FAKE_APPLY_FAILURES 0
    if [ "$n" -lt "$v" ]; then val FAKE_APPLY_ERROR 'Error: failed'; echo "$v" >&2; exit 1; fi
    val FAKE_APPLY_EXIT 0; exit "$v" ;;
esac
exit 0
`

// fakeAz records every call and keeps the Key Vault firewall's address
// rules and the cluster's power state in files of $FAKE_AZ_DIR (kv,
// power).
// FAKE_AZ_FAIL: |-separated substrings; a call containing one fails.
// FAKE_AZ_FLAKY: a substring; the first FAKE_AZ_FLAKY_TIMES
// (default 2) calls containing it fail (a role assignment not applied yet).
// FAKE_AKS_ERROR: az aks show fails with this message, from its
// FAKE_AKS_ERROR_FROM-th call (default the first). FAKE_AKS_STUCK: start
// and stop leave the power state as it was. FAKE_AZ_STATE: exists|missing,
// for setup.sh's state storage; FAKE_STATE_PROTECTION: what the state
// account's blob service says of versioning, blob and container soft
// delete (default "true true true" when it exists). FAKE_PROVIDER_STATE:
// registration state. The Key Vault: FAKE_KV=missing, it does not exist;
// FAKE_KV_CLIENT=ADDRESS, its firewall refuses this machine, which has
// that address; its firewall's address rules are the file kv.
const fakeAz = `#!/bin/sh
printf '%s\n' "az $*" >> "$FAKE_LOG"
d=$FAKE_AZ_DIR
if [ -n "${FAKE_AZ_FAIL:-}" ]; then
  rest=$FAKE_AZ_FAIL
  while [ -n "$rest" ]; do
    p=${rest%%|*}
    case "$*" in *"$p"*) printf 'ERROR: (AuthorizationFailed) fake failure of: %s\n' "$p" >&2; exit 1 ;; esac
    case "$rest" in *"|"*) rest=${rest#*|} ;; *) rest="" ;; esac
  done
fi
if [ -n "${FAKE_AZ_FLAKY:-}" ]; then
  case "$*" in *"$FAKE_AZ_FLAKY"*)
    n=0; [ ! -f "$d/flaky" ] || read -r n <"$d/flaky"
    if [ "$n" -lt "${FAKE_AZ_FLAKY_TIMES:-2}" ]; then
      echo $((n + 1)) >"$d/flaky"
      echo "ERROR: (AuthorizationPermissionMismatch) not yet" >&2
      exit 1
    fi ;;
  esac
fi
case "$*" in
  "account show --query id -o tsv") echo 00000000-0000-0000-0000-00000000000a ;;
  "account show --query tenantId -o tsv") echo 00000000-0000-0000-0000-00000000000b ;;
  "account show --query name -o tsv") echo "Test subscription" ;;
  "account show --query user.name -o tsv") echo ops@example.com ;;
  "version "*) echo 2.70.0 ;;
  "provider show "*) printf '%s\n' "${FAKE_PROVIDER_STATE:-Registered}" ;;
  "ad signed-in-user show "*) echo 00000000-0000-0000-0000-00000000000c ;;
  "ad app list "*|"ad sp list "*) ;;
  "ad app create "*) echo 11111111-1111-1111-1111-111111111111 ;;
  "ad sp create "*) echo 22222222-2222-2222-2222-222222222222 ;;
  "role assignment list "*) [ "$FAKE_AZ_STATE" = exists ] && echo /assignment ;;
  "storage account show "*"--query id"*) echo /subscriptions/a/resourceGroups/state/providers/Microsoft.Storage/storageAccounts/st ;;
  "group show "*|"storage account show "*|"storage container show "*) [ "$FAKE_AZ_STATE" = exists ] || exit 3 ;;
  "keyvault show "*)
    [ "${FAKE_KV:-}" != missing ] || { echo "ERROR: (ResourceNotFound) The Resource 'Microsoft.KeyVault/vaults/x' under resource group 'rg' was not found." >&2; exit 3; }
    echo /subscriptions/a/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/x ;;
  "keyvault secret list "*)
    if [ -n "${FAKE_KV_CLIENT:-}" ]; then
      printf 'ERROR: (Forbidden) Client address is not authorized and caller is not a trusted service.\nClient address: %s\nCaller: appid=1;oid=2\nVault: x;location=eastus\nCode: Forbidden\nInner error: {"code": "ForbiddenByFirewall"}\n' "$FAKE_KV_CLIENT" >&2
      exit 1
    fi ;;
  "storage account blob-service-properties show "*)
    [ "$FAKE_AZ_STATE" = exists ] || exit 3
    printf '%s\n' ${FAKE_STATE_PROTECTION:-true true true} ;;
  "keyvault network-rule list "*) cat "$d/kv" 2>/dev/null ;;
  "aks show "*)
    n=0; [ ! -f "$d/shows" ] || read -r n <"$d/shows"; n=$((n + 1))
    echo "$n" >"$d/shows"
    if [ -n "${FAKE_AKS_ERROR:-}" ] && [ "$n" -ge "${FAKE_AKS_ERROR_FROM:-1}" ]; then printf 'ERROR: %s\n' "$FAKE_AKS_ERROR" >&2; exit 1; fi
    power=${FAKE_POWER_STATE:-Running}; [ ! -f "$d/power" ] || read -r power <"$d/power"; printf '%s\n' "$power" ;;
  "aks start "*) [ -n "${FAKE_AKS_STUCK:-}" ] || echo Running >"$d/power" ;;
  "aks stop "*) [ -n "${FAKE_AKS_STUCK:-}" ] || echo Stopped >"$d/power" ;;
esac
exit 0
`

// fakeGh records its calls; "run list" prints the run IDs listed, one call
// after another, in the lines of $FAKE_AZ_DIR/runs (a line per call,
// space-separated IDs; the last line repeats). FAKE_GH_FAIL makes every
// call fail.
const fakeGh = `#!/bin/sh
printf '%s\n' "gh $*" >> "$FAKE_LOG"
[ -z "${FAKE_GH_FAIL:-}" ] || { echo "HTTP 401: Bad credentials" >&2; exit 1; }
case "$*" in
  "run list "*)
    n=0; [ ! -f "$FAKE_AZ_DIR/gh-calls" ] || read -r n <"$FAKE_AZ_DIR/gh-calls"
    echo $((n + 1)) >"$FAKE_AZ_DIR/gh-calls"
    # Line n+1 of runs, or its last line when that one is missing or empty.
    line=""; last=""; i=0
    if [ -f "$FAKE_AZ_DIR/runs" ]; then
      while IFS= read -r l || [ -n "$l" ]; do
        i=$((i + 1)); last=$l
        [ "$i" -ne $((n + 1)) ] || line=$l
      done <"$FAKE_AZ_DIR/runs"
    fi
    [ -n "$line" ] || line=$last
    for id in $line; do [ "$id" = - ] || printf '%s\n' "$id"; done ;;
  "api users/"*) echo 4242 ;;
esac
exit 0
`

// fakeCurl answers GitHub's OIDC token request of
// ACTIONS_ID_TOKEN_REQUEST_URL: a new token each call (oidc-1, oidc-2,
// ...), recorded; FAKE_CURL_FAIL makes it fail.
const fakeCurl = `#!/bin/sh
printf '%s\n' "curl $*" >> "$FAKE_LOG"
[ -z "${FAKE_CURL_FAIL:-}" ] || { echo "curl: (22) The requested URL returned error: 403" >&2; exit 22; }
n=0; [ ! -f "$FAKE_AZ_DIR/oidc" ] || read -r n <"$FAKE_AZ_DIR/oidc"; n=$((n + 1))
echo "$n" >"$FAKE_AZ_DIR/oidc"
printf '{"count": 1, "value": "oidc-%s"}' "$n"
`

// cmdBin holds the commands of cmd/ that the scripts and the Makefile run
// (cmd/envinfo, cmd/plancheck), built once for the whole package by
// TestMain: the scripts and make run them from CMD_BIN instead of
// compiling them with go run on every call. Under make test it is
// $TEST_BIN/cmd, beside the kept test binaries (scripts/test.sh), where go
// build links them again only when they changed; elsewhere a temporary
// directory.
var cmdBin string

// goCache and goModCache are the go command's caches, which the scripts'
// environment keeps (go env GOCACHE, GOMODCACHE, read once by TestMain);
// bashPath is bash's, the fakes' interpreter; shPath, the POSIX ones'
// (dash, else bash).
var goCache, goModCache, bashPath, shPath string

// The tests only run shell scripts, make and the commands of cmdBin, each
// with an environment of its own (newEnv): they run in parallel
// (t.Parallel), which is most of what makes this package fast.
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "go env:", err)
		return 1
	}
	if f := strings.Fields(string(out)); len(f) == 2 {
		goCache, goModCache = f[0], f[1]
	}
	if bashPath, err = exec.LookPath("bash"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if shPath, err = exec.LookPath("dash"); err != nil {
		shPath = bashPath
	}
	if kept := os.Getenv("TEST_BIN"); filepath.IsAbs(kept) {
		cmdBin = filepath.Join(kept, "cmd")
	} else {
		if cmdBin, err = os.MkdirTemp("", "scripts-cmd-"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer func() { _ = os.RemoveAll(cmdBin) }()
	}
	build := exec.Command("go", "build", "-o", cmdBin+string(filepath.Separator), "../cmd/envinfo", "../cmd/plancheck")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the commands the scripts run:", err)
		return 1
	}
	return m.Run()
}

// command is exec.Command for the tests, which start every program
// through it or newEnv: both declare the package's inputs first.
func command(t *testing.T, name string, args ...string) *exec.Cmd {
	t.Helper()
	declared(t)
	return exec.Command(name, args...)
}

// declared declares the package's inputs (inputs), or fails the test.
func declared(t *testing.T) {
	t.Helper()
	if err := inputs(); err != nil {
		t.Fatal(err)
	}
}

// inputs declares, once, to go test's result cache what the scripts, make
// and the commands of cmdBin read (testinputs): the environment, the
// scripts, workflows and configurations, the files of the top directory
// they use, and the sources of the commands, whose binaries TestMain
// builds whether or not go test then reuses a result.
var inputs = sync.OnceValue(func() error {
	testinputs.Env()
	testinputs.Paths("../Makefile", "../go.mod", "../go.sum", "../package.json", "../package-lock.json", "../.gitignore", "../cdktf.json", "../help")
	testinputs.Trees(".", "../.github", "../.ci", "../config", "../testdata", "../stacks/testdata", "../bindings")
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.Dir}}{{end}}", "../cmd/envinfo", "../cmd/plancheck").Output()
	if err != nil {
		return fmt.Errorf("go list: %w", err)
	}
	testinputs.Paths(strings.Fields(string(out))...)
	return nil
})

// tools are the real commands the scripts may use.
var tools = []string{"bash", "env", "go", "sed", "grep", "awk", "mktemp", "dirname", "basename", "cat", "head", "tail", "tr", "rm", "mv", "mkdir", "git", "sort", "ls", "node", "npm", "seq", "cut", "sha256sum", "wc", "chmod", "cp", "tee"}

type env struct {
	t      *testing.T
	bin    string
	log    string
	outdir string
	state  string // $FAKE_AZ_DIR
	extra  []string
}

// newEnv builds a PATH of symlinks to the real tools the scripts use and
// the fakes, and a synthesized-looking output directory.
func newEnv(t *testing.T, withTerraform bool) *env {
	t.Helper()
	declared(t)
	e := &env{t: t, bin: t.TempDir(), log: filepath.Join(t.TempDir(), "calls.log"), outdir: t.TempDir(), state: t.TempDir()}
	for _, tool := range tools {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		if err := os.Symlink(p, filepath.Join(e.bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	fakes := map[string]string{
		"az": fakeAz, "gh": fakeGh, "curl": fakeCurl, "kubelogin": "#!/bin/sh\nexit 0\n",
		// Waits are recorded, not waited.
		"sleep": "#!/bin/sh\nprintf '%s\\n' \"sleep $*\" >> \"$FAKE_LOG\"\n",
	}
	if withTerraform {
		fakes["terraform"] = fakeTerraform
	}
	for name, body := range fakes {
		// bash itself as the interpreter, not env: the fakes run
		// thousands of times a test run, and every process counts. The
		// POSIX ones (#!/bin/sh) run with dash where there is one, which
		// starts in half the time.
		body = strings.Replace(body, "#!/usr/bin/env bash\n", "#!"+bashPath+"\n", 1)
		body = strings.Replace(body, "#!/bin/sh\n", "#!"+shPath+"\n", 1)
		if err := os.WriteFile(filepath.Join(e.bin, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, st := range []string{"dev", "dev-k8s", "prod", "prod-k8s"} {
		e.stack(st, st)
	}
	return e
}

// stack writes a synthesized-looking stack into the output directory: the
// golden snapshot of the stack like (stacks/testdata/<like>.tf.json), whose
// variables the scripts check before planning.
func (e *env) stack(name, like string) {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "stacks", "testdata", like+".tf.json"))
	if err != nil {
		e.t.Fatal(err)
	}
	dir := filepath.Join(e.outdir, "stacks", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cdk.tf.json"), b, 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// without removes a tool from the PATH.
func (e *env) without(tool string) {
	e.t.Helper()
	if err := os.Remove(filepath.Join(e.bin, tool)); err != nil {
		e.t.Fatal(err)
	}
}

// seed writes a fake az or gh state file (kv, power, runs).
func (e *env) seed(name, content string) {
	e.t.Helper()
	if err := os.WriteFile(filepath.Join(e.state, name), []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// run runs a script and returns its combined output and exit code.
func (e *env) run(script string, args ...string) (string, int) {
	e.t.Helper()
	return e.runIn(".", "./"+script, args...)
}

// runIn runs a command in dir with the test's PATH and environment.
func (e *env) runIn(dir, name string, args ...string) (string, int) {
	e.t.Helper()
	cmd := command(e.t, name, args...)
	cmd.Dir = dir
	home, _ := os.UserHomeDir()
	cmd.Env = append([]string{
		"PATH=" + e.bin,
		"HOME=" + home,
		"GOPATH=" + os.Getenv("GOPATH"),
		"GOCACHE=" + goCache,
		"GOMODCACHE=" + goModCache,
		"GOFLAGS=" + os.Getenv("GOFLAGS"),
		// The scripts' temporary files (mktemp) go into the test run's
		// $TMPDIR, which make test requires to be left empty.
		"TMPDIR=" + os.TempDir(),
		"GONOSUMDB=github.com/cdktf,github.com/hashicorp/terraform-cdk-go",
		"FAKE_LOG=" + e.log,
		"FAKE_AZ_DIR=" + e.state,
		// The commands of cmd/ the scripts run, built once (TestMain).
		"CMD_BIN=" + cmdBin,
		"CDKTF_OUTDIR=" + e.outdir,
		// The fixture environments, not the user's config/.
		"CONFIG_DIR=testdata/config",
		"SKIP_SYNTH=1",
		// What every stack needs: a test that checks a missing one sets
		// it empty in e.extra (the last value of a name counts).
		"TF_VAR_github_token=test-token",
		"TF_VAR_github_username=test-user",
		"TF_VAR_ipfs_private_key=test-key",
		`TF_VAR_deployer_ips=["198.51.100.7"]`,
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

// callsOf returns the recorded calls of one command (az, gh, terraform).
func (e *env) callsOf(command string) []string {
	var out []string
	for _, c := range e.calls() {
		if strings.HasPrefix(c, command+" ") {
			out = append(out, c)
		}
	}
	return out
}

// terraformCalls keeps the terraform calls, each as "<stack> <command>"
// ("prod plan", "prod plan -destroy" for a destroy plan).
func (e *env) terraformCalls() []string {
	var out []string
	for _, c := range e.calls() {
		f := strings.Fields(c)
		if len(f) < 3 || f[0] != "terraform" {
			continue
		}
		call := strings.TrimPrefix(f[1], "-chdir=OUT/stacks/") + " " + f[2]
		if len(f) > 3 && f[2] == "plan" && f[3] == "-destroy" {
			call += " -destroy"
		}
		if len(f) > 3 && f[2] == "state" {
			call += " " + f[3]
		}
		if f[2] == "import" {
			call += " " + strings.Join(f[len(f)-2:], " ")
		}
		out = append(out, call)
	}
	return out
}

func contains(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	for _, s := range []string{"setup.sh", "preview.sh", "deploy.sh", "destroy.sh", "dev-schedule.sh", "bootstrap.sh", "scan.sh", "check-ref.sh", "wait-idle.sh", "drift.sh", "environments.sh", "kube-testenv.sh", "preflight.sh", "allowed-deletions.sh", "test.sh"} {
		out, code := e.run(s, "--help")
		if code != 0 || !strings.Contains(out, "Usage: scripts/"+s) {
			t.Errorf("%s --help: exit %d\n%s", s, code, out)
		}
	}
}

// kube-testenv.sh refuses a version setup-envtest and the module proxy
// would not understand, before fetching anything.
func TestKubeTestenvVersion(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	out, code := e.run("kube-testenv.sh", "1.35")
	if code != 2 || !strings.Contains(out, "VERSION must look like 1.35.0") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestMissingTerraformIsNamed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	for _, s := range []string{"deploy.sh", "destroy.sh", "preview.sh", "drift.sh"} {
		out, code := e.run(s, "dev")
		if code != 1 || !strings.Contains(out, "'terraform' is not installed or not on PATH") {
			t.Errorf("%s without terraform: exit %d\n%s", s, code, out)
		}
	}
	// TERRAFORM names the binary the scripts run (OpenTofu's tofu): that
	// one must be there, whatever terraform there is.
	e = newEnv(t, true)
	e.extra = []string{"TERRAFORM=tofu"}
	for _, s := range []string{"setup.sh", "deploy.sh"} {
		out, code := e.run(s, "dev")
		if code != 1 || !strings.Contains(out, "'tofu' is not installed or not on PATH. Install Terraform 1.11 or newer") {
			t.Errorf("%s with TERRAFORM=tofu, which is missing: exit %d\n%s", s, code, out)
		}
	}
}

// TestBootstrapNeedsNode22: without Node.js, or with one older than 22,
// setup stops with a clear message that says how to get one.
func TestBootstrapNeedsNode22(t *testing.T) {
	t.Parallel()
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
	bootstrap := func() (string, int) {
		cmd := command(t, "./bootstrap.sh")
		cmd.Env = []string{"PATH=" + bin}
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		return string(out), cmd.ProcessState.ExitCode()
	}
	if out, code := bootstrap(); code != 1 || !strings.Contains(out, "'node' is not installed or not on PATH. Install Node.js 22 or newer") || !strings.Contains(out, "scripts/node.sh") {
		t.Errorf("bootstrap.sh without node: exit %d\n%s", code, out)
	}
	for _, tool := range []string{"node", "npm"} {
		fake := "#!/bin/bash\n[ \"$1\" = -p ] && echo 20 || echo v20.20.2\n"
		if err := os.WriteFile(filepath.Join(bin, tool), []byte(fake), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if out, code := bootstrap(); code != 1 || !strings.Contains(out, "Node.js v20.20.2 is too old: the tooling needs Node.js 22 or newer") {
		t.Errorf("bootstrap.sh with Node.js 20: exit %d\n%s", code, out)
	}
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s\n got %q\nwant %q", what, got, want)
	}
}
