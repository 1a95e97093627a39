package driver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/graph"
	"github.com/dmake-dev/dmake/image"
	"github.com/dmake-dev/dmake/makefile"
	"github.com/dmake-dev/dmake/shellrun"
	"github.com/dmake-dev/dmake/shellrun/sandbox"
	"mvdan.cc/sh/v3/interp"
)

// plainBuild is one docker build that a plain Makefile's recipes would
// run, as plainDryRun learnt it.
type plainBuild struct {
	target  string // the target whose recipe runs it (plainDry.target)
	source  string // file:line of the recipe line
	command string // the docker command, quoted
	req     image.Request
	plan    *image.Plan // nil: not planned (missing or failed says why)
	// missing is the context directory or Dockerfile that is not there
	// yet: a recipe would make it.
	missing string
	// failed says that planning the build failed (said on the dry run's
	// standard error).
	failed bool
}

// tag is the build's first tag, "" when untagged.
func (p plainBuild) tag() string {
	if len(p.req.Settings.Tags) > 0 {
		return p.req.Settings.Tags[0]
	}
	return ""
}

// plainDryRun makes the goals of a plain Makefile's directory root as a
// dry run that touches nothing, and returns the docker builds their
// recipes would run, in order, with the makefiles read. Every recipe line
// runs in the interpreter: a docker build is planned as the image layer
// would plan it (nothing sent, no engine needed), a recipe's make
// ($(MAKE) -C DIR GOAL) is made the same way in-process, every other
// command is said on stdio.Err and not run (scriptDryRun: only commands
// that read and print run), a redirection writes nothing outside a
// temporary directory; a target counts as made, as under -n. $(shell …)
// runs, as under make -n. The make run's output goes to stdio.Err; the
// status is make's.
func plainDryRun(ctx context.Context, opts Options, root string, stdio Stdio) (*makefile.Database, []plainBuild, int) {
	tmp, err := os.MkdirTemp("", "dmake-check-")
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return nil, nil, 2
	}
	defer os.RemoveAll(tmp)
	d := &plainDry{opts: opts, root: root, errOut: stdio.Err}
	d.dry = &scriptDryRun{tmp: tmp, out: stdio.Err, err: stdio.Err, flag: dryRunFlag(opts)}
	o := opts
	o.Bust, o.Progress, o.events = nil, "plain", nil
	d.b = newBuilder(o, image.Repo{Root: root}, nil, stdio)
	d.b.Plain, d.b.PlanOnly = true, true
	d.b.Out = io.Discard
	d.b.Check = func(ctx context.Context, req image.Request, plan *image.Plan) error {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.builds = append(d.builds, plainBuild{target: d.target(ctx), source: d.source(ctx), req: req, plan: plan})
		return nil
	}
	d.mws = append(d.mws, d.gate, d.makeCall, scriptTakeover(root, &d.mws, interp.OpenHandler(d.dry.open)), d.b.DockerMiddleware(), d.dry.middleware)
	sub := opts
	sub.DryRun, sub.Question, sub.Touch, sub.PrintDatabase = false, false, false, false
	db, status := d.make(ctx, sub, root, environ(opts), Stdio{In: stdio.In, Out: stdio.Err, Err: stdio.Err})
	if db == nil || status == 130 {
		return db, nil, status
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return db, d.builds, status
}

// plainDry is the state of one plainDryRun.
type plainDry struct {
	opts   Options
	root   string
	errOut io.Writer // where the dry run's notes go
	dry    *scriptDryRun
	b      *image.Builder // plans the docker builds, with nothing sent
	mws    []func(interp.ExecHandlerFunc) interp.ExecHandlerFunc
	mu     sync.Mutex
	builds []plainBuild
}

// make reads the makefiles of dir under o and makes its goals with d's
// handlers, and returns the makefiles read (nil: reading them failed)
// and make's status (130 when ctx ended).
func (d *plainDry) make(ctx context.Context, o Options, dir string, env []string, stdio Stdio) (*makefile.Database, int) {
	ctx = context.WithValue(ctx, makeDirKey{}, dir)
	job := makeJob{dir: dir, makefiles: o.Makefiles, goals: o.Goals, env: env, middlewares: d.mws, open: d.dry.open}
	db, status := load(ctx, o, job, stdio)
	if db == nil {
		return nil, status
	}
	d.mu.Lock()
	d.b.Inputs = append(d.b.Inputs, makefileList(ctx, db, dir)...)
	d.mu.Unlock()
	st, err := execute(ctx, o, job, db, stdio)
	if err != nil && ctx.Err() != nil {
		return db, 130
	}
	return db, max(status, st)
}

// makeDirKey is the context key of the directory of the make whose
// recipe runs the commands (plainDry.make).
type makeDirKey struct{}

// source is where the recipe line of ctx is written, its makefile named
// from the directory of the run (svc/Makefile:3 for $(MAKE) -C svc).
func (d *plainDry) source(ctx context.Context) string {
	src := shellrun.Source(ctx)
	dir, _ := ctx.Value(makeDirKey{}).(string)
	if src == "" || dir == "" || dir == d.root || filepath.IsAbs(src) {
		return src
	}
	return relTo(d.root, filepath.Join(dir, src))
}

