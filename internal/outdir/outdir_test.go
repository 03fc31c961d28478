package outdir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// stacks are the stacks of the fake outputs: every file of an output
// carries its tag, so that a mix of two outputs shows.
var stacks = []string{"a", "b", "c"}

// build returns a build function that writes a complete fake output.
func build(tag string) func(tmp string) error {
	return func(tmp string) error {
		if err := os.WriteFile(filepath.Join(tmp, "manifest.json"), []byte(tag), 0o644); err != nil {
			return err
		}
		for _, st := range stacks {
			if err := os.MkdirAll(filepath.Join(tmp, "stacks", st), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(tmp, "stacks", st, "cdk.tf.json"), []byte(tag), 0o644); err != nil {
				return err
			}
		}
		return nil
	}
}

// previous makes dir an output of this tool tagged "old", with Terraform's
// working files in stack a.
func previous(t *testing.T, dir string) {
	t.Helper()
	if _, err := Replace(context.Background(), dir, build("old"), Options{}); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "stacks", "a", ".terraform", "providers", "p"), "plugin")
	write(t, filepath.Join(dir, "stacks", "a", ".terraform.lock.hcl"), "locks")
}

// outputTag checks that dir is one complete output with Terraform's working
// files in stack a, and returns its tag.
func outputTag(t *testing.T, dir string) string {
	t.Helper()
	tag, err := readOutput(dir)
	if err != nil {
		t.Fatal(err)
	}
	return tag
}

// readOutput reads the output as a reader would, through one handle on the
// directory: the files it reads all belong to the directory it opened, even
// if the path is swapped meanwhile.
func readOutput(dir string) (string, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", err
	}
	defer func() { _ = root.Close() }()
	tag, err := root.ReadFile("manifest.json")
	if err != nil {
		return "", err
	}
	files := []string{Marker, "stacks/a/.terraform/providers/p", "stacks/a/.terraform.lock.hcl"}
	for _, st := range stacks {
		files = append(files, "stacks/"+st+"/cdk.tf.json")
	}
	for _, f := range files {
		b, err := root.ReadFile(f)
		if err != nil {
			return "", err
		}
		switch {
		case strings.HasSuffix(f, "cdk.tf.json") && string(b) != string(tag):
			return "", fmt.Errorf("mixed output: manifest.json is %q, %s is %q", tag, f, b)
		case f == "stacks/a/.terraform/providers/p" && string(b) != "plugin",
			f == "stacks/a/.terraform.lock.hcl" && string(b) != "locks":
			return "", fmt.Errorf("%s = %q", f, b)
		}
	}
	return string(tag), nil
}

// assertOnlyOutput fails if anything but the output and its lock file is
// left next to it.
func assertOnlyOutput(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != filepath.Base(dir) && e.Name() != filepath.Base(LockFile(dir)) {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// replaceWith replaces dir with a fake output tagged tag, which must
// succeed, and checks that dir is then that output, complete.
func replaceWith(t *testing.T, dir, tag string) {
	t.Helper()
	if _, err := Replace(context.Background(), dir, build(tag), Options{}); err != nil {
		t.Fatal(err)
	}
	if got := outputTag(t, dir); got != tag {
		t.Errorf("output %q, want %q", got, tag)
	}
}

// assertOutput checks that dir is the complete output tagged want and that
// nothing but it and its lock file is left next to it.
func assertOutput(t *testing.T, dir, want string) {
	t.Helper()
	if got := outputTag(t, dir); got != want {
		t.Errorf("output %q, want %q", got, want)
	}
	assertOnlyOutput(t, dir)
}

func TestReplaceSwapsInTheNewOutput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cdktf.out")
	previous(t, out)
	write(t, filepath.Join(out, "stacks", "gone", ".terraform.lock.hcl"), "locks of a removed stack")

	res, err := Replace(context.Background(), out, build("new"), Options{})
	if err != nil || !res.Replaced || !res.Existed || len(res.Warnings) > 0 {
		t.Fatalf("Replace = %+v, %v", res, err)
	}
	if tag := outputTag(t, out); tag != "new" {
		t.Errorf("output %q, want new", tag)
	}
	if _, err := os.Stat(filepath.Join(out, "stacks", "gone")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("a stack that no longer exists came back")
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("output mode %v %v, want 0755", fi.Mode(), err)
	}
	assertOnlyOutput(t, out)
}

func TestReplaceKeepsTheOldOutputOnFailure(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cdktf.out")
	previous(t, out)
	boom := errors.New("boom")
	res, err := Replace(context.Background(), out, func(tmp string) error {
		write(t, filepath.Join(tmp, "manifest.json"), "half-written")
		return boom
	}, Options{})
	if !errors.Is(err, boom) || res.Replaced || !res.Existed {
		t.Fatalf("Replace = %+v, %v; want boom", res, err)
	}
	assertOutput(t, out, "old")
}

func TestReplaceCreatesTheFirstOutput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "nested", "cdktf.out")
	res, err := Replace(context.Background(), out, build("first"), Options{})
	if err != nil || !res.Replaced || res.Existed {
		t.Fatalf("Replace = %+v, %v", res, err)
	}
	if got := read(t, filepath.Join(out, "manifest.json")); got != "first" {
		t.Errorf("manifest.json = %q", got)
	}
	if got := read(t, filepath.Join(out, Marker)); !strings.Contains(got, "replaces it as a whole") {
		t.Errorf("marker = %q", got)
	}
}

