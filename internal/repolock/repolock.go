// Package repolock keeps two dmake runs from working on one repository at
// the same time: a run holds an flock on .dmake/lock under the repository
// root, and the file says who holds it, so that a second run can wait and
// say for whom.
package repolock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dmake-dev/dmake/internal/statedir"
	"golang.org/x/sys/unix"
)

// Holder describes the process that holds a lock.
type Holder struct {
	PID     int
	Command string // the holder's "who", e.g. its command line
	Since   time.Time
}

// String describes the holder as in "pid 42 (dmake base ssh) since
// 2026-11-28 22:55:01".
func (h Holder) String() string {
	if h.PID == 0 {
		return "another process"
	}
	return fmt.Sprintf("pid %d (%s) since %s", h.PID, h.Command, h.Since.Local().Format("2006-01-02 15:04:05"))
}

// A Lock is a held repository lock.
type Lock struct {
	f    *os.File
	path string
}

// Path returns the lock file's path.
func (l *Lock) Path() string { return l.path }

// Acquire takes the lock of the repository at root, recording who (e.g.
// "dmake base ssh") with this process's pid and the time. While another
// process holds it, Acquire waits until it is released or ctx ends; it
// calls waiting once, with the holder, when it starts waiting (waiting may
// be nil). The lock is released by Release or when the process exits.
func Acquire(ctx context.Context, root, who string, waiting func(Holder)) (*Lock, error) {
	dir, err := statedir.Make(root)
	if err != nil {
		return nil, fmt.Errorf("repository lock: %w", err)
	}
	path := filepath.Join(dir, "lock")
	announced := false
	delay := 5 * time.Millisecond
	for polls := 0; ; polls++ {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o666)
		if err != nil {
			return nil, fmt.Errorf("repository lock: %w", err)
		}
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			if sameFile(f, path) {
				l := &Lock{f: f, path: path}
				if err := l.record(who); err != nil {
					l.Release()
					return nil, err
				}
				return l, nil
			}
			// The file was removed or replaced after we opened it: the
			// lock we hold guards nothing. Try the new one.
			f.Close()
			continue
		}
		f.Close()
		if !errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("repository lock %s: %w", path, err)
		}
		h, ok := readHolder(path)
		if !announced && (ok || polls >= 20) && waiting != nil {
			waiting(h)
			announced = true
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the repository lock %s held by %s: %w", path, h, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(2*delay, 100*time.Millisecond)
	}
}

// Release gives the lock up.
func (l *Lock) Release() error {
	if l.f == nil {
		return nil
	}
	l.f.Truncate(0)
	err := unix.Flock(int(l.f.Fd()), unix.LOCK_UN)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// record writes the holder's description into the lock file.
func (l *Lock) record(who string) error {
	who = strings.ReplaceAll(who, "\n", " ")
	text := fmt.Sprintf("pid %d\nsince %s\ncommand %s\n", os.Getpid(), time.Now().Format(time.RFC3339Nano), who)
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("repository lock %s: %w", l.path, err)
	}
	if _, err := l.f.WriteAt([]byte(text), 0); err != nil {
		return fmt.Errorf("repository lock %s: %w", l.path, err)
	}
	return nil
}

// readHolder reads the holder's description from the lock file; ok is false
// while it is incomplete (being written).
func readHolder(path string) (h Holder, ok bool) {
	data, err := os.ReadFile(path)
	if err != nil || !strings.HasSuffix(string(data), "\n") {
		return Holder{}, false
	}
	var pid, since, command bool
	for line := range strings.Lines(string(data)) {
		key, val, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		switch key {
		case "pid":
			h.PID, err = strconv.Atoi(val)
			pid = err == nil
		case "since":
			h.Since, err = time.Parse(time.RFC3339Nano, val)
			since = err == nil
		case "command":
			h.Command, command = val, true
		}
	}
	if !pid || !since || !command {
		return Holder{}, false
	}
	return h, true
}

// sameFile reports whether the open file f is still the file at path.
func sameFile(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}
