package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
)

// TermSize is a terminal's size in character cells.
type TermSize struct {
	Height, Width uint
}

// Streams connects a process in a container to the caller's streams.
type Streams struct {
	// In feeds the process's standard input; nil attaches none. When In
	// ends, the process's input is closed.
	In io.Reader
	// Out and Err receive the process's standard output and error. With
	// TTY, everything the terminal shows goes to Out. Nil discards.
	Out, Err io.Writer
	// TTY gives the process a pseudo-terminal.
	TTY bool
	// Size is the terminal's initial size (TTY only; zero: the engine's
	// default), and Resize delivers later sizes until the process ends.
	Size   TermSize
	Resize <-chan TermSize
}

// ExecOptions describes a command to run in a running container.
type ExecOptions struct {
	// Cmd is the command and its arguments (not passed through a shell).
	Cmd []string
	// Env adds "NAME=value" variables; User ("name", "uid[:gid]") and
	// WorkingDir override the container's.
	Env        []string
	User       string
	WorkingDir string
	Streams
}

// ExecResult is how the command ended.
type ExecResult struct {
	// ExitCode is the command's exit status; 126 and 127 are the engine's
	// "cannot execute" and "not found".
	ExitCode int
}

// Exec runs a command in a running container, its streams connected as
// opts says, and returns its exit status once it has ended. When ctx is
// cancelled Exec returns at once; the command keeps running.
func (e *Engine) Exec(ctx context.Context, containerID string, opts ExecOptions) (ExecResult, error) {
	if len(opts.Cmd) == 0 {
		return ExecResult{}, errors.New("exec: no command")
	}
	cr, err := e.c.ExecCreate(ctx, containerID, client.ExecCreateOptions{
		User:         opts.User,
		TTY:          opts.TTY,
		ConsoleSize:  consoleSize(opts.Streams),
		AttachStdin:  opts.In != nil,
		AttachStdout: true,
		AttachStderr: true,
		Env:          opts.Env,
		WorkingDir:   opts.WorkingDir,
		Cmd:          opts.Cmd,
	})
	if err != nil {
		return ExecResult{}, fmt.Errorf("exec in container %s: %w", ShortID(containerID), err)
	}
	ar, err := e.c.ExecAttach(ctx, cr.ID, client.ExecAttachOptions{TTY: opts.TTY, ConsoleSize: consoleSize(opts.Streams)})
	if err != nil {
		return ExecResult{}, fmt.Errorf("exec in container %s: %w", ShortID(containerID), err)
	}
	resize := func(s TermSize) error {
		_, err := e.c.ExecResize(ctx, cr.ID, client.ExecResizeOptions{Height: s.Height, Width: s.Width})
		return err
	}
	if err := pump(ctx, &ar.HijackedResponse, opts.Streams, resize); err != nil {
		return ExecResult{}, fmt.Errorf("exec in container %s: %w", ShortID(containerID), err)
	}
	// The output has ended; the engine may take a moment to record the
	// exit status.
	for {
		ir, err := e.c.ExecInspect(ctx, cr.ID, client.ExecInspectOptions{})
		if err != nil {
			return ExecResult{}, fmt.Errorf("exec in container %s: %w", ShortID(containerID), err)
		}
		if !ir.Running {
			return ExecResult{ExitCode: ir.ExitCode}, nil
		}
		select {
		case <-ctx.Done():
			return ExecResult{}, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// consoleSize is the initial console size to send, if any.
func consoleSize(s Streams) client.ConsoleSize {
	if !s.TTY {
		return client.ConsoleSize{}
	}
	return client.ConsoleSize{Height: s.Size.Height, Width: s.Size.Width}
}

// pump copies s.In to the attached connection and its output to s.Out and
// s.Err (demultiplexed unless s.TTY) until the output ends or ctx is done,
// forwarding s.Resize with resize meanwhile. It does not wait for s.In.
func pump(ctx context.Context, hr *client.HijackedResponse, s Streams, resize func(TermSize) error) error {
	defer hr.Close()
	out, errw := s.Out, s.Err
	if out == nil {
		out = io.Discard
	}
	if errw == nil {
		errw = io.Discard
	}
	if s.In != nil {
		go func() {
			_, _ = io.Copy(hr.Conn, s.In)
			_ = hr.CloseWrite()
		}()
	}
	if s.TTY && resize != nil && s.Size != (TermSize{}) {
		_ = resize(s.Size) // engines before API 1.42 ignore the initial size
	}
	done := make(chan error, 1)
	go func() {
		var err error
		if s.TTY {
			_, err = io.Copy(out, hr.Reader)
		} else {
			_, err = stdcopy.StdCopy(out, errw, hr.Reader)
		}
		done <- err
	}()
	for {
		select {
		case err := <-done:
			return err
		case <-ctx.Done():
			return ctx.Err()
		case sz, ok := <-s.Resize:
			if !ok {
				s.Resize = nil
				continue
			}
			if s.TTY && resize != nil {
				_ = resize(sz) // a failed resize is cosmetic
			}
		}
	}
}
