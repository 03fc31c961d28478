package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const (
	kvAdd    = "az keyvault network-rule add --name perpetual-prod-kv --resource-group perpetual-prod-rg --ip-address 198.51.100.7/32 --output none"
	stAdd    = "az storage account network-rule add --account-name stperpetualprod --resource-group perpetual-prod-rg --ip-address 198.51.100.7 --output none"
	kvRemove = "az keyvault network-rule remove --name perpetual-prod-kv --resource-group perpetual-prod-rg --ip-address 198.51.100.7/32 --output none"
	stRemove = "az storage account network-rule remove --account-name stperpetualprod --resource-group perpetual-prod-rg --ip-address 198.51.100.7 --output none"
)

// changes keeps the az calls that change a firewall.
func changes(e *env) []string {
	var out []string
	for _, c := range e.callsOf("az") {
		if strings.Contains(c, "network-rule add") || strings.Contains(c, "network-rule remove") {
			out = append(out, c)
		}
	}
	return out
}

func TestFirewallOpen(t *testing.T) {
	e := newEnv(t, true)
	out, code := e.run("firewall.sh", "open", "prod", "198.51.100.7")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	equal(t, "changes", changes(e), []string{kvAdd, stAdd})
	// The rules take seconds to apply: it waits before Terraform runs.
	if c := e.calls(); c[len(c)-1] != "sleep 20" {
		t.Errorf("no wait for the rules to apply: %q", c)
	}
	if e.stateFile("kv") != "198.51.100.7/32\n" || e.stateFile("storage") != "198.51.100.7\n" {
		t.Errorf("firewalls: kv %q, storage %q", e.stateFile("kv"), e.stateFile("storage"))
	}
	out, code = e.run("firewall.sh", "open", "prod", "198.51.100.0/24")
	if code != 1 || !strings.Contains(out, "is not an IPv4 address") {
		t.Errorf("a CIDR was accepted: exit %d\n%s", code, out)
	}
	// Firewalls that allow by default (the dev fixture): nothing to open or
	// close, no call to Azure.
	e = newEnv(t, true)
	for _, action := range []string{"open", "close"} {
		out, code := e.run("firewall.sh", action, "dev", "198.51.100.7")
		if code != 0 || !strings.Contains(out, "firewalls of dev allow by default; nothing to "+action) || len(e.callsOf("az")) != 0 {
			t.Errorf("%s dev: exit %d, az %v\n%s", action, code, e.callsOf("az"), out)
		}
	}
	// An address that Azure did not take is an error, not an open firewall.
	for _, bad := range []string{"FAKE_AZ_FAIL=storage account network-rule add", "FAKE_AZ_DROP=storage", "FAKE_AZ_DROP=kv"} {
		e = newEnv(t, true)
		e.extra = []string{"FIREWALL_SETTLE_SECONDS=0", bad}
		if out, code := e.run("firewall.sh", "open", "prod", "198.51.100.7"); code != 1 {
			t.Errorf("%s: exit %d\n%s", bad, code, out)
		}
	}
}

func TestFirewallClose(t *testing.T) {
	e := newEnv(t, true)
	e.seed("kv", "203.0.113.0/24\n198.51.100.7/32\n")
	e.seed("storage", "203.0.113.0/24\n198.51.100.7\n")
	out, code := e.run("firewall.sh", "close", "prod", "198.51.100.7")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	equal(t, "changes", changes(e), []string{kvRemove, stRemove})
	if e.stateFile("kv") != "203.0.113.0/24\n" || e.stateFile("storage") != "203.0.113.0/24\n" {
		t.Errorf("after close: kv %q, storage %q", e.stateFile("kv"), e.stateFile("storage"))
	}
	// Closed already: nothing to do, no error.
	out, code = e.run("firewall.sh", "close", "prod", "198.51.100.7")
	if code != 0 || len(changes(e)) != 2 {
		t.Errorf("second close: exit %d, %v\n%s", code, changes(e), out)
	}
}

// TestFirewallCloseFailsLoudly: an address that stays, a removal that
// fails or a firewall that cannot be read fails the step, with the
// commands to remove it by hand; the other firewall is still closed.
func TestFirewallCloseFailsLoudly(t *testing.T) {
	cases := []struct {
		name string
		env  string
		want string
	}{
		{"the address stays", "FAKE_AZ_STICKY=kv", "kv: 198.51.100.7 is still allowed"},
		{"the removal fails", "FAKE_AZ_FAIL=keyvault network-rule remove", "kv: remove failed"},
		{"the firewall cannot be read (expired login)", "FAKE_AZ_FAIL=keyvault network-rule list", "kv: cannot read it back"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, true)
			e.seed("kv", "198.51.100.7/32\n")
			e.seed("storage", "198.51.100.7\n")
			e.extra = []string{c.env}
			out, code := e.run("firewall.sh", "close", "prod", "198.51.100.7")
			if code != 1 {
				t.Errorf("exit %d\n%s", code, out)
			}
			contains(t, out, "COULD NOT CLOSE the firewalls of prod to 198.51.100.7", c.want, "az keyvault network-rule remove --name perpetual-prod-kv")
			if e.stateFile("storage") != "" {
				t.Errorf("the storage firewall was left open: %q", e.stateFile("storage"))
			}
		})
	}
}

