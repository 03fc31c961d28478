// Package outdir replaces a synthesis output directory as a whole, safely:
//
//   - Only a directory this tool wrote is replaced. Every output carries a
//     marker file ([Marker]); an existing directory without it (and with
//     anything in it) is refused before anything is touched, and so are the
//     file system root, the working directory and its parents, and
//     repositories. Nothing outside the output and its temporary siblings is
//     ever deleted.
//   - The new output is built in a temporary sibling and swapped in with one
//     system call (renameat2 RENAME_EXCHANGE on Linux, renamex_np
//     RENAME_SWAP on macOS), so a reader sees the old or the new output,
//     never neither and never a mix. Where the file system cannot exchange,
//     the fallback is two renames in a row, repaired on the next start if
//     the process dies between them.
//   - An exclusive lock on a file next to the output ([LockFile]) is held
//     for the whole replacement, so concurrent runs take turns.
//   - Leftovers of an interrupted run are recovered on the next start.
//   - Terraform's working files of each stack ([Preserved]) are carried over
//     as hard links before the swap, so the old output keeps them until it
//     is gone and the new one has them from the moment it appears: no
//     failure or kill at any point loses them.
package outdir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Preserved are the entries of a stack's working directory that belong to
// Terraform, not to synthesis: providers and modules installed by
// `terraform init` and the dependency lock file. They are kept for every
// stack that still exists, so that a new synthesis does not force a new
// init.
var Preserved = []string{".terraform", ".terraform.lock.hcl"}

// Marker is the file in an output directory that says this tool wrote it
// and may replace it.
const Marker = ".perpetual-infra-output"

const markerText = `This directory is the synthesized output of perpetual-infra.
Every synthesis replaces it as a whole; only .terraform and
.terraform.lock.hcl in each stacks/<stack>/ are kept. Do not keep anything
else here.
`

// LockFile returns the lock file of the output directory dir: a hidden
// sibling that stays in place (removing it would let two runs hold
// different locks).
func LockFile(dir string) string {
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".lock")
}

// Options tune Replace.
type Options struct {
	// Notify receives, as they happen, what the user should know besides
	// the result: waiting for another run's lock, and what was recovered
	// from an interrupted run.
	Notify func(msg string)
}

func (o Options) notify(format string, args ...any) {
	if o.Notify != nil {
		o.Notify(fmt.Sprintf(format, args...))
	}
}

// Result says what Replace did to the output directory.
type Result struct {
	// Existed is true when the directory held an output before the new
	// one was built.
	Existed bool
	// Replaced is true once the new output is in place. It is never true
	// together with an error.
	Replaced bool
	// Warnings are cleanups that failed after the new output was in
	// place, or leftovers of earlier runs that could not be removed. The
	// output itself is complete.
	Warnings []string
}

// RefusedError is returned when the output path is not a directory this
// tool may replace. Nothing was changed.
type RefusedError struct {
	Dir    string
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refusing to use %s as the output directory: %s", e.Dir, e.Reason)
}

// hook, when set by a test, is called at each step of Replace; a test
// pauses there to kill the process or to race another one.
var hook func(step string)

func step(name string) {
	if hook != nil {
		hook(name)
	}
}

// remove deletes a directory tree; tests replace it to make a removal fail.
var remove = removeAll

