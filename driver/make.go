package driver

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/dmake-dev/dmake/executor"
	"github.com/dmake-dev/dmake/graph"
	"github.com/dmake-dev/dmake/image"
	"github.com/dmake-dev/dmake/internal/buildinfo"
	istdio "github.com/dmake-dev/dmake/internal/stdio"
	"github.com/dmake-dev/dmake/loadcache"
	"github.com/dmake-dev/dmake/makefile"
	"github.com/dmake-dev/dmake/shellrun"
	"github.com/dmake-dev/dmake/symlinker"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
)

// programName is the name dmake's messages carry where make's say "make".
const programName = "dmake"

// shellCapture runs $(shell …) with real command execution, every external
// command through mws (nil: none); realShell runs it as GNU make does
// (shellrun.Capture.RealShell); announce, when set, is called first
// (makeJob.announce).
func shellCapture(mws []func(interp.ExecHandlerFunc) interp.ExecHandlerFunc, realShell bool, announce func()) makefile.Shell {
	return makefile.ShellFunc(func(ctx context.Context, c makefile.ShellCall) ([]byte, int, error) {
		if announce != nil {
			announce()
		}
		return shellrun.RunCapture(ctx, shellrun.Capture{
			Command: c.Command, Shell: c.Shell, ShellFlags: c.ShellFlags,
			Dir: c.Dir, Env: c.Env, Stderr: c.Stderr, Program: c.Program,
			MaxOutput: c.MaxOutput, ExecMiddlewares: mws, RealShell: realShell,
		})
	})
}

// environ is the environment recipes and $(shell) start from.
func environ(opts Options) []string {
	if opts.Env != nil {
		return slices.Clone(opts.Env)
	}
	return os.Environ()
}

// makeLevel is MAKELEVEL of the environment: how deep this run is in a
// recursion of $(MAKE) calls.
func makeLevel(env []string) int {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], "MAKELEVEL="); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

// progName is the name in make's messages: "dmake", or "dmake[N]" in a
// recursive run, as make prints "make[1]".
func progName(level int) string {
	if level > 0 {
		return fmt.Sprintf("%s[%d]", programName, level)
	}
	return programName
}

// printsDirectory reports whether make would print "Entering directory":
// with -w, or, unless -s or --no-print-directory, with -C or in a
// recursive run.
func printsDirectory(opts Options, level int) bool {
	if opts.NoPrintDirectory {
		return false
	}
	if opts.PrintDirectory {
		return true
	}
	return !opts.Silent && (len(opts.Dir) > 0 || level > 0)
}

// makeJob is one make run: the makefiles of a directory and the goals.
type makeJob struct {
	dir         string
	makefiles   []string
	goals       []string
	env         []string
	middlewares []func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc
	// shellMiddlewares wrap the commands of $(shell …): in a legacy
	// repository the image layer's, so that a web server or ifconfig a
	// makefile runs there is answered by dmake, as in a recipe.
	shellMiddlewares []func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc
	// realShell runs recipes and $(shell …) in the real SHELL as GNU
	// make does (plain make); off, the interpreter stands in for it so
	// that every command passes the middlewares (legacy repositories).
	realShell bool
	// listCommands are the commands the middlewares run in Go as the
	// programs would (shellrun.Recipe.ListCommands).
	listCommands []string
	// claimed are the commands the middlewares take over by name, whose
	// lines run in the interpreter even with realShell
	// (shellrun.Recipe.Claimed).
	claimed []string
	// direct runs a command of a line make runs without a shell as the
	// first middleware would, without an interpreter
	// (executor.Options.Direct): the symlinker's RunIn when it is first.
	direct shellrun.DirectFunc
	// open, when set, opens the files of the recipes' redirections (a
	// dry run's, executor.Options.OpenHandler).
	open interp.OpenHandlerFunc
	// slots are the job slots and jobserver of a make run (setupJobs);
	// nil means -j of opts alone, without a jobserver.
	slots *jobSlots
	// syncDir is executor.Options.SyncDirectory for the goals' run.
	syncDir string
	// announce, when set, prints make's "Entering directory" unless it
	// was printed, before a command or $(shell) runs
	// (executor.Options.Announce).
	announce func()
	// debug is what -d and --debug ask to print, on debugOut
	// (executor.Options.Debug).
	debug    makefile.DebugLevel
	debugOut io.Writer
}