// TestReplaceRefusesWhatItDidNotWrite: an existing directory is replaced
// only when this tool wrote it; everything else is refused, naming the
// path, before anything is touched.
func TestReplaceRefusesWhatItDidNotWrite(t *testing.T) {
	root := t.TempDir()
	notes := filepath.Join(root, "notes")
	write(t, filepath.Join(notes, "keep.txt"), "keep")
	repo := filepath.Join(root, "repo")
	write(t, filepath.Join(repo, ".git", "HEAD"), "ref: refs/heads/main")
	write(t, filepath.Join(repo, Marker), "a marker does not make a repository ours")
	file := filepath.Join(root, "file")
	write(t, file, "a file")
	link := filepath.Join(root, "link")
	if err := os.Symlink(notes, link); err != nil {
		t.Fatal(err)
	}
	legacyPlus := filepath.Join(root, "legacy-plus")
	write(t, filepath.Join(legacyPlus, "manifest.json"), `{"version": "0.20.12", "stacks": {}}`)
	write(t, filepath.Join(legacyPlus, "stacks", "dev", "cdk.tf.json"), "{}")
	write(t, filepath.Join(legacyPlus, "stacks", "dev", "notes.md"), "mine")
	work := filepath.Join(root, "work")
	write(t, filepath.Join(work, "config", "dev.json"), "{}")
	t.Chdir(work)
	home := filepath.Join(root, "home")
	if err := os.Mkdir(home, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)

	for _, c := range []struct{ dir, reason string }{
		{notes, "it is not empty and was not written by this tool (it has no " + Marker + " file); nothing was changed"},
		{repo, "it is a git repository"},
		{file, "it is not a directory"},
		{link, "it is a symbolic link"},
		{legacyPlus, "was not written by this tool"},
		{"/", "it is the root of the file system"},
		{".", "it is the working directory or one of its parents"},
		{work, "it is the working directory or one of its parents"},
		{root, "it is the working directory or one of its parents"},
		{home, "it is the home directory"},
	} {
		t.Run(c.dir, func(t *testing.T) {
			built := false
			_, err := Replace(context.Background(), c.dir, func(string) error { built = true; return nil }, Options{})
			var refused *RefusedError
			if !errors.As(err, &refused) {
				t.Fatalf("err = %v, want a refusal", err)
			}
			abs, _ := filepath.Abs(c.dir)
			if want := "refusing to use " + abs + " as the output directory: "; !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), c.reason) {
				t.Errorf("err = %q, want %q ... %q", err, want, c.reason)
			}
			if built {
				t.Error("synthesis ran")
			}
		})
	}
	if got := read(t, filepath.Join(notes, "keep.txt")); got != "keep" {
		t.Errorf("keep.txt = %q", got)
	}
	if _, err := os.Stat(filepath.Join(repo, ".git", "HEAD")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(work, "config", "dev.json")); err != nil {
		t.Error(err)
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("a refused replacement left %s", e.Name())
		}
	}
}

