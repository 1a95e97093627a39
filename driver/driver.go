package driver

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
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

// Run performs one dmake invocation and returns its exit status: make's
// (0, 1 for -q out of date, 2 for errors), 125 when no Docker engine
// answers, 130 when interrupted.
func Run(ctx context.Context, opts Options, stdio Stdio) int {
	if opts.CheckScripts {
		return runCheckScripts(ctx, opts, stdio)
	}
	dir := opts.WorkDir
	if dir == "" {
		dir = "."
	}
	for _, d := range opts.Dir {
		if filepath.IsAbs(d) {
			dir = d
		} else {
			dir = filepath.Join(dir, d)
		}
	}
	repo, imgs, ok, err := imageMode(opts, dir)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 2
	}
	if !ok {
		if opts.Check {
			fmt.Fprintf(stdio.Err, "%s: --check needs a legacy image repository (images/NAME/Makefile); for loose scripts use --check-scripts FILE...\n", programName)
			return 2
		}
		if opts.Watch {
			fmt.Fprintf(stdio.Err, "%s: --watch needs a legacy image repository (images/NAME/Makefile)\n", programName)
			return 2
		}
		if opts.Graph != "" {
			return graphMake(ctx, opts, dir, stdio)
		}
		return runMake(ctx, opts, dir, stdio)
	}
	if opts.Graph != "" {
		return graphImages(ctx, opts, repo, imgs, stdio)
	}
	if opts.Watch {
		return runWatch(ctx, opts, repo, imgs, stdio)
	}
	if opts.Check {
		return checkGoals(ctx, opts, repo, imgs, stdio)
	}
	return runImages(ctx, opts, repo, imgs, stdio)
}
