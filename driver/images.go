package driver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/image"
	"github.com/dmake-dev/dmake/internal/repolock"
	"github.com/dmake-dev/dmake/internal/statedir"
	"github.com/dmake-dev/dmake/makefile"
	"github.com/dmake-dev/dmake/symlinker"
	"mvdan.cc/sh/v3/interp"
)

// imageGoal is one image of a run: its Makefile's database and the image
// graph node (tag, FROM).
type imageGoal struct {
	img  image.Image
	node image.Node
	db   *makefile.Database
	job  makeJob
	// parent: not asked for, but an image an asked-for one is built
	// FROM; it is built (when out of date) without the --bust words.
	parent bool
}

// imageMode decides whether a run in dir builds images of a legacy
// repository: a repository is found as the legacy scripts find it
// ($DOCKER_HOME, else the nearest ancestor with the layout, usually dir
// itself), no -f was given, dir has no makefile of its own, and every goal
// names an image of the repository. It returns the repository and the
// images to build (all of them when no goal is named).
func imageMode(opts Options, dir string) (image.Repo, []image.Image, bool, error) {
	if len(opts.Makefiles) > 0 {
		return image.Repo{}, nil, false, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return image.Repo{}, nil, false, err
	}
	for _, name := range []string{"GNUmakefile", "makefile", "Makefile"} {
		if _, err := os.Stat(filepath.Join(abs, name)); err == nil {
			return image.Repo{}, nil, false, nil
		}
	}
	repo, err := image.FindRepo(abs)
	if err != nil {
		if errors.Is(err, image.ErrNoRepo) {
			return image.Repo{}, nil, false, nil
		}
		return image.Repo{}, nil, false, err
	}
	all, err := repo.Images()
	if err != nil {
		return repo, nil, false, err
	}
	if len(opts.Goals) == 0 {
		return repo, all, true, nil
	}
	var imgs []image.Image
	for _, g := range opts.Goals {
		img, ok := repo.Image(g)
		if !ok && !repo.ReferenceLayout() && image.ValidName(g) {
			// No images/ file names it, but the repository's bin/build
			// may build it all the same (a bin/make writing a temporary
			// makefile for the component of that name): bin/build
			// decides (runRepoImages).
			img, ok = image.Image{Name: g, Dir: filepath.Join(repo.Root, "images")}, true
		}
		if !ok {
			names := make([]string, len(all))
			for i, a := range all {
				names[i] = a.Name
			}
			return repo, nil, false, noImageError(repo, g, all)
		}
		imgs = append(imgs, img)
	}
	return repo, imgs, true, nil
}

// noImageError says that the repository has no image name.
func noImageError(repo image.Repo, name string, all []image.Image) error {
	names := make([]string, len(all))
	for i, a := range all {
		names[i] = a.Name
	}
	return fmt.Errorf("%s has no image %q (its images: %s); run make goals from the image's directory, e.g. dmake -C images/NAME %s",
		repo.Root, name, strings.Join(names, ", "), name)
}

// runImages builds the images of a legacy repository in FROM order, each
// through its own Makefile's build goal, with docker build taken over by
// the image layer.
func runImages(ctx context.Context, opts Options, repo image.Repo, imgs []image.Image, stdio Stdio) int {
	start := time.Now()
	lock, err := lockRepo(ctx, repo, stdio)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 2
	}
	defer lock.Release()

	goals, status := loadImages(ctx, opts, repo, imgs, stdio)
	if goals == nil {
		return status
	}
	if !opts.NoParents {
		if goals, status = addParents(ctx, opts, repo, goals, stdio); goals == nil {
			return status
		}
	}
	var eng *engine.Engine
	if !opts.NoBuild && !opts.DryRun {
		eng, err = newEngine(ctx, opts, stdio.Err)
		if err != nil {
			fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
			return 125
		}
		defer eng.Close()
	}
	if opts.NoParents && eng != nil {
		warnStaleParents(ctx, repo, goals, eng, stdio)
	}
	nodes := make([]image.Node, len(goals))
	byName := map[string]*imageGoal{}
	for i, g := range goals {
		nodes[i] = g.node
		byName[g.node.Name] = g
	}
	order, err := image.Deps(nodes)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 2
	}
	// The images share the run's job slots with their makes' recipes
	// and any make they run, as a make's targets do (setupJobs).
	slots := setupJobs(opts, environ(opts), programName, stdio.Err)
	defer slots.close()
	for _, g := range goals {
		g.job.slots = &slots
	}
	var plans []*image.Plan
	var mu sync.Mutex
	sched := buildInParallel(ctx, opts, &slots, order, stdio, func(ctx context.Context, name string, opts Options, stdio Stdio) int {
		g := byName[name]
		st, built := buildImage(ctx, opts, repo, g, eng, stdio)
		if !g.parent {
			mu.Lock()
			for _, r := range built {
				plans = append(plans, r.Plan)
			}
			mu.Unlock()
		}
		return st
	})
	if sched.Status != 0 || ctx.Err() != nil {
		if ctx.Err() != nil {
			return 130
		}
		return sched.Status
	}
	if unknown := image.UnmatchedBust(opts.Bust, plans); len(unknown) > 0 {
		fmt.Fprintf(stdio.Err, "%s: warning: --bust %s named no script or component of the images built\n", programName, strings.Join(unknown, ", "))
	}
	if len(goals) > 1 {
		fmt.Fprintf(stdio.Err, "%s: %d images in %.1fs\n", programName, len(goals), time.Since(start).Seconds())
	}
	return 0
}

