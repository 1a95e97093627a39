package jobserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"unsafe"
)

// TestMain lets the test binary stand in for a sub-make: with
// JOBSERVER_TEST_CHILD set it opens the jobserver its MAKEFLAGS-like
// argument names, takes every token it can without waiting, and prints how
// many.
func TestMain(m *testing.M) {
	if auth := os.Getenv("JOBSERVER_TEST_CHILD"); auth != "" {
		js, err := Open(auth)
		if err != nil {
			fmt.Println("open:", errors.Is(err, ErrUnavailable), err)
			os.Exit(0)
		}
		fmt.Println("tokens:", drain(js))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// drain takes every token the jobserver holds and returns how many. Only
// the test reads the pipe then, so what FIONREAD counts is there to take.
func drain(js *Jobserver) int {
	n := 0
	for readable(js) {
		if _, err := js.Acquire(context.Background()); err != nil {
			return n
		}
		n++
	}
	return n
}

// readable reports whether the pipe holds a byte (FIONREAD).
func readable(js *Jobserver) bool {
	rc, err := js.r.SyscallConn()
	if err != nil {
		return false
	}
	n := 0
	rc.Control(func(fd uintptr) {
		v, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&n)))
		if errno != 0 || v != 0 {
			n = 0
		}
	})
	return n > 0
}

func TestCreateHoldsSlotsMinusOne(t *testing.T) {
	for _, slots := range []int{1, 2, 5} {
		js, err := Create(slots)
		if err != nil {
			t.Fatal(err)
		}
		if got := drain(js); got != slots-1 {
			t.Errorf("Create(%d) holds %d tokens, want %d", slots, got, slots-1)
		}
		js.Close()
	}
	if _, err := Create(0); err == nil {
		t.Error("Create(0) succeeded")
	}
}

func TestAcquireReleaseAndCancel(t *testing.T) {
	js, err := Create(2)
	if err != nil {
		t.Fatal(err)
	}
	defer js.Close()
	tok, err := js.Acquire(context.Background())
	if err != nil || tok != '+' {
		t.Fatalf("Acquire = %q, %v; want '+'", tok, err)
	}
	// The pipe is empty: a wait must end when its context is cancelled.
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := js.Acquire(ctx)
		errc <- err
	}()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire on an empty pipe after cancel: %v, want context.Canceled", err)
	}
	if err := js.Release(tok); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Acquire(context.Background()); err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
}

// child runs the test binary as a sub-make with auth and extra files.
func child(t *testing.T, auth string, files []*os.File) string {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "JOBSERVER_TEST_CHILD="+auth)
	cmd.ExtraFiles = files
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	return string(out)
}

func TestChildSharesThePipe(t *testing.T) {
	js, err := Create(4)
	if err != nil {
		t.Fatal(err)
	}
	defer js.Close()
	if _, err := js.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	// 3 tokens, one held here: the child takes the other two.
	if got, want := child(t, js.Auth(), js.ChildFiles()), "tokens: 2\n"; got != want {
		t.Errorf("child with the pipe printed %q, want %q", got, want)
	}
	if got := drain(js); got != 0 {
		t.Errorf("%d tokens left after the child took them", got)
	}
}

func TestChildWithoutThePipeIsUnavailable(t *testing.T) {
	js, err := Create(4)
	if err != nil {
		t.Fatal(err)
	}
	defer js.Close()
	got := child(t, js.Auth(), nil)
	if got[:len("open: true")] != "open: true" {
		t.Errorf("child without the descriptors printed %q, want ErrUnavailable", got)
	}
	if got := drain(js); got != 3 {
		t.Errorf("%d tokens left, want the 3 the child could not take", got)
	}
}

func TestFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jobserver")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	js, err := Open("fifo:" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer js.Close()
	if js.Auth() != "fifo:"+path || js.ChildFiles() != nil {
		t.Errorf("Auth %q, ChildFiles %v: want the FIFO's name and no files", js.Auth(), js.ChildFiles())
	}
	for range 3 {
		if err := js.Release('+'); err != nil {
			t.Fatal(err)
		}
	}
	if got := child(t, js.Auth(), nil); got != "tokens: 3\n" {
		t.Errorf("child of the FIFO printed %q, want 3 tokens", got)
	}
}

func TestOpenBadAuth(t *testing.T) {
	for _, auth := range []string{"", "3", "a,b", "-1,4"} {
		if _, err := Open(auth); err == nil || errors.Is(err, ErrUnavailable) {
			t.Errorf("Open(%q) = %v, want an invalid-string error", auth, err)
		}
	}
}
