//go:build unix

package shellrun

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/dmake-dev/dmake/internal/interrupt"
	"github.com/dmake-dev/dmake/internal/stdio"
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
	cmd.ExtraFiles = extra
	outs, err := childOutputs(hc.Stdout, hc.Stderr)
	if err != nil {
		return 0, 0, err
	}
	cmd.Stdout, cmd.Stderr = outs.stdout, outs.stderr
	defer outs.settle()
	if pgroup {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
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
	outs.started()
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

// outputs are the standard output and error a child gets. A writer that
// is a file is inherited as it is. Any other gets a pipe whose reads are
// forwarded to it, as exec.Cmd does, except that the wait for the child
// ends with the child (settle), not when every holder of the pipe has
// closed it: a background job the child left behind keeps writing to the
// writer as it would to an inherited file, and does not hold the line up.
type outputs struct {
	stdout, stderr io.Writer
	pipes          []*outPipe
}

// childOutputs prepares the outputs of a child writing to stdout and
// stderr (one pipe when they are the same writer).
func childOutputs(stdout, stderr io.Writer) (*outputs, error) {
	o := &outputs{}
	var err error
	if o.stdout, err = o.file(stdout); err != nil {
		o.started()
		o.settle()
		return nil, err
	}
	if stderr == stdout {
		o.stderr = o.stdout
		return o, nil
	}
	if o.stderr, err = o.file(stderr); err != nil {
		o.started()
		o.settle()
		return nil, err
	}
	return o, nil
}

func (o *outputs) file(w io.Writer) (io.Writer, error) {
	if w == nil {
		return nil, nil
	}
	if f, ok := stdio.File(w); ok {
		// The file itself, as make's children inherit its streams.
		return f, nil
	}
	p, err := newOutPipe(w)
	if err != nil {
		return nil, err
	}
	o.pipes = append(o.pipes, p)
	return p.w, nil
}

// started closes the parent's copies of the pipes' write ends, once the
// child has them (or could not start).
func (o *outputs) started() {
	for _, p := range o.pipes {
		p.w.Close()
	}
}

// settle returns once everything the child wrote is forwarded; what
// others holding the pipes write later is forwarded until they close it.
func (o *outputs) settle() {
	for _, p := range o.pipes {
		p.settle()
	}
}

// outPipe forwards what is written to a pipe to dst.
type outPipe struct {
	r, w   *os.File
	dst    io.Writer
	paused chan bool // the copier stopped: true paused, false at the end
	resume chan struct{}
}

func newOutPipe(dst io.Writer) (*outPipe, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	p := &outPipe{r: r, w: w, dst: dst, paused: make(chan bool, 1), resume: make(chan struct{})}
	go p.copy()
	return p, nil
}

func (p *outPipe) copy() {
	buf := make([]byte, 32<<10)
	for {
		n, err := p.r.Read(buf)
		if n > 0 {
			p.dst.Write(buf[:n])
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			p.paused <- true
			<-p.resume
			continue
		}
		if err != nil {
			p.r.Close()
			p.paused <- false
			return
		}
	}
}

// settle stops the copier, forwards what the pipe holds now (all the
// child wrote before it ended), and lets the copier go on in the
// background until the last holder closes the pipe.
func (p *outPipe) settle() {
	p.r.SetReadDeadline(time.Unix(1, 0))
	if !<-p.paused {
		return
	}
	// The raw reads below fail at once while the deadline is set.
	p.r.SetReadDeadline(time.Time{})
	if rc, err := p.r.SyscallConn(); err == nil {
		buf := make([]byte, 32<<10)
		for {
			n := 0
			rc.Read(func(fd uintptr) bool {
				n, _ = syscall.Read(int(fd), buf)
				return true
			})
			if n <= 0 {
				break
			}
			p.dst.Write(buf[:n])
		}
	}
	p.resume <- struct{}{}
}
