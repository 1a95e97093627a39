// Package executor makes goals as GNU make does: it walks the target graph
// in make's order (depth first, prerequisites left to right, each target
// once), decides what is out of date by modification time as prerequisites
// finish, expands each recipe just before it runs (so $(eval) in a recipe
// takes effect then), and runs its lines through shellrun.Recipe (the
// real SHELL with Options.RealShell), up to Options.Jobs at a time, with
// make's messages, -n/-t/-q/-k/-i/-s, output synchronisation (-O),
// .ONESHELL, .DELETE_ON_ERROR, and make's behaviour on interrupt.
package executor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/term"
	"mvdan.cc/sh/v3/interp"

	"github.com/dmake-dev/dmake/graph"
	"github.com/dmake-dev/dmake/internal/ar"
	"github.com/dmake-dev/dmake/internal/interrupt"
	"github.com/dmake-dev/dmake/internal/stdio"
	"github.com/dmake-dev/dmake/loadcache"
	"github.com/dmake-dev/dmake/makefile"
	"github.com/dmake-dev/dmake/shellrun"
)

// Options are the make flags and settings of a run.
type Options struct {
	// Goals to make; empty means the database's default goal.
	Goals []string
	// Dir is make's working directory (after -C); empty means the
	// process's.
	Dir string
	// Jobs is -j: how many recipes run at once (one by default).
	Jobs makefile.Jobs
	// KeepGoing (-k), DryRun (-n), Silent (-s), IgnoreErrors (-i),
	// Question (-q), Touch (-t), AlwaysMake (-B) have make's meanings.
	KeepGoing, DryRun, Silent, IgnoreErrors, Question, Touch, AlwaysMake bool
	// Trace (--trace) says why each target's recipe runs and echoes
	// every recipe line, silent ones too.
	Trace bool
	// MaxLoad is -l: while jobs run, no other starts when the load
	// average is MaxLoad or more. Zero means no limit.
	MaxLoad float64
	// OutputSync is -O: "", "none", "line", "target" or "recurse".
	OutputSync string
	// SyncDirectory, when not empty, is the directory whose "Entering
	// directory" and "Leaving directory" lines enclose each output -O
	// collected when it is written out (make -w under -O line or target
	// prints them there instead of around the whole run).
	SyncDirectory string
	// WhatIf (-W) and OldFiles (-o) are passed to the graph when Run
	// builds it.
	WhatIf, OldFiles []string
	// CheckSymlinks is -L: a file's time is the latest of the symbolic
	// links that lead to it and its own.
	CheckSymlinks bool
	// CycleError makes a dependency cycle an error naming the whole cycle
	// instead of make's "Circular a <- b dependency dropped." warning.
	CycleError bool
	// ProgramName is the name in messages ("make: *** …"); empty means
	// "make".
	ProgramName string
	// Stdin, Stdout and Stderr are make's streams. Nil Stdout/Stderr
	// discard.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Env is the environment of recipes when the database cannot give one.
	Env []string
	// ExecMiddlewares wrap every external command of every recipe line,
	// first outermost (interp.ExecHandlers).
	ExecMiddlewares []func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc
	// LoadCache, when not nil, keeps loaded makefiles between runs
	// (LoadMakefiles).
	LoadCache *loadcache.Cache
	// LoadFailed, when not nil, is given what LoadMakefiles had read when
	// reading the makefiles failed (an error in a makefile, a makefile
	// that could not be remade; not an interrupt), before it returns no
	// database: make prints its data base then under -p.
	LoadFailed func(db *makefile.Database)
	// KillTimeout is how long an interrupted command has between the
	// signal that ended the run (SIGINT, SIGTERM…) and SIGKILL; zero means
	// two seconds.
	KillTimeout time.Duration
	// Jobserver, when not nil, limits the jobs that run at once together
	// with every other make sharing it: each job beyond the first takes
	// one of its tokens (Jobs should then be makefile.UnlimitedJobs, no
	// limit of its own).
	Jobserver Jobserver
	// RecursiveFiles are passed to every command of a recursive recipe
	// line as its descriptors 3 and up (the jobserver's ChildFiles).
	RecursiveFiles []*os.File
	// RealShell runs recipe lines as GNU make does
	// (shellrun.Recipe.RealShell): the real SHELL for every line that
	// needs a shell. Off, the interpreter stands in for it, and every
	// command passes ExecMiddlewares (the image layer's takeovers).
	RealShell bool
	// ListCommands are the commands ExecMiddlewares run in Go as the
	// programs would (shellrun.Recipe.ListCommands).
	ListCommands []string
	// Claimed are the commands ExecMiddlewares take over by name, whose
	// lines the interpreter runs even with RealShell
	// (shellrun.Recipe.Claimed).
	Claimed []string
	// OpenHandler opens the files of the recipes' redirections where the
	// interpreter runs them (shellrun.Recipe.OpenHandler); nil: as usual.
	OpenHandler interp.OpenHandlerFunc
	// Direct runs the command of a line make runs without a shell as the
	// first of ExecMiddlewares would, without an interpreter
	// (shellrun.Recipe.Direct); nil leaves every line to the interpreter.
	Direct shellrun.DirectFunc
	// Debug is what -d and --debug ask to print (the basic and verbose
	// kinds; while the makefiles are remade only with DebugMakefiles),
	// on DebugOut (nil: Stdout), as make prints it: not announced
	// (make's printf, not its messages). DebugBanner is printed first,
	// each time the makefiles are read, as make prints its version.
	Debug       makefile.DebugLevel
	DebugOut    io.Writer
	DebugBanner string
	// DebugArgv is the command line as given (its program first), which
	// -d's "Re-executing" line shows when a remade makefile restarts the
	// run.
	DebugArgv []string
	// Announce, when set, is called before a command line runs (not a
	// line that is only ":", which make runs no process for): make
	// prints its "Entering directory" then, if nothing was printed yet
	// (stdio.Announcer).
	Announce func()
}

// Jobserver is GNU make's jobserver as the executor uses it
// (jobserver.Jobserver).
type Jobserver interface {
	// Acquire takes a token, waiting for one until ctx is done.
	Acquire(ctx context.Context) (byte, error)
	// Release gives a token back.
	Release(token byte) error
}

// Exit statuses of Run, as make's.
const (
	StatusOK          = 0
	StatusQuestion    = 1 // -q: something is out of date
	StatusError       = 2
	StatusInterrupted = 130
)

