package driver

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/dmake-dev/dmake/graph"
	"github.com/dmake-dev/dmake/image"
	"github.com/dmake-dev/dmake/watch"
)

// runMakeWatch is --watch outside a legacy repository: the goals are made
// as runMake makes them (a recipe's docker build taken over), then made
// again whenever one of their inputs changes. The inputs are what the
// last run read and sent: the makefiles, the files the goals depend on
// that no rule makes (the sources), and the Dockerfiles and context files
// of its docker builds; the files its recipes make are not inputs. Each
// run tells them afresh (watch.Config.Learn), so a prerequisite a makefile
// gains, or the context of a build the run reached for the first time,
// is watched from then on.
func runMakeWatch(ctx context.Context, opts Options, dir string, stdio Stdio) int {
	root, err := filepath.Abs(dir)
	if err != nil {
		root = dir
	}
	name := strings.Join(opts.Goals, " ")
	if name == "" {
		name = "make"
	}
	var mu sync.Mutex
	var last makeRun // the last run that read its makefiles
	build := func(ctx context.Context, _ []image.Image, stdio Stdio) int {
		var run makeRun
		st := makeIn(ctx, opts, dir, stdio, &run)
		if run.db != nil {
			mu.Lock()
			last = run
			mu.Unlock()
		}
		return st
	}
	inputs := func(ctx context.Context) *watch.Static {
		mu.Lock()
		run := last
		mu.Unlock()
		return makeInputs(ctx, opts, root, run, name)
	}
	return watchImages(ctx, opts, image.Repo{Root: root}, []image.Image{{Name: name, Dir: root}}, watchOps{
		withParents: func(imgs []image.Image, _ Stdio) ([]image.Image, int) { return imgs, 0 },
		build:       build,
		inputs: func(ctx context.Context, _ []image.Image) (watch.Inputs, map[string]bool, error) {
			return inputs(ctx), nil, nil
		},
		learn: func() watch.Inputs { return inputs(ctx) },
		exclude: func() []string {
			mu.Lock()
			run := last
			mu.Unlock()
			_, made := makeSources(ctx, opts, run)
			return made
		},
	}, stdio)
}

// makeInputs are the inputs of the goals of a plain make run, all of them
// of the one unit name (runMakeWatch). A run that could not read its
// makefiles (run.db nil) has the makefiles dmake would read as inputs.
func makeInputs(ctx context.Context, opts Options, root string, run makeRun, name string) *watch.Static {
	in := &watch.Static{ImageIn: map[string][]string{}}
	if run.db == nil {
		for _, f := range opts.Makefiles {
			if !filepath.IsAbs(f) {
				f = filepath.Join(root, f)
			}
			in.Makes = append(in.Makes, f)
		}
		if len(in.Makes) == 0 {
			for _, f := range []string{"GNUmakefile", "makefile", "Makefile"} {
				if _, err := os.Stat(filepath.Join(root, f)); err == nil {
					in.Makes = append(in.Makes, filepath.Join(root, f))
					break
				}
			}
		}
	} else {
		in.Makes = makefileList(ctx, run.db, run.root)
		sources, _ := makeSources(ctx, opts, run)
		in.Watch = append(in.Watch, sources...)
	}
	for _, r := range run.built {
		if r.Plan == nil {
			continue
		}
		if r.Plan.Source != "" {
			in.Watch = append(in.Watch, r.Plan.Source)
		}
		for _, f := range r.Plan.Files {
			in.Watch = append(in.Watch, f.Src) // a directory with what is below it
		}
	}
	in.Watch = append(in.Watch, in.Makes...)
	slices.Sort(in.Watch)
	in.Watch = slices.Compact(in.Watch)
	in.ImageIn[name] = in.Watch
	return in
}

// makeSources returns the files the goals of run depend on that no rule
// makes and that exist (the sources), and the targets a recipe makes,
// as absolute paths.
func makeSources(ctx context.Context, opts Options, run makeRun) (sources, made []string) {
	if run.db == nil {
		return nil, nil
	}
	goals := opts.Goals
	if len(goals) == 0 {
		if d := run.db.DefaultGoal(); d != "" {
			goals = []string{d}
		}
	}
	g := graph.New(ctx, run.db, graph.Options{Dir: run.root})
	for _, t := range g.Targets(goals) {
		p := t.Name
		if !filepath.IsAbs(p) {
			p = filepath.Join(run.root, p)
		}
		switch {
		case t.Recipe:
			made = append(made, p)
		case !t.Phony && t.Exists:
			sources = append(sources, p)
		}
	}
	return sources, made
}