// TestReplaceAdoptsEmptyAndEarlierOutputs: an empty directory, and an
// output of an earlier version (no marker yet, nothing but what synthesis
// and Terraform write), are replaced; .terraform is kept.
func TestReplaceAdoptsEmptyAndEarlierOutputs(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "out")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Replace(context.Background(), empty, build("new"), Options{}); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(empty, "manifest.json")); got != "new" {
		t.Errorf("manifest.json = %q", got)
	}

	legacy := filepath.Join(t.TempDir(), "cdktf.out")
	write(t, filepath.Join(legacy, "manifest.json"), `{"version": "0.20.12", "outdir": "cdktf.out", "stacks": {"a": {}}}`)
	write(t, filepath.Join(legacy, "stacks", "a", "cdk.tf.json"), "{}")
	write(t, filepath.Join(legacy, "stacks", "a", ".terraform", "providers", "p"), "plugin")
	write(t, filepath.Join(legacy, "stacks", "a", ".terraform.lock.hcl"), "locks")
	replaceWith(t, legacy, "new")
}

// TestReplaceRecoversLeftovers: what an interrupted run left is repaired
// on the next start: an output moved aside comes back, Terraform's working
// files found only in a leftover move into the output, leftovers go.
func TestReplaceRecoversLeftovers(t *testing.T) {
	t.Run("unfinished new output", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "cdktf.out")
		previous(t, out)
		write(t, filepath.Join(filepath.Dir(out), ".cdktf.out.new-123", "manifest.json"), "half")
		var notes []string
		if _, err := Replace(context.Background(), out, build("new"), Options{Notify: func(m string) { notes = append(notes, m) }}); err != nil {
			t.Fatal(err)
		}
		if tag := outputTag(t, out); tag != "new" {
			t.Errorf("output %q", tag)
		}
		if !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, ".cdktf.out.new-123, left by an interrupted run") }) {
			t.Errorf("notes %q do not mention the leftover", notes)
		}
		assertOnlyOutput(t, out)
	})
	t.Run("old output moved aside", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "cdktf.out")
		previous(t, out)
		aside := filepath.Join(filepath.Dir(out), ".cdktf.out.old-123")
		if err := os.Rename(out, aside); err != nil {
			t.Fatal(err)
		}
		// The complete new output that was about to take its place.
		unfinished := filepath.Join(filepath.Dir(out), ".cdktf.out.new-123")
		if err := os.Mkdir(unfinished, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := build("newer")(unfinished); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(unfinished, Marker), markerText)
		var notes []string
		_, err := Replace(context.Background(), out, func(string) error { return errors.New("synthesis failed") }, Options{Notify: func(m string) { notes = append(notes, m) }})
		if err == nil {
			t.Fatal("no error")
		}
		if tag := outputTag(t, out); tag != "old" {
			t.Errorf("output %q, want the old one restored", tag)
		}
		if !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, "restored the previous output") }) {
			t.Errorf("notes %q", notes)
		}
		assertOnlyOutput(t, out)
	})
	t.Run("another output's siblings", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "cdktf.out")
		previous(t, out)
		other := filepath.Join(filepath.Dir(out), ".cdktf.out.new-feature")
		write(t, filepath.Join(other, "manifest.json"), "another output named cdktf.out.new-feature is being built")
		if _, err := Replace(context.Background(), out, build("new"), Options{}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(other, "manifest.json")); err != nil {
			t.Errorf("a sibling this run did not make was removed: %v", err)
		}
	})
	t.Run("working files only in a leftover", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "cdktf.out")
		previous(t, out)
		left := filepath.Join(filepath.Dir(out), ".cdktf.out.old-7")
		if err := os.MkdirAll(filepath.Join(left, "stacks", "a"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(out, "stacks", "a", ".terraform"), filepath.Join(left, "stacks", "a", ".terraform")); err != nil {
			t.Fatal(err)
		}
		replaceWith(t, out, "new")
		assertOnlyOutput(t, out)
	})
}

// TestReplaceWithoutExchange: where the file system cannot exchange, two
// renames replace the output.
func TestReplaceWithoutExchange(t *testing.T) {
	saved := exchange
	t.Cleanup(func() { exchange = saved })
	for _, fail := range []func(a, b string) error{nil, func(a, b string) error { return syscall.EINVAL }} {
		exchange = fail
		out := filepath.Join(t.TempDir(), "cdktf.out")
		previous(t, out)
		replaceWith(t, out, "new")
		assertOnlyOutput(t, out)
	}
}

