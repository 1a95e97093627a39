package driver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/graph"
	"github.com/dmake-dev/dmake/image"
	"github.com/dmake-dev/dmake/shellrun/sandbox"
	"github.com/dmake-dev/dmake/symlinker"
	"github.com/dmake-dev/dmake/watch"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
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
	// components are the prerequisites of the goals of the makes run
	// (build: base cron web), in order: the image's components.
	components []string
	// dry, under -n, prints the bin/ scripts' commands instead of
	// running them (make and the bin/ scripts go on, under -n).
	dry *scriptDryRun
	// slots are the run's job slots, shared by the makes run (nil: each
	// make has -j of opts alone).
	slots *jobSlots
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
// "bash FILE ARGS…" would, with the run's handlers (a dry run's under -n),
// and returns its exit status.
func (r *repoRun) runScript(ctx context.Context, file string, args []string, dir string, env []string, stdio Stdio) int {
	if r.dry != nil {
		mws := []func(interp.ExecHandlerFunc) interp.ExecHandlerFunc{r.scriptMiddleware, r.makeMiddleware, r.dry.middleware}
		return runShellFile(ctx, file, file, args, dir, env, stdio, mws, interp.OpenHandler(r.dry.open))
	}
	return runShellFile(ctx, file, file, args, dir, env, stdio, r.mws)
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
		if filepath.Dir(p) != filepath.Join(r.repo.Root, "bin") || !image.IsShellScript(p) {
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
		job := makeJob{dir: dir, makefiles: o.Makefiles, goals: o.Goals, env: envList(hc.Env), middlewares: r.mws, shellMiddlewares: r.mws, slots: r.slots}
		if len(sub.Dir) > 0 && !o.Silent {
			fmt.Fprintf(stdio.Out, "make: Entering directory '%s'\n", dir)
			defer fmt.Fprintf(stdio.Out, "make: Leaving directory '%s'\n", dir)
		}
		db, status := load(ctx, o, job, stdio)
		if db == nil {
			return interp.ExitStatus(uint8(status))
		}
		r.b.Inputs = append(r.b.Inputs, makefileList(ctx, db, dir)...)
		goals := o.Goals
		if len(goals) == 0 {
			if d := db.DefaultGoal(); d != "" {
				goals = []string{d}
			}
		}
		for _, t := range graph.New(ctx, db, graph.Options{Dir: dir}).Targets(goals) {
			if slices.Contains(goals, t.Name) {
				r.components = append(r.components, t.Prereqs...)
			}
		}
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
// repository, and returns its status, the images it built and the
// image's components (the prerequisites of the goals its makes made).
// The makes it runs take their job slots from slots (nil: -j of opts).
func binBuild(ctx context.Context, opts Options, repo image.Repo, name, dir string, b *image.Builder, slots *jobSlots, stdio Stdio) (int, []*image.Result, []string) {
	r := newRepoRun(opts, repo, b, stdio)
	r.slots = slots
	if opts.DryRun {
		tmp, err := os.MkdirTemp("", "dmake-n-")
		if err != nil {
			fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
			return 2, nil, nil
		}
		defer os.RemoveAll(tmp)
		r.dry = &scriptDryRun{tmp: tmp, out: stdio.Out, err: stdio.Err}
	}
	env := append(environ(opts), "DOCKER_HOME="+repo.Root)
	st := r.runScript(ctx, filepath.Join(repo.Root, "bin", "build"), []string{name}, dir, env, stdio)
	return st, b.Results(), r.components
}

// repoImage is an image of a repository built through its bin/build, as
// discovery found it.
type repoImage struct {
	img        image.Image
	node       image.Node
	components []string
	plan       *image.Plan
	// makefiles are the makefiles its makes read; inputs are those, the
	// files of its build context and the repository's bin/ scripts.
	makefiles, inputs []string
}

// discoverImages learns, for each of imgs, what bin/build IMAGE builds: it
// runs bin/build with nothing sent (the repository's recipes run as the
// legacy build runs them; docker build only writes its Dockerfile and
// context, into a temporary directory) and reads the tag (-t), the FROM
// of the Dockerfile the repository generated, and the components. The
// output of the run goes to stdio.Err only when it fails.
//
// pool are more images of the repository (its listed ones), learnt only
// when one learnt is FROM them: the one whose name the FROM has, else,
// when the FROM is under a registry path the repository tags images with
// and no image learnt has that tag, all of them. So a build learns the
// images it needs (the FROM closure), not every image of the repository.
func discoverImages(ctx context.Context, opts Options, repo image.Repo, imgs, pool []image.Image, dir string, stdio Stdio) ([]repoImage, int) {
	tmp, err := os.MkdirTemp("", "dmake-discover-")
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return nil, 2
	}
	defer os.RemoveAll(tmp)
	o := opts
	o.NoBuild, o.DryRun, o.Bust, o.Progress = true, false, nil, "plain"
	var out []repoImage
	imgs = slices.Clone(imgs)
	known := map[string]bool{}
	for _, img := range imgs {
		known[img.Name] = true
	}
	inPool := map[string]image.Image{}
	for _, img := range pool {
		inPool[img.Name] = img
	}
	// learnPool adds the pool images not known yet (name "" : all).
	learnPool := func(name string) {
		for _, img := range pool {
			if !known[img.Name] && (name == "" || img.Name == name) {
				known[img.Name] = true
				imgs = append(imgs, img)
			}
		}
	}
	fromTag := map[string]string{} // an unlisted image tried as a FROM → that FROM
	mentions := map[string]bool{}
	tagsUnder := func(path string) bool {
		m, ok := mentions[path]
		if !ok {
			m = repoMentions(repo.Root, path)
			mentions[path] = m
		}
		return m
	}
	// What the runs write (any image's) is generated, not an input.
	start := time.Now()
	// more, once all are learnt: a FROM under the repository's paths
	// that no image learnt is tagged may be a pool image of another name.
	more := func() bool {
		n := len(imgs)
		tags := map[string]bool{}
		for _, o := range out {
			tags[graph.NormTag(o.node.Tag)] = true
		}
		for _, o := range out {
			if g := o.node.From; g != "" && !tags[graph.NormTag(g)] && refPath(g) != "" && (refPath(g) == refPath(o.node.Tag) || tagsUnder(refPath(g))) {
				learnPool("")
				break
			}
		}
		return len(imgs) > n
	}
	for i := 0; i < len(imgs) || i == len(imgs) && more(); i++ {
		img := imgs[i]
		var log bytes.Buffer
		quiet := Stdio{Out: &log, Err: &log}
		b := newBuilder(o, repo, nil, quiet)
		b.NoBuildDir = filepath.Join(tmp, img.Name)
		st, built, components := binBuild(ctx, o, repo, img.Name, dir, b, nil, quiet)
		if _, tried := fromTag[img.Name]; tried {
			// Tried as the FROM of another: an image only if bin/build
			// builds it under that tag.
			if ctx.Err() != nil {
				return nil, 130
			}
			if len(built) == 0 || graph.NormTag(built[len(built)-1].Tag) != graph.NormTag(fromTag[img.Name]) {
				continue
			}
		} else if _, listed := repo.Image(img.Name); !listed && len(built) == 0 {
			stdio.Err.Write(log.Bytes())
			return nil, unlistedBuiltNothing(repo, img.Name, st, stdio)
		}
		if st != 0 && len(built) == 0 {
			stdio.Err.Write(log.Bytes())
			fmt.Fprintf(stdio.Err, "%s: learning what bin/build %s builds (its recipes run, nothing sent) failed with status %d\n", programName, img.Name, st)
			return nil, st
		}
		ri := repoImage{img: img, node: image.Node{Name: img.Name, Tag: img.Name}, components: components, makefiles: b.Inputs}
		ri.inputs = append(ri.inputs, b.Inputs...)
		if m, err := filepath.Glob(filepath.Join(repo.Root, "bin", "*")); err == nil {
			ri.inputs = append(ri.inputs, m...)
		}
		for _, r := range built {
			// The files the build sends and the files of its context
			// directory, except those the run itself wrote (parts a
			// recipe splits a script into, a generated Dockerfile): a
			// file the build generates changes only when it builds,
			// while the file it is made from (here, or among the
			// makefiles) is what a user edits.
			for _, f := range r.Plan.Files {
				ri.inputs = append(ri.inputs, contextFiles(f.Src)...)
			}
			ri.inputs = append(ri.inputs, regularFiles(r.ContextDir)...)
		}
		if len(built) > 0 {
			r := built[len(built)-1]
			ri.plan = r.Plan
			if r.Tag != "" {
				ri.node.Tag = r.Tag
			}
			if n := len(r.Plan.From); n > 0 {
				ri.node.From = r.Plan.From[n-1]
			}
		}
		out = append(out, ri)
		// The image it is FROM, when no images/ file lists it: the
		// repository's bin/build may build it all the same (a bin/make
		// writing a temporary makefile for the component of that name).
		// Only a FROM under a registry path the repository tags
		// images with is tried: the image's own tag's, or another its
		// files name other than as a FROM (bin/build of a foreign name
		// such as busybox or phusion/baseimage would run the
		// repository's recipes for nothing).
		f := ri.node.From
		if _, ok := inPool[refName(f)]; ok && f != "" {
			learnPool(refName(f))
		} else if f != "" && refPath(f) != "" && (refPath(f) == refPath(ri.node.Tag) || tagsUnder(refPath(f))) {
			if n := refName(f); image.ValidName(n) && !known[n] {
				known[n], fromTag[n] = true, f
				imgs = append(imgs, image.Image{Name: n, Dir: filepath.Join(repo.Root, "images")})
			}
		}
	}
	// Once every run is done: what one image's run wrote is no input of
	// another's either.
	for i := range out {
		out[i].inputs = slices.DeleteFunc(out[i].inputs, func(p string) bool {
			fi, err := os.Stat(p)
			return err != nil || !fi.ModTime().Before(start)
		})
	}
	return out, 0
}

// repoMentions reports whether a file of the repository (its bin/ scripts,
// makefiles, configuration: text files of up to 1 MiB, hidden ones and
// dmake's state left out) has a line naming the registry path path (as
// "other/") that is not a FROM: a hint that the repository tags images
// under it.
func repoMentions(root, path string) bool {
	found := false
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if fi, err := d.Info(); err != nil || fi.Size() > 1<<20 {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil || bytes.IndexByte(b, 0) >= 0 {
			return nil
		}
		for _, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, path) && !strings.Contains(l, "FROM") {
				found = true
				return filepath.SkipAll
			}
		}
		return nil
	})
	return found
}

