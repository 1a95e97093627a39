package repolock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHolderChild is the child of the tests below: it takes the lock of
// $DMAKE_LOCK_ROOT, says "locked", and holds it until its standard input
// closes.
func TestHolderChild(t *testing.T) {
	root := os.Getenv("DMAKE_LOCK_ROOT")
	if root == "" {
		t.Skip("only run as a child of the repolock tests")
	}
	l, err := Acquire(context.Background(), root, "dmake base ssh", nil)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("locked")
	io.Copy(io.Discard, os.Stdin)
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
}

// startHolder starts a child process holding root's lock; closing the
// returned writer makes it release the lock and exit.
func startHolder(t *testing.T, root string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHolderChild$")
	cmd.Env = append(os.Environ(), "DMAKE_LOCK_ROOT="+root)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() || sc.Text() != "locked" {
		t.Fatalf("holder did not take the lock: %q", sc.Text())
	}
	go io.Copy(io.Discard, stdout)
	return cmd, stdin
}

// TestWaitsForOtherProcess: a second acquirer waits while another process
// holds the lock, says once who holds it, and gets the lock when it is
// released.
func TestWaitsForOtherProcess(t *testing.T) {
	root := t.TempDir()
	holder, release := startHolder(t, root)

	var seen []Holder
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := Acquire(ctx, root, "dmake web", func(h Holder) { seen = append(seen, h) })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("acquired a held lock: err %v", err)
	}
	if len(seen) != 1 {
		t.Fatalf("waiting callback called %d times, want 1", len(seen))
	}
	h := seen[0]
	if h.PID != holder.Process.Pid || h.Command != "dmake base ssh" || time.Since(h.Since) > time.Minute {
		t.Errorf("holder %+v, want pid %d running dmake base ssh", h, holder.Process.Pid)
	}
	msg := fmt.Sprintf("waiting for the lock held by %s", h)
	if !strings.Contains(msg, fmt.Sprintf("pid %d (dmake base ssh) since ", holder.Process.Pid)) {
		t.Errorf("message %q", msg)
	}
	if !strings.Contains(err.Error(), "held by pid") {
		t.Errorf("error %q does not say who holds the lock", err)
	}

	seen = nil
	got := make(chan error, 1)
	go func() {
		l, err := Acquire(context.Background(), root, "dmake web", func(h Holder) { seen = append(seen, h) })
		if err == nil {
			err = l.Release()
		}
		got <- err
	}()
	time.Sleep(50 * time.Millisecond)
	select {
	case err := <-got:
		t.Fatalf("acquired while held: %v", err)
	default:
	}
	release.Close()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("lock not acquired after the holder released it")
	}
	if len(seen) != 1 {
		t.Errorf("waiting callback called %d times, want 1", len(seen))
	}
}

// TestKilledHolderFreesLock: a holder killed with SIGKILL leaves the lock
// free at once; its stale record does not matter.
func TestKilledHolderFreesLock(t *testing.T) {
	root := t.TempDir()
	holder, _ := startHolder(t, root)
	holder.Process.Signal(syscall.SIGKILL)
	holder.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	called := false
	l, err := Acquire(ctx, root, "dmake base", func(Holder) { called = true })
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if called {
		t.Error("waited for a dead holder")
	}
	h, ok := readHolder(l.Path())
	if !ok || h.PID != os.Getpid() || h.Command != "dmake base" {
		t.Errorf("lock file records %+v, want this process", h)
	}
}

// TestReleaseLetsNextIn: in one process, a second Acquire waits for the
// first lock's Release (flock locks belong to open files, not processes).
func TestReleaseLetsNextIn(t *testing.T) {
	root := t.TempDir()
	first, err := Acquire(context.Background(), root, "one", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := Acquire(ctx, root, "two", nil); err == nil {
		t.Fatal("second Acquire succeeded while the first lock is held")
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	second, err := Acquire(context.Background(), root, "two", nil)
	if err != nil {
		t.Fatal(err)
	}
	second.Release()
}