// loadConfig is the makefile configuration of a job under opts.
func loadConfig(opts Options, job makeJob, stdio Stdio) makefile.Config {
	exe := makePath(opts)
	jobs, auth := opts.Jobs, ""
	if job.slots != nil {
		jobs, auth = job.slots.jobs, job.slots.auth()
	}
	return makefile.Config{
		Dir:             job.dir,
		Makefiles:       job.makefiles,
		Goals:           job.goals,
		CommandLineVars: opts.Variables,
		Env:             job.env,
		IncludeDirs:     opts.IncludeDirs,
		ProgramName:     progName(makeLevel(job.env)),
		MakePath:        exe,
		Stdout:          stdio.Out,
		Stderr:          stdio.Err,
		DebugOut:        job.debugOut,
		Shell:           shellCapture(job.shellMiddlewares, job.realShell, job.announce),
		Flags: makefile.Flags{
			DryRun:         opts.DryRun,
			Silent:         opts.Silent,
			KeepGoing:      opts.KeepGoing,
			IgnoreErrors:   opts.IgnoreErrors,
			AlwaysMake:     opts.AlwaysMake,
			Question:       opts.Question,
			Touch:          opts.Touch,
			EnvOverrides:   opts.EnvOverrides,
			PrintDatabase:  opts.PrintDatabase,
			NoBuiltinRules: opts.NoBuiltinRules,
			NoBuiltinVars:  opts.NoBuiltinVars,
			PrintDirectory: opts.PrintDirectory,
			NoPrintDir:     opts.NoPrintDirectory,
			Jobs:           jobs,
			JobserverAuth:  auth,
			OldFiles:       opts.OldFiles,
			WhatIf:         opts.WhatIf,
			Debug:          opts.Debug,
			DebugFlags:     opts.DebugFlags,
			LoadAverage:    opts.LoadAverage,
			OutputSync:     opts.OutputSync,
			CheckSymlinks:  opts.CheckSymlinks,
			Trace:          opts.Trace,
			WarnUndefined:  opts.WarnUndefined,
			Eval:           opts.Eval,
		},
	}
}

// makePath is $(MAKE) under opts: MakePath, or this program.
func makePath(opts Options) string {
	if opts.MakePath != "" {
		return opts.MakePath
	}
	exe, err := os.Executable()
	if err != nil {
		return programName
	}
	return exe
}

// load reads the makefiles of job as make does: a makefile or a missing
// included file that has a rule is remade first, and the makefiles are read
// again. A failure has been reported on stdio.Err in make's words; the
// returned status is make's.
func load(ctx context.Context, opts Options, job makeJob, stdio Stdio) (*makefile.Database, int) {
	cfg := loadConfig(opts, job, stdio)
	eo := execOptions(opts, job, cfg.Flags, stdio)
	if dir := loadcache.Location(opts.LoadCache, os.Getenv, opts.WorkDir, job.dir); dir != "" {
		eo.LoadCache = loadcache.New(dir)
		eo.LoadCache.Log = opts.LoadCacheLog
		if eo.LoadCache.Log == nil && os.Getenv("DMAKE_LOADCACHE_DEBUG") != "" {
			eo.LoadCache.Log = stdio.Err
		}
	}
	if opts.PrintDatabase {
		// make prints its data base when it dies of an error in the
		// makefiles too.
		eo.LoadFailed = func(db *makefile.Database) { printDatabase(db, nil, stdio) }
	}
	return executor.LoadMakefiles(ctx, cfg, eo)
}

// execute makes job's goals with the rules of db. The flags are the
// effective ones: the command line's merged with MAKEFLAGS from the
// environment and as the makefiles left it.
func execute(ctx context.Context, opts Options, job makeJob, db *makefile.Database, stdio Stdio) (int, error) {
	return executor.Run(ctx, db, nil, execOptions(opts, job, db.Flags, stdio))
}

// executePrint is execute, then, under -p, the data base printed as make
// prints it at the end of a run: with what the run added to it (the rules
// implicit rule search found, the variables $(eval) set in recipes).
func executePrint(ctx context.Context, opts Options, job makeJob, db *makefile.Database, stdio Stdio) (int, error) {
	if !opts.PrintDatabase && !db.Flags.PrintDatabase {
		return execute(ctx, opts, job, db, stdio)
	}
	eo := execOptions(opts, job, db.Flags, stdio)
	g := executor.NewGraph(ctx, db, eo)
	status, err := executor.Run(ctx, db, g, eo)
	if ctx.Err() != nil {
		// make dies of the signal without printing it.
		return status, err
	}
	if !printDatabase(db, g, stdio) {
		status = 2
	}
	return status, err
}