// addParents adds to goals the images of the repository that they are
// built FROM (transitively), as make remakes prerequisites: a parent whose
// inputs changed is rebuilt before its children, an unchanged one costs a
// no-op check.
func addParents(ctx context.Context, opts Options, repo image.Repo, goals []*imageGoal, stdio Stdio) ([]*imageGoal, int) {
	all, err := repo.Images()
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return nil, 2
	}
	have := map[string]bool{}
	var want []string
	for _, g := range goals {
		have[g.img.Name] = true
		want = append(want, g.img.Name)
	}
	var rest []image.Image
	for _, img := range all {
		if !have[img.Name] {
			rest = append(rest, img)
		}
	}
	if len(rest) == 0 {
		return goals, 0
	}
	others, status := loadImages(ctx, opts, repo, rest, stdio)
	if others == nil {
		return nil, status
	}
	nodes := make([]image.Node, 0, len(goals)+len(others))
	byName := map[string]*imageGoal{}
	for _, g := range append(append([]*imageGoal(nil), goals...), others...) {
		nodes = append(nodes, g.node)
		byName[g.node.Name] = g
	}
	parents := image.Parents(nodes, want)
	out := make([]*imageGoal, 0, len(parents)+len(goals))
	for i := len(parents) - 1; i >= 0; i-- {
		g := byName[parents[i]]
		g.parent = true
		out = append(out, g)
	}
	return append(out, goals...), 0
}

// warnStaleParents warns, under --no-parents, about each FROM image of the
// goals that dmake built from scripts of the repository that have changed
// since: the goal is built FROM an out-of-date image.
func warnStaleParents(ctx context.Context, repo image.Repo, goals []*imageGoal, eng *engine.Engine, stdio Stdio) {
	warned := map[string]bool{}
	for _, g := range goals {
		from := g.node.From
		if from == "" || warned[from] {
			continue
		}
		info, found, err := eng.InspectImage(ctx, from)
		if err != nil || !found || info.Labels[engine.LabelManaged] != "1" {
			continue
		}
		if changed := repo.ChangedScripts(info.Labels); len(changed) > 0 {
			warned[from] = true
			fmt.Fprintf(stdio.Err, "%s: warning: --no-parents: %s is out of date (%s changed since it was built); %s is built FROM the old image\n",
				programName, from, strings.Join(changed, ", "), g.node.Name)
		}
	}
}

// withParents returns imgs and, unless --no-parents, the repository images
// they are built FROM (transitively), parents first.
func withParents(ctx context.Context, opts Options, repo image.Repo, imgs []image.Image, stdio Stdio) ([]image.Image, int) {
	if opts.NoParents {
		return imgs, 0
	}
	goals, status := loadImages(ctx, opts, repo, imgs, stdio)
	if goals == nil {
		return nil, status
	}
	if goals, status = addParents(ctx, opts, repo, goals, stdio); goals == nil {
		return nil, status
	}
	out := make([]image.Image, len(goals))
	for i, g := range goals {
		out[i] = g.img
	}
	return out, 0
}

// loadImages reads every image's Makefile and evaluates its tag and FROM.
func loadImages(ctx context.Context, opts Options, repo image.Repo, imgs []image.Image, stdio Stdio) ([]*imageGoal, int) {
	env := append(environ(opts), "DOCKER_HOME="+repo.Root)
	var goals []*imageGoal
	for _, img := range imgs {
		job := makeJob{dir: img.Dir, goals: []string{"build"}, env: env}
		db, status := load(ctx, opts, job, stdio)
		if db == nil {
			return nil, status
		}
		from, err := db.Expand(ctx, nil, "$(FROM)")
		if err != nil {
			fmt.Fprintf(stdio.Err, "%s: %s: %v\n", programName, img.Makefile, err)
			return nil, 2
		}
		tag, err := db.Expand(ctx, nil, "$(TAG)")
		if err != nil {
			fmt.Fprintf(stdio.Err, "%s: %s: %v\n", programName, img.Makefile, err)
			return nil, 2
		}
		if tag == "" {
			tag = img.Name
		}
		goals = append(goals, &imageGoal{
			img:  img,
			node: image.Node{Name: img.Name, Tag: strings.TrimSpace(tag), From: strings.TrimSpace(from)},
			db:   db,
			job:  job,
		})
	}
	return goals, 0
}