// Run makes the goals of opts with the rules of db. g may be nil: Run then
// builds the graph of db (NewGraph). It returns make's exit status (0, 1
// for -q when something is out of date, 2 on error, 130 when interrupted);
// err is not nil when the run was interrupted (the context's error) or
// when a cycle was found with CycleError set (a *graph.CycleError). Every
// message, the CycleError's included, has already been printed on
// opts.Stderr as make prints it: callers print nothing more.
//
// A caller that reads makefiles loads them with LoadMakefiles first, which
// remakes them as make does.
// For a sub-make (MAKELEVEL > 0) ProgramName should be "dmake[N]", as
// make's messages say "make[N]".
func Run(ctx context.Context, db *makefile.Database, g *graph.Graph, opts Options) (int, error) {
	if g == nil {
		g = NewGraph(ctx, db, opts)
	}
	e := newExecutor(ctx, db, g, opts)
	return e.run()
}

// NewGraph returns the graph Run would build for db and opts.
func NewGraph(ctx context.Context, db *makefile.Database, opts Options) *graph.Graph {
	prog := opts.ProgramName
	if prog == "" {
		prog = "make"
	}
	warn := func(pos makefile.Pos, msg string) {
		if opts.Stderr == nil {
			return
		}
		if pos.File != "" {
			fmt.Fprintf(opts.Stderr, "%s:%d: %s\n", pos.File, pos.Line, msg)
			return
		}
		io.WriteString(opts.Stderr, prog+": "+msg+"\n")
	}
	return graph.New(ctx, db, graph.Options{Dir: opts.Dir, AlwaysMake: opts.AlwaysMake, WhatIf: opts.WhatIf, OldFiles: opts.OldFiles, CheckSymlinks: opts.CheckSymlinks, Warn: warn})
}

type status int

const (
	stOK status = iota
	stRunning
	stFailed
	stQuestion
)

type phase int

const (
	phNew phase = iota
	phDepsRunning
	phRunning
	phDone
)

// unit is what make updates separately: a node, or one rule of a
// double-colon node.
type unit struct {
	n    *graph.Node
	rule int // -1 for a single-colon node
}

// unitState is what the executor knows of one unit during a run: how far
// its update got, its prerequisites and whether a recipe ran for it.
type unitState struct {
	phase    phase
	status   status
	updating bool
	scope    *makefile.Scope // made on first use: see scopeOf
	name     string
	parent   *unitState    // the unit that first asked for this one
	prereqs  []*graph.Node // normal prerequisites (cycle edges dropped)
	extra    []*graph.Node // .EXTRA_PREREQS: made like prereqs, in no automatic variable
	order    []*graph.Node // order-only
	// orderAt is, for each of order, how many of prereqs are made before
	// it (graph.Rule.OrderOnlyAt); nil: all of them.
	orderAt []int
	rule    *graph.Rule
	before  time.Time // mtime before the recipe
	existed bool
	inited  bool
	remade  bool     // a recipe ran (or would have) for it
	made    bool     // touched by this run (for intermediates)
	newer   []string // $? of the recipe, for --trace
	// auto holds the recipe's automatic variables, which the values
	// exported to its environment can reference (export N = $@).
	auto *makefile.AutoVars
	// quietFail: it failed, unreported, while an optional makefile
	// was being remade.
	quietFail bool
	// considered is the pass over the goals that last considered it
	// (make's considered), for -d's "Pruning file".
	considered uint32
}

// evaluator is what the executor asks of the makefile database besides
// its fields; tests replace it.
type evaluator interface {
	DefaultGoal() string
	ScopeFor(name string, parent *makefile.Scope) *makefile.Scope
	ExpandRecipeTo(ctx context.Context, sc *makefile.Scope, r *makefile.Recipe, auto *makefile.AutoVars, stdout, stderr io.Writer) ([]makefile.Command, error)
	Expand(ctx context.Context, sc *makefile.Scope, text string) (string, error)
	Environment(ctx context.Context, sc *makefile.Scope, auto *makefile.AutoVars) ([]string, error)
}

type executor struct {
	ctx  context.Context
	db   *makefile.Database
	ev   evaluator
	g    *graph.Graph
	opts Options
	prog string
	jobs int

	st     map[unit]*unitState
	stSlab []unitState // the next states to hand out (state)
	// debug is what -d and --debug print now (none while the makefiles
	// are remade, unless asked), debugOut where; pass counts the passes
	// over the goals (make's considered).
	debug            makefile.DebugLevel
	debugOut         io.Writer
	pass             uint32
	running          int
	done             chan *job
	tables           *shellrun.VarTables // the interpreters' variable tables, reused
	started          int                 // commands started (make's commands_started)
	stop             bool
	anyError         bool
	question         bool
	interr           bool
	cycleErr         error
	madeIntermediate []*graph.Node
	// interrupted are the jobs an interrupt stopped; seq numbers jobs in
	// the order they started.
	interrupted []*job
	seq         int

	outMu sync.Mutex
	// combined caches combinedOutput: 0 unknown, 1 yes, 2 no.
	combined int
	stdout   io.Writer
	stderr   io.Writer

	// pgroups puts recipe commands in process groups of their own, which
	// an interrupt signals. Not when one job at a time runs with a
	// terminal on stdin: the commands then stay in dmake's foreground
	// group, as under make, so that interactive ones (docker run -it) can
	// read the terminal, and the terminal's Ctrl-C reaches them directly.
	pgroups bool

	// makefiles is set while remaking makefiles (remakeMakefiles): no
	// goal messages, a missing file without a rule is no error here.
	makefiles       bool
	anyRecipeFailed bool
	// optional are the makefiles whose remaking may fail unnoticed
	// (-include, MAKEFILES); dontcare is set while one of them is
	// updated, and jobs started then inherit it (make's dontcare flag).
	optional map[string]bool
	dontcare bool
	// notices are the "No such file or directory" lines of missing
	// included makefiles, printed before the first error while remaking
	// one (remake.c: show_goal_error); goal is the goal being updated.
	notices map[string]string
	goal    string
	// userKeepGoing is -k while remaking makefiles (opts.KeepGoing is
	// then always set, so that one makefile's failure does not keep the
	// others from being remade).
	userKeepGoing bool

	silentTargets, ignoreTargets map[string]bool
	suffixes                     []string

	// tokens are the jobserver tokens held: one per running job beyond
	// the first.
	tokens []byte

	// dcBefore holds the state of each double-colon target's file when
	// the first of its rules was examined.
	dcBefore map[*graph.Node]fileState
}