// printDatabase prints db as make -p does, with the rules g (nil: none)
// found by implicit rule search. It reports whether it could write it.
func printDatabase(db *makefile.Database, g *graph.Graph, stdio Stdio) bool {
	var found []makefile.FoundFile
	if g != nil {
		found = foundFiles(g)
	}
	if err := db.PrintDatabase(stdio.Out, found...); err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return false
	}
	return true
}

// foundFiles are the files of g whose rule implicit rule search found, by
// name.
func foundFiles(g *graph.Graph) []makefile.FoundFile {
	var out []makefile.FoundFile
	for _, n := range g.Nodes() {
		if len(n.Rules) != 1 || n.Rules[0].Pattern == nil {
			continue
		}
		r := n.Rules[0]
		f := makefile.FoundFile{Name: n.Name, Stem: r.Stem, Recipe: r.Recipe}
		for _, p := range r.Prereqs {
			f.Prereqs = append(f.Prereqs, p.Name)
		}
		for _, p := range r.Extra {
			f.Prereqs = append(f.Prereqs, p.Name)
		}
		for _, p := range r.OrderOnly {
			f.OrderOnly = append(f.OrderOnly, p.Name)
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b makefile.FoundFile) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// execOptions are the executor's options for job under make flags f.
func execOptions(opts Options, job makeJob, f makefile.Flags, stdio Stdio) executor.Options {
	jobs := f.Jobs
	var js executor.Jobserver
	var files []*os.File
	if job.slots != nil && job.slots.js != nil {
		// The tokens limit the jobs, this make's and its sub-makes'.
		jobs = makefile.UnlimitedJobs
		js, files = job.slots.js, job.slots.js.ChildFiles()
	}
	return executor.Options{
		Jobserver:       js,
		RecursiveFiles:  files,
		Goals:           job.goals,
		Dir:             job.dir,
		Jobs:            jobs,
		KeepGoing:       f.KeepGoing,
		DryRun:          f.DryRun,
		Silent:          f.Silent,
		IgnoreErrors:    f.IgnoreErrors,
		Question:        f.Question,
		Touch:           f.Touch,
		AlwaysMake:      f.AlwaysMake,
		OutputSync:      f.OutputSync,
		SyncDirectory:   job.syncDir,
		WhatIf:          f.WhatIf,
		OldFiles:        f.OldFiles,
		CheckSymlinks:   f.CheckSymlinks,
		Trace:           f.Trace,
		MaxLoad:         maxLoad(f.LoadAverage),
		CycleError:      opts.CycleError,
		ProgramName:     progName(makeLevel(job.env)),
		Stdin:           stdio.In,
		Stdout:          stdio.Out,
		Stderr:          stdio.Err,
		Env:             job.env,
		ExecMiddlewares: job.middlewares,
		RealShell:       job.realShell,
		ListCommands:    job.listCommands,
		Claimed:         job.claimed,
		Direct:          job.direct,
		OpenHandler:     job.open,
		Announce:        job.announce,
		Debug:           job.debug,
		DebugOut:        job.debugOut,
		DebugBanner:     debugBanner(),
		DebugArgv:       opts.Argv,
	}
}

// runMake is dmake as plain GNU make in dir: read the makefiles, make the
// goals. Recipes run as under GNU make, in the real SHELL, except the
// file commands make runs without a shell (ln, mkdir, cp, rm, touch,
// chmod), which run in Go through the symlinker. Inside a legacy image repository (an image's
// directory, say), DOCKER_HOME is set for the recipes, links that pull
// files from outside the repository into it are refused, and a recipe's
// docker build is taken over by the image layer, as at the root; so is a
// plain Makefile's.
func runMake(ctx context.Context, opts Options, dir string, stdio Stdio) int {
	return makeIn(ctx, opts, dir, stdio, nil)
}

// makeRun is what a run of runMake read and built, for --watch.
type makeRun struct {
	root  string             // the directory make ran in, absolute
	db    *makefile.Database // the makefiles read (nil: reading failed)
	built []*image.Result    // what its docker builds did
}

// makeIn is runMake, telling what the run read and built in run when run
// is not nil.
func makeIn(ctx context.Context, opts Options, dir string, stdio Stdio, run *makeRun) int {
	root := dir
	if r, err := filepath.Abs(dir); err == nil {
		root = r
		if r, err := filepath.EvalSymlinks(root); err == nil {
			root = r
		}
	}
	env := environ(opts)
	slots := setupJobs(opts, env, progName(makeLevel(env)), stdio.Err)
	defer slots.close()
	// The flags of the environment's MAKEFLAGS (a parent make's -s,
	// -w, --no-print-directory) count as the command line's, and a
	// make that prints the directory says so in its MAKEFLAGS (the "w"
	// of a sub-make's), as make does.
	ef := makefile.DecodeMakeflags(envMakeflags(env))
	explicitW := opts.PrintDirectory && !opts.NoPrintDirectory
	opts.Silent = opts.Silent || ef.Silent
	opts.Question = opts.Question || ef.Question
	opts.PrintDatabase = opts.PrintDatabase || ef.PrintDatabase
	opts.NoPrintDirectory = opts.NoPrintDirectory || ef.NoPrintDir
	opts.PrintDirectory = opts.PrintDirectory || ef.PrintDirectory
	opts.PrintDirectory = printsDirectory(opts, makeLevel(env))
	// Under -q make prints the directory it implies only along with
	// other output (a message, $(info)), not for a command it starts;
	// with the command line's -w, as always.
	if ef.OutputSync != "" && opts.OutputSync == "" {
		opts.OutputSync = ef.OutputSync
	}
	opts.Debug = opts.Debug || ef.Debug
	if opts.DebugFlags == "" {
		opts.DebugFlags = ef.DebugFlags
	}
	debug, err := makefile.Flags{Debug: opts.Debug, DebugFlags: opts.DebugFlags}.DebugLevel()
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: *** %v.  Stop.\n", progName(makeLevel(env)), err)
		return 2
	}
	// make's debugging output is printed as it is, not as a message: it
	// does not say "Entering directory" (the stream before that wraps).
	debugOut := stdio.Out
	var announce func()
	collectDir := false
	if opts.PrintDirectory {
		prog := dirMessagePrefix(opts) + progName(makeLevel(env))
		if syncsOutput(opts.OutputSync, slots) {
			collectDir = true
		} else {
			// Make prints "Entering directory" once the directory
			// has something to show: a message, a command started, a
			// $(shell) run (a sub-make with nothing to do prints
			// nothing), and "Leaving directory" only after it.
			a := istdio.NewAnnouncer(stdio.Out, fmt.Sprintf("%s: Entering directory '%s'\n", prog, root))
			stdio.Out, stdio.Err = a.Wrap(stdio.Out), a.Wrap(stdio.Err)
			if !opts.Question || explicitW {
				announce = a.Announce
			}
			defer func(out io.Writer) {
				if a.Announced() {
					fmt.Fprintf(out, "%s: Leaving directory '%s'\n", prog, root)
				}
			}(stdio.Out)
		}
	}
	var middlewares, shellMiddlewares []func(interp.ExecHandlerFunc) interp.ExecHandlerFunc
	var b *image.Builder
	var direct shellrun.DirectFunc
	repo, legacy := legacyRepo(opts, root)
	if legacy {
		// A sub-make runs under its parent's lock.
		if makeLevel(env) == 0 && !opts.DryRun && !opts.Question {
			lock, err := lockRepo(ctx, repo, stdio)
			if err != nil {
				fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
				return 2
			}
			defer lock.Release()
		}
		env = append(env, "DOCKER_HOME="+repo.Root)
		sl := symlinker.New(symlinker.Config{Root: repo.Root, AllowOutside: opts.AllowOutsideLinks})
		b = newBuilder(opts, repo, nil, stdio)
		connect := connectOnBuild(b, opts, stdio)
		middlewares = append(middlewares, sl.Middleware(), connect, b.Middleware())
		direct = directRunner(sl)
		shellMiddlewares = append(shellMiddlewares, connect, b.Middleware())
	} else {
		// A plain Makefile's docker build is taken over as well: its
		// lines run in the interpreter (job.claimed) so that the build
		// is dmake's, checked and layered, on the engine or --builder.
		sl := symlinker.New(symlinker.Config{Root: root, AllowOutside: true})
		b = newBuilder(opts, image.Repo{Root: root}, nil, stdio)
		b.Plain = true
		if !opts.NoCheck {
			// The engine is connected on the first build (connectOnBuild).
			b.Check = func(ctx context.Context, req image.Request, plan *image.Plan) error {
				return checkRepoBuild(opts, root, b.Engine, true, stdio)(ctx, req, plan)
			}
		}
		// A script of the directory that a recipe runs and that calls
		// docker runs in the interpreter too, with these handlers.
		middlewares = append(middlewares, sl.Middleware(), scriptTakeover(root, &middlewares), connectOnBuild(b, opts, stdio), b.DockerMiddleware())
		direct = directRunner(sl)
	}
	job := makeJob{
		dir:         root,
		makefiles:   opts.Makefiles,
		goals:       opts.Goals,
		env:         env,
		middlewares: middlewares,
		direct:      direct,
		realShell:   !legacy,

		shellMiddlewares: shellMiddlewares,
	}
	if !legacy {
		job.listCommands = symlinker.Commands()
		job.claimed = []string{"docker", "docker.io"}
	}
	job.slots = &slots
	job.announce = announce
	job.debug, job.debugOut = debug, debugOut
	loadStdio, dump := stdio, func() {}
	if collectDir {
		// Under -O line or target the directory encloses each output
		// written out, what reading the makefiles printed too (make's
		// make_sync), not the whole run.
		job.syncDir = root
		loadStdio, dump = collectOutput(stdio, dirMessagePrefix(opts)+progName(makeLevel(env)), root)
	}
	syncDir := job.syncDir
	job.syncDir = ""
	db, status := load(ctx, opts, job, loadStdio)
	dump()
	job.syncDir = syncDir
	if db != nil && syncDir != "" {
		db.SetStreams(stdio.Out, stdio.Err)
	}
	if db == nil {
		return status
	}
	if run != nil {
		run.root, run.db = root, db
		if b != nil {
			defer func() { run.built = b.Results() }()
		}
	}
	// Under -k a makefile that failed to be remade is reported and the
	// goals are made all the same; the run fails at the end.
	loadStatus := status
	slots.afterLoad(db, progName(makeLevel(job.env)), stdio.Err)
	if b != nil {
		b.Inputs = makefileList(ctx, db, root)
	}
	// The executor has printed every message, a cycle's included; under
	// -p the data base follows.
	status, err = executePrint(ctx, opts, job, db, stdio)
	if err != nil && ctx.Err() != nil {
		return 130
	}
	return max(status, loadStatus)
}

// maxLoad is the load average -l N sets, 0 for none. As make reads it
// (atof), only the number it starts with counts: "2k" is 2, "foo" none.
func maxLoad(s string) float64 {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n < len(s) && s[n] == '.' {
		n++
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
	}
	v, err := strconv.ParseFloat(s[:n], 64)
	if err != nil || v < 0 {
		return 0
	}
	return v
}

// directRunner returns what runs a command the symlinker takes without an
// interpreter (makeJob.direct), for a job whose first middleware is sl's.
func directRunner(sl *symlinker.Symlinker) shellrun.DirectFunc {
	return func(dir string, vars expand.Environ, stdin io.Reader, stdout, stderr io.Writer, args []string) (uint8, bool) {
		return sl.RunIn(symlinker.Env{Dir: dir, Vars: vars, Stdin: stdin, Stdout: stdout, Stderr: stderr}, args)
	}
}

// syncsOutput reports whether -O of type mode collects the output of each
// job or line (line or target) with the job slots of a run: not with one
// slot, where make turns it off.
func syncsOutput(mode string, slots jobSlots) bool {
	return (mode == "line" || mode == "target") && (slots.js != nil || slots.jobs.Slots() != 1)
}

// dirMessagePrefix is what comes before "make: Entering directory" and
// "Leaving directory": under -p they are comments of the data base ("# ").
func dirMessagePrefix(opts Options) string {
	if opts.PrintDatabase {
		return "# "
	}
	return ""
}

// collectOutput returns streams that collect what reading the makefiles
// prints, in an unlinked temporary file (one for both when stdout and
// stderr are one file, so that their order is kept), and the function
// that writes it out between prog's "Entering directory" and "Leaving
// directory" lines for dir, as make does under -O line or target. The
// streams are stdio itself when no file can be made.
func collectOutput(stdio Stdio, prog, dir string) (Stdio, func()) {
	c, err := istdio.Collect(istdio.SameFile(stdio.Out, stdio.Err))
	if err != nil {
		return stdio, func() {}
	}
	out := Stdio{In: stdio.In}
	out.Out, out.Err = c.Streams()
	return out, func() {
		defer c.Close()
		if !c.Pending() {
			return
		}
		fmt.Fprintf(stdio.Out, "%s: Entering directory '%s'\n", prog, dir)
		c.Flush(stdio.Out, stdio.Err)
		fmt.Fprintf(stdio.Out, "%s: Leaving directory '%s'\n", prog, dir)
	}
}

// debugBanner is what make prints first under -d and --debug (its
// version), dmake's: its version and commit.
func debugBanner() string {
	i := buildinfo.Read()
	return fmt.Sprintf("dmake %s\ncommit: %s\n", i.Version, i.CommitText())
}