// buildImage makes the build goal of one image with the symlinker and the
// image layer in front of every command its recipes run.
func buildImage(ctx context.Context, opts Options, repo image.Repo, g *imageGoal, eng *engine.Engine, stdio Stdio) (int, []*image.Result) {
	b := newBuilder(opts, repo, eng, stdio)
	if g.parent {
		b.Bust = nil
	}
	b.Inputs = makefileList(ctx, g.db, g.img.Dir)
	if !opts.NoCheck {
		b.Check = checkBuild(opts, repo, *g, eng, stdio)
	}
	sl := symlinker.New(symlinker.Config{
		Root:         repo.Root,
		IsBuildPath:  symlinker.UnderDirs(filepath.Join(g.img.Dir, "build")),
		AllowOutside: opts.AllowOutsideLinks,
	})
	job := g.job
	job.middlewares = []func(interp.ExecHandlerFunc) interp.ExecHandlerFunc{sl.Middleware(), b.Middleware()}
	job.direct = directRunner(sl)
	var held *heldWriter
	if image.HidesRecipeEcho(image.ResolveProgress(opts.Progress, b.Out)) {
		// The recipe echo of a build that sends nothing is noise there:
		// hold it until the build sends (or the recipes fail).
		held = newHeldWriter(stdio.Out)
		b.Sending = held.Release
		stdio.Out = held
	}
	status, err := execute(ctx, opts, job, g.db, stdio)
	if held != nil {
		if status != 0 || !allUpToDate(b.Results()) {
			held.Release()
		} else {
			held.Drop()
		}
	}
	if err != nil && ctx.Err() != nil {
		return 130, b.Results()
	}
	return status, b.Results()
}

// allUpToDate reports whether the recipes built images and every one was
// up to date: nothing was sent or written.
func allUpToDate(rs []*image.Result) bool {
	for _, r := range rs {
		if !r.UpToDate {
			return false
		}
	}
	return len(rs) > 0
}

// newBuilder is the image layer of a run: it takes over the docker build of
// recipes.
func newBuilder(opts Options, repo image.Repo, eng *engine.Engine, stdio Stdio) *image.Builder {
	out := stdio.Err
	if opts.events != nil {
		out = opts.events // --progress=json: the events' stream
	}
	root := repo.Root
	if opts.AllowOutsideLinks {
		root = "" // links out of the repository are wanted: followed
	}
	return &image.Builder{
		Engine:   eng,
		Network:  opts.Network,
		Bust:     opts.Bust,
		Mode:     opts.Mode,
		Progress: opts.Progress,
		NoBuild:  opts.NoBuild,
		Pull:     opts.Pull,
		Cache:    opts.Cache,
		Platform: opts.Platform,
		Out:      out,
		Warn:     stdio.Err,
		Root:     root,
		// --no-build leaves each image's Dockerfile and context here.
		NoBuildDir: statedir.Path(repo.Root),
	}
}

// connectOnBuild connects b to the engine when a recipe first runs
// "docker build", so that make goals that build nothing need no engine.
func connectOnBuild(b *image.Builder, opts Options, stdio Stdio) func(interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	var once sync.Once
	var err error
	return func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
		return func(ctx context.Context, args []string) error {
			if opts.NoBuild || len(args) < 2 || filepath.Base(args[0]) != "docker" || !slices.Contains(args[1:], "build") {
				return next(ctx, args)
			}
			once.Do(func() { b.Engine, err = newEngine(ctx, opts, interp.HandlerCtx(ctx).Stderr) })
			if err != nil {
				fmt.Fprintf(interp.HandlerCtx(ctx).Stderr, "%s: %v\n", programName, err)
				return interp.ExitStatus(125)
			}
			return next(ctx, args)
		}
	}
}

// legacyRepo finds the legacy repository dir belongs to, if any:
// opts.DockerHome when the caller knows it, else as the legacy scripts do.
func legacyRepo(opts Options, dir string) (image.Repo, bool) {
	if opts.DockerHome != "" {
		return image.Repo{Root: opts.DockerHome}, true
	}
	repo, err := image.FindRepo(dir)
	if err != nil {
		return image.Repo{}, false
	}
	return repo, true
}

// makefileList is the database's MAKEFILE_LIST as absolute paths, sorted:
// the makefiles read, which are inputs of every image the run builds.
func makefileList(ctx context.Context, db *makefile.Database, dir string) []string {
	list, _ := db.Expand(ctx, nil, "$(MAKEFILE_LIST)")
	var files []string
	for _, f := range strings.Fields(list) {
		if !filepath.IsAbs(f) {
			f = filepath.Join(dir, f)
		}
		files = append(files, filepath.Clean(f))
	}
	sort.Strings(files)
	return slices.Compact(files)
}

// lockRepo takes the repository's lock, so that two dmake runs on one
// repository do not trample each other's build directories: the second
// waits, saying who holds the lock.
func lockRepo(ctx context.Context, repo image.Repo, stdio Stdio) (*repolock.Lock, error) {
	return repolock.Acquire(ctx, repo.Root, strings.Join(os.Args, " "), func(h repolock.Holder) {
		fmt.Fprintf(stdio.Err, "%s: waiting for the lock on %s held by %s\n", programName, repo.Root, h)
	})
}