// Replace calls build with a fresh temporary directory next to dir and, if
// build succeeds and ctx is not done, puts the result in place of dir as
// described in the package documentation. On an error, dir is as it was
// (after the repair of an interrupted earlier run, which Options.Notify
// reports). A done ctx stops the replacement at the next step before the
// swap; once the swap is done the replacement completes.
func Replace(ctx context.Context, dir string, build func(tmp string) error, opts Options) (res Result, err error) {
	dir, err = filepath.Abs(dir)
	if err != nil {
		return res, err
	}
	if err := checkPath(dir); err != nil {
		return res, err
	}
	// Refuse a foreign directory before creating a lock file next to it
	// or waiting for a lock; the check is repeated under the lock.
	if _, err := checkOwned(dir); err != nil {
		return res, err
	}
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return res, err
	}
	unlock, err := acquire(ctx, LockFile(dir), func() {
		opts.notify("waiting for another synthesis into %s to finish (it holds %s)", dir, LockFile(dir))
	})
	if err != nil {
		return res, err
	}
	defer unlock()
	step("locked")

	if _, err := checkOwned(dir); err != nil {
		return res, err
	}
	warnings, err := recoverLeftovers(dir, opts)
	res.Warnings = append(res.Warnings, warnings...)
	if err != nil {
		return res, err
	}
	if res.Existed, err = checkOwned(dir); err != nil {
		return res, err
	}
	step("recovered")
	if err := interrupted(ctx); err != nil {
		return res, err
	}

	tmp, err := os.MkdirTemp(parent, "."+base+".new-")
	if err != nil {
		return res, err
	}
	defer func() {
		if !res.Replaced {
			if rerr := remove(tmp); rerr != nil {
				err = fmt.Errorf("%w\nand the unfinished new output %s could not be removed (the next run removes it): %w", err, tmp, rerr)
			}
		}
	}()
	// MkdirTemp creates 0700; the output is an ordinary directory.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return res, err
	}
	if err := build(tmp); err != nil {
		return res, err
	}
	step("built")
	if err := interrupted(ctx); err != nil {
		return res, err
	}
	if err := carryOver(dir, tmp); err != nil {
		return res, fmt.Errorf("keeping Terraform's working files: %w", err)
	}
	step("carried")
	if err := os.WriteFile(filepath.Join(tmp, Marker), []byte(markerText), 0o644); err != nil {
		return res, err
	}
	step("marked")
	if err := interrupted(ctx); err != nil {
		return res, err
	}

	old, err := swap(dir, tmp)
	if err != nil {
		if _, statErr := os.Lstat(dir); statErr != nil && res.Existed {
			// The fallback moved the old output aside and could not
			// move it back: say where it is (the next run restores it).
			res.Existed = false
			return res, fmt.Errorf("putting the new output in place: %w; the previous output is in %s until the next run moves it back", err, old)
		}
		return res, fmt.Errorf("putting the new output in place: %w", err)
	}
	res.Replaced = true
	step("swapped")
	if old != "" {
		// Working files Terraform created in the old output after they
		// were linked into the new one (a concurrent `terraform init`).
		if _, err := rescue(old, dir); err != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("could not move Terraform's working files from the previous output %s into %s: %v", old, dir, err))
		} else if err := remove(old); err != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("could not remove the previous output %s (the next run tries again): %v", old, err))
		}
	}
	step("cleaned")
	return res, nil
}

// interrupted returns an error when ctx is done.
func interrupted(ctx context.Context) error {
	if ctx.Err() == nil {
		return nil
	}
	return fmt.Errorf("stopped before the new output was put in place: %w", context.Cause(ctx))
}

// checkPath refuses paths that no output may have, whatever they hold.
func checkPath(dir string) error {
	if filepath.Dir(dir) == dir {
		return &RefusedError{dir, "it is the root of the file system"}
	}
	real := dir
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		real = r
	}
	if wd, err := os.Getwd(); err == nil {
		if r, err := filepath.EvalSymlinks(wd); err == nil {
			wd = r
		}
		if rel, err := filepath.Rel(real, wd); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return &RefusedError{dir, "it is the working directory or one of its parents"}
		}
	}
	if home, err := os.UserHomeDir(); err == nil && (dir == home || real == home) {
		return &RefusedError{dir, "it is the home directory"}
	}
	return nil
}

