package scripts

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDevSchedule(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
// in three passes, dev-schedule.sh checking every environment before the
// work, which loads it again in a subshell).
func TestEachEnvironmentIsReadOnce(t *testing.T) {
	t.Parallel()
	cases := []struct {
		script string
		args   []string
		extra  []string
		want   []string // the environments loaded, once each
	}{
		{"setup.sh", []string{"--repo", "octo/perpetual-infra"}, []string{"FAKE_AZ_STATE=exists"}, []string{"dev", "prod"}},
		{"dev-schedule.sh", []string{"stop"}, nil, []string{"dev"}},
		{"dev-schedule.sh", []string{"stop", "dev"}, nil, []string{"dev"}},
	}
	for _, c := range cases {
		e := newEnv(t, true)
		// cmd/envinfo, recording its calls.
		bin := t.TempDir()
		wrapper := "#!/usr/bin/env bash\necho \"envinfo $*\" >> \"$FAKE_LOG\"\nexec " + filepath.Join(cmdBin, "envinfo") + " \"$@\"\n"
		if err := os.WriteFile(filepath.Join(bin, "envinfo"), []byte(wrapper), 0o755); err != nil {
			t.Fatal(err)
		}
		e.extra = append(slices.Clone(c.extra), "CMD_BIN="+bin)
		out, code := e.run(c.script, c.args...)
		if code != 0 {
			t.Errorf("%s %v: exit %d\n%s", c.script, c.args, code, out)
			continue
		}
		var loads []string
		for _, call := range e.callsOf("envinfo") {
			if f := strings.Fields(call); !slices.Contains(f, "-list") {
				loads = append(loads, f[len(f)-1])
			}
		}
		equal(t, c.script+" "+strings.Join(c.args, " ")+": environments read", loads, c.want)
	}
}
