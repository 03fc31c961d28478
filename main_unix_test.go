//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterruptedSynthesis stops a synthesis under way with SIGTERM (sent
// to the program) and with SIGINT (sent to its process group, as Ctrl-C
// in a terminal does): the exit status says which, the previous output and
// Terraform's working files stay as they were, and nothing is left behind.
func TestInterruptedSynthesis(t *testing.T) {
	for _, c := range []struct {
		sig    syscall.Signal
		group  bool
		status int
	}{
		{syscall.SIGTERM, false, 143},
		{syscall.SIGINT, true, 130},
	} {
		t.Run(c.sig.String(), func(t *testing.T) {
			dir := workspace(t)
			out := filepath.Join(dir, "cdktf.out")
			// A previous output of this program (it carries the marker).
			writeFiles(t, out, map[string]string{
				".perpetual-infra-output":                 "marker\n",
				"manifest.json":                           `{"version": "0.20.12", "stacks": {}}`,
				"stacks/dev/cdk.tf.json":                  "{}",
				"stacks/dev/.terraform.lock.hcl":          "# provider locks\n",
				"stacks/dev/.terraform/providers/azurerm": "plugin",
			})
			before := digest(tree(t, out))

			run := startProgram(t, dir)
			// Synthesis is under way once the new output's directory exists.
			deadline := time.Now().Add(60 * time.Second)
			for {
				if m, _ := filepath.Glob(filepath.Join(dir, ".cdktf.out.new-*")); len(m) > 0 {
					break
				}
				if time.Now().After(deadline) {
					_ = run.cmd.Process.Kill()
					t.Fatal("synthesis did not start")
				}
				time.Sleep(5 * time.Millisecond)
			}
			if err := run.signal(c.sig, c.group); err != nil {
				t.Fatal(err)
			}
			err := run.cmd.Wait()
			stderr := run.stderr.String()
			if exitStatus(err) != c.status {
				t.Fatalf("want exit status %d, got %v\n%s", c.status, err, stderr)
			}
			if want := "stopped by " + signalNames[c.sig] + "; the previous output in cdktf.out is unchanged"; !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
			if after := digest(tree(t, out)); after != before {
				t.Error("the interrupted synthesis changed the previous output")
			}
			assertOnlyOutput(t, dir)
			entries, _ := os.ReadDir(run.tmp)
			for _, e := range entries {
				// Ctrl-C also kills Node.js, whose jsii kernel then
				// cannot remove its own directory; jsii's runtime goes.
				if !c.group || !strings.HasPrefix(e.Name(), "jsii-kernel-") {
					t.Errorf("the interrupted program left %s in $TMPDIR", e.Name())
				}
			}
		})
	}
}

var signalNames = map[syscall.Signal]string{syscall.SIGTERM: "SIGTERM", syscall.SIGINT: "SIGINT"}

// started is a run of the program that has started and not been waited
// for.
type started struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	// tmp is the run's $TMPDIR.
	tmp string
}

// startProgram starts the program in dir with args, in a process group of
// its own and with a $TMPDIR of its own, collecting its stderr. The caller
// waits for it.
func startProgram(t *testing.T, dir string, args ...string) *started {
	t.Helper()
	tmp := t.TempDir()
	run := &started{cmd: program(dir, tmp, args), tmp: tmp}
	run.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	run.cmd.Stderr = &run.stderr
	if err := run.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return run
}

// signal sends sig to the program or, with group, to its process group, as
// Ctrl-C in a terminal does.
func (r *started) signal(sig syscall.Signal, group bool) error {
	pid := r.cmd.Process.Pid
	if group {
		pid = -pid
	}
	return syscall.Kill(pid, sig)
}

// writeFiles writes files, by path relative to root, creating directories
// as needed.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestConfigReaderRefusesWhatIsNotAConfiguration: a named pipe among the
// environment files is refused at once (reading it would block forever),
// an editor's lock file is ignored, and duplicate keys are refused, naming
// the file and the key; the previous output stays.
func TestConfigReaderRefusesWhatIsNotAConfiguration(t *testing.T) {
	dir := workspace(t)
	if err := syscall.Mkfifo(filepath.Join(dir, "config", "stage.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("someone@host.42:1700000000", filepath.Join(dir, "config", ".#dev.json")); err != nil {
		t.Fatal(err)
	}
	prodFile := filepath.Join(dir, "config", "prod.json")
	good, err := os.ReadFile(prodFile)
	if err != nil {
		t.Fatal(err)
	}
	twice := strings.Replace(string(good), "\n}", ",\n  \"production\": false\n}", 1)
	if err := os.WriteFile(prodFile, []byte(twice), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var stderr string
	go func() {
		defer close(done)
		stderr, err = runProgram(t, dir)
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the program blocked on the named pipe")
	}
	if exitStatus(err) != 1 {
		t.Fatalf("want exit status 1, got %v\n%s", err, stderr)
	}
	for _, want := range []string{
		"config/stage.json: /: is a named pipe (FIFO), not a regular file",
		`config/prod.json: /production: duplicate key: "production" appears at line 3 and again at line`,
		"synthesis failed; nothing was written to cdktf.out",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, ".#dev.json") {
		t.Errorf("the editor's lock file was read:\n%s", stderr)
	}
}
