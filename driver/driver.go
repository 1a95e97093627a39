package driver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/dmake-dev/dmake/internal/stdio"
	"github.com/dmake-dev/dmake/internal/strerror"
	"github.com/dmake-dev/dmake/makefile"
)

// DefaultDebounce is how long --watch waits after the last change.
const DefaultDebounce = 100 * time.Millisecond

// Stdio is the standard streams of a run.
type Stdio = stdio.Streams

// Run performs one dmake invocation and returns its exit status: make's
// (0, 1 for -q out of date, 2 for errors), 125 when no Docker engine
// answers, 130 when interrupted.
func Run(ctx context.Context, opts Options, stdio Stdio) int {
	if opts.CheckScripts {
		jsonStreams(&opts, &stdio)
		return runCheckScripts(ctx, opts, stdio)
	}
	if slices.Contains(opts.Makefiles, "-") {
		name, err := stdinMakefile(ctx, stdio.In)
		if name != "" {
			defer os.Remove(name)
		}
		if err != nil && ctx.Err() != nil {
			return 130 // a signal while waiting for the makefile: make dies silently
		}
		if err != nil {
			fmt.Fprintf(stdio.Err, "%s: *** %v.  Stop.\n", programName, err)
			return 2
		}
		// Its name is new each run: a cached load could never be found
		// again, so none is stored.
		opts.LoadCache = "off"
		opts.Makefiles = slices.Clone(opts.Makefiles)
		for i, f := range opts.Makefiles {
			if f == "-" {
				opts.Makefiles[i] = name
			}
		}
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
		if err := enterable(dir); err != nil {
			// Make changes into each -C directory in turn, and stops
			// at one it cannot, naming it as given.
			fmt.Fprintf(stdio.Err, "%s: *** %s: %s.  Stop.\n", progName(makeLevel(environ(opts))), d, strerror.Text(err))
			return 2
		}
	}
	repo, imgs, ok, err := imageMode(opts, dir)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 2
	}
	if !ok {
		if opts.Check {
			return checkMake(ctx, opts, dir, stdio)
		}
		if opts.Watch {
			jsonStreams(&opts, &stdio)
			return runMakeWatch(ctx, opts, dir, stdio)
		}
		if opts.Graph != "" {
			return graphMake(ctx, opts, dir, stdio)
		}
		return runMake(ctx, opts, dir, stdio)
	}
	if err := repo.CheckBust(opts.Bust); err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 2
	}
	if opts.Graph == "" {
		jsonStreams(&opts, &stdio)
	}
	if !repo.ReferenceLayout() {
		// A repository built through its own bin/build.
		abs, err := filepath.Abs(dir)
		if err != nil {
			fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
			return 2
		}
		switch {
		case opts.Graph != "":
			return graphRepoImages(ctx, opts, repo, imgs, abs, stdio)
		case opts.Watch:
			return runRepoWatch(ctx, opts, repo, imgs, abs, stdio)
		case opts.Check:
			return checkRepoImages(ctx, opts, repo, imgs, abs, stdio)
		}
		return runRepoImages(ctx, opts, repo, imgs, abs, stdio)
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

// jsonStreams makes, under --progress=json, standard output the stream of
// the JSON events alone (build, check and watch, one envelope), one
// object a line, and sends make's output and the messages for people to
// standard error.
func jsonStreams(opts *Options, stdio *Stdio) {
	if opts.Progress != "json" || opts.events != nil {
		return
	}
	opts.events = &lockedWriter{w: stdio.Out}
	stdio.Out = stdio.Err
}

// lockedWriter writes each Write whole, one at a time: events of builds
// that run at once never mix.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// stdinMakefile copies standard input into a temporary file for "-f -" and
// returns its name, as make does (/tmp/GmXXXXXX): the makefile may be read
// more than once (after remaking), and messages name that file. The caller
// removes it. Input past makefile.DefaultMaxValue is an error; ctx ending
// (a signal) ends the wait for input.
func stdinMakefile(ctx context.Context, in io.Reader) (string, error) {
	f, err := os.CreateTemp("", "Gm")
	if err != nil {
		return "", fmt.Errorf("cannot store the makefile from standard input: %v", err)
	}
	defer f.Close()
	if in == nil {
		in = eofReader{}
	}
	// The copy waits for standard input (a terminal, a pipe no one
	// writes): it is left to a goroutine, so that a signal ends the wait.
	type copied struct {
		n   int64
		err error
	}
	c := make(chan copied, 1)
	go func() {
		n, err := io.Copy(f, io.LimitReader(in, makefile.DefaultMaxValue+1))
		c <- copied{n, err}
	}()
	var n int64
	select {
	case r := <-c:
		n, err = r.n, r.err
	case <-ctx.Done():
		return f.Name(), ctx.Err()
	}
	if err == nil && n > makefile.DefaultMaxValue {
		err = errors.New("the makefile from standard input is larger than 256 MiB")
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		return f.Name(), fmt.Errorf("reading the makefile from standard input: %v", err)
	}
	return f.Name(), nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// enterable reports why make could not change into dir (-C), nil if it
// could: it must be a directory the process may search.
func enterable(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return syscall.ENOTDIR
	}
	return syscall.Access(dir, 1) // X_OK
}
