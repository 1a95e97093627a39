// Package interrupt ends dmake on a signal as GNU make ends on it.
//
// The signals whose default action ends make — SIGHUP, SIGINT, SIGQUIT,
// SIGTERM, which make catches, and SIGALRM, which it does not — cancel
// the run's context with a cause naming the signal (Notify). The run
// stops its recipes with that signal (Signal), deletes the targets they
// were making, reports them as make does, and returns; then Exit makes
// the process die of that same signal, so that its parent (a shell, a
// make, a CI runner) sees what it would see of make: death by the
// signal, not an exit status — except after SIGQUIT, where make exits
// with status 1 instead of dumping core (and the Go runtime would dump
// its goroutines). A signal ignored when dmake started stays ignored, as
// make leaves it (a background job of a non-interactive shell ignores
// SIGINT). A second signal while the run stops ends the process at once,
// as it ends make (whose handler restores the default action), and so
// does the first one if the run has not stopped within Grace.
package interrupt

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Signals are the signals that end a run (Notify).
var Signals = []syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGALRM}

// Grace is how long a run may take to stop after a signal before the
// process dies of it anyway: what a blocking call nothing could cancel
// (a read of a terminal) costs at most. It is longer than a recipe's
// time between the signal and SIGKILL.
const Grace = 10 * time.Second

// Error is the cause of a context cancelled by a signal.
type Error struct {
	Signal syscall.Signal
}

func (e *Error) Error() string { return "interrupted by " + Text(e.Signal) }

// Text is the C library's strsignal text of sig, as make prints it
// ("Interrupt", "Terminated", "Hangup", "Alarm clock").
func Text(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "Interrupt"
	case syscall.SIGKILL:
		return "Killed"
	case syscall.SIGTERM:
		return "Terminated"
	case syscall.SIGSEGV:
		return "Segmentation fault"
	case syscall.SIGABRT:
		return "Aborted"
	case syscall.SIGHUP:
		return "Hangup"
	case syscall.SIGPIPE:
		return "Broken pipe"
	case syscall.SIGQUIT:
		return "Quit"
	case syscall.SIGALRM:
		return "Alarm clock"
	}
	t := sig.String()
	return strings.ToUpper(t[:1]) + t[1:]
}

// Signal returns the signal that ended ctx: the one of its cause (Error),
// SIGINT when it was cancelled otherwise (an interrupt by a caller: a
// watch loop's newer change, a test), 0 while it is not done.
func Signal(ctx context.Context) syscall.Signal {
	if ctx.Err() == nil {
		return 0
	}
	var e *Error
	if errors.As(context.Cause(ctx), &e) {
		return e.Signal
	}
	return syscall.SIGINT
}

// Notify returns a context cancelled, with an Error as its cause, when
// the process receives one of Signals it did not ignore at start; caught
// reports that signal (0 if none came). Call stop when the run has
// returned: signals are then no longer caught.
func Notify(parent context.Context) (ctx context.Context, caught func() syscall.Signal, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	var sigs []os.Signal
	for _, s := range Signals {
		if !signal.Ignored(s) {
			sigs = append(sigs, s)
		}
	}
	c := make(chan os.Signal, 2)
	signal.Notify(c, sigs...)
	done := make(chan struct{})
	first := make(chan syscall.Signal, 1)
	go func() {
		var sig syscall.Signal
		select {
		case s := <-c:
			sig = s.(syscall.Signal)
			first <- sig
			cancel(&Error{Signal: sig})
		case <-done:
			return
		}
		select {
		case s := <-c:
			die(s.(syscall.Signal))
		case <-time.After(Grace):
			die(sig)
		case <-done:
		}
	}()
	var got syscall.Signal
	caught = func() syscall.Signal {
		if got == 0 {
			select {
			case got = <-first:
			default:
			}
		}
		return got
	}
	stop = func() {
		signal.Stop(c)
		select {
		case <-done:
		default:
			close(done)
		}
	}
	return ctx, caught, stop
}

// Exit ends the process: of signal sig when it is not 0 (as make does
// after a signal, once it has cleaned up), else with status. After
// SIGQUIT it exits with status 1, as make's handler does rather than
// dump core (its MAKE_TROUBLE).
func Exit(status int, sig syscall.Signal) {
	if sig == syscall.SIGQUIT {
		os.Exit(1)
	}
	if sig != 0 {
		die(sig)
	}
	os.Exit(status)
}

// die makes the process die of sig: the default action restored, sig
// sent to itself. Should the process survive (it cannot be restored), it
// exits with the shell's status for that signal.
func die(sig syscall.Signal) {
	signal.Reset(sig)
	setDefault(sig)
	syscall.Kill(os.Getpid(), sig)
	// The signal is delivered to some thread of the process, at once.
	time.Sleep(time.Second)
	os.Exit(128 + int(sig))
}