// target is the target whose recipe runs the line of ctx, a sub-make's
// prefixed with its directory from the run's (svc/image for $(MAKE) -C
// svc image).
func (d *plainDry) target(ctx context.Context) string {
	t := shellrun.Target(ctx)
	dir, _ := ctx.Value(makeDirKey{}).(string)
	if t == "" || dir == "" || dir == d.root || filepath.IsAbs(t) {
		return t
	}
	return relTo(d.root, filepath.Join(dir, t))
}

// makeCall makes a recipe's make ($(MAKE), make, gmake) in-process as
// the same dry run: its docker builds are found, its other commands not
// run. Without a parser of make's arguments it is said and not run.
func (d *plainDry) makeCall(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(ctx context.Context, args []string) error {
		if base := filepath.Base(args[0]); base != "make" && base != "gmake" && args[0] != makePath(d.opts) || d.opts.ParseMakeArgs == nil {
			return next(ctx, args)
		}
		hc := interp.HandlerCtx(ctx)
		sub, err := d.opts.ParseMakeArgs(args[1:])
		if err != nil {
			fmt.Fprintf(hc.Stderr, "%s: %s: %v\n", programName, quoteArgs(args), err)
			return interp.ExitStatus(2)
		}
		o := d.opts
		o.Dir, o.Makefiles, o.Goals, o.IncludeDirs = nil, sub.Makefiles, sub.Goals, sub.IncludeDirs
		o.Variables = append(append([]string(nil), d.opts.Variables...), sub.Variables...)
		o.KeepGoing = o.KeepGoing || sub.KeepGoing
		o.IgnoreErrors = o.IgnoreErrors || sub.IgnoreErrors
		o.EnvOverrides = o.EnvOverrides || sub.EnvOverrides
		o.DryRun, o.Question, o.Touch, o.PrintDatabase = false, false, false, false
		dir := hc.Dir
		for _, s := range sub.Dir {
			if filepath.IsAbs(s) {
				dir = s
			} else {
				dir = filepath.Join(dir, s)
			}
		}
		_, status := d.make(ctx, o, dir, envList(hc.Env), Stdio{In: hc.Stdin, Out: hc.Stdout, Err: hc.Stderr})
		if status == 130 && ctx.Err() != nil {
			return ctx.Err()
		}
		if status != 0 {
			return interp.ExitStatus(uint8(status))
		}
		return nil
	}
}

// gate answers a docker build whose context or Dockerfile is not there
// yet, and one the image layer could not plan: each is recorded and
// said, and the line succeeds, the target counting as made, as under -n.
// Any other command goes on to next.
func (d *plainDry) gate(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(ctx context.Context, args []string) error {
		hc := interp.HandlerCtx(ctx)
		bc, ctxDir, df, ok := image.BuildFiles(args, hc.Dir, hcLookup(hc))
		if !ok {
			return next(ctx, args)
		}
		pb := plainBuild{target: d.target(ctx), source: d.source(ctx), command: quoteArgs(args)}
		pb.req.ContextDir, pb.req.Dockerfile, pb.req.Settings = ctxDir, df, bc.Settings
		for _, p := range []string{ctxDir, df} {
			if _, err := os.Stat(p); err != nil && pb.missing == "" {
				pb.missing = p
			}
		}
		if pb.missing == "" {
			d.mu.Lock()
			n := len(d.builds)
			d.mu.Unlock()
			err := next(ctx, args)
			d.mu.Lock()
			defer d.mu.Unlock()
			if len(d.builds) > n {
				d.builds[n].command = pb.command
				return err
			}
			if err == nil {
				return nil // left to the docker CLI: said, not run
			}
			pb.failed = true
			fmt.Fprintf(d.errOut, "%s: %s: %s: not checked: the build could not be planned (above)\n", programName, where(pb), pb.command)
		} else {
			d.mu.Lock()
			defer d.mu.Unlock()
			fmt.Fprintf(d.errOut, "%s: %s: %s: not checked: %s does not exist yet: a recipe would make it, and this dry run makes nothing\n", programName, where(pb), pb.command, relTo(d.root, pb.missing))
		}
		d.builds = append(d.builds, pb)
		return nil
	}
}

// dryRunFlag is the option a plain Makefile's dry run is for, in its
// messages.
func dryRunFlag(opts Options) string {
	if opts.Graph != "" {
		return "--graph"
	}
	return "--check"
}

// where names the recipe line of a build, with its target.
func where(p plainBuild) string {
	if p.target == "" {
		return p.source
	}
	return fmt.Sprintf("%s (target %s)", p.source, p.target)
}

// hcLookup looks a variable up in the environment of a command.
func hcLookup(hc interp.HandlerContext) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v := hc.Env.Get(k)
		return v.String(), v.IsSet()
	}
}

// plainRoot is the absolute directory of a plain Makefile's run, links
// resolved, as makeIn has it.
func plainRoot(dir string) (string, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	return root, nil
}

