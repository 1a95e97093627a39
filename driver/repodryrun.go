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

// readOnly reports whether the command args only reads and prints, so a
// dry run runs it for real: one of readOnlyCommands; date without -s/--set;
// git's commands that only read the repository (rev-parse, describe,
// rev-list, log, show -s, symbolic-ref NAME, branch --show-current) with
// none of the options that write (--output, describe's --dirty, which
// updates the index), run a program the repository's configuration names
// (--ext-diff, --textconv, --filters, a patch's diff drivers) or set
// configuration (-c): a tag made of "$(git rev-parse --short HEAD)" is
// the tag a build would use.
func readOnly(args []string) bool {
	name := filepath.Base(args[0])
	switch {
	case readOnlyCommands[name]:
		return true
	case name == "date":
		for _, a := range args[1:] {
			if strings.HasPrefix(a, "--set") || dateSets(a) {
				return false
			}
		}
		return true
	case name == "git":
		return gitReadOnly(args[1:])
	}
	return false
}

// dateSets reports whether a is a cluster of date's short options with -s
// among them; an option that takes an argument (-d, -f, -r, -I) ends the
// cluster: date -Iseconds only prints.
func dateSets(a string) bool {
	if len(a) < 2 || a[0] != '-' || a[1] == '-' {
		return false
	}
	for _, c := range a[1:] {
		switch c {
		case 's':
			return true
		case 'd', 'f', 'r', 'I':
			return false
		}
	}
	return false
}

// gitReadOnly is readOnly for git's arguments.
func gitReadOnly(args []string) bool {
	// git's own options before the command: -C DIR and --no-pager only.
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch {
		case args[0] == "-C" && len(args) > 1:
			args = args[2:]
		case args[0] == "--no-pager" || args[0] == "-P":
			args = args[1:]
		default:
			return false
		}
	}
	if len(args) == 0 {
		return false
	}
	cmd, opts := args[0], args[1:]
	var positional int
	has := func(flags ...string) bool {
		for _, a := range opts {
			for _, f := range flags {
				if a == f {
					return true
				}
			}
		}
		return false
	}
	for _, a := range opts {
		switch {
		case !strings.HasPrefix(a, "-"):
			positional++
		case strings.HasPrefix(a, "--"):
			long, _, _ := strings.Cut(a, "=")
			switch long {
			case "--output", "--ext-diff", "--textconv", "--filters", "--dirty", "--broken", "--exec",
				"--patch", "--word-diff", "--color-words", "--cc", "--diff-merges", "--edit-description":
				return false
			}
		case strings.ContainsAny(a[1:], "puUcm"):
			// -p/-u/-U: a patch (diff drivers); -c, -m: merges' diffs.
			return false
		}
	}
	switch cmd {
	case "rev-parse", "describe", "rev-list", "log":
		return true
	case "show":
		return has("-s", "--no-patch", "--quiet")
	case "symbolic-ref":
		return positional <= 1 && !has("-d", "--delete", "-m")
	case "branch":
		return len(opts) == 1 && opts[0] == "--show-current"
	}
	return false
}

// middleware prints and skips every command that reached it (make and the
// bin/ scripts are handled before it), runs mktemp into d.tmp and the
// commands that only read (readOnly) for real.
func (d *scriptDryRun) middleware(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(ctx context.Context, args []string) error {
		name := filepath.Base(args[0])
		switch {
		case name == "mktemp":
			return d.mktemp(ctx, args)
		case readOnly(args):
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