// checkOwned reports whether dir holds an output this tool wrote, and
// refuses anything else that is there. A missing or empty directory is
// free to use.
func checkOwned(dir string) (existed bool, err error) {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return false, &RefusedError{dir, "it is a symbolic link; name the directory itself"}
	}
	if !fi.IsDir() {
		return false, &RefusedError{dir, "it is not a directory"}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	if len(entries) == 0 {
		return false, nil
	}
	if slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Name() == ".git" }) {
		return false, &RefusedError{dir, "it is a git repository"}
	}
	if m, err := os.Lstat(filepath.Join(dir, Marker)); err == nil && m.Mode().IsRegular() {
		return true, nil
	}
	if legacyOutput(dir, entries) {
		return true, nil
	}
	return false, &RefusedError{dir, fmt.Sprintf(
		"it is not empty and was not written by this tool (it has no %s file); nothing was changed. Name a new or empty directory with -out or CDKTF_OUTDIR, or move this one away yourself", Marker)}
}

// legacyOutput reports whether dir is an output written before outputs
// carried the marker: nothing but a cdktf manifest.json and stacks/, each
// stack holding nothing but the synthesized configuration and Terraform's
// working files. Anything else in it means it is not (only) ours.
func legacyOutput(dir string, entries []fs.DirEntry) bool {
	for _, e := range entries {
		if e.Name() != "manifest.json" && (e.Name() != "stacks" || !e.IsDir()) {
			return false
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return false
	}
	var manifest struct {
		Version *string         `json:"version"`
		Stacks  *map[string]any `json:"stacks"`
	}
	if json.Unmarshal(raw, &manifest) != nil || manifest.Version == nil || manifest.Stacks == nil {
		return false
	}
	stacks, err := os.ReadDir(filepath.Join(dir, "stacks"))
	if err != nil {
		return false
	}
	for _, st := range stacks {
		if !st.IsDir() {
			return false
		}
		files, err := os.ReadDir(filepath.Join(dir, "stacks", st.Name()))
		if err != nil {
			return false
		}
		for _, f := range files {
			if f.Name() != "cdk.tf.json" && f.Name() != "cdk.tf" && !slices.Contains(Preserved, f.Name()) {
				return false
			}
		}
	}
	return true
}

// leftoverPrefixes are the names of the temporary siblings of dir: new
// outputs being built (or, after an exchange, the old output on its way
// out) and old outputs moved aside by the fallback swap.
func leftoverPrefixes(dir string) (newPrefix, oldPrefix string) {
	base := filepath.Base(dir)
	return "." + base + ".new-", "." + base + ".old-"
}

// recoverLeftovers repairs what an interrupted run left next to dir: an
// output moved aside but not replaced is moved back, Terraform's working
// files found only in a leftover are moved into the output, and the
// leftovers are removed. It runs under the lock, so every leftover belongs
// to a run that is over.
func recoverLeftovers(dir string, opts Options) (warnings []string, err error) {
	parent := filepath.Dir(dir)
	newPrefix, oldPrefix := leftoverPrefixes(dir)
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil, err
	}
	var olds, all []string
	for _, e := range entries {
		path, isOld := filepath.Join(parent, e.Name()), isLeftover(e.Name(), oldPrefix)
		if e.IsDir() && (isOld || isLeftover(e.Name(), newPrefix)) {
			all = append(all, path)
			if isOld {
				olds = append(olds, path)
			}
		}
	}
	if len(all) == 0 {
		return nil, nil
	}
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) && len(olds) > 0 {
		// The fallback swap moved the old output aside and stopped.
		restore := newest(olds)
		if err := os.Rename(restore, dir); err != nil {
			return nil, fmt.Errorf("restoring the previous output from %s, left by an interrupted run: %w", restore, err)
		}
		opts.notify("restored the previous output %s from %s, where an interrupted run had moved it", dir, restore)
		all = slices.DeleteFunc(all, func(p string) bool { return p == restore })
	}
	for _, l := range all {
		moved, err := rescue(l, dir)
		for _, m := range moved {
			opts.notify("kept %s, which an interrupted run had left in %s", m, l)
		}
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("could not move Terraform's working files from %s, left by an interrupted run, into %s: %v; it stays in place", l, dir, err))
			continue
		}
		if err := remove(l); err != nil {
			warnings = append(warnings, fmt.Sprintf("could not remove %s, left by an interrupted run: %v", l, err))
			continue
		}
		opts.notify("removed %s, left by an interrupted run", l)
	}
	return warnings, nil
}