// TestFailedSwapLeavesTheOldOutput: an error from the swap itself leaves
// the old output, with its working files, and no leftovers.
func TestFailedSwapLeavesTheOldOutput(t *testing.T) {
	saved := exchange
	t.Cleanup(func() { exchange = saved })
	exchange = func(a, b string) error { return syscall.EIO }
	out := filepath.Join(t.TempDir(), "cdktf.out")
	previous(t, out)
	res, err := Replace(context.Background(), out, build("new"), Options{})
	if !errors.Is(err, syscall.EIO) || res.Replaced {
		t.Fatalf("Replace = %+v, %v", res, err)
	}
	assertOutput(t, out, "old")
}

// TestCleanupFailureIsAWarning: the new output is in place when the old
// one cannot be removed; that is a warning, not a failure, and the next run
// removes it.
func TestCleanupFailureIsAWarning(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cdktf.out")
	previous(t, out)
	remove = func(path string) error { return fmt.Errorf("remove %s: operation not permitted", path) }
	t.Cleanup(func() { remove = removeAll })
	res, err := Replace(context.Background(), out, build("new"), Options{})
	// Removal works again for the next run, which removes what this one
	// could not.
	remove = removeAll
	if err != nil || !res.Replaced || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "could not remove the previous output") {
		t.Fatalf("Replace = %+v, %v; want the new output and one warning", res, err)
	}
	if tag := outputTag(t, out); tag != "new" {
		t.Errorf("output %q", tag)
	}
	replaceWith(t, out, "newer")
	assertOnlyOutput(t, out)
}

// TestReadOnlyStackDirectory: a stack directory made read-only in the old
// output does not stop the replacement or its cleanup. (Root ignores the
// permission, so the test guards only when run as a user, as in CI.)
func TestReadOnlyStackDirectory(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cdktf.out")
	previous(t, out)
	ro := filepath.Join(out, "stacks", "a")
	if err := os.Chmod(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(ro, 0o755) })
	res, err := Replace(context.Background(), out, build("new"), Options{})
	if err != nil || len(res.Warnings) > 0 {
		t.Fatalf("Replace = %+v, %v", res, err)
	}
	assertOutput(t, out, "new")
}

// TestWorkingFilesAreInBothUntilTheSwap: at every step before the swap the
// old output still has Terraform's working files; the new one has them
// before it is put in place.
func TestWorkingFilesAreInBothUntilTheSwap(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cdktf.out")
	previous(t, out)
	var tmp string
	hook = func(step string) {
		if tag := outputTag(t, out); tag != "old" && step != "swapped" && step != "cleaned" {
			t.Errorf("at %s the output is %q", step, tag)
		}
		if step == "marked" {
			matches, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".cdktf.out.new-*"))
			if len(matches) != 1 {
				t.Fatalf("temporary outputs %v", matches)
			}
			tmp = matches[0]
			if tag := outputTag(t, tmp); tag != "new" {
				t.Errorf("new output %q before the swap", tag)
			}
		}
	}
	t.Cleanup(func() { hook = nil })
	if _, err := Replace(context.Background(), out, build("new"), Options{}); err != nil {
		t.Fatal(err)
	}
	if tmp == "" {
		t.Fatal("the hook never saw the marked output")
	}
	if tag := outputTag(t, out); tag != "new" {
		t.Errorf("output %q", tag)
	}
}

// TestCanceledBeforeTheSwap: a done context stops the replacement and
// leaves the old output and no leftovers.
func TestCanceledBeforeTheSwap(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cdktf.out")
	previous(t, out)
	ctx, cancel := context.WithCancelCause(context.Background())
	_, err := Replace(ctx, out, func(tmp string) error {
		cancel(errors.New("SIGTERM received"))
		return build("new")(tmp)
	}, Options{})
	if err == nil || !strings.Contains(err.Error(), "stopped before the new output was put in place: SIGTERM received") {
		t.Fatalf("err = %v", err)
	}
	assertOutput(t, out, "old")
}
