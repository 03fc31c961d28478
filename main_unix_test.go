//go:build unix

package main

import (
	"bytes"
	"errors"
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
			for name, content := range map[string]string{
				".perpetual-infra-output":                 "marker\n",
				"manifest.json":                           `{"version": "0.20.12", "stacks": {}}`,
				"stacks/dev/cdk.tf.json":                  "{}",
				"stacks/dev/.terraform.lock.hcl":          "# provider locks\n",
				"stacks/dev/.terraform/providers/azurerm": "plugin",
			} {
				p := filepath.Join(out, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			before := digest(tree(t, out))

			tmp := t.TempDir()
			cmd := exec.Command(binary)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Synthesis is under way once the new output's directory exists.
			deadline := time.Now().Add(60 * time.Second)
			for {
				if m, _ := filepath.Glob(filepath.Join(dir, ".cdktf.out.new-*")); len(m) > 0 {
					break
				}
				if time.Now().After(deadline) {
					_ = cmd.Process.Kill()
					t.Fatal("synthesis did not start")
				}
				time.Sleep(5 * time.Millisecond)
			}
			pid := cmd.Process.Pid
			if c.group {
				pid = -pid
			}
			if err := syscall.Kill(pid, c.sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			if exit := (*exec.ExitError)(nil); !errors.As(err, &exit) || exit.ExitCode() != c.status {
				t.Fatalf("want exit status %d, got %v\n%s", c.status, err, stderr.String())
			}
			if want := "stopped by " + signalNames[c.sig] + "; the previous output in cdktf.out is unchanged"; !strings.Contains(stderr.String(), want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
			}
			if after := digest(tree(t, out)); after != before {
				t.Error("the interrupted synthesis changed the previous output")
			}
			assertOnlyOutput(t, dir)
			entries, _ := os.ReadDir(tmp)
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
	if exit := (*exec.ExitError)(nil); !errors.As(err, &exit) || exit.ExitCode() != 1 {
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
