package executor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dmake-dev/dmake/graph"
	"github.com/dmake-dev/dmake/loadcache"
	"github.com/dmake-dev/dmake/makefile"
)

// maxRestarts bounds how often the makefiles are read again after being
// remade (make would loop forever on a makefile that is always remade).
const maxRestarts = 10

// LoadMakefiles reads the makefiles of cfg as make does: it loads them,
// remakes the makefiles and the missing included files that have rules
// (remakeMakefiles, with opts for the recipes' output, jobs and
// middlewares; opts.Goals is ignored), and reads them again when one was
// remade. Errors are printed on cfg.Stderr in make's words with
// cfg.ProgramName; a nil database comes with make's exit status (and
// what was read goes to opts.LoadFailed).
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
	fail := func(db *makefile.Database, status int) (*makefile.Database, int) {
		if db != nil && opts.LoadFailed != nil {
			opts.LoadFailed(db)
		}
		return nil, status
	}
	for restarts := 0; ; restarts++ {
		// After a restart the environment counts it (MAKE_RESTARTS):
		// such loads are neither looked up nor stored.
		useCache := cache != nil && restarts == 0
		if opts.Debug&makefile.DebugBasic != 0 && opts.DebugBanner != "" {
			// make prints its version first, each time it starts
			// (again after remaking a makefile).
			opts.debugf("%s", opts.DebugBanner)
		}
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
			case ctx.Err() != nil:
				// Interrupted while reading (a FIFO, a $(shell)): make
				// dies of the signal without a word.
				return nil, StatusInterrupted
			case errors.As(err, &mie):
				db = mie.DB
			case errors.As(err, &me):
				if !me.Printed && cfg.Stderr != nil {
					fmt.Fprintln(cfg.Stderr, me.Format(prog))
				}
				return fail(db, StatusError)
			default:
				if cfg.Stderr != nil {
					fmt.Fprintf(cfg.Stderr, "%s: %v\n", prog, err)
				}
				return fail(db, StatusError)
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
		if len(goals) > 0 && opts.Debug&makefile.DebugBasic != 0 {
			opts.debugf("Updating makefiles....\n")
		}
		known, fresh := false, (*loadcache.Remake)(nil)
		if hit != nil {
			// Which names count is worked out only for a directory that
			// changed: most hits find none.
			var keep func(dir, name string) bool
			known, fresh = hit.Remake.Valid(func(dir, name string) bool {
				if keep == nil {
					keep = searchedNames(db, goals)
				}
				return keep(dir, name)
			})
		}
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
			var notices map[string]string
			if mie != nil {
				notices = maps.Clone(mie.Notices)
			}
			ropts := opts
			// -k given in the environment's MAKEFLAGS (a parent
			// make's) or set by the makefiles counts too.
			ropts.KeepGoing = opts.KeepGoing || db != nil && db.Flags.KeepGoing
			if restarts > 0 {
				// After a restart make sets up neither -B nor -W
				// before remaking the makefiles (main.c), so that they
				// do not make it restart again and again.
				ropts.AlwaysMake, ropts.WhatIf = false, nil
			}
			var failed []string
			restore := db.Remaking()
			remade, st, g, failed, err = remakeMakefiles(ctx, db, goals, notices, ropts)
			if err != nil && ctx.Err() != nil {
				return nil, StatusInterrupted
			}
			if st != 0 && !ropts.KeepGoing {
				return fail(db, st)
			}
			if mie == nil || remade || st != 0 {
				// Going on (a missing include is an error below,
				// still in this phase).
				restore()
			}
			if st != 0 {
				// -k: make says which makefiles it failed to remake
				// and goes on (reads them again if others were remade)
				// with what it read, failing at the end (main.c:
				// makefile_status).
				for _, f := range failed {
					if cfg.Stderr != nil {
						fmt.Fprintf(cfg.Stderr, "%s: Failed to remake makefile '%s'.\n", prog, f)
					}
				}
				if !remade {
					if mie != nil {
						db = mie.DB
					}
					return db, st
				}
			}
			if useCache && !remade && mie == nil && !known {
				rm = remakeVerdict(db, g, goals)
			}
		} else if useCache && !known && mie == nil {
			rm = &loadcache.Remake{Known: true}
		}
		if remade {
			if opts.Debug&makefile.DebugBasic != 0 {
				var argv strings.Builder
				for _, a := range opts.DebugArgv {
					argv.WriteString(" " + a)
				}
				opts.debugf("Re-executing[%d]:%s\n", restarts+1, argv.String())
			}
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
			return fail(db, StatusError)
		}
		switch {
		case hit == nil && enc != nil:
			cache.Store(key, enc, rm)
		case hit != nil && rm != nil && rm.Known:
			// The stored knowledge of remaking was missing or stale.
			cache.Store(key, hit.Encoding, rm)
		case hit != nil && fresh != nil:
			// It held, but directories changed: store their state now.
			cache.Store(key, hit.Encoding, fresh)
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
// whose listings the implicit rule search used and the names in them a
// search could look for (searchedNames). It is not Known when anything
// else could have counted: second expansion and VPATH/vpath (they expand
// text, look up files elsewhere).
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
	keep := searchedNames(db, goals)
	for d, readable := range g.Directories() {
		path := d
		if path == "" {
			path = "."
		}
		if !filepath.IsAbs(path) && opts.Dir != "" {
			path = filepath.Join(opts.Dir, path)
		}
		if path, err := filepath.Abs(path); err == nil {
			ds := loadcache.ListDir(path, keep)
			if readable != ds.Exists || !sameKept(db, path, keep, ds.Names) {
				return rm
			}
			rm.Dirs = append(rm.Dirs, ds)
		} else {
			return rm
		}
	}
	rm.Settle()
	rm.Known = true
	return rm
}