// isLeftover reports whether name is prefix followed by the random digits
// os.MkdirTemp appends: only the siblings this package made, not the
// siblings of another output whose name happens to start the same way.
func isLeftover(name, prefix string) bool {
	rest, ok := strings.CutPrefix(name, prefix)
	return ok && rest != "" && strings.Trim(rest, "0123456789") == ""
}

// newest returns the path whose modification time is latest.
func newest(paths []string) string {
	best, bestTime := paths[0], time.Time{}
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.ModTime().After(bestTime) {
			best, bestTime = p, fi.ModTime()
		}
	}
	return best
}

// stackEntries calls fn with the source and destination paths of every
// Preserved entry of every stack in from/stacks that to/stacks also has
// (stacks missing in to are skipped).
func stackEntries(from, to string, fn func(src, dst string) error) error {
	stacks, err := os.ReadDir(filepath.Join(from, "stacks"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, st := range stacks {
		if !st.IsDir() {
			continue
		}
		dstDir := filepath.Join(to, "stacks", st.Name())
		if fi, err := os.Stat(dstDir); err != nil || !fi.IsDir() {
			continue
		}
		for _, name := range Preserved {
			src := filepath.Join(from, "stacks", st.Name(), name)
			if _, err := os.Lstat(src); err != nil {
				continue
			}
			if err := fn(src, filepath.Join(dstDir, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// carryOver gives every stack of the new output the Preserved entries of
// the same stack in the old output, as hard links (copies where the file
// system has none): the old output keeps its own until it is removed.
// Stacks that no longer exist lose theirs, with the old output.
func carryOver(from, to string) error {
	return stackEntries(from, to, linkTree)
}

// rescue moves the Preserved entries of from's stacks that to lacks into
// to, and returns what it moved.
func rescue(from, to string) (moved []string, err error) {
	err = stackEntries(from, to, func(src, dst string) error {
		if _, err := os.Lstat(dst); !errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err := os.Rename(src, dst); err != nil {
			return err
		}
		moved = append(moved, dst)
		return nil
	})
	return moved, err
}

// linkTree recreates the file or directory tree src at dst: directories
// with their permissions, symbolic links as links, regular files as hard
// links or, where linking fails, copies. Other kinds of files are skipped.
func linkTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.Mkdir(target, info.Mode().Perm()|0o700)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			if os.Link(p, target) == nil {
				return nil
			}
			return copyFile(p, target, info.Mode().Perm())
		}
		return nil
	})
}

func copyFile(src, dst string, perm fs.FileMode) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, out.Close()) }()
	_, err = io.Copy(out, in)
	return err
}

// swap puts tmp in place of dir and returns where the old output went
// ("" when there was none), also when it fails after moving it.
func swap(dir, tmp string) (old string, err error) {
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return "", os.Rename(tmp, dir)
	}
	if exchange != nil {
		err := exchange(tmp, dir)
		if err == nil {
			return tmp, nil
		}
		if !unsupported(err) {
			return "", err
		}
	}
	// Two renames: a reader may find dir missing between them, and if the
	// process dies there, the next run moves the old output back.
	newPrefix, oldPrefix := leftoverPrefixes(dir)
	old = filepath.Join(filepath.Dir(dir), oldPrefix+strings.TrimPrefix(filepath.Base(tmp), newPrefix))
	if err := os.Rename(dir, old); err != nil {
		return "", err
	}
	step("aside")
	if err := os.Rename(tmp, dir); err != nil {
		return old, errors.Join(err, os.Rename(old, dir))
	}
	return old, nil
}

// removeAll removes a directory tree this tool wrote. A directory inside
// that was made read-only does not stop it: the owner may give itself the
// write permission that removal needs.
func removeAll(path string) error {
	if err := os.RemoveAll(path); err == nil {
		return nil
	}
	_ = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0o700)
		}
		return nil
	})
	return os.RemoveAll(path)
}
