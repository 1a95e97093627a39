package symlinker

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// A Staging is a replacement for a directory being filled aside: the
// caller fills Dir, then Commit swaps it in whole, or Abort drops it. A run
// killed at any moment leaves either the old directory or the new one,
// never a mix; its staging directory is removed by the next Stage.
type Staging struct {
	target string // the directory to replace
	dir    string // the staging directory, a sibling of target
	done   bool
}

// Stage starts replacing the directory dir (which need not exist yet). It
// removes the staging leftovers of runs that no longer live, then makes an
// empty staging directory next to dir, on the same filesystem, named
// ".NAME.dmake-stage-PID-RANDOM", with dir's mode (or the umask's default).
func Stage(dir string) (*Staging, error) {
	target, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	parent, base := filepath.Dir(target), filepath.Base(target)
	if err := cleanStale(parent, base); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, fmt.Sprintf(".%s.dmake-stage-%d-", base, os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w", dir, err)
	}
	mode := fs.FileMode(0o777)
	if fi, err := os.Stat(target); err == nil && fi.IsDir() {
		mode = fi.Mode().Perm()
	} else if umask, err := currentUmask(); err == nil {
		mode &^= fs.FileMode(umask)
	}
	if err := os.Chmod(tmp, mode); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("stage %s: %w", dir, err)
	}
	return &Staging{target: target, dir: tmp}, nil
}

// Dir returns the staging directory to fill.
func (s *Staging) Dir() string { return s.dir }

// Commit puts the staging directory in place of the target in one atomic
// step (renameat2 RENAME_EXCHANGE, then the old tree is removed), or, where
// the filesystem cannot exchange, by moving the old one aside first.
func (s *Staging) Commit() error { return s.commit(true) }

func (s *Staging) commit(exchange bool) error {
	if s.done {
		return fmt.Errorf("commit %s: staging already ended", s.target)
	}
	s.done = true
	if _, err := os.Lstat(s.target); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(s.dir, s.target); err != nil {
			os.RemoveAll(s.dir)
			return fmt.Errorf("commit %s: %w", s.target, err)
		}
		return nil
	}
	if exchange {
		err := unix.Renameat2(unix.AT_FDCWD, s.dir, unix.AT_FDCWD, s.target, unix.RENAME_EXCHANGE)
		if err == nil {
			// s.dir now holds the old tree; a kill during its removal
			// leaves a stale stage directory for the next Stage.
			if err := os.RemoveAll(s.dir); err != nil {
				return fmt.Errorf("commit %s: removing the old tree: %w", s.target, err)
			}
			return nil
		}
		if err != unix.EINVAL && err != unix.ENOSYS && err != unix.EOPNOTSUPP {
			os.RemoveAll(s.dir)
			return fmt.Errorf("commit %s: %w", s.target, err)
		}
	}
	parent, base := filepath.Dir(s.target), filepath.Base(s.target)
	aside, err := os.MkdirTemp(parent, fmt.Sprintf(".%s.dmake-old-%d-", base, os.Getpid()))
	if err != nil {
		os.RemoveAll(s.dir)
		return fmt.Errorf("commit %s: %w", s.target, err)
	}
	// Rename the target onto the empty aside directory (rename replaces an
	// empty directory; a non-directory target needs the name free).
	if fi, err := os.Lstat(s.target); err == nil && !fi.IsDir() {
		os.Remove(aside)
	}
	if err := unix.Rename(s.target, aside); err != nil {
		os.Remove(aside)
		os.RemoveAll(s.dir)
		return fmt.Errorf("commit %s: %w", s.target, err)
	}
	if err := os.Rename(s.dir, s.target); err != nil {
		os.Rename(aside, s.target)
		os.RemoveAll(s.dir)
		return fmt.Errorf("commit %s: %w", s.target, err)
	}
	if err := os.RemoveAll(aside); err != nil {
		return fmt.Errorf("commit %s: removing the old tree: %w", s.target, err)
	}
	return nil
}

// Abort removes the staging directory and leaves the target as it was.
// It does nothing after Commit or a previous Abort.
func (s *Staging) Abort() error {
	if s.done {
		return nil
	}
	s.done = true
	return os.RemoveAll(s.dir)
}

// cleanStale removes the staging and set-aside directories of base in
// parent whose process is gone.
func cleanStale(parent, base string) error {
	entries, err := os.ReadDir(parent)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), "."+base+".dmake-stage-")
		if !ok {
			rest, ok = strings.CutPrefix(e.Name(), "."+base+".dmake-old-")
		}
		if !ok {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 || alive(pid) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(parent, e.Name())); err != nil {
			return fmt.Errorf("removing a stale stage directory: %w", err)
		}
	}
	return nil
}

// alive reports whether a process with the given pid exists (the current
// one included: its stage directories may be in use).
func alive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || err == unix.EPERM
}
