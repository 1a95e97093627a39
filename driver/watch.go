package driver

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dmake-dev/dmake/image"
	"github.com/dmake-dev/dmake/internal/statedir"
	"github.com/dmake-dev/dmake/watch"
)

// runWatch is --watch at a legacy repository: build the goals' images (and,
// unless --no-parents, the images they are FROM) once, then watch every input of their plan (the Makefiles and included .mk
// files, new files matching the include directories' *.mk, and every file
// the build directories link) and rebuild the images a change affects,
// and the images built FROM them, in order. Build errors are reported and
// the watch goes on; the next save retries.
func runWatch(ctx context.Context, opts Options, repo image.Repo, imgs []image.Image, stdio Stdio) int {
	return watchImages(ctx, opts, repo, imgs, watchOps{
		withParents: func(imgs []image.Image, stdio Stdio) ([]image.Image, int) {
			return withParents(ctx, opts, repo, imgs, stdio)
		},
		build: func(ctx context.Context, imgs []image.Image, stdio Stdio) int {
			return runImages(ctx, opts, repo, imgs, stdio)
		},
		inputs: func(ctx context.Context, imgs []image.Image) (watch.Inputs, map[string]bool, error) {
			return watchInputs(ctx, opts, repo, imgs)
		},
	}, stdio)
}

// watchOps are what a watch does for one kind of repository: find the
// images the goals are FROM, build images, and list the inputs of images.
type watchOps struct {
	withParents func(imgs []image.Image, stdio Stdio) ([]image.Image, int)
	build       func(ctx context.Context, imgs []image.Image, stdio Stdio) int
	inputs      func(ctx context.Context, imgs []image.Image) (watch.Inputs, map[string]bool, error)
	// exclude, when set, lists what the watch never looks at, instead of
	// each image's build directory; the state directory is added.
	exclude func() []string
	// learn, when set, is watch.Config.Learn: the inputs a build found.
	learn func() watch.Inputs
}

