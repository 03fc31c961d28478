// Package outdir replaces a synthesis output directory as a whole, safely:
//
//   - Only an empty directory or one this tool wrote (it holds [Marker]) is
//     replaced; anything else, the file system root, the working directory
//     and its parents, and repositories are refused before anything is
//     touched. Nothing outside the output and its temporary siblings is
//     deleted.
//   - The new output is built in a temporary sibling and swapped in with one
//     system call (Linux renameat2 RENAME_EXCHANGE, macOS renamex_np
//     RENAME_SWAP): a reader sees the old or the new output, never neither
//     or a mix. Where the file system cannot exchange, two renames are used.
//   - Concurrent runs take turns on an exclusive lock ([LockFile]), and the
//     next start recovers what an interrupted run left.
//   - Terraform's working files ([Preserved]) are hard-linked into the new
//     output before the swap, so no failure or kill at any point loses them.
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

// Preserved are the entries of a stack's directory that `terraform init`
// writes (providers, modules, lock file); they are kept for every stack that
// still exists, so that a new synthesis does not force a new init.
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
// sibling that is never removed (that would let two runs hold different locks).
func LockFile(dir string) string {
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".lock")
}

// Options tune Replace.
type Options struct {
	// Notify receives, as they happen, waits for another run's lock and
	// what was recovered from an interrupted run.
	Notify func(msg string)
}

func (o Options) notify(format string, args ...any) {
	if o.Notify != nil {
		o.Notify(fmt.Sprintf(format, args...))
	}
}

// Result says what Replace did to the output directory.
type Result struct {
	// Existed: dir held an output before the new one was built.
	Existed bool
	// Replaced: the new output is in place (never with an error).
	Replaced bool
	// Warnings are cleanups that failed, after the swap or of earlier
	// runs' leftovers; the output itself is complete.
	Warnings []string
}

// RefusedError says the output path is not a directory this tool may
// replace; nothing was changed.
type RefusedError struct {
	Dir    string
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refusing to use %s as the output directory: %s", e.Dir, e.Reason)
}

// hook, set by tests, is called at each step of Replace (to kill or race).
var hook func(step string)

func step(name string) {
	if hook != nil {
		hook(name)
	}
}

// remove deletes a directory tree; tests replace it to make a removal fail.
var remove = removeAll

// Replace calls build with a fresh temporary directory next to dir and, if
// build succeeds and ctx is not done, swaps the result in for dir. On an
// error dir is as it was (after any repair of an interrupted run). A done
// ctx stops at the next step before the swap; after it the run completes.
func Replace(ctx context.Context, dir string, build func(tmp string) error, opts Options) (res Result, err error) {
	dir, err = filepath.Abs(dir)
	if err != nil {
		return res, err
	}
	if err := checkPath(dir); err != nil {
		return res, err
	}
	// Refuse a foreign directory before locking; repeated under the lock.
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
	if err := checkpoint(ctx, "recovered"); err != nil {
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
	if err := checkpoint(ctx, "built"); err != nil {
		return res, err
	}
	// The old output keeps its own links until it is removed; stacks that
	// no longer exist lose theirs with it.
	if err := stackEntries(dir, tmp, linkTree); err != nil {
		return res, fmt.Errorf("keeping Terraform's working files: %w", err)
	}
	step("carried")
	if err := os.WriteFile(filepath.Join(tmp, Marker), []byte(markerText), 0o644); err != nil {
		return res, err
	}
	if err := checkpoint(ctx, "marked"); err != nil {
		return res, err
	}

	old, err := swap(dir, tmp)
	if err != nil {
		if _, statErr := os.Lstat(dir); statErr != nil && res.Existed {
			// The fallback moved the old output aside and could not
			// move it back (the next run does).
			res.Existed = false
			return res, fmt.Errorf("putting the new output in place: %w; the previous output is in %s until the next run moves it back", err, old)
		}
		return res, fmt.Errorf("putting the new output in place: %w", err)
	}
	res.Replaced = true
	step("swapped")
	if old != "" {
		// Working files a concurrent `terraform init` made in the old
		// output after they were linked into the new one.
		if _, err := rescue(old, dir); err != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("could not move Terraform's working files from the previous output %s into %s: %v", old, dir, err))
		} else if err := remove(old); err != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("could not remove the previous output %s (the next run tries again): %v", old, err))
		}
	}
	step("cleaned")
	return res, nil
}

// checkpoint marks the step name and returns an error when ctx is done.
func checkpoint(ctx context.Context, name string) error {
	step(name)
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

// checkOwned reports whether dir holds an output this tool wrote, refusing
// anything else but a missing or empty directory.
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

// legacyOutput reports whether dir is an output without the marker: only a
// cdktf manifest.json and stacks/, each stack holding only the synthesized
// configuration and [Preserved] entries.
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

// leftoverPrefixes name dir's temporary siblings: new outputs being built
// (after an exchange, the old one on its way out) and old outputs moved
// aside by the fallback swap.
func leftoverPrefixes(dir string) (newPrefix, oldPrefix string) {
	base := filepath.Base(dir)
	return "." + base + ".new-", "." + base + ".old-"
}

// recoverLeftovers repairs what an interrupted run left next to dir: an
// output moved aside is moved back, [Preserved] entries found only in a
// leftover are moved into the output, and the leftovers are removed. It
// runs under the lock, so every leftover's run is over.
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

// isLeftover reports whether name is prefix plus os.MkdirTemp's random
// digits, so another output whose name starts the same is left alone.
func isLeftover(name, prefix string) bool {
	rest, ok := strings.CutPrefix(name, prefix)
	return ok && rest != "" && strings.Trim(rest, "0123456789") == ""
}

func newest(paths []string) string {
	best, bestTime := paths[0], time.Time{}
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.ModTime().After(bestTime) {
			best, bestTime = p, fi.ModTime()
		}
	}
	return best
}

// stackEntries calls fn(src, dst) for every Preserved entry of every stack
// in from/stacks that to/stacks also has.
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

// linkTree recreates the tree src at dst: directories with their
// permissions, symbolic links as links, regular files as hard links (copies
// where linking fails); other kinds of files are skipped.
func linkTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// src is clean (filepath.Join), so every path WalkDir gives starts with it.
		target := filepath.Join(dst, strings.TrimPrefix(p, src))
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
	// Two renames: if the process dies between them, the next run moves
	// the old output back.
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

// removeAll removes a directory tree this tool wrote, first giving its
// owner write permission on read-only directories inside.
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