// sameKept reports whether the names of directory path that keep keeps
// are, in the run's directory cache (which the search read, maybe before
// the makefiles changed the directory), the sorted names now; true when
// the cache has not listed path (the search read it past the cache).
func sameKept(db *makefile.Database, path string, keep func(dir, name string) bool, now []string) bool {
	names, _, listed := db.DirListed(path)
	if !listed {
		return true
	}
	var kept []string
	for _, n := range names {
		if keep(path, n) {
			kept = append(kept, n)
		}
	}
	slices.Sort(kept)
	return slices.Equal(kept, now)
}

// maxShapes bounds the shapes searchedNames follows; past it, every name
// counts.
const maxShapes = 4096

// searchedNames returns what tells the names implicit rule search can
// look for in a directory when it remakes goals with db's rules. It
// follows, from the goals, the shapes of the names search can consider —
// a prefix and a suffix around any text, or an exact name — through every
// pattern rule whose target can match one: the rule's prerequisites,
// instantiated with what the stem can be, are shapes too, in a directory
// ending like the prerequisite's ("RCS/%,v": in directories called RCS).
// A goal counts by its extension alone ("c1.mk" as any name ending in
// ".mk"), so that ten thousand makefiles are a few shapes; a rule whose
// target pattern has a slash makes a stem that may hold one, so its
// prerequisites count by suffix in any directory. Search looks for
// nothing else (second expansion and vpath aside, which remakeVerdict
// refuses); past maxShapes, everything counts.
func searchedNames(db *makefile.Database, goals []string) func(dir, name string) bool {
	type shape struct {
		pre, suf string // the name is pre+suf when exact
		exact    bool
		dir      string // "" or "/RCS": what the directory's path ends with
		goal     bool   // a goal's: match-anything rules apply (not in chains)
	}
	base := func(p string) (dir, last string) {
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return "", p
		}
		d := p[:i]
		if d == "" || d != filepath.Clean(d) || strings.HasPrefix(d, "/") || strings.Contains("/"+d+"/", "/../") || strings.Contains("/"+d+"/", "/./") {
			d = "" // not a plain relative directory: any
		} else {
			d = "/" + d
		}
		return d, p[i+1:]
	}
	seen := make(map[shape]int) // 1: looked for, 2: followed too
	var todo, all []shape
	// push adds a shape search looks for; chain says search goes on from
	// it (not from the prerequisites of terminal rules).
	push := func(s shape, chain bool) {
		st := seen[s]
		if st == 0 {
			all = append(all, s)
			seen[s] = 1
		}
		if chain && st < 2 {
			todo = append(todo, s)
			seen[s] = 2
		}
	}
	for _, g := range goals {
		last := g[strings.LastIndexByte(g, '/')+1:]
		if i := strings.LastIndexByte(last, '.'); i > 0 {
			push(shape{suf: last[i:], goal: true}, true)
		} else {
			push(shape{pre: last, exact: true, goal: true}, true)
		}
	}
	for len(todo) > 0 {
		if len(all) > maxShapes {
			return func(dir, name string) bool { return true }
		}
		sh := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for _, r := range db.PatternRules {
			if !sh.goal && !r.Terminal && slices.Contains(r.Targets, "%") {
				continue // non-terminal match-anything rules: never in a chain
			}
			slashTarget := false
			for _, t := range r.Targets {
				slashTarget = slashTarget || strings.IndexByte(t, '/') >= 0
			}
			for _, t := range r.Targets {
				var stem shape // the stem's shape, when t can match sh
				switch {
				case slashTarget:
					stem = shape{}
				case sh.exact:
					n := sh.pre
					tp, ts, _ := strings.Cut(t, "%")
					if len(n) < len(tp)+len(ts) || !strings.HasPrefix(n, tp) || !strings.HasSuffix(n, ts) {
						continue
					}
					stem = shape{pre: n[len(tp) : len(n)-len(ts)], exact: true}
				default:
					tp, ts, _ := strings.Cut(t, "%")
					if !(strings.HasPrefix(tp, sh.pre) || strings.HasPrefix(sh.pre, tp)) ||
						!(strings.HasSuffix(ts, sh.suf) || strings.HasSuffix(sh.suf, ts)) {
						continue
					}
					if len(sh.pre) > len(tp) {
						stem.pre = sh.pre[len(tp):]
					}
					if len(sh.suf) > len(ts) {
						stem.suf = sh.suf[:len(sh.suf)-len(ts)]
					}
				}
				for _, p := range append(append([]string(nil), r.Prereqs...), r.OrderOnly...) {
					dir, last := base(p)
					pp, ps, pat := strings.Cut(last, "%")
					chain := !r.Terminal
					switch {
					case !pat:
						push(shape{pre: last, exact: true}, chain)
					case slashTarget:
						push(shape{suf: ps}, chain)
					case stem.exact:
						push(shape{pre: pp + stem.pre + ps, exact: true, dir: dir}, chain)
					default:
						push(shape{pre: pp + stem.pre, suf: stem.suf + ps, dir: dir}, chain)
					}
				}
			}
		}
	}
	// The goals' shapes count too: a goal can be another's prerequisite.
	return func(dir, name string) bool {
		for _, s := range all {
			if s.dir != "" && !strings.HasSuffix(dir, s.dir) {
				continue
			}
			if s.exact {
				if name == s.pre {
					return true
				}
				continue
			}
			if len(name) >= len(s.pre)+len(s.suf) && strings.HasPrefix(name, s.pre) && strings.HasSuffix(name, s.suf) {
				return true
			}
		}
		return false
	}
}

