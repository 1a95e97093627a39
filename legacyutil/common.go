package legacyutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/dmake-dev/dmake/engine"
	"github.com/spf13/pflag"
)

// Exit statuses shared by the utilities (see the package documentation).
const (
	ExitOK     = 0
	ExitFailed = 1
	ExitUsage  = 2
	ExitEngine = 125
	// ExitInterrupted is the status after an interrupt (128+SIGINT), as
	// a shell reports it.
	ExitInterrupted = 130
)

// command is the command-line frame of one utility: its flags, usage text
// and the messages it prints.
type command struct {
	name     string
	args     string // synopsis after the options, e.g. "CONTAINER CMD..."
	summary  string
	details  string // more text for --help, may be empty
	examples []string
	flags    *pflag.FlagSet
	stdio    Stdio
}

// newCommand returns the frame of utility name. With interspersed false,
// flags end at the first positional argument (what follows belongs to a
// command run in a container).
func newCommand(stdio Stdio, name, args, summary string, interspersed bool) *command {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	fs.SetInterspersed(interspersed)
	fs.BoolP("help", "h", false, "print this help and exit")
	return &command{name: name, args: args, summary: summary, flags: fs, stdio: stdio}
}

// parse parses args. It returns ok false, with the status to exit with,
// when the utility must stop: after --help (0) or a usage error (2).
func (c *command) parse(args []string) (rest []string, status int, ok bool) {
	err := c.flags.Parse(args)
	if h, _ := c.flags.GetBool("help"); h || errors.Is(err, pflag.ErrHelp) {
		c.usage(c.stdio.Out)
		return nil, ExitOK, false
	}
	if err != nil {
		return nil, c.usageError("%v", err), false
	}
	return c.flags.Args(), ExitOK, true
}

// usage prints the utility's help.
func (c *command) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: dmake --util %s [OPTION]... %s\n", c.name, c.args)
	fmt.Fprintf(w, "   or: %s [OPTION]... %s   (through a link named %s)\n\n", c.name, c.args, c.name)
	fmt.Fprintf(w, "%s\n", c.summary)
	if c.details != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(c.details, "\n"))
	}
	if len(c.examples) > 0 {
		fmt.Fprintf(w, "\nExample%s:\n", map[bool]string{true: "s"}[len(c.examples) > 1])
		for _, e := range c.examples {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
	fmt.Fprintf(w, "\nOptions:\n%s", c.flags.FlagUsages())
	fmt.Fprint(w, "\nExit status: 0 done, 1 failed, 2 usage error, 125 engine error")
	if c.passesStatus() {
		fmt.Fprint(w, "; otherwise the command's own status")
	}
	fmt.Fprintln(w)
}

// passesStatus reports whether the utility exits with a command's status.
func (c *command) passesStatus() bool {
	switch c.name {
	case "enter", "enter-bash", "run-bash", "ssh", "build", "make":
		return true
	}
	return false
}

// usageError prints a usage error and returns ExitUsage.
func (c *command) usageError(format string, a ...any) int {
	fmt.Fprintf(c.stdio.Err, "dmake %s: %s\nTry 'dmake --util %s --help' for more information.\n", c.name, fmt.Sprintf(format, a...), c.name)
	return ExitUsage
}

// errorf prints an error message prefixed with the utility's name.
func (c *command) errorf(format string, a ...any) {
	fmt.Fprintf(c.stdio.Err, "dmake %s: %s\n", c.name, fmt.Sprintf(format, a...))
}

// fail prints err and returns the status it calls for: ExitFailed for
// lookup errors (unknown, ambiguous or stopped container), ExitEngine for
// the rest.
func (c *command) fail(err error) int {
	c.errorf("%v", err)
	var le *lookupError
	if errors.As(err, &le) {
		return ExitFailed
	}
	return ExitEngine
}

// failRun is fail for a command that was running in a container: when ctx
// was cancelled (an interrupt), it says so and returns ExitInterrupted.
func (c *command) failRun(ctx context.Context, err error) int {
	if ctx.Err() != nil {
		c.errorf("interrupted")
		return ExitInterrupted
	}
	return c.fail(err)
}

// connect connects to the engine, printing why not on failure.
func (c *command) connect(ctx context.Context) (*engine.Engine, bool) {
	e, err := engine.New(ctx)
	if err != nil {
		c.errorf("%v", err)
		return nil, false
	}
	return e, true
}

// labelFlag adds the --label filter flag shared by the destructive
// utilities.
func labelFlag(fs *pflag.FlagSet, what string) *[]string {
	return fs.StringArray("label", nil, "only "+what+" carrying this label (`KEY` or KEY=VALUE; repeatable, all must match)")
}

// lookPathNotSelf finds the program name on path (a PATH value) as
// exec.LookPath does, but skips what is dmake itself (self: this
// executable, links followed) and anything in skipDir (the repository's
// bin/ of links to dmake, "" for none): a utility invoked as bin/ssh must
// find the real ssh, as the legacy scripts took $DOCKER_HOME/bin off PATH.
func lookPathNotSelf(name, path, self, skipDir string) (string, error) {
	if real, err := filepath.EvalSymlinks(self); err == nil {
		self = real
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		if skipDir != "" && filepath.Clean(dir) == filepath.Clean(skipDir) {
			continue
		}
		p := filepath.Join(dir, name)
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			continue
		}
		if real, err := filepath.EvalSymlinks(p); err == nil && real == self {
			continue
		}
		return p, nil
	}
	return "", fmt.Errorf("%s: not found on PATH (other than dmake's own links)", name)
}
