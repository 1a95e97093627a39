package shellrun

import (
	"bytes"
	"context"
	"io"
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
}

// RunCapture runs c with real command execution, exactly as a recipe line
// is run (make's direct-exec fast path for simple commands under /bin/sh,
// the interpreter otherwise, the real shell for shells it does not know),
// and returns the command's standard output and exit status. A command
// killed by a signal reports 128 plus the signal number. err is set only
// when the context was cancelled or the command could not be run at all.
func RunCapture(ctx context.Context, c Capture) (out []byte, status int, err error) {
	var buf bytes.Buffer
	stderr := c.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	rc := Recipe{
		Shell:       c.Shell,
		ShellFlags:  c.ShellFlags,
		Dir:         c.Dir,
		Env:         c.Env,
		Stdin:       c.Stdin,
		Stdout:      &buf,
		Stderr:      stderr,
		ProgramName: c.Program,
	}
	res, err := rc.Run(ctx, c.Command)
	if err != nil {
		return buf.Bytes(), 127, err
	}
	status = res.Status
	if res.Signal != 0 {
		status = 128 + int(res.Signal&0x7f)
	}
	return buf.Bytes(), status, nil
}
