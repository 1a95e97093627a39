package driver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/image"
	"github.com/dmake-dev/dmake/symlinker"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// repoRun runs a legacy repository's own scripts (bin/build IMAGE, and the
// bin/ scripts and make commands they call) the way the legacy build ran
// them on the host, with three things taken over: make is dmake's make,
// in-process; docker build is the image layer's; the repository's bin/
// scripts run in the same interpreter. Everything else runs for real.
type repoRun struct {
	opts  Options
	repo  image.Repo
	b     *image.Builder
	stdio Stdio
	mws   []func(interp.ExecHandlerFunc) interp.ExecHandlerFunc
}

func newRepoRun(opts Options, repo image.Repo, b *image.Builder, stdio Stdio) *repoRun {
	r := &repoRun{opts: opts, repo: repo, b: b, stdio: stdio}
	sl := symlinker.New(symlinker.Config{Root: repo.Root, AllowOutside: opts.AllowOutsideLinks})
	r.mws = []func(interp.ExecHandlerFunc) interp.ExecHandlerFunc{
		r.scriptMiddleware, r.makeMiddleware, sl.Middleware(), connectOnBuild(b, opts, stdio), b.Middleware(),
	}
	return r
}

// runScript runs the shell script file with args in dir under env, as
// "bash FILE ARGS…" would, and returns its exit status.
func (r *repoRun) runScript(ctx context.Context, file string, args []string, dir string, env []string, stdio Stdio) int {
	src, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 127
	}
	// The name given is $0, as bash sets it.
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(string(src)), file)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 2
	}
	runner, err := interp.New(
		interp.Params(append([]string{"--"}, args...)...),
		interp.Dir(dir),
		interp.Env(expand.ListEnviron(env...)),
		interp.StdIO(stdio.In, stdio.Out, stdio.Err),
		interp.ExecHandlers(r.mws...),
	)
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

// isShellScript reports whether file starts with a #! line naming sh or
// bash.
func isShellScript(file string) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 128)
	n, _ := f.Read(buf)
	line, _, _ := strings.Cut(string(buf[:n]), "\n")
	if !strings.HasPrefix(line, "#!") {
		return false
	}
	fs := strings.Fields(line[2:])
	if len(fs) == 0 {
		return false
	}
	prog := filepath.Base(fs[0])
	if prog == "env" && len(fs) > 1 {
		prog = fs[1]
	}
	return prog == "sh" || prog == "bash"
}

// scriptMiddleware runs the shell scripts of the repository's bin/ (a
// bin/build calling $DOCKER_HOME/bin/make) in the interpreter, so that the
// make and docker build they call are taken over too.
func (r *repoRun) scriptMiddleware(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(ctx context.Context, args []string) error {
		hc := interp.HandlerCtx(ctx)
		p := args[0]
		if !strings.Contains(p, "/") {
			return next(ctx, args)
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(hc.Dir, p)
		}
		if filepath.Dir(p) != filepath.Join(r.repo.Root, "bin") || !isShellScript(p) {
			return next(ctx, args)
		}
		st := r.runScript(ctx, p, args[1:], hc.Dir, envList(hc.Env), Stdio{In: hc.Stdin, Out: hc.Stdout, Err: hc.Stderr})
		if st != 0 {
			return interp.ExitStatus(uint8(st))
		}
		return nil
	}
}

