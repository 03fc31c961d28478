//go:build unix

package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadDir runs LoadDir with a deadline: a reader that blocks must fail the
// test, not hang the suite.
func loadDir(t *testing.T, dir string) ([]*Config, error) {
	t.Helper()
	type result struct {
		cfgs []*Config
		err  error
	}
	done := make(chan result, 1)
	go func() {
		cfgs, err := LoadDir(dir)
		done <- result{cfgs, err}
	}()
	select {
	case r := <-done:
		return r.cfgs, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("LoadDir(%s) blocked for 10 s", dir)
		return nil, nil
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadDirReadsOnlyRegularFilesOfBoundedSize: a named pipe, a device, a
// directory or a huge file named *.json is refused with a clear problem, at
// once, and the other files' problems are reported too.
func TestLoadDirReadsOnlyRegularFilesOfBoundedSize(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "dev.json"), minimal)
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	huge := `{"budget": {"amount": 50, "emails": ["ops@example.com"]}}` + strings.Repeat(" ", MaxFileSize)
	writeFile(t, filepath.Join(dir, "huge.json"), huge)

	_, err := loadDir(t, dir)
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	for _, want := range []string{
		filepath.Join(dir, "fifo.json") + ": /: is a named pipe (FIFO), not a regular file",
		filepath.Join(dir, "zero.json") + ": /: is a character device, not a regular file",
		filepath.Join(dir, "sub.json") + ": /: is a directory, not a regular file",
		filepath.Join(dir, "huge.json") + ": /: is larger than 1048576 bytes",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "dev.json") {
		t.Errorf("the valid dev.json has a problem:\n%s", msg)
	}
}

// TestLoadDirIgnoresEditorAndHiddenFiles: what editors leave next to a file
// is not an environment (an Emacs lock file is a dangling symbolic link).
func TestLoadDirIgnoresEditorAndHiddenFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "dev.json"), minimal)
	writeFile(t, filepath.Join(dir, "schema.json"), `{"not": "an environment"}`)
	if err := os.Symlink("user@host.1234:1700000000", filepath.Join(dir, ".#dev.json")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".dev.json", "dev.json~", "#dev.json#", ".dev.json.swp", "dev.json.swp", ".prod.json"} {
		writeFile(t, filepath.Join(dir, name), "not json \xff")
	}
	cfgs, err := loadDir(t, dir)
	if err != nil {
		t.Fatalf("editor files were read:\n%v", err)
	}
	if len(cfgs) != 1 || cfgs[0].Environment != "dev" {
		t.Errorf("environments %v, want only dev", cfgs)
	}
	for name, want := range map[string]bool{"dev.json": true, "prod.json": true, "schema.json": false, ".#dev.json": false, ".dev.json": false, "dev.json~": false, "#dev.json#": false, "x.json.swp": false} {
		if got := IsEnvironmentFile(name); got != want {
			t.Errorf("IsEnvironmentFile(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestLoadDirReportsAnUnreadableDirectory: a directory that cannot be read
// is reported as such, not as a directory without environment files.
func TestLoadDirReportsAnUnreadableDirectory(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "file")
	writeFile(t, file, "")
	dirs := []string{filepath.Join(root, "missing"), file}
	if os.Geteuid() != 0 { // root reads any directory
		locked := filepath.Join(root, "locked")
		if err := os.Mkdir(locked, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(locked, "dev.json"), minimal)
		if err := os.Chmod(locked, 0o000); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(locked, 0o755) })
		dirs = append(dirs, locked)
	}
	for _, dir := range dirs {
		_, err := loadDir(t, dir)
		if err == nil {
			t.Fatalf("%s: accepted", dir)
		}
		if msg := err.Error(); !strings.Contains(msg, dir+": cannot read the configuration directory: ") || strings.Contains(msg, "no environment files") {
			t.Errorf("%s: %s", dir, msg)
		}
	}
}