func newExecutor(ctx context.Context, db *makefile.Database, g *graph.Graph, opts Options) *executor {
	e := &executor{ctx: ctx, db: db, ev: db, g: g, opts: opts, prog: opts.ProgramName, st: make(map[unit]*unitState, 2*len(db.Targets)), done: make(chan *job, 64), tables: new(shellrun.VarTables)}
	if e.prog == "" {
		e.prog = "make"
	}
	switch e.jobs = opts.Jobs.Slots(); {
	case db.NotParallel:
		e.jobs = 1
	case e.jobs == 0:
		e.jobs = 1 << 30 // no limit
	}
	e.stdout, e.stderr = opts.Stdout, opts.Stderr
	if e.stdout == nil {
		e.stdout = io.Discard
	}
	if e.stderr == nil {
		e.stderr = io.Discard
	}
	e.pgroups = true
	if f, ok := opts.Stdin.(*os.File); ok && e.jobs == 1 && term.IsTerminal(int(f.Fd())) {
		e.pgroups = false
	}
	e.debug, e.debugOut = opts.Debug, opts.DebugOut
	if e.debugOut == nil {
		e.debugOut = e.stdout
	}
	e.silentTargets = e.specialPrereqs(".SILENT")
	e.ignoreTargets = e.specialPrereqs(".IGNORE")
	e.suffixes = db.Suffixes
	return e
}

func (e *executor) specialPrereqs(name string) map[string]bool {
	m := make(map[string]bool)
	if t := e.db.Targets[name]; t != nil {
		for _, r := range t.Rules {
			for _, p := range r.Prereqs {
				m[p] = true
			}
		}
	}
	return m
}

// errorf prints a message of make's ("make: …") on stderr.
func (e *executor) errorf(format string, args ...any) {
	e.outMu.Lock()
	defer e.outMu.Unlock()
	fmt.Fprintf(e.stderr, "%s: "+format+"\n", append([]any{e.prog}, args...)...)
}

// debugf prints a line of make's debugging output of kind l (-d,
// --debug) about the target name, indented by depth spaces, as make's DBF
// does. It takes the name alone, not a list of values, so that a run
// without -d makes nothing for it to print.
func (e *executor) debugf(l makefile.DebugLevel, depth int, format, name string) {
	if e.debug&l != 0 {
		e.debugLine(depth, fmt.Sprintf(format, name))
	}
}

// debugLine prints a line of debugging output, indented by depth spaces.
func (e *executor) debugLine(depth int, line string) {
	e.outMu.Lock()
	defer e.outMu.Unlock()
	fmt.Fprintf(e.debugOut, "%*s%s\n", depth, "", line)
}

// messagef prints make's informational messages on stdout.
func (e *executor) messagef(format string, args ...any) {
	e.outMu.Lock()
	defer e.outMu.Unlock()
	fmt.Fprintf(e.stdout, "%s: "+format+"\n", append([]any{e.prog}, args...)...)
}

func (e *executor) run() (int, error) {
	goals := e.opts.Goals
	if len(goals) == 0 {
		if d := e.ev.DefaultGoal(); d != "" {
			if e.db.Targets[d] == nil && len(strings.Fields(d)) > 1 {
				e.errorf("*** .DEFAULT_GOAL contains more than one target.  Stop.")
				return StatusError, nil
			}
			goals = []string{d}
		}
	}
	if len(goals) == 0 {
		if len(e.db.Makefiles) == 0 {
			e.errorf("*** No targets specified and no makefile found.  Stop.")
		} else {
			e.errorf("*** No targets.  Stop.")
		}
		return StatusError, nil
	}
	if e.opts.CycleError {
		if err := e.g.CheckCycles(goals); err != nil {
			e.errorf("*** %v.  Stop.", err)
			return StatusError, err
		}
	}
	type goalState struct {
		u        unit
		finished bool
		changed  bool
	}
	gs := make([]*goalState, len(goals))
	for i, name := range goals {
		gs[i] = &goalState{u: unit{e.g.Node(name), -1}}
	}
	// make considers the makefiles one deeper than goals (main.c's
	// update_goal_chain).
	depth := 0
	if e.makefiles {
		depth = 1
	} else if e.debug&makefile.DebugBasic != 0 {
		e.debugLine(0, "Updating goal targets....")
	}
	for {
		if e.ctx.Err() != nil {
			e.interr = true
			break
		}
		e.pass++
		pending := false
		for _, gl := range gs {
			if gl.finished {
				continue
			}
			before := e.started
			e.dontcare, e.goal = e.optional[gl.u.n.Name], gl.u.n.Name
			s := e.update(gl.u, nil, nil, depth)
			e.dontcare, e.goal = false, ""
			if n := gl.u.n; n.DoubleColon && e.debug&makefile.DebugVerbose != 0 {
				// make updates a double-colon goal once per rule, each
				// time from the first: the others find it done.
				for range max(len(n.Rules)-1, 0) {
					e.debugf(makefile.DebugVerbose, depth, "Pruning file '%s'.", n.Name)
				}
			}
			if e.started > before {
				gl.changed = true
			}
			if e.ctx.Err() != nil {
				e.interr = true
				break
			}
			switch s {
			case stRunning:
				pending = true
				continue
			case stOK:
				gl.finished = true
				if !gl.changed && !e.opts.Question && !e.opts.Silent && !e.makefiles {
					n := gl.u.n
					if n.Phony || !n.HasRecipe() {
						e.messagef("Nothing to be done for '%s'.", n.Name)
					} else {
						e.messagef("'%s' is up to date.", n.Name)
					}
				}
			case stQuestion:
				gl.finished = true
				e.question = true
				if !e.opts.KeepGoing {
					e.stop = true
				}
			case stFailed:
				gl.finished = true
				e.anyError = true
				if !e.opts.KeepGoing {
					e.stop = true
				}
			}
			if e.stop {
				break
			}
		}
		if e.stop || e.interr || !pending {
			break
		}
		e.reap()
	}
	if e.running > 0 && e.stop && !e.interr && e.ctx.Err() == nil {
		e.errorf("*** Waiting for unfinished jobs....")
	}
	for e.running > 0 {
		e.reap()
	}
	if e.interr || e.ctx.Err() != nil {
		e.reportInterrupted()
		return StatusInterrupted, e.ctx.Err()
	}
	e.removeIntermediates()
	switch {
	case e.cycleErr != nil:
		return StatusError, e.cycleErr
	case e.anyError:
		return StatusError, nil
	case e.question:
		return StatusQuestion, nil
	}
	return StatusOK, nil
}

