// Package tempdir makes temporary directories that a later process can
// tell are abandoned: each is named PREFIX-PID-RANDOM and its creator holds
// an flock on it until it removes it. A process killed with SIGKILL cannot
// remove its directory, but the kernel drops its lock; Collect, run by a
// later process, removes such directories and never one whose owner lives.
package tempdir

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Dir is a temporary directory held by this process.
type Dir struct {
	// Path is the directory's path.
	Path string
	f    *os.File // open on Path, holding the lock
}

// New collects the abandoned directories of prefix under parent ("" means
// os.TempDir) and creates a new one, locked until Remove.
func New(parent, prefix string) (*Dir, error) {
	if parent == "" {
		parent = os.TempDir()
	}
	Collect(parent, prefix)
	path, err := os.MkdirTemp(parent, prefix+"-"+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err == nil {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err != nil {
			f.Close()
		}
	}
	if err != nil {
		os.RemoveAll(path)
		return nil, err
	}
	return &Dir{Path: path, f: f}, nil
}

// Remove removes the directory and then releases its lock.
func (d *Dir) Remove() error {
	err := os.RemoveAll(d.Path)
	d.f.Close()
	return err
}

// Collect removes the directories PREFIX-PID-RANDOM under parent whose
// owner is gone: nobody holds their lock and no process PID lives (the
// PID check covers the moment between a live owner's mkdir and its
// flock). It returns the directories it removed.
func Collect(parent, prefix string) ([]string, error) {
	if parent == "" {
		parent = os.TempDir()
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix+"-")
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || alive(pid) {
			continue
		}
		path := filepath.Join(parent, e.Name())
		if abandoned(path) {
			if err := os.RemoveAll(path); err != nil {
				errs = append(errs, err)
				continue
			}
			removed = append(removed, path)
		}
	}
	return removed, errors.Join(errs...)
}

// alive reports whether a process pid exists (it may be another user's).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// abandoned reports whether nobody holds the lock on path. The lock taken
// to find out is released before returning; removing the directory while
// a new owner could lock it is harmless, as owners lock only their own new
// directory.
func abandoned(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}
