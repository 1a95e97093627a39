package shellrun

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"

	"github.com/dmake-dev/dmake/internal/stdio"
	"mvdan.cc/sh/v3/interp"
)

// Capture describes one command whose standard output is wanted, as GNU
// make's $(shell …) function and "VAR != …" assignments run it.
type Capture struct {
	Command    string    // the command text
	Shell      string    // SHELL; empty means DefaultShell
	ShellFlags string    // .SHELLFLAGS; empty means "-c"
	Dir        string    // working directory; empty means the current one
	Env        []string  // environment, "NAME=value"; nil means empty
	Stdin      io.Reader // nil reads nothing
	Stderr     io.Writer // the command's standard error; nil discards
	Program    string    // make's name in its own messages; empty "make"
	// MaxOutput, when positive, is the most standard output wanted: once
	// the command has written more, it is stopped (as by a cancelled
	// context) and RunCapture returns the output read so far, which is
	// then longer than MaxOutput, with no error.
	MaxOutput int
	// ExecMiddlewares wrap every external command of the line, as
	// Recipe.ExecMiddlewares do for a recipe line.
	ExecMiddlewares []func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc
	// RealShell runs the command as GNU make does, as
	// Recipe.RealShell says: the real SHELL unless make runs it
	// directly. A background job the command starts then outlives it.
	RealShell bool
}

// limitWriter is a buffer that calls stop once it holds more than max
// bytes, and takes no more after that.
type limitWriter struct {
	buf  bytes.Buffer
	max  int
	stop func()
}

func (w *limitWriter) Write(p []byte) (int, error) {
	if w.max > 0 && w.buf.Len()+len(p) > w.max {
		if w.buf.Len() <= w.max {
			w.buf.Write(p[:w.max+1-w.buf.Len()])
			w.stop()
		}
		return 0, errOutputLimit
	}
	return w.buf.Write(p)
}

var errOutputLimit = errors.New("output limit reached")

// RunCapture runs c with real command execution, exactly as a recipe line
// is run (make's direct-exec fast path for simple commands under /bin/sh,
// the interpreter otherwise, the real shell for shells it does not know),
// and returns the command's standard output and exit status. A command
// killed by a signal reports 128 plus the signal number. err is set only
// when the context was cancelled or the command could not be run at all.
func RunCapture(ctx context.Context, c Capture) (out []byte, status int, err error) {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	buf := &limitWriter{max: c.MaxOutput, stop: cancel}
	stderr := c.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	if _, ok := stdio.File(stderr); !ok && c.RealShell {
		// A file, as make's own standard error is one: a background
		// job the command leaves holding it keeps no pipe open, which
		// would make the wait for the command last as long as the job.
		f, err := os.CreateTemp("", "dmake-shell-stderr-")
		if err == nil {
			os.Remove(f.Name())
			defer func(w io.Writer) {
				if _, err := f.Seek(0, io.SeekStart); err == nil {
					io.Copy(w, f)
				}
				f.Close()
			}(stderr)
			stderr = f
		}
	}
	rc := Recipe{
		Shell:       c.Shell,
		ShellFlags:  c.ShellFlags,
		Dir:         c.Dir,
		Env:         c.Env,
		Stdin:       c.Stdin,
		Stdout:      buf,
		Stderr:      stderr,
		ProgramName: c.Program,

		ExecMiddlewares: c.ExecMiddlewares,
		RealShell:       c.RealShell,
	}
	res, err := rc.Run(runCtx, c.Command)
	if c.MaxOutput > 0 && buf.buf.Len() > c.MaxOutput && ctx.Err() == nil {
		return buf.buf.Bytes(), 141, nil
	}
	if err != nil {
		return buf.buf.Bytes(), 127, err
	}
	status = res.Status
	if res.Signal != 0 {
		status = 128 + int(res.Signal&0x7f)
	}
	return buf.buf.Bytes(), status, nil
}