func (e *executor) state(u unit) *unitState {
	s := e.st[u]
	if s == nil {
		if len(e.stSlab) == 0 {
			// States are allocated in blocks: a run has one per file.
			e.stSlab = make([]unitState, 256)
		}
		s = &e.stSlab[0]
		e.stSlab = e.stSlab[1:]
		e.st[u] = s
	}
	return s
}

// scopeOf returns the variable scope of a unit: its target-specific and
// pattern-specific variables over those of the target that first needed
// it. It is made only when a recipe needs it.
func (e *executor) scopeOf(s *unitState) *makefile.Scope {
	if s.scope == nil {
		var ps *makefile.Scope
		if s.parent != nil {
			ps = e.scopeOf(s.parent)
		}
		s.scope = e.ev.ScopeFor(s.name, ps)
	}
	return s.scope
}

// initUnit resolves a unit's rule and prerequisite lists on first visit.
func (e *executor) initUnit(u unit, s *unitState, parent *unitState) {
	s.inited = true
	e.g.Resolve(u.n)
	s.name = u.n.Name
	s.parent = parent
	switch {
	case u.rule >= 0:
		s.rule = u.n.Rules[u.rule]
	case len(u.n.Rules) > 0:
		s.rule = u.n.Rules[0]
	}
	if s.rule != nil {
		s.prereqs = append([]*graph.Node(nil), s.rule.Prereqs...)
		s.order = append([]*graph.Node(nil), s.rule.OrderOnly...)
		s.orderAt = s.rule.OrderOnlyAt
		s.extra = append([]*graph.Node(nil), s.rule.Extra...)
		// The explicit prerequisites of the other targets the recipe
		// makes are made first too, and count as this target's (make's
		// update_file_1 walks the deps of its also_make files).
		for _, a := range s.rule.Also {
			if a.Target == nil || a.Target.DoubleColon {
				continue
			}
			for _, r := range a.Target.Rules {
				for _, p := range r.Prereqs {
					s.extra = append(s.extra, e.g.Node(p))
				}
			}
		}
	}
}

// alsoUnit is the unit of a, another target of j's rule: the target, or
// for a double-colon target ("a b &:: …") the rule of a that is this one.
func (e *executor) alsoUnit(j *job, a *graph.Node) unit {
	if a.DoubleColon && j.state.rule != nil && j.state.rule.Recipe != nil {
		e.g.Resolve(a)
		for i, r := range a.Rules {
			if r.Recipe == j.state.rule.Recipe {
				return unit{a, i}
			}
		}
	}
	return unit{a, -1}
}

// loadTooHigh reports whether -l keeps a new job from starting: the
// system's one-minute load average (/proc/loadavg) is at the limit or
// above. Unknown, it does not (make's "cannot enforce load limit").
func (e *executor) loadTooHigh() bool {
	if e.opts.MaxLoad <= 0 {
		return false
	}
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return false
	}
	load, err := strconv.ParseFloat(f[0], 64)
	return err == nil && load >= e.opts.MaxLoad
}

