package testinputs

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// userTest is a test package that declares its inputs as this project's
// packages do, and reads them only through a child process.
const userTest = `package user

import (
	"os/exec"
	"testing"

	"example.com/m/testinputs"
)

func TestChild(t *testing.T) {
	testinputs.Env()
	testinputs.Paths("../input.txt")
	testinputs.Trees("../tree")
	if err := exec.Command("cat", "../input.txt").Run(); err != nil {
		t.Fatal(err)
	}
}
`

// TestGoTestReusesAResultOnlyWhileTheInputsAreUnchanged runs go test on a
// module whose test declares a file, a tree and the environment with this
// package's code: a second run reuses the result, and a change to any of
// them runs the test again.
func TestGoTestReusesAResultOnlyWhileTheInputsAreUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	mod := t.TempDir()
	src, err := os.ReadFile("testinputs.go")
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour) // go test ignores inputs changed in the last 2 s
	files := map[string]string{
		"go.mod":                   "module example.com/m\n\ngo 1.26\n",
		"testinputs/testinputs.go": string(src),
		"user/user_test.go":        userTest,
		"input.txt":                "one\n",
		"tree/sub/file.txt":        "x\n",
	}
	for name, content := range files {
		p := filepath.Join(mod, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// go test compares a file's size and modification time, not its
	// content: each change is dated a minute after the previous one.
	age := func(paths ...string) {
		old = old.Add(time.Minute)
		for _, p := range paths {
			if err := os.Chtimes(filepath.Join(mod, p), old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	age("input.txt", "tree/sub/file.txt", "tree/sub", "tree", ".")
	run := func(env ...string) bool {
		t.Helper()
		cmd := exec.Command("go", "test", "./user")
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), append([]string{"GOFLAGS=", "GOTOOLCHAIN=local", "NODE_OPTIONS="}, env...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go test: %v\n%s", err, out)
		}
		return strings.Contains(string(out), "(cached)")
	}
	if run() {
		t.Fatal("the first run was cached")
	}
	if !run() {
		t.Fatal("an unchanged second run was not cached")
	}
	changes := []struct {
		what   string
		change func()
		env    []string
	}{
		{"a declared file changed", func() {
			if err := os.WriteFile(filepath.Join(mod, "input.txt"), []byte("two\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			age("input.txt")
		}, nil},
		{"a file added deep in a declared tree", func() {
			if err := os.WriteFile(filepath.Join(mod, "tree/sub/new.txt"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			age("tree/sub/new.txt", "tree/sub")
		}, nil},
		{"a program variable set", func() {}, []string{"NODE_OPTIONS=--no-warnings"}},
	}
	for _, c := range changes {
		c.change()
		if run(c.env...) {
			t.Errorf("%s: go test reused the result", c.what)
		}
		if !run(c.env...) {
			t.Errorf("%s: the run after it was not cached", c.what)
		}
	}
}

// TestPackagesThatStartProgramsDeclareTheirInputs: every package whose
// tests import os/exec also uses this package, so that go test's cache
// sees what the programs they start read. internal/outdir is the
// exception: its tests start only their own binary, with variables they
// set, in directories of their own.
func TestPackagesThatStartProgramsDeclareTheirInputs(t *testing.T) {
	exempt := map[string]bool{"internal/outdir": true}
	root := filepath.Join("..", "..")
	starts, declares := map[string]bool{}, map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dir, err := filepath.Rel(root, filepath.Dir(p))
		if err != nil {
			return err
		}
		dir = filepath.ToSlash(dir)
		starts[dir] = starts[dir] || strings.Contains(string(b), `"os/exec"`)
		declares[dir] = declares[dir] || strings.Contains(string(b), "testinputs.")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(starts) < 10 {
		t.Fatalf("found test files in only %d directories", len(starts))
	}
	for dir, s := range starts {
		if s && !declares[dir] && !exempt[dir] {
			t.Errorf("%s: its tests start programs (os/exec) but declare nothing to go test's cache: call testinputs where they start them", dir)
		}
	}
}
