package driver

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dmake-dev/dmake/image"
	"github.com/dmake-dev/dmake/watch"
)

// runWatch is --watch at a legacy repository: build the goals' images (and,
// unless --no-parents, the images they are FROM) once, then watch every input of their plan (the Makefiles and included .mk
// files, new files matching the include directories' *.mk, and every file
// the build directories link) and rebuild the images a change affects,
// and the images built FROM them, in order. Build errors are reported and
// the watch goes on; the next save retries.
func runWatch(ctx context.Context, opts Options, repo image.Repo, imgs []image.Image, stdio Stdio) int {
	policy, err := watch.ParsePolicy(opts.WatchPolicy)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: --watch-policy: %v\n", programName, err)
		return 2
	}
	events := stdio.Out
	if opts.Progress == "json" {
		// Standard output carries the watch events alone, one JSON
		// object a line; the recipes' own output goes with the build
		// progress.
		stdio.Out = stdio.Err
	}
	// The images the goals are FROM are watched too: a change to one
	// rebuilds it, then the goals.
	imgs, st := withParents(ctx, opts, repo, imgs, stdio)
	if imgs == nil {
		return st
	}
	if st := runImages(ctx, opts, repo, imgs, stdio); st != 0 {
		if ctx.Err() != nil {
			return 130
		}
		fmt.Fprintf(stdio.Err, "%s: the first build failed (status %d); watching for changes\n", programName, st)
	}
	inputs, err := watchInputs(ctx, opts, repo, imgs)
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return 2
	}
	onEvent := watch.TextWriter(stdio.Err, repo.Root)
	if opts.Progress == "json" {
		onEvent = watch.JSONWriter(events)
	}
	byName := map[string]image.Image{}
	for _, img := range imgs {
		byName[img.Name] = img
	}
	var exclude []string
	for _, img := range imgs {
		exclude = append(exclude, filepath.Join(img.Dir, "build"))
	}
	exclude = append(exclude, filepath.Join(repo.Root, ".dmake"))
	debounce := opts.Debounce
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	err = watch.Run(ctx, watch.Config{
		Inputs:   inputs,
		Debounce: debounce,
		Clock:    watch.RealClock{},
		Exclude:  exclude,
		Policy:   policy,
		OnEvent:  onEvent,
		Replan: func(ctx context.Context, b watch.Batch) (watch.Inputs, error) {
			return watchInputs(ctx, opts, repo, imgs)
		},
		Rebuild: func(ctx context.Context, b watch.Batch) error {
			var todo []image.Image
			for _, name := range b.Images {
				if img, ok := byName[name]; ok {
					todo = append(todo, img)
				}
			}
			if len(todo) == 0 {
				return nil
			}
			// The Makefiles are read again for every rebuild: recipes
			// $(eval) into the database as they run, so a database
			// cannot be reused, and reading is milliseconds.
			if st := runImages(ctx, opts, repo, todo, stdio); st != 0 {
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
func watchInputs(ctx context.Context, opts Options, repo image.Repo, imgs []image.Image) (watch.Inputs, error) {
	var log strings.Builder
	// No standard input: a reader that is not a file, shared by the
	// recipes of the prepare goals, would be copied by each shell runner
	// in a goroutine of its own (a data race).
	quiet := Stdio{Out: &log, Err: &log}
	goals, _ := loadImages(ctx, opts, repo, imgs, quiet)
	if goals == nil {
		return nil, fmt.Errorf("reading the Makefiles: %s", strings.TrimSpace(log.String()))
	}
	in := &watch.Static{ImageIn: map[string][]string{}, ImageFrom: map[string][]string{}}
	tags := map[string]string{}
	for _, g := range goals {
		tags[g.node.Tag] = g.node.Name
	}
	seen := map[string]bool{}
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
				return nil, err
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
	return in, nil
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