// remakeGoals are the files remakeMakefiles tries to remake, in order.
func remakeGoals(db *makefile.Database, missing []string) []string {
	seen := make(map[string]bool)
	var goals []string
	// db.RemakeOrder has them all in make's order; the others are a
	// fallback for a database loaded some other way.
	all := slices.Concat(db.RemakeOrder, db.Makefiles, missing)
	for _, f := range all {
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

// remakeMakefiles is make's first phase: it tries to remake goals
// (remakeGoals: every makefile read and the included files that were
// missing), as make does before the goals: -n, -q and -t do not apply,
// nothing is printed for a makefile that is up to date, a missing file
// without a rule is no error here (the caller reports a required one), and
// a double-colon target without prerequisites is not remade. remade
// reports that a recipe ran for one of them: the caller must read the
// makefiles again (make re-executes itself). status is make's (2 when a
// recipe failed). g is the graph it used (nil when there was nothing to
// remake); failed are the goals that could not be remade (optional ones
// aside).
func remakeMakefiles(ctx context.Context, db *makefile.Database, goals []string, notices map[string]string, opts Options) (remade bool, status int, g *graph.Graph, failed []string, err error) {
	if len(goals) == 0 {
		return false, 0, nil, nil, nil
	}
	opts.Goals = goals
	opts.DryRun, opts.Question, opts.Touch = false, false, false
	opts.CycleError = false
	g = NewGraph(ctx, db, opts)
	e := newExecutor(ctx, db, g, opts)
	e.makefiles = true
	if opts.Debug&makefile.DebugMakefiles == 0 {
		// make prints nothing of its debugging while it remakes the
		// makefiles, unless asked (--debug=m).
		e.debug = 0
	}
	e.userKeepGoing = opts.KeepGoing
	e.notices = notices
	e.optional = make(map[string]bool, len(db.OptionalMakefiles))
	for _, f := range db.OptionalMakefiles {
		e.optional[f] = true
	}
	e.opts.KeepGoing = true
	// make re-executes only when a makefile's modification time changed
	// (main.c compares makefile_mtimes): a recipe that ran and left its
	// makefile as it was (or only remade a prerequisite) restarts nothing.
	before := make([]time.Time, len(goals))
	for i, f := range goals {
		before[i] = e.mtime(f)
	}
	st, err := e.run()
	if st == StatusError && !e.anyRecipeFailed {
		// Only files that could not be made: not an error in this phase.
		st = 0
	}
	for i, f := range goals {
		if m := e.mtime(f); !m.IsZero() && !m.Equal(before[i]) {
			remade = true
		}
		if n := g.Lookup(f); n != nil && !e.optional[f] {
			if s := e.st[unit{n, -1}]; s != nil && s.phase == phDone && s.status == stFailed {
				failed = append(failed, f)
			}
		}
	}
	return remade, st, g, failed, err
}

// mtime is the modification time of file name (relative to make's
// directory, no vpath search), zero when it does not exist.
func (e *executor) mtime(name string) time.Time {
	if e.opts.Dir != "" && !filepath.IsAbs(name) {
		name = filepath.Join(e.opts.Dir, name)
	}
	fi, err := os.Stat(name)
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}