// refPath returns the registry and path of an image reference, without
// its name: registry:5000/legacy/base:latest → registry:5000/legacy/.
func refPath(ref string) string {
	if i := strings.LastIndexByte(ref, '/'); i >= 0 {
		return ref[:i+1]
	}
	return ""
}

// refName returns the name of an image reference without registry, path
// and tag: registry:5000/legacy/base:latest → base.
func refName(ref string) string {
	if i := strings.LastIndexByte(ref, '@'); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndexByte(ref, '/'); i >= 0 {
		ref = ref[i+1:]
	}
	if i := strings.IndexByte(ref, ':'); i >= 0 {
		ref = ref[:i]
	}
	return ref
}

// regularFiles returns the regular files below dir, hidden ones and those
// of hidden directories left out.
func regularFiles(dir string) []string {
	if dir == "" {
		return nil
	}
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// contextFiles returns the regular files a context entry sends: src
// itself, or the files below it (a file a recipe writes there later is no
// input of this build).
func contextFiles(src string) []string {
	fi, err := os.Stat(src)
	if err != nil || !fi.IsDir() {
		return []string{src}
	}
	var out []string
	filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// repoOrder returns imgs in build order: unless --no-parents, with the
// images of the repository they are built FROM (found by discovery)
// first, an image after the one it is FROM.
//
// order is the same images as image.Deps gives them, each with the images
// it is FROM, for images built at once; it is nil when discovery did not
// run (--no-parents, -n), so that the FROM relations are unknown.
func repoOrder(ctx context.Context, opts Options, repo image.Repo, imgs []image.Image, dir string, stdio Stdio) (_ []image.Image, order []graph.DocImage, status int) {
	if opts.NoParents {
		return imgs, nil, 0
	}
	if opts.DryRun {
		// Discovery runs the repository's recipes and scripts for real:
		// not under -n, which then shows the images named only.
		fmt.Fprintf(stdio.Err, "%s: -n: only %s: the images it is built FROM are not looked for (that runs the repository's recipes)\n", programName, imageNames(imgs))
		return imgs, nil, 0
	}
	// The images named, and of the others those they are FROM.
	all, err := repo.Images()
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return nil, nil, 2
	}
	disc, status := discoverImages(ctx, opts, repo, imgs, all, dir, stdio)
	if disc == nil {
		return nil, nil, status
	}
	byName := map[string]repoImage{}
	var nodes []image.Node
	for _, d := range disc {
		byName[d.node.Name] = d
		nodes = append(nodes, d.node)
	}
	var want []string
	for _, img := range imgs {
		want = append(want, img.Name)
	}
	names := image.Parents(nodes, want)
	slices.Reverse(names)
	names = append(names, want...)
	run := make([]image.Node, len(names))
	for i, n := range names {
		run[i] = byName[n].node
	}
	deps, err := image.Deps(run)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return nil, nil, 2
	}
	doc := map[string]graph.DocImage{}
	for _, d := range deps {
		doc[d.Name] = d
	}
	waves, err := image.Order(run)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return nil, nil, 2
	}
	var out []image.Image
	for _, w := range waves {
		for _, n := range w {
			out = append(out, byName[n.Name].img)
			order = append(order, doc[n.Name])
		}
	}
	return out, order, 0
}

