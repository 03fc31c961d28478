//go:build unix

package outdir

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// These tests run Replace in other processes (this test binary, re-executed
// as a helper), to kill them at every step and to race them: what a kill or
// a concurrent run does can only be seen from outside.

func TestMain(m *testing.M) {
	if os.Getenv("OUTDIR_HELPER") == "1" {
		os.Exit(helperMain())
	}
	os.Exit(m.Run())
}

// helperMain replaces $OUTDIR_DIR with a fake output tagged $OUTDIR_TAG,
// as the program does: SIGINT and SIGTERM cancel the context. With
// $OUTDIR_PAUSE it stops at that step, says so on stdout and waits for a
// signal or for the file $OUTDIR_RESUME. $OUTDIR_SLOW (milliseconds) slows
// the build down; $OUTDIR_FALLBACK=1 disables the exchange.
func helperMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if os.Getenv("OUTDIR_FALLBACK") == "1" {
		exchange = nil
	}
	pause, resume := os.Getenv("OUTDIR_PAUSE"), os.Getenv("OUTDIR_RESUME")
	hook = func(step string) {
		if step != pause {
			return
		}
		fmt.Printf("paused at %s\n", step)
		for ctx.Err() == nil {
			if _, err := os.Stat(resume); resume != "" && err == nil {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	slow, _ := strconv.Atoi(os.Getenv("OUTDIR_SLOW"))
	tag := os.Getenv("OUTDIR_TAG")
	res, err := Replace(ctx, os.Getenv("OUTDIR_DIR"), func(tmp string) error {
		if slow > 0 {
			time.Sleep(time.Duration(rand.IntN(slow)+1) * time.Millisecond)
		}
		return build(tag)(tmp)
	}, Options{Notify: func(msg string) { fmt.Fprintln(os.Stderr, msg) }})
	for _, w := range res.Warnings {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		if ctx.Err() != nil {
			return 143
		}
		return 1
	}
	return 0
}

// helper is a running helper process.
type helper struct {
	cmd    *exec.Cmd
	stdout *bufio.Reader
	stderr lockedBuffer
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startHelper(t *testing.T, dir, tag string, env ...string) *helper {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{"OUTDIR_HELPER=1", "OUTDIR_DIR=" + dir, "OUTDIR_TAG=" + tag}, env...)...)
	h := &helper{cmd: cmd}
	cmd.Stderr = &h.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	h.stdout = bufio.NewReader(out)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return h
}

// waitPaused waits for the helper to reach its pause.
func (h *helper) waitPaused(t *testing.T, step string) {
	t.Helper()
	line := make(chan string, 1)
	go func() {
		s, _ := h.stdout.ReadString('\n')
		line <- s
	}()
	select {
	case s := <-line:
		if s != "paused at "+step+"\n" {
			t.Fatalf("helper said %q, want it paused at %s; stderr:\n%s", s, step, h.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("helper did not reach %s", step)
	}
}

// exit waits for the helper and returns its exit status (-1 when killed).
func (h *helper) exit(t *testing.T) int {
	t.Helper()
	err := h.cmd.Wait()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	t.Fatal(err)
	return 0
}

// leftovers lists the temporary siblings of dir.
func leftovers(dir string) []string {
	var out []string
	newPrefix, oldPrefix := leftoverPrefixes(dir)
	entries, _ := os.ReadDir(filepath.Dir(dir))
	for _, e := range entries {
		if isLeftover(e.Name(), newPrefix) || isLeftover(e.Name(), oldPrefix) {
			out = append(out, e.Name())
		}
	}
	return out
}

// TestKillAtEveryStep kills a replacement at each of its steps, with SIGKILL
// (nothing runs after it) and SIGTERM (the program's own handling), with the
// exchange and with the fallback: the output is at all times the old or the
// new one, complete, with Terraform's working files, and the next run leaves
// nothing behind.
func TestKillAtEveryStep(t *testing.T) {
	steps := []string{"locked", "recovered", "built", "carried", "marked", "swapped", "cleaned"}
	for _, fallback := range []bool{false, true} {
		steps := steps
		if fallback {
			steps = append(steps, "aside")
		}
		for _, step := range steps {
			for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
				name := fmt.Sprintf("%s/%s/fallback=%v", step, sig, fallback)
				t.Run(name, func(t *testing.T) {
					out := filepath.Join(t.TempDir(), "cdktf.out")
					previous(t, out)
					var env []string
					if fallback {
						env = append(env, "OUTDIR_FALLBACK=1")
					}
					h := startHelper(t, out, "new", append(env, "OUTDIR_PAUSE="+step)...)
					h.waitPaused(t, step)
					if err := h.cmd.Process.Signal(sig); err != nil {
						t.Fatal(err)
					}
					status := h.exit(t)

					swapped := step == "swapped" || step == "cleaned" || step == "aside"
					switch {
					case sig == syscall.SIGKILL && step == "aside":
						// The fallback's one window: the old output is
						// aside; the next run moves it back.
						if _, err := os.Lstat(out); err == nil {
							t.Errorf("output present between the two renames")
						}
					case sig == syscall.SIGKILL:
						want := "old"
						if swapped {
							want = "new"
						}
						if tag := outputTag(t, out); tag != want {
							t.Errorf("output %q, want %q", tag, want)
						}
					default:
						want, wantStatus := "old", 143
						if swapped {
							want, wantStatus = "new", 0
						}
						if tag := outputTag(t, out); tag != want || status != wantStatus {
							t.Errorf("output %q, exit %d; want %q, %d\n%s", tag, status, want, wantStatus, h.stderr.String())
						}
						if l := leftovers(out); len(l) > 0 {
							t.Errorf("SIGTERM left %v", l)
						}
					}

					// The next run repairs whatever the kill left.
					replaceWith(t, out, "next")
					assertOnlyOutput(t, out)
				})
			}
		}
	}
}

// watch reads the output continuously, as a tool would while synthesis
// runs, until stop is closed, and reports every time it was missing or
// mixed.
func watch(dir string, stop <-chan struct{}) (reads *atomic.Int64, problems func() []string) {
	reads = new(atomic.Int64)
	var mu sync.Mutex
	var found []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			_, err := readOutput(dir)
			reads.Add(1)
			if err == nil {
				continue
			}
			if _, statErr := os.Lstat(dir); statErr != nil {
				mu.Lock()
				found = append(found, "missing: "+statErr.Error())
				mu.Unlock()
				continue
			}
			if strings.Contains(err.Error(), "mixed") {
				mu.Lock()
				found = append(found, err.Error())
				mu.Unlock()
			}
			// Other errors: the directory this read opened was swapped
			// out and is being removed; the path itself is fine.
		}
	}()
	return reads, func() []string {
		<-done
		mu.Lock()
		defer mu.Unlock()
		return found
	}
}

