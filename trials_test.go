//go:build unix

package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestFaultTrials is the measurement behind the output directory's
// promises, with real synthesis: runs killed at random moments (SIGKILL,
// SIGTERM, Ctrl-C to the process group) and pairs of runs started at once
// must leave cdktf.out the previous or the new complete output, never
// missing, never mixed, with Terraform's working files, and the next run
// must leave nothing behind. It takes minutes, so it runs only with
// FAULT_TRIALS=1 (make trials); the fast tests of internal/outdir kill and
// race a fake synthesis at every step in the normal suite.
func TestFaultTrials(t *testing.T) {
	if os.Getenv("FAULT_TRIALS") != "1" {
		t.Skip("set FAULT_TRIALS=1 (make trials) to kill and race real synthesis; it takes minutes")
	}
	kills, pairs := 24, 10
	// The program as users build it, not this test binary: a signal that
	// comes before the program handles signals ends it at once, and how
	// soon it does depends on the binary.
	real := filepath.Join(t.TempDir(), "perpetual-infra")
	if out, err := exec.Command("go", "build", "-o", real, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	defer func(test string) { binary = test }(binary)
	binary = real

	dir := workspace(t)
	configs := map[string]string{"A": filepath.Join(dir, "configA"), "B": filepath.Join(dir, "configB")}
	for name, cdir := range configs {
		if err := os.CopyFS(cdir, os.DirFS(filepath.Join("testdata", "config"))); err != nil {
			t.Fatal(err)
		}
		for _, env := range []string{"dev.json", "prod.json"} {
			p := filepath.Join(cdir, env)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			changed := strings.Replace(string(b), `"owner": "platform-team"`, `"owner": "platform-team-`+strings.ToLower(name)+`"`, 1)
			if changed == string(b) {
				t.Fatalf("could not vary %s", p)
			}
			if err := os.WriteFile(p, []byte(changed), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The two complete outputs every state must be one of.
	digests := map[string]string{}
	synthTime := time.Hour
	for _, name := range []string{"A", "B"} {
		ref := filepath.Join(t.TempDir(), "ref")
		start := time.Now()
		if stderr, err := runArgs(t, dir, []string{"-config", configs[name], "-out", ref}); err != nil {
			t.Fatalf("reference %s: %v\n%s", name, err, stderr)
		}
		synthTime = min(synthTime, time.Since(start))
		digests[synthesized(t, ref)] = name
	}
	if len(digests) != 2 {
		t.Fatal("the two configurations give the same output")
	}

	out := filepath.Join(dir, "cdktf.out")
	start := time.Now()
	if stderr, err := runArgs(t, dir, []string{"-config", configs["A"]}); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	synthTime = min(synthTime, time.Since(start))
	plugin := "stacks/dev/.terraform/providers/registry.terraform.io/hashicorp/azurerm/plugin"
	working := map[string]string{
		plugin:                                "plugin binary",
		"stacks/dev/.terraform.lock.hcl":      "# provider locks\n",
		"stacks/prod-k8s/.terraform.lock.hcl": "# provider locks\n",
	}
	writeFiles(t, out, working)
	state := func() (string, error) {
		if _, err := os.Lstat(out); err != nil {
			return "", fmt.Errorf("missing: %w", err)
		}
		name, ok := digests[synthesized(t, out)]
		if !ok {
			return "", errors.New("neither complete output: mixed or partial")
		}
		for f, content := range working {
			b, err := os.ReadFile(filepath.Join(out, f))
			if err != nil {
				return name, fmt.Errorf("%s lost: %w", f, err)
			}
			if string(b) != content {
				return name, fmt.Errorf("%s changed: %q", f, b)
			}
		}
		return name, nil
	}

	t.Logf("synthesis takes about %v; killing at random moments within it", synthTime.Round(time.Millisecond))
	signals := []struct {
		name  string
		sig   syscall.Signal
		group bool
	}{
		{"SIGKILL", syscall.SIGKILL, false},
		{"SIGTERM", syscall.SIGTERM, false},
		{"SIGINT to the group", syscall.SIGINT, true},
	}
	// A reader watches the output throughout, as a tool reading it would.
	var reads, misses atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			reads.Add(1)
			if _, err := os.Stat(filepath.Join(out, "manifest.json")); err != nil {
				misses.Add(1)
			}
			time.Sleep(200 * time.Microsecond)
		}
	}()
	tally := map[string]int{}
	leaks := 0
	// A run that ends before its signal does not count as a kill.
	for i, killed := 0, 0; killed < kills; i++ {
		if i == 3*kills {
			t.Fatalf("only %d of %d runs were killed before they ended", killed, i)
		}
		// Each run writes the output the directory does not hold, so that
		// the output shows whether it was replaced.
		current, _ := state()
		name := map[string]string{"A": "B", "B": "A"}[current]
		s := signals[killed%len(signals)]
		delay := time.Duration(rand.Int64N(int64(synthTime)))
		run := startProgram(t, dir, "-config", configs[name])
		time.Sleep(delay)
		sent := run.signal(s.sig, s.group) == nil
		status := exitStatus(run.cmd.Wait())
		got, serr := state()
		left := leftoverNames(dir)
		tmpLeft, _ := os.ReadDir(run.tmp)
		if serr != nil {
			t.Errorf("run %d: %v\n%s", i+1, serr, run.stderr.String())
		}
		if status == 0 {
			t.Logf("run %2d: %-19s after %5v came too late: exit 0, output %s", i+1, s.name, delay.Round(time.Millisecond), got)
			tally["runs that ended before their signal (not counted)"]++
			continue
		}
		killed++
		leaks += len(tmpLeft)
		t.Logf("kill %2d: %-19s after %5v (sent %v): exit %4d, output %s %v, leftovers %v, %d in $TMPDIR", killed, s.name, delay.Round(time.Millisecond), sent, status, got, serr, left, len(tmpLeft))
		if s.sig != syscall.SIGKILL && len(left) > 0 {
			t.Errorf("kill %d: %s left %v", killed, s.name, left)
		}
		if got == name {
			tally["new output"]++
		} else {
			tally["previous output"]++
		}
		if got == "" {
			t.FailNow()
		}
		if len(left) > 0 {
			tally["runs leaving leftovers for the next run"]++
		}
	}
	if stderr, err := runArgs(t, dir, []string{"-config", configs["A"]}); err != nil {
		t.Fatalf("the run after the kills: %v\n%s", err, stderr)
	}
	if got, err := state(); err != nil || got != "A" {
		t.Errorf("after the kills and one run: %s %v", got, err)
	}
	if left := leftoverNames(dir); len(left) > 0 {
		t.Errorf("the run after the kills left %v", left)
	}
	t.Logf("%d kills: %v; %d entries left in $TMPDIR by killed runs (SIGKILL cannot clean up; Ctrl-C kills Node.js, whose jsii kernel keeps its directory)", kills, tally, leaks)

	// Pairs of concurrent runs.
	for i := range pairs {
		var runs [2]*exec.Cmd
		var errs [2]bytes.Buffer
		for j, name := range []string{"A", "B"} {
			runs[j] = program(dir, t.TempDir(), []string{"-config", configs[name]})
			runs[j].Stderr = &errs[j]
			if err := runs[j].Start(); err != nil {
				t.Fatal(err)
			}
		}
		for j := range runs {
			if err := runs[j].Wait(); err != nil {
				t.Errorf("pair %d, run %d: %v\n%s", i+1, j, err, errs[j].String())
			}
		}
		got, err := state()
		left := leftoverNames(dir)
		waited := strings.Contains(errs[0].String()+errs[1].String(), "waiting for another synthesis")
		t.Logf("pair %2d: output %s %v, one waited for the other: %v, leftovers %v", i+1, got, err, waited, left)
		if err != nil || len(left) > 0 {
			t.Errorf("pair %d: %v, leftovers %v", i+1, err, left)
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d concurrent pairs; during the kills and the pairs a reader polled cdktf.out/manifest.json %d times and found it missing %d times", pairs, reads.Load(), misses.Load())
	if misses.Load() > 0 {
		t.Errorf("the reader found cdktf.out/manifest.json missing %d times", misses.Load())
	}
}

// synthesized digests an output without Terraform's working files.
func synthesized(t *testing.T, dir string) string {
	t.Helper()
	files := tree(t, dir)
	for name := range files {
		if strings.Contains(name, "/.terraform/") || strings.HasSuffix(name, "/.terraform.lock.hcl") {
			delete(files, name)
		}
	}
	return digest(files)
}

// leftoverNames lists what interrupted runs left next to cdktf.out.
func leftoverNames(dir string) []string {
	var out []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".cdktf.out.new-") || strings.HasPrefix(e.Name(), ".cdktf.out.old-") {
			out = append(out, e.Name())
		}
	}
	return out
}