// imageNames joins the names of imgs.
func imageNames(imgs []image.Image) string {
	names := make([]string, len(imgs))
	for i, img := range imgs {
		names[i] = img.Name
	}
	return strings.Join(names, ", ")
}

// unlistedBuiltNothing reports that bin/build NAME, for a name no
// images/ file lists, built no image (exit status st), and returns the
// status dmake exits with.
func unlistedBuiltNothing(repo image.Repo, name string, st int, stdio Stdio) int {
	all, _ := repo.Images()
	fmt.Fprintf(stdio.Err, "%s: bin/build %s built no image (exit status %d): %v\n", programName, name, st, noImageError(repo, name, all))
	if st == 0 {
		st = 2
	}
	return st
}

// runRepoImages builds the images of a repository that is built through
// its own bin/build (any layout but that of legacy-images/, which
// runImages builds image by image): bin/build IMAGE for each, with make
// and docker build taken over, in FROM order.
//
// When discovery told which image is FROM which, independent images build
// at once up to -j, as runImages builds them: the repository's scripts
// still take turns (they were written for one build at a time: layouts
// share build/ as context and the parts their recipes write there), but a
// build gives its turn up while the engine builds from the context it has
// read (image.Builder.Turn), so that the next image's recipes prepare its
// context meanwhile.
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
		eng, err = newEngine(ctx, opts, stdio.Err)
		if err != nil {
			fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
			return 125
		}
		defer eng.Close()
	}
	named := map[string]bool{}
	for _, img := range imgs {
		named[img.Name] = true
	}
	imgs, order, status := repoOrder(ctx, opts, repo, imgs, dir, stdio)
	if imgs == nil {
		return status
	}
	var (
		mu    sync.Mutex
		plans []*image.Plan
		turn  sync.Mutex
	)
	// buildOne runs bin/build NAME and returns the status dmake exits
	// with for it.
	buildOne := func(ctx context.Context, opts Options, img image.Image, slots *jobSlots, stdio Stdio) int {
		t := &scriptTurn{turn: &turn}
		turn.Lock()
		defer turn.Unlock()
		b := newBuilder(opts, repo, eng, stdio)
		b.Away = t.away
		// An image built because a named one is FROM it is built only
		// when its inputs changed, whatever --no-cache its build passes.
		b.Parent = !named[img.Name]
		if !opts.NoCheck {
			b.Check = checkRepoBuild(opts, repo.Root, eng, false, stdio)
		}
		st, built, _ := binBuild(ctx, opts, repo, img.Name, dir, b, slots, stdio)
		if _, listed := repo.Image(img.Name); !listed && len(built) == 0 && ctx.Err() == nil && (st != 0 || !opts.DryRun) {
			return unlistedBuiltNothing(repo, img.Name, st, stdio)
		}
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
		mu.Lock()
		for _, r := range built {
			plans = append(plans, r.Plan)
		}
		mu.Unlock()
		return 0
	}
	if order == nil {
		// Which image is FROM which is unknown: one after another.
		for _, img := range imgs {
			if st := buildOne(ctx, opts, img, nil, stdio); st != 0 {
				return st
			}
		}
	} else {
		// The images share the run's job slots with their makes'
		// recipes, as in runImages.
		slots := setupJobs(opts, environ(opts), programName, stdio.Err)
		defer slots.close()
		byName := map[string]image.Image{}
		for _, img := range imgs {
			byName[img.Name] = img
		}
		sched := buildInParallel(ctx, opts, &slots, order, stdio, func(ctx context.Context, name string, opts Options, stdio Stdio) int {
			return buildOne(ctx, opts, byName[name], &slots, stdio)
		})
		if ctx.Err() != nil {
			return 130
		}
		if sched.Status != 0 {
			return sched.Status
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

// scriptTurn is one image's share of the turn the scripts of a repository
// built through its bin/build take (runRepoImages): held while the image's
// scripts run, given up while its docker builds are with the engine.
type scriptTurn struct {
	turn *sync.Mutex
	mu   sync.Mutex // held while the turn is given up or taken back
	// builds is how many of the image's builds are with the engine (a
	// script may run several in the background).
	builds int
}

// away gives the turn up as a build goes to the engine (the first of the
// image's builds there), and returns the function that takes it back
// when the build is done (the last one).
func (t *scriptTurn) away() func() {
	t.mu.Lock()
	t.builds++
	if t.builds == 1 {
		t.turn.Unlock()
	}
	t.mu.Unlock()
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.builds--
		if t.builds == 0 {
			t.turn.Lock()
		}
	}
}

// baseRootfs adds to si the root filesystem of base, the image the stage
// built starts from, when the engine has it, so that the dry run sees the
// base image's files (platforms: --platform's list, for the report).
func baseRootfs(ctx context.Context, si *sandbox.Image, base string, eng *engine.Engine, platforms string) {
	if eng == nil || base == "" {
		return
	}
	fromImage(ctx, eng, si, base, platforms)
}

// checkRepoImages is --check at a repository built through its bin/build:
// discovery runs bin/build for each image with nothing sent (its recipes
// prepare the build directory as the legacy build does), and the scripts
// each generated Dockerfile runs are dry-run in the sandbox, in order.
func checkRepoImages(ctx context.Context, opts Options, repo image.Repo, imgs []image.Image, dir string, stdio Stdio) int {
	lock, err := lockRepo(ctx, repo, stdio)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 2
	}
	defer lock.Release()
	var eng *engine.Engine
	if e, err := engine.New(ctx); err == nil {
		eng = e
		defer eng.Close()
	}
	disc, status := discoverImages(ctx, opts, repo, imgs, nil, dir, stdio)
	if disc == nil {
		return status
	}
	var checks []sandbox.Image
	for _, d := range disc {
		if d.plan == nil {
			fmt.Fprintf(stdio.Err, "%s: %s: bin/build %s ran no docker build: nothing to check\n", programName, d.img.Name, d.img.Name)
			continue
		}
		si, base, skipped, err := planImage(d.img.Name, readRoot(opts, repo.Root), d.plan)
		if err != nil {
			fmt.Fprintf(stdio.Err, "%s: %s: %v\n", programName, d.img.Name, err)
			return 2
		}
		if skipped != "" {
			fmt.Fprintf(stdio.Err, "%s: %s: not dry-run: %s\n", programName, d.img.Name, skipped)
		}
		if len(si.Scripts) == 0 {
			if skipped == "" {
				fmt.Fprintf(stdio.Err, "%s: %s: its Dockerfile runs nothing: nothing to check\n", programName, d.img.Name)
			}
			continue
		}
		baseRootfs(ctx, &si, base, eng, opts.Platform)
		checks = append(checks, si)
	}
	if len(checks) == 0 {
		return 0
	}
	return checkImages(ctx, checks, opts, stdio)
}