// update is make's update_file for one unit: it returns stOK or stFailed
// when the unit is done, stRunning while it or a prerequisite is being made.
func (e *executor) update(u unit, parent *graph.Node, parentState *unitState, depth int) status {
	n := u.n
	if u.rule < 0 && n.DoubleColon {
		e.g.Resolve(n)
		if len(n.Rules) > 0 {
			// Each rule of a double-colon target is made on its own, in
			// order.
			for i := range n.Rules {
				s := e.update(unit{n, i}, parent, parentState, depth)
				if s != stOK {
					return s
				}
			}
			return stOK
		}
	}
	s := e.state(u)
	if e.debug != 0 {
		e.debugConsider(n, s, depth)
	}
	switch s.phase {
	case phDone:
		if !(s.quietFail && !e.dontcare) {
			return s.status
		}
		// It failed without a word for an optional makefile; needed
		// now by one that is not, it is tried again and its failure
		// reported (make's "diagnostics even if tried before with the
		// dontcare flag").
		s.phase, s.quietFail = phNew, false
	case phRunning:
		return stRunning
	}
	if e.stop {
		return stFailed
	}
	if !s.inited {
		e.initUnit(u, s, parentState)
	}
	if m := e.g.Renamed(n); m != n {
		// Looking for n's file merged it into another: that one is made.
		return e.update(unit{m, u.rule}, parent, parentState, depth)
	}
	if n.Err != nil {
		e.fatal(n.Err)
		s.phase, s.status = phDone, stFailed
		e.stop = true
		return stFailed
	}
	s.updating = true
	defer func() {
		s.updating = false
		if e.dontcare && s.phase == phDone && s.status == stFailed {
			s.quietFail = true
		}
	}()

	thisMtime, exists := e.g.Mtime(n), e.g.Exists(n)
	if n.DoubleColon {
		// Each rule of a double-colon target is judged by the file as
		// it was before any of them ran (make's f_mtime keeps the
		// pre-update time for the rules not yet examined).
		if fs, ok := e.dcBefore[n]; ok {
			thisMtime, exists = fs.mtime, fs.exists
		} else {
			if e.dcBefore == nil {
				e.dcBefore = make(map[*graph.Node]fileState)
			}
			e.dcBefore[n] = fileState{thisMtime, exists}
		}
	}
	noexist := !exists && !graph.IsFarFuture(thisMtime)
	if n.LowResolution && !noexist && !graph.IsFarFuture(thisMtime) {
		// A time of whole seconds counts as the end of its second, so
		// that a prerequisite made within it is not newer (make's
		// update_file_1).
		if thisMtime.Nanosecond() != 0 {
			e.errorf("*** Warning: .LOW_RESOLUTION_TIME file '%s' has a high resolution time stamp", n.Name)
		}
		thisMtime = thisMtime.Truncate(time.Second).Add(time.Second - 1)
	}
	if noexist {
		e.debugf(makefile.DebugBasic, depth+1, "File '%s' does not exist.", n.Name)
	}
	mustMake := noexist
	depStatus := stOK
	depsRunning := false
	// changed are the prerequisites that did not exist or whose time
	// changed while they were brought up to date (make's d->changed),
	// only for -d's reasons.
	var changed map[*graph.Node]bool
	if e.debug != 0 {
		changed = make(map[*graph.Node]bool)
	}

	visit := func(list []*graph.Node, orderOnly bool) []*graph.Node {
		kept := list[:0]
		for _, p := range list {
			pu := unit{p, -1}
			if ps := e.st[pu]; ps != nil && ps.updating || p == n {
				if e.opts.CycleError && e.cycleErr == nil {
					e.cycleErr = &graph.CycleError{Path: []string{p.Name, n.Name, p.Name}}
				}
				e.errorf("Circular %s <- %s dependency dropped.", n.Name, p.Name)
				continue
			}
			kept = append(kept, p)
			if depStatus != stOK && !e.opts.KeepGoing {
				continue
			}
			var before time.Time
			var had bool
			if changed != nil {
				before, had = e.g.Mtime(p), e.g.Exists(p)
			}
			st, newer := e.checkDep(p, n, s, depth+1, thisMtime)
			if !orderOnly && newer {
				mustMake = true
			}
			if changed != nil && st != stRunning && (!had || !e.g.Mtime(p).Equal(before)) {
				changed[p] = true
			}
			switch st {
			case stRunning:
				depsRunning = true
			case stFailed, stQuestion:
				if depStatus == stOK || st == stFailed {
					depStatus = st
				}
			}
		}
		return kept
	}
	if at := s.orderAt; at != nil {
		// Order-only prerequisites among the others, in make's order.
		var pre, ord []*graph.Node
		var keptAt []int
		i := 0
		for k := range s.order {
			if end := min(at[k], len(s.prereqs)); end > i {
				pre = append(pre, visit(s.prereqs[i:end], false)...)
				i = end
			}
			if kept := visit(s.order[k:k+1], true); len(kept) > 0 {
				ord = append(ord, kept...)
				keptAt = append(keptAt, len(pre))
			}
		}
		pre = append(pre, visit(s.prereqs[i:], false)...)
		s.prereqs, s.order, s.orderAt = pre, ord, keptAt
		s.extra = visit(s.extra, false)
	} else {
		s.prereqs = visit(s.prereqs, false)
		s.extra = visit(s.extra, false)
		s.order = visit(s.order, true)
	}

	if depsRunning {
		e.debugf(makefile.DebugVerbose, depth+1, "Finished prerequisites of target file '%s'.", n.Name)
		e.debugf(makefile.DebugVerbose, depth, "The prerequisites of '%s' are being made.", n.Name)
		s.phase = phDepsRunning
		return stRunning
	}
	if depStatus != stOK {
		e.debugf(makefile.DebugVerbose, depth+1, "Finished prerequisites of target file '%s'.", n.Name)
		e.debugf(makefile.DebugVerbose, depth, "Giving up on target file '%s'.", n.Name)
		s.phase, s.status = phDone, depStatus
		if depStatus == stFailed && depth == 0 && e.opts.KeepGoing && !e.opts.DryRun && !e.opts.Question && !e.makefiles {
			e.errorf("Target '%s' not remade because of errors.", n.Name)
		}
		return depStatus
	}

	// Intermediate prerequisites that do not exist are made only now that
	// the target is known to need them: order-only and .EXTRA_PREREQS
	// ones too (remake.c walks all of file->deps).
	if mustMake || e.opts.AlwaysMake {
		for _, p := range slices.Concat(s.prereqs, s.order, s.extra) {
			if !p.Intermediate || p.Phony {
				continue
			}
			st := e.update(unit{p, -1}, n, s, depth+1)
			switch st {
			case stRunning:
				depsRunning = true
			case stFailed, stQuestion:
				depStatus = st
			}
		}
		if depsRunning {
			e.debugf(makefile.DebugVerbose, depth+1, "Finished prerequisites of target file '%s'.", n.Name)
			e.debugf(makefile.DebugVerbose, depth, "The prerequisites of '%s' are being made.", n.Name)
			s.phase = phDepsRunning
			return stRunning
		}
		if depStatus != stOK {
			e.debugf(makefile.DebugVerbose, depth+1, "Finished prerequisites of target file '%s'.", n.Name)
			e.debugf(makefile.DebugVerbose, depth, "Giving up on target file '%s'.", n.Name)
			s.phase, s.status = phDone, depStatus
			return depStatus
		}
	}
	e.debugf(makefile.DebugVerbose, depth+1, "Finished prerequisites of target file '%s'.", n.Name)
	noNeed := false // make's verdict where dmake's own differs (-d only)
	if e.debug != 0 {
		noNeed = e.debugPrereqs(n, s, depth, noexist, thisMtime, changed, mustMake)
	}

	if n.Phony {
		mustMake = true
	}
	if n.DoubleColon && s.rule != nil && len(s.rule.Prereqs) == 0 {
		mustMake = true
	}
	if e.opts.AlwaysMake && (s.rule != nil || n.IsTarget()) {
		mustMake = true
	}
	if n.Old {
		mustMake = false
	}
	if !mustMake || noNeed {
		e.debugf(makefile.DebugVerbose, depth, "No need to remake target '%s'.", n.Name)
	}
	if !mustMake {
		s.phase, s.status = phDone, stOK
		return stOK
	}
	if noNeed {
		// Without a recipe, making it does nothing to see.
		return e.remake(u, s, parent)
	}
	e.debugf(makefile.DebugBasic, depth, "Must remake target '%s'.", n.Name)
	st := e.remake(u, s, parent)
	switch st {
	case stRunning:
		e.debugf(makefile.DebugVerbose, depth, "Recipe of '%s' is being run.", n.Name)
	case stOK:
		e.debugf(makefile.DebugBasic, depth, "Successfully remade target file '%s'.", n.Name)
	case stFailed:
		e.debugf(makefile.DebugBasic, depth, "Failed to remake target file '%s'.", n.Name)
	case stQuestion:
		e.debugf(makefile.DebugBasic, depth, "Target file '%s' needs to be remade under -q.", n.Name)
	}
	return st
}

