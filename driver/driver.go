package driver

import (
	"context"
	"fmt"
	"io"
	"time"
)

// DefaultDebounce is how long --watch waits after the last change.
const DefaultDebounce = 100 * time.Millisecond

// Stdio is the standard streams of a run.
type Stdio struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// Run performs one dmake invocation and returns its exit status.
func Run(ctx context.Context, opts Options, stdio Stdio) int {
	switch {
	case opts.CheckScripts:
		return runCheckScripts(ctx, opts, stdio)
	}
	fmt.Fprintln(stdio.Err, "dmake: building goals is not implemented yet")
	return 2
}
