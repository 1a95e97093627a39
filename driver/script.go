package driver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dmake-dev/dmake/image"
	"github.com/dmake-dev/dmake/shellrun"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// runShellFile runs the shell script file, named name ($0: the script as
// the command named it), with args in dir under env, in the interpreter,
// as "bash NAME ARGS…" would, every command it runs going through mws,
// and returns its exit status. opts are more options of the runner (a dry
// run's open handler).
func runShellFile(ctx context.Context, file, name string, args []string, dir string, env []string, stdio Stdio, mws []func(interp.ExecHandlerFunc) interp.ExecHandlerFunc, opts ...interp.RunnerOption) int {
	src, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 127
	}
	// The name given is $0, as bash sets it.
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(bytes.NewReader(src), name)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 2
	}
	ropts := append([]interp.RunnerOption{
		interp.Params(append([]string{"--"}, args...)...),
		interp.Dir(dir),
		interp.Env(expand.ListEnviron(env...)),
		interp.StdIO(stdio.In, stdio.Out, stdio.Err),
		interp.ExecHandlers(mws...),
	}, opts...)
	runner, err := interp.New(ropts...)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 2
	}
	err = runner.Run(ctx, f)
	var st interp.ExitStatus
	if errors.As(err, &st) {
		return int(st)
	}
	if err != nil {
		if ctx.Err() != nil {
			return 130
		}
		fmt.Fprintf(stdio.Err, "%s: %s: %v\n", programName, file, err)
		return 2
	}
	return 0
}

// scriptCall returns the shell script a command runs (its path, and its
// name as the command gives it) and its arguments: "./build.sh ARGS…" (a
// path to a script with a #! line naming sh or bash), or "bash FILE
// ARGS…" / "sh FILE ARGS…" without options. dir resolves a relative path.
func scriptCall(args []string, dir string) (file, name string, rest []string, ok bool) {
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	switch base := filepath.Base(args[0]); {
	case strings.Contains(args[0], "/") && image.IsShellScript(abs(args[0])):
		return abs(args[0]), args[0], args[1:], true
	case (base == "bash" || base == "sh") && len(args) > 1 && !strings.HasPrefix(args[1], "-"):
		if fi, err := os.Stat(abs(args[1])); err == nil && fi.Mode().IsRegular() {
			return abs(args[1]), args[1], args[2:], true
		}
	}
	return "", "", nil, false
}

// maxScript is the size of the largest script scriptBuilds reads.
const maxScript = 1 << 20

// scriptBuilds reports whether the shell script file calls docker by name
// (its build is what a take-over wants) and can run in the interpreter
// as bash would run it (shellrun.NeedsRealShell).
func scriptBuilds(file string) bool {
	fi, err := os.Stat(file)
	if err != nil || fi.Size() > maxScript {
		return false
	}
	src, err := os.ReadFile(file)
	if err != nil || !bytes.Contains(src, []byte("docker")) {
		return false
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(bytes.NewReader(src), file)
	if err != nil || shellrun.NeedsRealShell(f) {
		return false
	}
	calls := false
	syntax.Walk(f, func(n syntax.Node) bool {
		if c, ok := n.(*syntax.CallExpr); ok && len(c.Args) > 0 && filepath.Base(c.Args[0].Lit()) == "docker" {
			calls = true
		}
		return !calls
	})
	return calls
}

// scriptTakeover returns the middleware that runs, in the interpreter,
// the shell scripts below root that a plain Makefile's recipe runs
// (scriptCall) and that call docker (scriptBuilds), with the handlers
// *mws (this middleware among them), so that their docker build is taken
// over as a recipe's is; opts are more options of their runner (a dry
// run's open handler). Any other command goes on to next.
func scriptTakeover(root string, mws *[]func(interp.ExecHandlerFunc) interp.ExecHandlerFunc, opts ...interp.RunnerOption) func(interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
		return func(ctx context.Context, args []string) error {
			hc := interp.HandlerCtx(ctx)
			file, name, rest, ok := scriptCall(args, hc.Dir)
			if !ok || !within(file, root) || !scriptBuilds(file) {
				return next(ctx, args)
			}
			st := runShellFile(ctx, file, name, rest, hc.Dir, envList(hc.Env), Stdio{In: hc.Stdin, Out: hc.Stdout, Err: hc.Stderr}, *mws, opts...)
			if st != 0 {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return interp.ExitStatus(uint8(st))
			}
			return nil
		}
	}
}