// checkDep updates prerequisite p of n and reports whether it makes n out
// of date (make's check_dep): an intermediate file that does not exist is
// not made here; its own prerequisites are checked against n instead.
func (e *executor) checkDep(p, n *graph.Node, ns *unitState, depth int, thisMtime time.Time) (status, bool) {
	e.g.Resolve(p)
	if m := e.g.Renamed(p); m != p {
		p = m
		e.g.Resolve(p)
	}
	if p.Intermediate && !p.Phony && !e.g.Exists(p) {
		ps := e.state(unit{p, -1})
		if ps.phase == phDone {
			return ps.status, e.newer(p, thisMtime)
		}
		if !ps.inited {
			e.initUnit(unit{p, -1}, ps, ns)
		}
		ps.updating = true
		defer func() { ps.updating = false }()
		must := false
		st := stOK
		// All of its prerequisites are checked, order-only ones too
		// (make's check_dep walks file->deps), but only the others can
		// make n out of date.
		all := slices.Concat(ps.prereqs, ps.order, ps.extra)
		for i, d := range all {
			if ds := e.st[unit{d, -1}]; ds != nil && ds.updating {
				continue
			}
			s, newer := e.checkDep(d, p, ps, depth+1, thisMtime)
			orderOnly := i >= len(ps.prereqs) && i < len(ps.prereqs)+len(ps.order)
			if newer && !orderOnly {
				must = true
			}
			if s != stOK {
				st = s
			}
			if (s == stFailed || s == stQuestion) && !e.opts.KeepGoing {
				// make's check_dep stops at the first failure.
				break
			}
		}
		return st, must
	}
	st := e.update(unit{p, -1}, n, ns, depth+1)
	if st != stOK {
		return st, false
	}
	return st, e.newer(p, thisMtime)
}

// newer reports whether p is newer than a target of mtime t (a missing p,
// or a missing target, counts as newer).
func (e *executor) newer(p *graph.Node, t time.Time) bool {
	if p.Phony {
		// A phony prerequisite always makes its dependents out of date,
		// even when a file of its name exists.
		return true
	}
	if t.IsZero() {
		// Nothing is older than a missing target: no need to look.
		return true
	}
	pm := e.g.Mtime(p)
	if pm.IsZero() && !e.g.Exists(p) {
		return true
	}
	return pm.After(t)
}

// remake runs the recipe of a unit that is out of date, or decides what it
// means to have none.
func (e *executor) remake(u unit, s *unitState, parent *graph.Node) status {
	n := u.n
	if s.rule == nil || s.rule.Recipe == nil || len(s.rule.Recipe.Lines) == 0 {
		switch {
		case n.Phony || n.IsTarget() && !n.NoRule || s.rule != nil:
			if e.g.Exists(n) {
				e.g.SetNew(n)
			}
			s.phase, s.status = phDone, stOK
			return stOK
		case e.g.Exists(n):
			s.phase, s.status = phDone, stOK
			return stOK
		}
		keepGoing := e.opts.KeepGoing
		if e.makefiles {
			if e.dontcare || e.notices[n.Name] == "" && parent == nil {
				// An optional makefile, or one that exists: make
				// says nothing (remake.c: dontcare, no_diag).
				s.phase, s.status = phDone, stFailed
				return stFailed
			}
			// A missing included makefile (or a prerequisite of one)
			// that no rule makes: make complains at once, after the
			// include's notice, and stops unless -k.
			if msg := e.notices[e.goal]; msg != "" {
				e.outMu.Lock()
				fmt.Fprintln(e.stderr, msg)
				e.outMu.Unlock()
				delete(e.notices, e.goal)
			}
			keepGoing = e.userKeepGoing
			e.anyRecipeFailed = true
			if !keepGoing {
				e.stop = true
			}
		}
		stop := "  Stop."
		if keepGoing {
			stop = ""
		}
		if parent != nil {
			e.errorf("*** No rule to make target '%s', needed by '%s'.%s", n.Name, parent.Name, stop)
		} else {
			e.errorf("*** No rule to make target '%s'.%s", n.Name, stop)
		}
		s.phase, s.status = phDone, stFailed
		return stFailed
	}
	if e.opts.Question && !e.hasRecursiveLine(s) {
		// -q: out of date if some line of the recipe has a command
		// once expanded ("two: ;" and a line of an empty variable
		// have none), as make's start_job_command answers.
		cmds, err := e.expand(u, s, nil)
		if err != nil {
			e.fatal(err)
			s.phase, s.status = phDone, stFailed
			e.stop = true
			return stFailed
		}
		for _, c := range cmds {
			if !emptyCommand(c.Text) {
				s.phase, s.status = phDone, stQuestion
				return stQuestion
			}
		}
		s.phase, s.status = phDone, stOK
		return stOK
	}
	for e.running >= e.jobs || e.running > 0 && e.loadTooHigh() {
		e.reap()
		if e.stop || e.ctx.Err() != nil {
			return stFailed
		}
	}
	j := e.newJob(u, s)
	cmds, err := e.expand(u, s, j)
	if err == nil {
		err = j.prepare(cmds)
	}
	if err != nil {
		j.discard()
		e.fatal(err)
		s.phase, s.status = phDone, stFailed
		e.stop = true
		return stFailed
	}
	s.before = e.g.Mtime(n)
	s.existed = e.g.Exists(n)
	if !s.existed {
		s.made = true
	}
	s.remade = true
	s.phase = phRunning
	// The other targets the recipe makes are being made too (make's
	// set_command_state on also_make): a member of a grouped rule met
	// while the recipe runs waits for it instead of running it again.
	for _, a := range j.alsoMade() {
		if as := e.state(e.alsoUnit(j, a)); as.phase < phRunning {
			as.phase = phRunning
		}
		j.alsoBefore = append(j.alsoBefore, fileState{e.g.Mtime(a), e.g.Exists(a)})
	}
	if (!e.opts.Touch || !n.Phony || j.spawns()) && j.hasCommand() {
		// What make counts as commands started: a phony target under -t
		// is neither touched nor run, so its goal can still have had
		// "Nothing to be done".
		e.started++
	}
	e.seq++
	j.seq = e.seq
	if e.opts.Trace {
		j.trace()
	}
	if !j.spawns() {
		// Under -n, -t and -q make runs no process for a recipe without
		// recursive lines: the job is done at once, in order.
		j.run(e.ctx)
		e.finish(j)
		return s.status
	}
	if !e.takeToken() {
		if j.closeOutput != nil {
			j.closeOutput()
		}
		s.phase, s.status = phDone, stFailed
		return stFailed
	}
	e.running++
	j.echoFirst()
	if e.jobs == 1 && e.running == 1 {
		// One job at a time and none other running: run it here, as
		// make does, instead of handing it to a goroutine and waiting
		// (two thread wake-ups per recipe on a busy machine).
		j.run(e.ctx)
		e.running--
		e.releaseToken()
		e.finish(j)
		if s.phase == phDone {
			return s.status
		}
		return stRunning
	}
	go func() {
		j.run(e.ctx)
		e.done <- j
	}()
	if e.jobs == 1 {
		// One job at a time: wait for it now, as make does.
		e.reap()
		if s.phase == phDone {
			return s.status
		}
	}
	return stRunning
}

