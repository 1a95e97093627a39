//go:build unix

package shellrun

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/dmake-dev/dmake/internal/interrupt"
	"mvdan.cc/sh/v3/interp"
)

// runProcess starts path with args and waits for it. It returns the exit
// status, or the signal that killed it. An error means it did not start
// (the error wraps the errno) or the context was cancelled. On
// cancellation the process (its whole group with pgroup) gets the signal
// that ended ctx (interrupt.Signal: SIGINT unless a SIGTERM, SIGHUP or
// SIGALRM ended dmake), and SIGKILL after killTimeout.
func runProcess(ctx context.Context, path string, args []string, hc interp.HandlerContext, pgroup bool, killTimeout time.Duration, extra []*os.File) (int, syscall.Signal, error) {
	cmd := exec.Command(path)
	cmd.Args = args
	cmd.Env = execEnv(hc.Env)
	cmd.Dir = hc.Dir
	cmd.Stdin = hc.Stdin
	cmd.Stdout = hc.Stdout
	cmd.Stderr = hc.Stderr
	cmd.ExtraFiles = extra
	if pgroup {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	var err error
	for delay := time.Millisecond; ; delay *= 2 {
		err = cmd.Start()
		if !errors.Is(err, syscall.ETXTBSY) || delay > 300*time.Millisecond {
			break
		}
		// A concurrently forked process may briefly hold the file open
		// for writing (go.dev/issue/22315); retry with a fresh command.
		time.Sleep(delay)
		c := exec.Command(path)
		c.Args, c.Env, c.Dir = cmd.Args, cmd.Env, cmd.Dir
		c.Stdin, c.Stdout, c.Stderr, c.SysProcAttr = cmd.Stdin, cmd.Stdout, cmd.Stderr, cmd.SysProcAttr
		c.ExtraFiles = extra
		cmd = c
	}
	if err != nil {
		return 0, 0, err
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-done:
			return
		case <-ctx.Done():
		}
		signal(cmd, pgroup, interrupt.Signal(ctx))
		select {
		case <-done:
		case <-time.After(killTimeout):
			signal(cmd, pgroup, syscall.SIGKILL)
		}
	}()
	err = cmd.Wait()
	close(done)
	<-stopped
	if ctx.Err() != nil {
		return 0, 0, ctx.Err()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 0, ws.Signal(), nil
		}
		return ee.ExitCode(), 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	return 0, 0, nil
}

// signal sends sig to the command's process, or to its process group.
func signal(cmd *exec.Cmd, pgroup bool, sig syscall.Signal) {
	if cmd.Process == nil {
		return
	}
	if pgroup {
		_ = syscall.Kill(-cmd.Process.Pid, sig)
		return
	}
	_ = cmd.Process.Signal(sig)
}
