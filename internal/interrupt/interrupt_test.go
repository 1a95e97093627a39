package interrupt

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
)

// TestNotify: a signal of Signals cancels the context with an Error
// naming it, and caught reports it; a context cancelled otherwise stands
// for SIGINT.
func TestNotify(t *testing.T) {
	ctx, caught, stop := Notify(context.Background())
	defer stop()
	if caught() != 0 || Signal(ctx) != 0 {
		t.Fatalf("before any signal: caught %v, Signal %v", caught(), Signal(ctx))
	}
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	<-ctx.Done()
	var e *Error
	if !errors.As(context.Cause(ctx), &e) || e.Signal != syscall.SIGHUP || Signal(ctx) != syscall.SIGHUP || caught() != syscall.SIGHUP {
		t.Errorf("after SIGHUP: cause %v, Signal %v, caught %v", context.Cause(ctx), Signal(ctx), caught())
	}
	plain, cancel := context.WithCancel(context.Background())
	cancel()
	if Signal(plain) != syscall.SIGINT {
		t.Errorf("a cancelled context: Signal %v, want SIGINT", Signal(plain))
	}
}

// TestText: the names make prints, strsignal's.
func TestText(t *testing.T) {
	for sig, want := range map[syscall.Signal]string{syscall.SIGINT: "Interrupt", syscall.SIGTERM: "Terminated",
		syscall.SIGHUP: "Hangup", syscall.SIGALRM: "Alarm clock", syscall.SIGKILL: "Killed", syscall.SIGUSR1: "User defined signal 1"} {
		if got := Text(sig); got != want {
			t.Errorf("Text(%d) = %q, want %q", sig, got, want)
		}
	}
}