// TestConcurrentRuns starts pairs of replacements at once while a reader
// watches: both runs succeed one after the other, the reader never finds
// the output missing or mixed, and nothing is left behind.
func TestConcurrentRuns(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cdktf.out")
	previous(t, out)
	stop := make(chan struct{})
	reads, problems := watch(out, stop)
	const pairs = 10
	for i := range pairs {
		a := startHelper(t, out, fmt.Sprintf("a%d", i), "OUTDIR_SLOW=30")
		b := startHelper(t, out, fmt.Sprintf("b%d", i), "OUTDIR_SLOW=30")
		for _, h := range []*helper{a, b} {
			if status := h.exit(t); status != 0 {
				t.Errorf("pair %d: exit %d\n%s", i, status, h.stderr.String())
			}
		}
		if tag := outputTag(t, out); tag != fmt.Sprintf("a%d", i) && tag != fmt.Sprintf("b%d", i) {
			t.Errorf("pair %d: output %q", i, tag)
		}
		if l := leftovers(out); len(l) > 0 {
			t.Errorf("pair %d left %v", i, l)
		}
	}
	close(stop)
	for _, p := range problems() {
		t.Error("reader:", p)
	}
	t.Logf("%d pairs, %d reads of the output during them", pairs, reads.Load())
	assertOnlyOutput(t, out)
}

// TestRunsTakeTurns: while one run holds the lock, another waits, says
// so, and goes on when the first is done.
func TestRunsTakeTurns(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cdktf.out")
	previous(t, out)
	resume := filepath.Join(t.TempDir(), "resume")
	first := startHelper(t, out, "first", "OUTDIR_PAUSE=built", "OUTDIR_RESUME="+resume)
	first.waitPaused(t, "built")
	second := startHelper(t, out, "second", "OUTDIR_PAUSE=locked")
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(second.stderr.String(), "waiting for another synthesis into "+out) {
		if time.Now().After(deadline) {
			t.Fatalf("the second run does not wait:\n%s", second.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	write(t, resume, "")
	if status := first.exit(t); status != 0 {
		t.Fatalf("first: exit %d\n%s", status, first.stderr.String())
	}
	if tag := outputTag(t, out); tag != "first" {
		t.Errorf("output %q", tag)
	}
	second.waitPaused(t, "locked")
	if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if status := second.exit(t); status != 143 {
		t.Errorf("second: exit %d\n%s", status, second.stderr.String())
	}
	assertOutput(t, out, "first")
}

// TestRandomKills kills runs at random moments, with SIGKILL or SIGTERM,
// one after the other on the same output: after every kill the output is
// the last complete one or the new one, with Terraform's working files.
func TestRandomKills(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cdktf.out")
	previous(t, out)
	last := "old"
	const kills = 24
	for i := range kills {
		tag := fmt.Sprintf("run%d", i)
		sig := syscall.SIGKILL
		if i%2 == 1 {
			sig = syscall.SIGTERM
		}
		h := startHelper(t, out, tag, "OUTDIR_SLOW=20")
		time.Sleep(time.Duration(rand.IntN(25_000)) * time.Microsecond)
		_ = h.cmd.Process.Signal(sig)
		_ = h.exit(t)
		got, err := readOutput(out)
		if err != nil {
			t.Fatalf("kill %d (%s): %v\n%s", i, sig, err, h.stderr.String())
		}
		if got != last && got != tag {
			t.Fatalf("kill %d (%s): output %q, want %q or %q", i, sig, got, last, tag)
		}
		last = got
	}
	replaceWith(t, out, "final")
	assertOnlyOutput(t, out)
}