// checkRepoBuild is the image layer's Check for builds of a repository
// built through its bin/build: the scripts the plan runs are dry-run in
// the sandbox before anything is sent. With localBase, a stage whose base
// image the engine does not have is not dry-run (a plain Makefile's
// Dockerfile may start from anything; the seed's repositories start from
// Debian, whose minimal base the sandbox knows without the image).
func checkRepoBuild(opts Options, repoRoot string, eng *engine.Engine, localBase bool, stdio Stdio) func(context.Context, image.Request, *image.Plan) error {
	return func(ctx context.Context, req image.Request, plan *image.Plan) error {
		si, ok, err := buildSandboxImage(ctx, opts, repoRoot, eng, localBase, req, plan, stdio.Err)
		if err != nil || !ok {
			return err
		}
		reports, err := sandbox.Check(ctx, []sandbox.Image{si}, sandbox.Options{})
		if err != nil {
			return fmt.Errorf("dry run of the scripts: %w", err)
		}
		for _, r := range reports {
			if !r.OK() {
				r.WriteText(stdio.Err)
				return errors.New("the dry run of the scripts found errors; nothing was sent to the engine (fix them, or build anyway with --no-check)")
			}
		}
		fmt.Fprintf(stdio.Err, "%s: dry run of %d scripts: no errors\n", si.Name, len(si.Scripts))
		return nil
	}
}