// checkMake is --check in a plain Makefile's directory: a dry run of the
// goals that touches nothing (plainDryRun) finds the docker builds their
// recipes would run, and the RUN lines of the stage each builds are
// dry-run in the sandbox, over the base image's files where the local
// engine has them (a base it lacks is not dry-run, as before a build). The
// report, --check-report and the exit status are those of the legacy
// --check; a build that could not be planned makes the status 1 too, and
// the make run's failure its status.
func checkMake(ctx context.Context, opts Options, dir string, stdio Stdio) int {
	jsonStreams(&opts, &stdio)
	root, err := plainRoot(dir)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 2
	}
	_, builds, status := plainDryRun(ctx, opts, root, stdio)
	if status == 130 {
		return status
	}
	if status != 0 {
		fmt.Fprintf(stdio.Err, "%s: --check: making the goals stopped with status %d: the docker builds after that point were not seen\n", programName, status)
	}
	if len(builds) == 0 {
		if status == 0 {
			fmt.Fprintf(stdio.Err, "%s: --check: the goals run no docker build: nothing to check\n", programName)
		}
		return status
	}
	var eng *engine.Engine
	if e, err := engine.New(ctx); err == nil {
		eng = e // the base images' files, where the engine has them
		defer eng.Close()
	}
	var checks []sandbox.Image
	for _, pb := range builds {
		if pb.failed {
			status = max(status, 1)
		}
		if pb.plan == nil {
			continue
		}
		si, ok, err := buildSandboxImage(ctx, opts, root, eng, true, pb.req, pb.plan, stdio.Err)
		if err != nil {
			fmt.Fprintf(stdio.Err, "%s: %s: %s: %v\n", programName, where(pb), pb.command, err)
			status = max(status, 2)
			continue
		}
		if !ok {
			if len(si.Scripts) == 0 {
				fmt.Fprintf(stdio.Err, "%s: %s: %s: its Dockerfile runs nothing: nothing to check\n", programName, where(pb), pb.command)
			}
			continue
		}
		checks = append(checks, si)
	}
	if len(checks) == 0 {
		return status
	}
	return max(status, checkImages(ctx, checks, opts, stdio))
}

// graphMake is --graph for plain make: the target graph below the goals in
// make's traversal order, and the images the goals' recipes build with
// docker build (tag, the FROM of the stage built, the target whose recipe
// builds it), learnt by plainDryRun. What the dry run printed is shown
// only when it failed.
func graphMake(ctx context.Context, opts Options, dir string, stdio Stdio) int {
	root, err := plainRoot(dir)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 2
	}
	var log bytes.Buffer
	db, builds, status := plainDryRun(ctx, opts, root, Stdio{In: stdio.In, Out: &log, Err: &log})
	if db == nil {
		stdio.Err.Write(log.Bytes())
		return status
	}
	goals := opts.Goals
	if len(goals) == 0 {
		if d := db.DefaultGoal(); d != "" {
			goals = []string{d}
		}
	}
	// No goal (no makefile, or one without targets) is an empty graph.
	if status != 0 && len(goals) > 0 {
		stdio.Err.Write(log.Bytes())
		fmt.Fprintf(stdio.Err, "%s: --graph: the dry run of the goals stopped with status %d: the images built after that point are not in the graph\n", programName, status)
	}
	g := graph.New(ctx, db, graph.Options{Dir: root, AlwaysMake: opts.AlwaysMake, WhatIf: opts.WhatIf, OldFiles: opts.OldFiles})
	var gi []graph.Image
	seen := map[string]bool{}
	for _, pb := range builds {
		name := pb.tag()
		if name == "" {
			name = pb.source
		}
		if seen[name] {
			continue // built again by another recipe line: one node
		}
		seen[name] = true
		gi = append(gi, graph.Image{Name: name, Tag: pb.tag(), From: stageBase(pb.plan), Components: []string{}, Dir: pb.req.ContextDir, Target: pb.target})
	}
	images, err := graph.ImageOrder(gi)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 2
	}
	if images == nil {
		images = []graph.DocImage{}
	}
	doc := &graph.Doc{Version: graph.SchemaVersion, Goals: goals, Images: images, Targets: g.Targets(goals)}
	return writeGraph(doc, opts, stdio)
}

// stageBase is the image the stage a plan builds starts from, as its FROM
// writes it: "" when the plan is unknown.
func stageBase(plan *image.Plan) string {
	if plan == nil {
		return ""
	}
	all, err := image.ParseDockerfile("Dockerfile", plan.Dockerfile)
	if err == nil {
		if from, _, base, ok := image.StageRange(all, plan.Target); ok {
			if base != "" {
				return base
			}
			for _, f := range strings.Fields(all[from].Args) {
				if !strings.HasPrefix(f, "--") {
					return f // another stage, scratch, or a variable
				}
			}
		}
	}
	if n := len(plan.From); n > 0 {
		return plan.From[n-1]
	}
	return ""
}

// relTo is p relative to dir when it is below it, p otherwise.
func relTo(dir, p string) string {
	if rel, err := filepath.Rel(dir, p); err == nil && within(p, dir) {
		return rel
	}
	return p
}
