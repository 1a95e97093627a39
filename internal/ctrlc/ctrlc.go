// Package ctrlc interrupts a GNU make under test as a terminal's Ctrl-C
// would, in an order that cannot race make's own wait.
//
// A terminal sends SIGINT to the whole foreground process group at once.
// Under load a recipe can then die and be reaped by make's main loop just
// before make's SIGINT handler runs; the handler waits for a child that is
// gone, and GNU make 4.3 ends with "wait: No child processes.  Stop." and
// status 2 instead of 130 (2 runs in 30 on two busy cores). Make's handler
// never kills local children on SIGINT (it relies on the terminal), so
// Group signals make first and, once the handler has begun, every other
// process of the group: the outcome is that of an unraced Ctrl-C.
package ctrlc

import (
	"bytes"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Catch makes the processes this one starts get SIGINT's default action,
// even when this process was started with SIGINT ignored, as a background
// job of a non-interactive shell is: exec keeps an ignored signal ignored
// (GNU make then never sees a Ctrl-C) but resets a caught one. Call stop
// once those processes have ended.
func Catch() (stop func()) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGINT)
	return func() { signal.Stop(c) }
}

// Group interrupts the GNU make that leads process group pgid. stderr
// reads what make has printed so far: make's handler prints "Deleting
// file" before it waits for the recipes, which is when the rest of the
// group is signalled, as often as needed until none of it is alive. It
// gives up after timeout.
func Group(pgid int, stderr func() string, timeout time.Duration) error {
	return GroupSignal(pgid, syscall.SIGINT, stderr, timeout)
}

// GroupSignal is Group with another signal than SIGINT that a terminal
// sends to its whole foreground group: SIGHUP when it hangs up.
func GroupSignal(pgid int, sig syscall.Signal, stderr func() string, timeout time.Duration) error {
	if err := syscall.Kill(pgid, sig); err != nil {
		return fmt.Errorf("signalling make (pid %d): %w", pgid, err)
	}
	deadline := time.Now().Add(timeout)
	for !strings.Contains(stderr(), "Deleting file") {
		if time.Now().After(deadline) {
			return fmt.Errorf("make (pid %d) never began to handle %v; it printed:\n%s", pgid, sig, stderr())
		}
		time.Sleep(2 * time.Millisecond)
	}
	for {
		alive, err := members(pgid)
		if err != nil {
			return err
		}
		if len(alive) == 0 {
			return nil
		}
		for _, pid := range alive {
			syscall.Kill(pid, sig)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes %v of make's group outlived %v", alive, sig)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// members lists the live (not zombie) processes of process group pgid
// other than its leader, from /proc.
func members(pgid int) ([]int, error) {
	es, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, e := range es {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == pgid {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		// "pid (comm) state ppid pgrp …"; comm may hold blanks and ')'.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) < 3 || f[0] == "Z" {
			continue
		}
		if g, _ := strconv.Atoi(f[2]); g == pgid {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// Buffer collects a process's output; it may be read while the process
// writes it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what has been written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