// watchImages is the watch loop of runWatch, with ops for the kind of
// repository.
func watchImages(ctx context.Context, opts Options, repo image.Repo, imgs []image.Image, ops watchOps, stdio Stdio) int {
	policy, err := watch.ParsePolicy(opts.WatchPolicy)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: --watch-policy: %v\n", programName, err)
		return 2
	}
	events := stdio.Out
	if opts.events != nil {
		events = opts.events // with the build events (jsonStreams)
	}
	// The images the goals are FROM are watched too: a change to one
	// rebuilds it, then the goals.
	imgs, st := ops.withParents(imgs, stdio)
	if imgs == nil {
		return st
	}
	// A save during the first build is not lost: the watch starts with
	// the inputs modified since it began.
	since := time.Now()
	if st := ops.build(ctx, imgs, stdio); st != 0 {
		if ctx.Err() != nil {
			return 130
		}
		fmt.Fprintf(stdio.Err, "%s: the first build failed (status %d); watching for changes\n", programName, st)
	}
	inputs, gone, err := ops.inputs(ctx, imgs)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 2
	}
	onEvent := watch.TextWriter(stdio.Err, repo.Root)
	if opts.Progress == "json" {
		onEvent = watch.JSONWriter(events)
	}
	// gone holds the images whose Makefile is missing: they stay in the
	// watch set (their Makefile is watched for its return) but are not
	// built. Replan and Rebuild run one at a time, on the cycle's
	// goroutine; the mutex only documents that.
	var goneMu sync.Mutex
	say := func(typ watch.EventType, names []string, why string) {
		if len(names) > 0 {
			onEvent(watch.Event{Type: typ, TimeNs: time.Now().UnixNano(), Images: names, Error: why})
		}
	}
	say(watch.EventImageLeft, slices.Sorted(maps.Keys(gone)), "its Makefile is missing")
	byName := map[string]image.Image{}
	for _, img := range imgs {
		byName[img.Name] = img
	}
	var exclude []string
	if ops.exclude != nil {
		exclude = ops.exclude()
	} else {
		for _, img := range imgs {
			exclude = append(exclude, filepath.Join(img.Dir, "build"))
		}
	}
	exclude = append(exclude, statedir.Path(repo.Root))
	debounce := opts.Debounce
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	var clock watch.Clock = watch.RealClock{}
	if opts.watchClock != nil {
		clock = opts.watchClock
	}
	err = watch.Run(ctx, watch.Config{
		Inputs:   inputs,
		Debounce: debounce,
		Clock:    clock,
		Exclude:  exclude,
		Policy:   policy,
		Since:    since,
		OnEvent:  onEvent,
		Learn:    ops.learn,
		Replan: func(ctx context.Context, b watch.Batch) (watch.Inputs, error) {
			in, nowGone, err := ops.inputs(ctx, imgs)
			if err != nil {
				return nil, err
			}
			goneMu.Lock()
			defer goneMu.Unlock()
			var left, back []string
			for _, img := range imgs {
				switch {
				case nowGone[img.Name] && !gone[img.Name]:
					left = append(left, img.Name)
				case !nowGone[img.Name] && gone[img.Name]:
					back = append(back, img.Name)
				}
			}
			say(watch.EventImageLeft, left, "its Makefile is gone")
			say(watch.EventImageBack, back, "")
			gone = nowGone
			return in, nil
		},
		Rebuild: func(ctx context.Context, b watch.Batch) error {
			var todo []image.Image
			goneMu.Lock()
			for _, name := range b.Images {
				if img, ok := byName[name]; ok && !gone[name] {
					todo = append(todo, img)
				}
			}
			goneMu.Unlock()
			if len(todo) == 0 {
				return nil
			}
			// The Makefiles are read again for every rebuild: recipes
			// $(eval) into the database as they run, so a database
			// cannot be reused, and reading is milliseconds.
			if st := ops.build(ctx, todo, stdio); st != 0 {
				return fmt.Errorf("build failed with status %d", st)
			}
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: --watch: %v\n", programName, err)
		return 2
	}
	return 130
}

// watchInputs computes what a watch of imgs looks at: each image's
// Makefiles (MAKEFILE_LIST), a *.mk pattern for every directory an
// included .mk file came from (so a new component file counts), and the
// files its build directory links, which its prepare goal makes (run here,
// quietly, so the links are those of the current Makefiles).
//
// An image whose Makefile is missing (deleted by a git checkout, or by an
// editor between writing and renaming) is not read; it is returned in
// gone, and its Makefile stays in the watch set (as a Makefile: no image
// reads it now), so that its return re-reads the Makefiles, which then
// make it the image's input again and rebuild it.
func watchInputs(ctx context.Context, opts Options, repo image.Repo, imgs []image.Image) (watch.Inputs, map[string]bool, error) {
	var log strings.Builder
	// No standard input: a reader that is not a file, shared by the
	// recipes of the prepare goals, would be copied by each shell runner
	// in a goroutine of its own (a data race).
	quiet := Stdio{Out: &log, Err: &log}
	in := &watch.Static{ImageIn: map[string][]string{}, ImageFrom: map[string][]string{}}
	gone := map[string]bool{}
	var present []image.Image
	for _, img := range imgs {
		if fi, err := os.Stat(img.Makefile); err == nil && fi.Mode().IsRegular() {
			present = append(present, img)
			continue
		}
		gone[img.Name] = true
		mk := filepath.Clean(img.Makefile)
		in.Makes = append(in.Makes, mk)
		in.Watch = append(in.Watch, mk)
	}
	if len(present) == 0 {
		return in, gone, nil
	}
	goals, _ := loadImages(ctx, opts, repo, present, quiet)
	if goals == nil {
		return nil, nil, fmt.Errorf("reading the Makefiles: %s", strings.TrimSpace(log.String()))
	}
	tags := map[string]string{}
	for _, g := range goals {
		tags[g.node.Tag] = g.node.Name
	}
	seen := map[string]bool{}
	for _, p := range in.Watch {
		seen[p] = true
	}
	add := func(list *[]string, p string) {
		if !seen[p] {
			seen[p] = true
			*list = append(*list, p)
		}
	}
	for _, g := range goals {
		files := []string{}
		for _, f := range makefileList(ctx, g.db, g.img.Dir) {
			add(&in.Makes, f)
			files = append(files, f)
			if strings.HasSuffix(f, ".mk") {
				add(&in.Globs, filepath.Join(filepath.Dir(f), "*.mk"))
			}
		}
		if _, status := prepareForCheck(ctx, opts, repo, g.img, g.job.env, quiet); status == 0 {
			linked, err := linkedFiles(filepath.Join(g.img.Dir, "build"))
			if err != nil {
				return nil, nil, err
			}
			files = append(files, linked...)
		}
		for _, f := range files {
			add(&in.Watch, f)
		}
		sort.Strings(files)
		in.ImageIn[g.node.Name] = files
		if parent, ok := tags[g.node.From]; ok {
			in.ImageFrom[g.node.Name] = []string{parent}
		}
	}
	return in, gone, nil
}

// linkedFiles returns the files and directories a build directory links
// to, symbolic links resolved.
func linkedFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			// A linked directory is watched recursively.
			if t, err := filepath.EvalSymlinks(p); err == nil {
				out = append(out, t)
			}
		}
		return nil
	})
	return out, err
}
