package outdir

import (
	"errors"
	"os"
	"path/filepath"
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

func TestReplaceSwapsInTheNewOutput(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "cdktf.out")
	write(t, filepath.Join(out, "stacks", "dev", "cdk.tf.json"), "old")
	write(t, filepath.Join(out, "stacks", "dev", ".terraform", "providers", "p"), "plugin")
	write(t, filepath.Join(out, "stacks", "dev", ".terraform.lock.hcl"), "locks")
	write(t, filepath.Join(out, "stacks", "gone", ".terraform.lock.hcl"), "locks of a removed stack")

	err := Replace(out, func(tmp string) error {
		write(t, filepath.Join(tmp, "stacks", "dev", "cdk.tf.json"), "new")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(out, "stacks", "dev", "cdk.tf.json")); got != "new" {
		t.Errorf("cdk.tf.json = %q", got)
	}
	if got := read(t, filepath.Join(out, "stacks", "dev", ".terraform", "providers", "p")); got != "plugin" {
		t.Errorf(".terraform not carried over: %q", got)
	}
	if got := read(t, filepath.Join(out, "stacks", "dev", ".terraform.lock.hcl")); got != "locks" {
		t.Errorf("lock file not carried over: %q", got)
	}
	if _, err := os.Stat(filepath.Join(out, "stacks", "gone")); !os.IsNotExist(err) {
		t.Error("a stack that no longer exists came back")
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("output mode %v %v, want 0755", fi.Mode(), err)
	}
	assertOnlyOutput(t, root)
}

func TestReplaceKeepsTheOldOutputOnFailure(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "cdktf.out")
	write(t, filepath.Join(out, "manifest.json"), "old manifest")
	boom := errors.New("boom")
	err := Replace(out, func(tmp string) error {
		write(t, filepath.Join(tmp, "manifest.json"), "half-written")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if got := read(t, filepath.Join(out, "manifest.json")); got != "old manifest" {
		t.Errorf("manifest.json = %q after a failed build", got)
	}
	assertOnlyOutput(t, root)
}

func TestReplaceCreatesTheFirstOutput(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "nested", "cdktf.out")
	if err := Replace(out, func(tmp string) error {
		write(t, filepath.Join(tmp, "manifest.json"), "first")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(out, "manifest.json")); got != "first" {
		t.Errorf("manifest.json = %q", got)
	}
}

// assertOnlyOutput fails if temporary directories were left next to the
// output.
func assertOnlyOutput(t *testing.T, root string) {
	t.Helper()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "cdktf.out" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
