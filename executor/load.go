package executor

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dmake-dev/dmake/graph"
	"github.com/dmake-dev/dmake/loadcache"
	"github.com/dmake-dev/dmake/makefile"
)

// maxRestarts bounds how often the makefiles are read again after being
// remade (make would loop forever on a makefile that is always remade).
const maxRestarts = 10

// LoadMakefiles reads the makefiles of cfg as make does: it loads them,
// remakes the makefiles and the missing included files that have rules
// (RemakeMakefiles, with opts for the recipes' output, jobs and
// middlewares; opts.Goals is ignored), and reads them again when one was
// remade. Errors are printed on cfg.Stderr in make's words with
// cfg.ProgramName; a nil database comes with make's exit status.
//
// With opts.LoadCache, a load whose inputs did not change since it was
// stored is decoded from the cache instead (its parse-time output printed
// again), and when the cache knows which makefiles have a rule (none of
// the directories the implicit rule search listed changed), only those
// are remade: none, often. A load is stored only when it remade nothing.
func LoadMakefiles(ctx context.Context, cfg makefile.Config, opts Options) (*makefile.Database, int) {
	prog := cfg.ProgramName
	if prog == "" {
		prog = "make"
	}
	cache := opts.LoadCache
	for restarts := 0; ; restarts++ {
		// After a restart the environment counts it (MAKE_RESTARTS):
		// such loads are neither looked up nor stored.
		useCache := cache != nil && restarts == 0
		var key loadcache.Key
		var hit *loadcache.Hit
		if useCache {
			var err error
			if key, err = loadcache.KeyOf(cfg, remakeSettings(opts)); err != nil {
				useCache = false
			} else {
				hit = cache.Lookup(ctx, key, cfg)
			}
		}
		var db *makefile.Database
		var mie *makefile.MissingIncludeError
		var enc []byte
		if hit != nil {
			db = hit.DB
		} else {
			lcfg := cfg
			lcfg.RecordInputs = useCache
			var err error
			db, err = makefile.Load(ctx, lcfg)
			var me *makefile.Error
			switch {
			case err == nil:
			case errors.As(err, &mie):
				db = mie.DB
			case errors.As(err, &me):
				if !me.Printed && cfg.Stderr != nil {
					fmt.Fprintln(cfg.Stderr, me.Format(prog))
				}
				return nil, StatusError
			default:
				if cfg.Stderr != nil {
					fmt.Fprintf(cfg.Stderr, "%s: %v\n", prog, err)
				}
				return nil, StatusError
			}
			if useCache && mie == nil && db.Inputs != nil && db.Inputs.Uncacheable == "" {
				// Encoded now, as read: remaking the makefiles may
				// expand (and $(eval)) in the database.
				enc, _ = db.AppendEncoding(nil)
			}
		}
		missing := append([]string(nil), db.MissingIncludes...)
		if mie != nil {
			missing = append(missing, mie.Files...)
		}
		remade := false
		var rm *loadcache.Remake
		goals := remakeGoals(db, missing)
		known := hit != nil && hit.Remake.Valid()
		switch {
		case known && len(hit.Remake.Goals) == 0:
			cache.RemakeSkipped()
			goals = nil
		case known:
			cache.RemakeNarrowed(len(hit.Remake.Goals), len(goals))
			goals = hit.Remake.Goals
		}
		if restarts < maxRestarts && len(goals) > 0 {
			var st int
			var err error
			var g *graph.Graph
			remade, st, g, err = remakeMakefiles(ctx, db, goals, opts)
			if err != nil && ctx.Err() != nil {
				return nil, StatusInterrupted
			}
			if st != 0 {
				return nil, st
			}
			if useCache && !remade && mie == nil && !known {
				rm = remakeVerdict(db, g, goals)
			}
		} else if useCache && !known && mie == nil {
			rm = &loadcache.Remake{Known: true}
		}
		if remade {
			// make re-executes itself with MAKE_RESTARTS counting the
			// restarts.
			env := make([]string, 0, len(cfg.Env)+1)
			for _, kv := range cfg.Env {
				if !strings.HasPrefix(kv, "MAKE_RESTARTS=") {
					env = append(env, kv)
				}
			}
			cfg.Env = append(env, "MAKE_RESTARTS="+strconv.Itoa(restarts+1))
			continue
		}
		if mie != nil {
			if cfg.Stderr != nil {
				fmt.Fprintln(cfg.Stderr, mie.Notice)
				fmt.Fprintln(cfg.Stderr, mie.Err.Format(prog))
			}
			return nil, StatusError
		}
		switch {
		case hit == nil && enc != nil:
			cache.Store(key, enc, rm)
		case hit != nil && rm != nil && rm.Known:
			// The stored knowledge of remaking was missing or stale.
			cache.Store(key, hit.Encoding, rm)
		}
		return db, StatusOK
	}
}