// TestFirewallCloseRemovesWhatItCannotRead: when the first look fails, the
// address is removed anyway; the read-back decides.
func TestFirewallCloseRemovesWhatItCannotRead(t *testing.T) {
	e := newEnv(t, true)
	e.seed("kv", "198.51.100.7/32\n")
	e.seed("storage", "198.51.100.7\n")
	e.extra = []string{"FAKE_AZ_FLAKY=keyvault network-rule list", "FAKE_AZ_FLAKY_TIMES=1"}
	out, code := e.run("firewall.sh", "close", "prod", "198.51.100.7")
	if code != 0 || e.stateFile("kv") != "" {
		t.Errorf("exit %d, kv %q\n%s", code, e.stateFile("kv"), out)
	}
}

func TestFirewallSweep(t *testing.T) {
	e := newEnv(t, true)
	e.seed("kv", "203.0.113.0/24\n198.51.100.7/32\n192.0.2.9/32\n")
	e.seed("storage", "203.0.113.0/24\n198.51.100.7\n")
	out, code := e.run("firewall.sh", "sweep", "prod")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	contains(t, out, "swept leftover runner addresses from prod: kv:198.51.100.7 kv:192.0.2.9 storage:198.51.100.7")
	if e.stateFile("kv") != "203.0.113.0/24\n" || e.stateFile("storage") != "203.0.113.0/24\n" {
		t.Errorf("after the sweep: kv %q, storage %q (network.adminCidrs stays)", e.stateFile("kv"), e.stateFile("storage"))
	}
	out, code = e.run("firewall.sh", "sweep", "prod")
	if code != 0 || !strings.Contains(out, "nothing to sweep in prod") {
		t.Errorf("clean sweep: exit %d\n%s", code, out)
	}
	for _, bad := range []string{"FAKE_AZ_STICKY=storage", "FAKE_AZ_FAIL=storage account network-rule list"} {
		e := newEnv(t, true)
		e.seed("storage", "198.51.100.7\n")
		e.extra = []string{bad}
		if out, code := e.run("firewall.sh", "sweep", "prod"); code != 1 {
			t.Errorf("%s: exit %d\n%s", bad, code, out)
		}
	}
}

func TestDevSchedule(t *testing.T) {
	cases := []struct {
		schedule, power string
		want            string // the az aks call, or "" for none
	}{
		{"0 19 * * 1-5", "Running", "az aks stop --resource-group perpetual-dev-rg --name perpetual-dev-aks --output none"},
		{"30 6 * * 1-5", "Stopped", "az aks start --resource-group perpetual-dev-rg --name perpetual-dev-aks --output none"},
		{"0 19 * * 1-5", "Stopped", ""},
	}
	for _, c := range cases {
		e := newEnv(t, true)
		e.extra = []string{"SCHEDULE=" + c.schedule}
		e.seed("power", c.power+"\n")
		out, code := e.run("dev-schedule.sh", "auto", "dev")
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", c.schedule, code, out)
		}
		var got string
		for _, call := range e.callsOf("az") {
			if strings.HasPrefix(call, "az aks start") || strings.HasPrefix(call, "az aks stop") {
				got = call
			}
		}
		if got != c.want {
			t.Errorf("%s with the cluster %s: %q, want %q (waiting: no --no-wait)", c.schedule, c.power, got, c.want)
		}
		// After an operation the state is read again.
		if shows := len(e.callsOf("az aks show")); c.want != "" && shows != 2 {
			t.Errorf("%s: %d az aks show, want 2 (before and after)", c.schedule, shows)
		}
	}
	e := newEnv(t, true)
	out, code := e.run("dev-schedule.sh", "stop", "prod")
	if code != 1 || !strings.Contains(out, "never stopped on a schedule") {
		t.Errorf("stopping production: exit %d\n%s", code, out)
	}
	out, code = e.run("dev-schedule.sh", "auto", "dev")
	if code != 1 || !strings.Contains(out, "auto needs SCHEDULE") {
		t.Errorf("auto without SCHEDULE: exit %d\n%s", code, out)
	}
}