func (e *executor) hasRecursiveLine(s *unitState) bool {
	for _, l := range s.rule.Recipe.Lines {
		if strings.Contains(l.Text, "$(MAKE)") || strings.Contains(l.Text, "${MAKE}") || strings.HasPrefix(strings.TrimLeft(l.Text, "@- \t"), "+") {
			return true
		}
	}
	return false
}

// fatal reports an error of the makefile evaluation met while making (a
// recipe's or the environment's expansion): make prints it and stops.
func (e *executor) fatal(err error) {
	var me *makefile.Error
	switch {
	case errors.As(err, &me) && me.Printed:
	case errors.As(err, &me):
		e.outMu.Lock()
		fmt.Fprintln(e.stderr, me.Format(e.prog))
		e.outMu.Unlock()
	default:
		e.errorf("*** %v.  Stop.", err)
	}
}

// autoVars computes the automatic variables of a unit's recipe.
func (e *executor) autoVars(u unit, s *unitState) *makefile.AutoVars {
	n := u.n
	// A member "lib(m)" is made with $@ the archive and $% the member.
	a := &makefile.AutoVars{Target: n.Name}
	name := n.Name
	if lib, mem, ok := ar.ParseName(n.Name); ok {
		a.Target, a.Member, name = lib, mem, mem
	}
	if s.rule != nil {
		a.Stem = s.rule.Stem
	}
	if a.Stem == "" && (s.rule == nil || s.rule.Pattern == nil) {
		for _, suf := range e.suffixes {
			if strings.HasSuffix(name, suf) && len(name) > len(suf) {
				a.Stem = strings.TrimSuffix(name, suf)
				break
			}
		}
	}
	// $^, $+, $? and $| name an archive member by its member name.
	member := func(path string) string {
		if _, mem, ok := ar.ParseName(path); ok {
			return mem
		}
		return path
	}
	seen := make(map[string]bool)
	targetMtime := s.before
	targetExists := s.existed
	for i, p := range s.prereqs {
		path := e.g.Path(p)
		if i == 0 {
			a.First = path
		}
		a.AllDup = append(a.AllDup, member(path))
		if !seen[path] {
			seen[path] = true
			a.All = append(a.All, member(path))
			if !targetExists || e.newer(p, targetMtime) || p.Phony || e.opts.AlwaysMake {
				a.Newer = append(a.Newer, member(path))
			}
		}
	}
	for _, p := range s.order {
		// A prerequisite that is a normal one too is normal only, and
		// $| names each once (make's uniquize_deps).
		path := e.g.Path(p)
		if !seen[path] {
			seen[path] = true
			a.OrderOnly = append(a.OrderOnly, member(path))
		}
	}
	return a
}

// expand expands the recipe of a unit just before it runs; what the
// expansion prints goes to job j's output when -O collects it (j nil:
// the database's streams).
func (e *executor) expand(u unit, s *unitState, j *job) ([]makefile.Command, error) {
	s.before = e.g.Mtime(u.n)
	s.existed = e.g.Exists(u.n)
	if fs, ok := e.dcBefore[u.n]; ok {
		// $? of a double-colon rule: newer than the file before any
		// rule of the target ran.
		s.before, s.existed = fs.mtime, fs.exists
	}
	a := e.autoVars(u, s)
	s.newer, s.auto = a.Newer, a
	var stdout, stderr io.Writer
	if j != nil && j.syncing() {
		stdout, stderr = j.out, j.errw
	}
	return e.ev.ExpandRecipeTo(e.ctx, e.scopeOf(s), s.rule.Recipe, a, stdout, stderr)
}

// reap waits for one job to finish and records its outcome.
func (e *executor) reap() {
	if e.running == 0 {
		return
	}
	j := <-e.done
	e.running--
	e.releaseToken()
	e.finish(j)
}

// takeToken makes sure a job may start under the jobserver: the first
// running job needs no token, any other waits for one, or for a running
// job to finish. It returns false when the run is interrupted or stopped
// meanwhile.
func (e *executor) takeToken() bool {
	js := e.opts.Jobserver
	for js != nil && e.running > 0 {
		type got struct {
			b   byte
			err error
		}
		ctx, cancel := context.WithCancel(e.ctx)
		ch := make(chan got, 1)
		go func() {
			b, err := js.Acquire(ctx)
			ch <- got{b, err}
		}()
		select {
		case g := <-ch:
			cancel()
			if g.err != nil {
				return false
			}
			e.tokens = append(e.tokens, g.b)
			return true
		case j := <-e.done:
			cancel()
			if g := <-ch; g.err == nil {
				_ = js.Release(g.b)
			}
			e.running--
			e.releaseToken()
			e.finish(j)
			if e.stop || e.ctx.Err() != nil {
				return false
			}
		}
	}
	return e.ctx.Err() == nil
}

// releaseToken gives back a token the running jobs no longer need.
func (e *executor) releaseToken() {
	if len(e.tokens) > 0 && len(e.tokens) >= e.running {
		_ = e.opts.Jobserver.Release(e.tokens[len(e.tokens)-1])
		e.tokens = e.tokens[:len(e.tokens)-1]
	}
}