// remakeSettings are the options that change what remaking the makefiles
// finds: part of the cache key.
func remakeSettings(opts Options) string {
	return fmt.Sprintf("dir=%q B=%v W=%q o=%q", opts.Dir, opts.AlwaysMake, opts.WhatIf, opts.OldFiles)
}

// remakeVerdict returns what the remake phase that just ran on db, with
// graph g, for goals (all of them), tells a later run with the same
// database: which goals had a rule, with the state of the directories
// whose listings the implicit rule search used. It is not Known when
// anything else could have counted: second expansion and VPATH/vpath
// (they expand text, look up files elsewhere), a directory modified too
// recently to trust its time.
func remakeVerdict(db *makefile.Database, g *graph.Graph, goals []string) *loadcache.Remake {
	rm := &loadcache.Remake{}
	if db.SecondExpansion || len(db.VPaths) > 0 || db.Globals.Lookup("VPATH") != nil {
		return rm
	}
	for _, name := range goals {
		n := g.Lookup(name)
		if n == nil {
			return rm
		}
		if len(n.Rules) > 0 {
			rm.Goals = append(rm.Goals, name)
		}
	}
	opts := g.Options()
	for d, readable := range g.Directories() {
		path := d
		if path == "" {
			path = "."
		}
		if !filepath.IsAbs(path) && opts.Dir != "" {
			path = filepath.Join(opts.Dir, path)
		}
		if path, err := filepath.Abs(path); err == nil {
			ds := loadcache.StatDir(path)
			if readable != ds.Exists {
				return rm
			}
			rm.Dirs = append(rm.Dirs, ds)
		} else {
			return rm
		}
	}
	if !rm.Settled() {
		return &loadcache.Remake{}
	}
	rm.Known = true
	return rm
}

// remakeGoals are the files RemakeMakefiles tries to remake, in order.
func remakeGoals(db *makefile.Database, missing []string) []string {
	seen := make(map[string]bool)
	var goals []string
	for _, f := range append(append([]string(nil), db.Makefiles...), missing...) {
		if seen[f] {
			continue
		}
		seen[f] = true
		if t := db.Targets[f]; t != nil && t.DoubleColon {
			skip := true
			for _, r := range t.Rules {
				if len(r.Prereqs) > 0 {
					skip = false
				}
			}
			if skip {
				continue
			}
		}
		goals = append(goals, f)
	}
	return goals
}

// remakeMakefiles is RemakeMakefiles of goals (remakeGoals), also
// returning the graph it used (nil when there was nothing to remake).
func remakeMakefiles(ctx context.Context, db *makefile.Database, goals []string, opts Options) (remade bool, status int, g *graph.Graph, err error) {
	if len(goals) == 0 {
		return false, 0, nil, nil
	}
	opts.Goals = goals
	opts.DryRun, opts.Question, opts.Touch = false, false, false
	opts.CycleError = false
	g = NewGraph(ctx, db, opts)
	e := newExecutor(ctx, db, g, opts)
	e.makefiles = true
	e.opts.KeepGoing = true
	st, err := e.run()
	if st == StatusError && !e.anyRecipeFailed {
		// Only files that could not be made: not an error in this phase.
		st = 0
	}
	return e.remadeAny, st, g, err
}