// TestDevScheduleChecksTheOutcome: the cluster must reach the wanted state;
// a missing cluster is not an error, a failed question is.
func TestDevScheduleChecksTheOutcome(t *testing.T) {
	e := newEnv(t, true)
	e.seed("power", "Running\n")
	e.extra = []string{"FAKE_AKS_STUCK=1"}
	out, code := e.run("dev-schedule.sh", "stop", "dev")
	if code != 1 || !strings.Contains(out, "perpetual-dev-aks is Running after az aks stop, not Stopped") {
		t.Errorf("a stop that did not stop: exit %d\n%s", code, out)
	}

	// The state cannot be read after the operation.
	e = newEnv(t, true)
	e.seed("power", "Running\n")
	e.extra = []string{"FAKE_AKS_ERROR=(ResourceNotFound) gone", "FAKE_AKS_ERROR_FROM=2"}
	out, code = e.run("dev-schedule.sh", "stop", "dev")
	if code != 1 || !strings.Contains(out, "cannot read the state of perpetual-dev-aks after az aks stop") {
		t.Errorf("state unreadable after the stop: exit %d\n%s", code, out)
	}

	e = newEnv(t, true)
	e.extra = []string{"FAKE_AZ_FAIL=aks start"}
	e.seed("power", "Stopped\n")
	out, code = e.run("dev-schedule.sh", "start", "dev")
	if code != 1 || !strings.Contains(out, "az aks start perpetual-dev-aks failed") {
		t.Errorf("a failed start: exit %d\n%s", code, out)
	}

	for _, msg := range []string{
		"(ResourceNotFound) The Resource 'Microsoft.ContainerService/managedClusters/perpetual-dev-aks' under resource group 'perpetual-dev-rg' was not found.",
		"(ResourceGroupNotFound) Resource group 'perpetual-dev-rg' could not be found.",
	} {
		e = newEnv(t, true)
		e.extra = []string{"FAKE_AKS_ERROR=" + msg}
		out, code = e.run("dev-schedule.sh", "stop", "dev")
		if code != 0 || !strings.Contains(out, "does not exist (yet); nothing to stop") {
			t.Errorf("%s: exit %d\n%s", msg, code, out)
		}
	}

	e = newEnv(t, true)
	e.extra = []string{"FAKE_AKS_ERROR=(AuthorizationFailed) The client does not have authorization to perform action 'Microsoft.ContainerService/managedClusters/read'"}
	out, code = e.run("dev-schedule.sh", "stop", "dev")
	if code != 1 || !strings.Contains(out, "cannot ask Azure for the state of perpetual-dev-aks") || !strings.Contains(out, "AuthorizationFailed") {
		t.Errorf("cannot ask: exit %d\n%s", code, out)
	}
	if len(e.callsOf("az aks stop")) != 0 {
		t.Error("stopped a cluster whose state it could not read")
	}
}

// each_env (lib.sh) runs every environment whatever happened to the others,
// stops an environment at its first failing command, and names the failed
// ones in FAILED.
func TestEachEnv(t *testing.T) {
	e := newEnv(t, false)
	script := `set -euo pipefail
source scripts/lib.sh
step() { echo "start $1"; [ "$1" != b ] || false; echo "done $1"; }
each_env step a b c
echo "failed: ${FAILED[*]}"`
	out, code := e.runIn("..", "bash", "-c", script)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, want := range []string{"start a\ndone a\nstart b\nstart c\ndone c\n", "failed: b\n"} {
		contains(t, out, want)
	}
	if strings.Contains(out, "done b") {
		t.Errorf("b went on after its failing command:\n%s", out)
	}
}

// TestEachEnvironmentIsReadOnce: load_env (lib.sh) runs cmd/envinfo once
// per environment file and run, however often a script loads it (setup.sh
// in three passes, dev-schedule.sh and firewall.sh sweep checking every
// environment before the work, which loads it again in a subshell).
func TestEachEnvironmentIsReadOnce(t *testing.T) {
	real, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		script string
		args   []string
		extra  []string
		want   []string // the environments loaded, once each
	}{
		{"setup.sh", []string{"--repo", "octo/perpetual-infra"}, []string{"FAKE_AZ_STATE=exists"}, []string{"dev", "prod"}},
		{"dev-schedule.sh", []string{"stop"}, nil, []string{"dev"}},
		{"dev-schedule.sh", []string{"stop", "dev"}, nil, []string{"dev"}},
		{"firewall.sh", []string{"sweep"}, nil, []string{"prod"}},
	}
	for _, c := range cases {
		e := newEnv(t, true)
		e.without("go")
		// go, recording its calls.
		if err := os.WriteFile(filepath.Join(e.bin, "go"), []byte("#!/usr/bin/env bash\necho \"go $*\" >> \"$FAKE_LOG\"\nexec "+real+" \"$@\"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		e.extra = c.extra
		out, code := e.run(c.script, c.args...)
		if code != 0 {
			t.Errorf("%s %v: exit %d\n%s", c.script, c.args, code, out)
			continue
		}
		var loads []string
		for _, call := range e.callsOf("go run ./cmd/envinfo") {
			if f := strings.Fields(call); !slices.Contains(f, "-list") {
				loads = append(loads, f[len(f)-1])
			}
		}
		equal(t, c.script+" "+strings.Join(c.args, " ")+": environments read", loads, c.want)
	}
}