// buildSandboxImage describes for the sandbox the scripts the stage a
// build makes runs (req and its plan, of the repository or directory
// repoRoot), over its base image's files where eng has them. ok is false
// when there is nothing to dry-run, said on notes: no RUN, a stage whose
// files are unknown before the build, or, with localBase, a base image
// the engine does not have.
func buildSandboxImage(ctx context.Context, opts Options, repoRoot string, eng *engine.Engine, localBase bool, req image.Request, plan *image.Plan, notes io.Writer) (si sandbox.Image, ok bool, err error) {
	name := filepath.Base(req.ContextDir)
	if len(req.Settings.Tags) > 0 {
		name = req.Settings.Tags[0]
	}
	si, base, skipped, err := planImage(name, readRoot(opts, image.ContextRoot(repoRoot, req.ContextDir)), plan)
	if err != nil {
		return si, false, err
	}
	if skipped != "" {
		fmt.Fprintf(notes, "%s: not dry-run: %s\n", name, skipped)
	}
	if len(si.Scripts) == 0 {
		return si, false, nil
	}
	if localBase && eng != nil {
		if _, found, err := eng.InspectImage(ctx, base); err == nil && !found {
			fmt.Fprintf(notes, "%s: not dry-run: %s is not in the local engine, so its files are unknown\n", name, base)
			return si, false, nil
		}
	}
	baseRootfs(ctx, &si, base, eng, opts.Platform)
	return si, true, nil
}