// finish records the outcome of a finished job.
func (e *executor) finish(j *job) {
	s := j.state
	n := j.u.n
	s.phase = phDone
	switch {
	case j.interrupted:
		s.status = stFailed
		e.interr = true
		e.interrupted = append(e.interrupted, j)
	case j.question:
		s.status = stQuestion
	case j.failed:
		s.status = stFailed
		e.anyError = true
		e.anyRecipeFailed = e.anyRecipeFailed || !j.dontcare
		if !e.opts.KeepGoing {
			e.stop = true
		}
	default:
		s.status = stOK
	}
	if s.status == stOK {
		if e.opts.DryRun && !j.allRecursive() || e.opts.Touch && !j.ranRecursive || e.opts.Question {
			if !n.Phony {
				e.g.SetNew(n)
			}
		} else {
			e.g.Restat(n)
		}
		if n.Intermediate && s.made && !n.Precious && !n.Secondary {
			e.madeIntermediate = append(e.madeIntermediate, n)
		}
	}
	// The other targets of the rule are finished with it, with its
	// status (make's notice_finished_file on also_make).
	for _, a := range j.alsoMade() {
		as := e.state(e.alsoUnit(j, a))
		if as.phase != phDone {
			as.phase, as.status = phDone, s.status
		}
		if s.status != stOK {
			continue
		}
		if e.opts.DryRun || e.opts.Question {
			if !a.Phony {
				e.g.SetNew(a)
			}
		} else {
			e.g.Restat(a)
		}
	}
}

// reportInterrupted does what make does after an interrupt once every
// recipe has stopped: delete the targets of the interrupted recipes (the
// most recently started first), then report each recipe as interrupted
// (in the order they started).
func (e *executor) reportInterrupted() {
	jobs := append([]*job(nil), e.interrupted...)
	sort.Slice(jobs, func(a, b int) bool { return jobs[a].seq > jobs[b].seq })
	for _, j := range jobs {
		e.deleteTarget(j, true)
	}
	for i := len(jobs) - 1; i >= 0; i-- {
		j := jobs[i]
		e.errorf("*** [%s: %s] %s", j.where(j.current), j.u.n.Name, interrupt.Text(interrupt.Signal(e.ctx)))
	}
}

// deleteTarget removes a target whose recipe failed or was interrupted,
// as make does: only a file its recipe changed, never a phony or precious
// one.
func (e *executor) deleteTarget(j *job, interrupted bool) {
	e.deleteFile(j, j.u.n, fileState{j.state.before, j.state.existed}, "", interrupted)
	// make deletes the other targets of the rule too, naming the one the
	// recipe ran for.
	for i, a := range j.also() {
		if i < len(j.alsoBefore) {
			e.deleteFile(j, a, j.alsoBefore[i], j.u.n.Name, interrupted)
		}
	}
}

// fileState is what was known of a target's file before its recipe ran.
type fileState struct {
	mtime  time.Time
	exists bool
}

// deleteFile removes n's file unless it is phony or precious or was left
// as it was before the recipe; onBehalfOf names the target whose recipe
// ran when n is another target of its rule.
func (e *executor) deleteFile(j *job, n *graph.Node, before fileState, onBehalfOf string, interrupted bool) {
	if n.Phony || n.Precious || e.opts.DryRun || e.opts.Touch || e.opts.Question {
		return
	}
	name := n.Name
	p := name
	if e.opts.Dir != "" && !filepath.IsAbs(p) {
		p = filepath.Join(e.opts.Dir, p)
	}
	fi, err := os.Lstat(p)
	if err != nil {
		return
	}
	if fi.ModTime().Equal(before.mtime) && before.exists {
		return
	}
	if fi.IsDir() {
		return
	}
	msg := fmt.Sprintf("*** Deleting file '%s'", name)
	if onBehalfOf != "" {
		msg = fmt.Sprintf("*** [%s] Deleting file '%s'", onBehalfOf, name)
	}
	if interrupted {
		e.errorf("%s", msg)
	} else {
		j.errorf("%s", msg)
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, syscall.ENOENT) {
		e.errorf("unlink: %s: %v", name, err)
	}
}

// removeIntermediates deletes the intermediate files this run made, with
// make's "rm" line.
func (e *executor) removeIntermediates() {
	if len(e.madeIntermediate) == 0 || e.opts.Question || e.opts.Touch {
		return
	}
	// make removes them in the order of its file table, and never a
	// goal of the command line.
	names := make([]string, 0, len(e.madeIntermediate))
	for _, n := range e.madeIntermediate {
		if !slices.Contains(e.opts.Goals, n.Name) {
			names = append(names, n.Name)
		}
	}
	fileTableOrder(names, len(e.db.Targets)+len(e.g.Nodes()))
	removed := names[:0]
	for _, name := range names {
		p := name
		if e.opts.Dir != "" && !filepath.IsAbs(p) {
			p = filepath.Join(e.opts.Dir, p)
		}
		if !e.opts.DryRun {
			if _, err := os.Lstat(p); err != nil {
				continue
			}
			if err := os.Remove(p); err != nil {
				e.errorf("unlink: %s: %v", name, err)
				continue
			}
		}
		if len(removed) == 0 || e.opts.Silent {
			// Before the "rm" line; for each file when there is none.
			if e.debug&makefile.DebugBasic != 0 {
				e.debugLine(0, "Removing intermediate files...")
			}
		}
		removed = append(removed, name)
	}
	if len(removed) > 0 && !e.opts.Silent {
		e.outMu.Lock()
		fmt.Fprintf(e.stdout, "rm %s\n", strings.Join(removed, " "))
		e.outMu.Unlock()
	}
}

// combinedOutput reports whether standard output and standard error are
// one file (make's sync_init): -O then collects a job's output and errors
// together, in the order written, and writes them to standard output.
func (e *executor) combinedOutput() bool {
	if e.combined == 0 {
		e.combined = 2
		if stdio.SameFile(e.stdout, e.stderr) {
			e.combined = 1
		}
	}
	return e.combined == 1
}

// enterSync writes the "Entering directory" line that comes before each
// output -O collected (Options.SyncDirectory), and returns the function
// that writes the "Leaving directory" line after it. Callers hold outMu.
func (e *executor) enterSync() func() {
	dir := e.opts.SyncDirectory
	if dir == "" {
		return func() {}
	}
	fmt.Fprintf(e.stdout, "%s: Entering directory '%s'\n", e.prog, dir)
	return func() { fmt.Fprintf(e.stdout, "%s: Leaving directory '%s'\n", e.prog, dir) }
}
