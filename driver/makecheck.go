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
	target  string // the target whose recipe runs it
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
// would plan it (nothing sent, no engine needed), every other command is
// said on stdio.Err and not run (scriptDryRun: only commands that read and
// print run), a redirection writes nothing outside a temporary directory;
// a target counts as made, as under -n. $(shell …) runs, as under make -n.
// The make run's output goes to stdio.Err; the status is make's.
func plainDryRun(ctx context.Context, opts Options, root string, stdio Stdio) (*makefile.Database, []plainBuild, int) {
	tmp, err := os.MkdirTemp("", "dmake-check-")
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return nil, nil, 2
	}
	defer os.RemoveAll(tmp)
	dry := &scriptDryRun{tmp: tmp, out: stdio.Err, err: stdio.Err, flag: dryRunFlag(opts)}
	o := opts
	o.NoBuild, o.Bust, o.Progress, o.events = true, nil, "plain", nil
	b := newBuilder(o, image.Repo{Root: root}, nil, stdio)
	b.Plain = true
	b.Out = io.Discard // --no-build's notes: nothing is written for the user
	b.NoBuildDir = filepath.Join(tmp, "no-build")
	var (
		mu     sync.Mutex
		builds []plainBuild
	)
	b.Check = func(ctx context.Context, req image.Request, plan *image.Plan) error {
		mu.Lock()
		defer mu.Unlock()
		builds = append(builds, plainBuild{target: shellrun.Target(ctx), source: req.Source, req: req, plan: plan})
		return nil
	}
	// gate answers a docker build whose context or Dockerfile is not there
	// yet, and one the image layer could not plan: the target counts as
	// made all the same, as under -n.
	gate := func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
		return func(ctx context.Context, args []string) error {
			hc := interp.HandlerCtx(ctx)
			bc, ctxDir, df, ok := image.BuildFiles(args, hc.Dir, hcLookup(hc))
			if !ok {
				return next(ctx, args)
			}
			pb := plainBuild{target: shellrun.Target(ctx), source: shellrun.Source(ctx), command: quoteArgs(args)}
			pb.req.ContextDir, pb.req.Dockerfile, pb.req.Settings = ctxDir, df, bc.Settings
			for _, p := range []string{ctxDir, df} {
				if _, err := os.Stat(p); err != nil && pb.missing == "" {
					pb.missing = p
				}
			}
			if pb.missing == "" {
				mu.Lock()
				n := len(builds)
				mu.Unlock()
				err := next(ctx, args)
				mu.Lock()
				defer mu.Unlock()
				if len(builds) > n {
					builds[n].command = pb.command
					return err
				}
				if err == nil {
					return nil // left to the docker CLI: said, not run
				}
				pb.failed = true
				fmt.Fprintf(stdio.Err, "%s: %s: %s: not checked: the build could not be planned (above)\n", programName, where(pb), pb.command)
			} else {
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintf(stdio.Err, "%s: %s: %s: not checked: %s does not exist yet: a recipe would make it, and this dry run makes nothing\n", programName, where(pb), pb.command, relTo(root, pb.missing))
			}
			builds = append(builds, pb)
			return nil
		}
	}
	var mws []func(interp.ExecHandlerFunc) interp.ExecHandlerFunc
	mws = append(mws, gate, scriptTakeover(root, &mws, interp.OpenHandler(dry.open)), b.DockerMiddleware(), dry.middleware)
	job := makeJob{
		dir:         root,
		makefiles:   opts.Makefiles,
		goals:       opts.Goals,
		env:         environ(opts),
		middlewares: mws,
		open:        dry.open,
	}
	sub := opts
	sub.DryRun, sub.Question, sub.Touch, sub.PrintDatabase = false, false, false, false
	out := Stdio{In: stdio.In, Out: stdio.Err, Err: stdio.Err}
	db, status := load(ctx, sub, job, out)
	if db == nil {
		return nil, nil, status
	}
	b.Inputs = makefileList(ctx, db, root)
	st, err := execute(ctx, sub, job, db, out)
	if err != nil && ctx.Err() != nil {
		return db, nil, 130
	}
	mu.Lock()
	defer mu.Unlock()
	return db, builds, max(status, st)
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
	if db == nil || status != 0 {
		stdio.Err.Write(log.Bytes())
		if db == nil {
			return status
		}
		fmt.Fprintf(stdio.Err, "%s: --graph: the dry run of the goals stopped with status %d: the images built after that point are not in the graph\n", programName, status)
	}
	goals := opts.Goals
	if len(goals) == 0 {
		if d := db.DefaultGoal(); d != "" {
			goals = []string{d}
		}
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