// runRepoWatch is --watch at a repository built through its bin/build:
// the watch loop of runWatch, with discovery telling each image's inputs
// (the makefiles its makes read, the repository's bin/ scripts, the files
// of its build context, and, for a hard link there, the file it links:
// an editor that saves by writing a new file leaves the link behind).
func runRepoWatch(ctx context.Context, opts Options, repo image.Repo, imgs []image.Image, dir string, stdio Stdio) int {
	return watchImages(ctx, opts, repo, imgs, watchOps{
		withParents: func(imgs []image.Image, stdio Stdio) ([]image.Image, int) {
			imgs, _, status := repoOrder(ctx, opts, repo, imgs, dir, stdio)
			return imgs, status
		},
		build: func(ctx context.Context, imgs []image.Image, stdio Stdio) int {
			return runRepoImages(ctx, opts, repo, imgs, dir, stdio)
		},
		inputs: func(ctx context.Context, imgs []image.Image) (watch.Inputs, map[string]bool, error) {
			return repoWatchInputs(ctx, opts, repo, imgs, dir)
		},
	}, stdio)
}

// repoWatchInputs is watchInputs for a repository built through its
// bin/build.
func repoWatchInputs(ctx context.Context, opts Options, repo image.Repo, imgs []image.Image, dir string) (watch.Inputs, map[string]bool, error) {
	var log bytes.Buffer
	in := &watch.Static{ImageIn: map[string][]string{}, ImageFrom: map[string][]string{}}
	gone := map[string]bool{}
	var present []image.Image
	for _, img := range imgs {
		// An image no images/ file lists (bin/build makes its makefile)
		// has no Makefile to lose.
		if fi, err := os.Stat(img.Makefile); img.Makefile == "" || err == nil && fi.Mode().IsRegular() {
			present = append(present, img)
			continue
		}
		gone[img.Name] = true
		in.Makes = append(in.Makes, img.Makefile)
		in.Watch = append(in.Watch, img.Makefile)
	}
	if len(present) == 0 {
		return in, gone, nil
	}
	lock, err := lockRepo(ctx, repo, Stdio{Out: &log, Err: &log})
	if err != nil {
		return nil, nil, err
	}
	disc, _ := discoverImages(ctx, opts, repo, present, nil, dir, Stdio{Out: &log, Err: &log})
	lock.Release()
	if disc == nil {
		return nil, nil, fmt.Errorf("learning the images' inputs: %s", strings.TrimSpace(log.String()))
	}
	links := hardLinkSources(repo.Root)
	seen := map[string]bool{}
	add := func(list *[]string, p string) {
		if !seen[p] {
			seen[p] = true
			*list = append(*list, p)
		}
	}
	tags := map[string]string{}
	for _, d := range disc {
		tags[graph.NormTag(d.node.Tag)] = d.node.Name
	}
	for _, d := range disc {
		for _, f := range d.makefiles {
			add(&in.Makes, f)
		}
		files := slices.Clone(d.inputs)
		for _, f := range d.inputs {
			files = append(files, links[fileID(f)]...)
		}
		sort.Strings(files)
		files = slices.Compact(files)
		for _, f := range files {
			add(&in.Watch, f)
		}
		in.ImageIn[d.node.Name] = files
		if p, ok := tags[graph.NormTag(d.node.From)]; ok && d.node.From != "" {
			in.ImageFrom[d.node.Name] = []string{p}
		}
	}
	return in, gone, nil
}

// fileID is a file's device and inode, "" when it cannot be read.
func fileID(p string) string {
	var st syscall.Stat_t
	if err := syscall.Stat(p, &st); err != nil {
		return ""
	}
	return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}

// hardLinkSources maps the id (fileID) of every regular file of the
// repository with more than one link to its paths outside the images'
// build directories and dmake's state: the files a build directory's hard
// links came from.
func hardLinkSources(root string) map[string][]string {
	out := map[string][]string{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") || (d.Name() == "build" && filepath.Base(filepath.Dir(filepath.Dir(p))) == "images")) {
				return filepath.SkipDir
			}
			return nil
		}
		var st syscall.Stat_t
		if !d.Type().IsRegular() || syscall.Lstat(p, &st) != nil || st.Nlink < 2 {
			return nil
		}
		id := fmt.Sprintf("%d:%d", st.Dev, st.Ino)
		out[id] = append(out[id], p)
		return nil
	})
	return out
}
