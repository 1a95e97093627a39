package driver

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// scriptDryRun is how the repository's bin/ scripts run under -n: as make
// -n treats a recipe, their commands are printed, not run, except those
// that make the dry run go on without touching anything: make (dmake's,
// itself under -n, as make -n runs a $(MAKE) line), the repository's bin/
// scripts (run the same way), commands that only read and print
// (readOnlyCommands), and mktemp, which gets a file of dmake's own
// temporary directory. A redirection writes only into that directory;
// any other is discarded and said on standard error.
type scriptDryRun struct {
	tmp string    // dmake's temporary directory, removed afterwards
	out io.Writer // where the commands are printed (make -n's stdout)
	err io.Writer
	// flag is the option the dry run is for, "" for -n: a command not
	// run is then printed after "dmake: FLAG: not run: " (under -n,
	// alone, as make -n prints a recipe line).
	flag string
}

// flagName is the option of d's messages: "-n" unless d.flag says.
func (d *scriptDryRun) flagName() string {
	if d.flag == "" {
		return "-n"
	}
	return d.flag
}

// printCommand prints args as a command not run.
func (d *scriptDryRun) printCommand(args []string) {
	if d.flag != "" {
		fmt.Fprintf(d.out, "%s: %s: not run: %s\n", programName, d.flag, quoteArgs(args))
		return
	}
	fmt.Fprintln(d.out, quoteArgs(args))
}

// readOnlyCommands are run for real under -n: they write only to their
// standard output (which a redirection may send into the temporary
// directory, e.g. the heredoc of a temporary makefile).
var readOnlyCommands = map[string]bool{
	"cat": true, "echo": true, "printf": true, "true": true, "false": true, "test": true, "[": true,
	"basename": true, "dirname": true, "expr": true, "seq": true, "tr": true, "head": true, "cut": true,
	"wc": true, "grep": true, "egrep": true, "fgrep": true, "uname": true, "id": true, "whoami": true,
	"hostname": true, "realpath": true, "readlink": true, "ls": true, "pwd": true, "nproc": true,
}

// middleware prints and skips every command that reached it (make and the
// bin/ scripts are handled before it), runs mktemp into d.tmp and the
// readOnlyCommands for real.
func (d *scriptDryRun) middleware(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(ctx context.Context, args []string) error {
		name := filepath.Base(args[0])
		switch {
		case name == "mktemp":
			return d.mktemp(ctx, args)
		case readOnlyCommands[name]:
			return next(ctx, args)
		}
		d.printCommand(args)
		return nil
	}
}

// mktemp answers "mktemp [-d] [-p DIR] [-t] [TEMPLATE]" with a new file (a
// directory with -d) of d.tmp, printing the command: under -n nothing is
// created where the script asked.
func (d *scriptDryRun) mktemp(ctx context.Context, args []string) error {
	hc := interp.HandlerCtx(ctx)
	d.printCommand(args)
	dir := false
	for _, a := range args[1:] {
		if a == "-d" || a == "--directory" || strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "d") {
			dir = true
		}
	}
	var p string
	if dir {
		var err error
		if p, err = os.MkdirTemp(d.tmp, "tmp."); err != nil {
			fmt.Fprintf(hc.Stderr, "mktemp: %v\n", err)
			return interp.ExitStatus(1)
		}
	} else {
		f, err := os.CreateTemp(d.tmp, "tmp.")
		if err != nil {
			fmt.Fprintf(hc.Stderr, "mktemp: %v\n", err)
			return interp.ExitStatus(1)
		}
		p = f.Name()
		f.Close()
	}
	fmt.Fprintln(hc.Stdout, p)
	return nil
}

// open is the scripts' open handler under -n: reads as usual; writes
// into d.tmp (the files mktemp gave) and to /dev/null as usual, any other
// discarded and said.
func (d *scriptDryRun) open(ctx context.Context, path string, flag int, perm os.FileMode) (io.ReadWriteCloser, error) {
	hc := interp.HandlerCtx(ctx)
	if path != "" && !filepath.IsAbs(path) {
		path = filepath.Join(hc.Dir, path)
	}
	if flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND) == 0 || path == "/dev/null" || within(path, d.tmp) {
		return os.OpenFile(path, flag, perm)
	}
	fmt.Fprintf(d.err, "%s: %s: not writing %s\n", programName, d.flagName(), path)
	return discard{}, nil
}

// within reports whether p is dir or below it.
func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, filepath.Clean(p))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// discard is a file that takes every write and reads as empty.
type discard struct{}

func (discard) Read([]byte) (int, error)    { return 0, io.EOF }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) Close() error                { return nil }

// quoteArgs joins args as a shell command line, each quoted where needed.
func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		s, err := syntax.Quote(a, syntax.LangBash)
		if err != nil {
			s = a
		}
		q[i] = s
	}
	return strings.Join(q, " ")
}