// makeMiddleware runs "make ARGS…" as dmake's make, in-process: the same
// makefiles, goals and variables, with the recipes' commands going through
// the same handlers (docker build taken over, file commands in Go).
func (r *repoRun) makeMiddleware(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(ctx context.Context, args []string) error {
		if base := filepath.Base(args[0]); base != "make" && base != "gmake" {
			return next(ctx, args)
		}
		hc := interp.HandlerCtx(ctx)
		stdio := Stdio{In: hc.Stdin, Out: hc.Stdout, Err: hc.Stderr}
		if r.opts.ParseMakeArgs == nil {
			fmt.Fprintf(stdio.Err, "%s: %s: this dmake cannot run make in-process\n", programName, strings.Join(args, " "))
			return interp.ExitStatus(2)
		}
		sub, err := r.opts.ParseMakeArgs(args[1:])
		if err != nil {
			fmt.Fprintf(stdio.Err, "%s: %s: %v\n", programName, strings.Join(args, " "), err)
			return interp.ExitStatus(2)
		}
		o := r.opts
		o.Dir, o.Makefiles, o.Goals, o.Variables, o.IncludeDirs = nil, sub.Makefiles, sub.Goals, append(append([]string(nil), r.opts.Variables...), sub.Variables...), sub.IncludeDirs
		o.Silent = o.Silent || sub.Silent
		o.KeepGoing = o.KeepGoing || sub.KeepGoing
		o.IgnoreErrors = o.IgnoreErrors || sub.IgnoreErrors
		o.DryRun = o.DryRun || sub.DryRun
		o.EnvOverrides = o.EnvOverrides || sub.EnvOverrides
		dir := hc.Dir
		for _, d := range sub.Dir {
			if filepath.IsAbs(d) {
				dir = d
			} else {
				dir = filepath.Join(dir, d)
			}
		}
		job := makeJob{dir: dir, makefiles: o.Makefiles, goals: o.Goals, env: envList(hc.Env), middlewares: r.mws, shellMiddlewares: r.mws}
		if len(sub.Dir) > 0 && !o.Silent {
			fmt.Fprintf(stdio.Out, "make: Entering directory '%s'\n", dir)
			defer fmt.Fprintf(stdio.Out, "make: Leaving directory '%s'\n", dir)
		}
		db, status := load(ctx, o, job, stdio)
		if db == nil {
			return interp.ExitStatus(uint8(status))
		}
		r.b.Inputs = append(r.b.Inputs, makefileList(ctx, db, dir)...)
		status, err = execute(ctx, o, job, db, stdio)
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		if status != 0 {
			return interp.ExitStatus(uint8(status))
		}
		return nil
	}
}

// envList is the exported environment of an interpreter.
func envList(env expand.Environ) []string {
	var out []string
	env.Each(func(name string, vr expand.Variable) bool {
		if vr.Exported && vr.IsSet() {
			out = append(out, name+"="+vr.String())
		}
		return true
	})
	return out
}

// binBuild runs the repository's bin/build NAME for one image, as the
// legacy "bin/build NAME" would from dir, with DOCKER_HOME set to the
// repository, and returns its status and the images it built.
func binBuild(ctx context.Context, opts Options, repo image.Repo, name, dir string, b *image.Builder, stdio Stdio) (int, []*image.Result) {
	r := newRepoRun(opts, repo, b, stdio)
	env := append(environ(opts), "DOCKER_HOME="+repo.Root)
	st := r.runScript(ctx, filepath.Join(repo.Root, "bin", "build"), []string{name}, dir, env, stdio)
	return st, b.Results()
}

// runRepoImages builds the images of a repository that is built through
// its own bin/build (any layout but that of legacy-images/, which
// runImages builds image by image): bin/build IMAGE for each, in the order
// given, with make and docker build taken over.
func runRepoImages(ctx context.Context, opts Options, repo image.Repo, imgs []image.Image, dir string, stdio Stdio) int {
	start := time.Now()
	lock, err := lockRepo(ctx, repo, stdio)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 2
	}
	defer lock.Release()
	var eng *engine.Engine
	if !opts.NoBuild && !opts.DryRun {
		eng, err = engine.New(ctx)
		if err != nil {
			fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
			return 125
		}
		defer eng.Close()
	}
	var plans []*image.Plan
	for _, img := range imgs {
		b := newBuilder(opts, repo, eng, stdio)
		st, built := binBuild(ctx, opts, repo, img.Name, dir, b, stdio)
		if st != 0 {
			if ctx.Err() != nil {
				return 130
			}
			if len(built) > 0 {
				fmt.Fprintf(stdio.Err, "%s: %s: bin/build %s exited with status %d after the image was built\n", programName, img.Name, img.Name, st)
			}
			return st
		}
		if len(built) == 0 && !opts.DryRun {
			fmt.Fprintf(stdio.Err, "%s: warning: bin/build %s ran no docker build\n", programName, img.Name)
		}
		for _, r := range built {
			plans = append(plans, r.Plan)
		}
	}
	if unknown := image.UnmatchedBust(opts.Bust, plans); len(unknown) > 0 {
		fmt.Fprintf(stdio.Err, "%s: warning: --bust %s named no script or component of the images built\n", programName, strings.Join(unknown, ", "))
	}
	if len(imgs) > 1 {
		fmt.Fprintf(stdio.Err, "%s: %d images in %.1fs\n", programName, len(imgs), time.Since(start).Seconds())
	}
	return 0
}
