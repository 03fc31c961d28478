// Package outdir replaces a synthesis output directory atomically: the new
// output is written to a temporary sibling directory and moved into place
// only when synthesis succeeded, so a failed synthesis leaves the previous
// output exactly as it was.
package outdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Preserved are the entries of a stack's working directory that belong to
// Terraform, not to synthesis: providers and modules installed by
// `terraform init` and the dependency lock file. They move from the old
// output into the new one so that a new synthesis does not force a new init.
var Preserved = []string{".terraform", ".terraform.lock.hcl"}

// Replace calls build with a fresh temporary directory next to dir. If build
// succeeds, the temporary directory becomes dir (keeping the Preserved
// entries of the stacks that still exist); otherwise it is removed and dir
// is left untouched.
func Replace(dir string, build func(tmp string) error) (err error) {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".new-")
	if err != nil {
		return err
	}
	// MkdirTemp creates 0700; the output is an ordinary directory.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, os.RemoveAll(tmp))
		}
	}()
	if err := build(tmp); err != nil {
		return err
	}
	if err := carryOver(dir, tmp); err != nil {
		return err
	}
	old := ""
	if _, statErr := os.Stat(dir); statErr == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("moving the previous output aside: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			err = errors.Join(err, os.Rename(old, dir))
		}
		return fmt.Errorf("moving the new output into place: %w", err)
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

// carryOver moves the Preserved entries of every stack in from/stacks that
// also exists in to/stacks.
func carryOver(from, to string) error {
	stacks, err := os.ReadDir(filepath.Join(from, "stacks"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, st := range stacks {
		dst := filepath.Join(to, "stacks", st.Name())
		if _, err := os.Stat(dst); err != nil {
			continue
		}
		for _, name := range Preserved {
			src := filepath.Join(from, "stacks", st.Name(), name)
			if _, err := os.Lstat(src); err != nil {
				continue
			}
			if err := os.Rename(src, filepath.Join(dst, name)); err != nil {
				return fmt.Errorf("keeping %s: %w", src, err)
			}
		}
	}
	return nil
}
