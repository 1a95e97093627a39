package executor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dmake-dev/dmake/graph"
	"github.com/dmake-dev/dmake/internal/ar"
	"github.com/dmake-dev/dmake/internal/interrupt"
	"github.com/dmake-dev/dmake/internal/stdio"
	"github.com/dmake-dev/dmake/makefile"
	"github.com/dmake-dev/dmake/shellrun"
)

// job is one recipe run.
type job struct {
	e     *executor
	u     unit
	state *unitState
	cmds  []makefile.Command
	// alsoBefore is what was known of the files of also() when the job
	// started, for deleting them as make does when the recipe fails.
	alsoBefore []fileState
	// recipe-wide settings, read in the scheduler before the job starts
	shell, shellFlags string
	env               []string
	oneShell          bool
	silentTarget      bool
	ignoreTarget      bool
	deleteOnError     bool
	firstLine         int // line of the recipe's first line, 0 if none
	file              string
	lineIndex         []int // per command: index of its recipe line
	stdin             io.Reader

	// outcome
	failed, interrupted, ranRecursive bool
	// question is -q's answer from a recursive line: its sub-make
	// exited 1, something is out of date.
	question bool
	// dontcare: the job remakes an optional makefile (or a prerequisite
	// of one): a failure is not reported (job.c: !dontcare).
	dontcare bool
	goal     string // the goal being updated when the job started
	// current is the index of the command running (or last run).
	current int
	// echoed reports that the first command was printed by echoFirst.
	echoed bool
	// seq is the job's start order.
	seq int

	// output
	out, errw io.Writer // where the job writes (temporary files under -O)
	flush     func()
	// closeOutput, when set, releases the output's files after the last
	// flush.
	closeOutput func()
}

// newJob starts the job that runs a unit's recipe, before the recipe is
// expanded: its output is set up first (collected under -O), since what
// the expansion prints ($(info), $(warning), $(shell)'s errors) is the
// job's output, as make sets a child's output before expanding its
// commands (job.c's new_job). prepare completes it.
func (e *executor) newJob(u unit, s *unitState) *job {
	j := &job{e: e, u: u, state: s, dontcare: e.dontcare, goal: e.goal}
	n := u.n
	j.silentTarget = e.silentTargets[n.Name] || e.db.SilentAll
	j.ignoreTarget = e.ignoreTargets[n.Name] || e.db.IgnoreAll
	j.deleteOnError = e.db.DeleteOnError
	j.oneShell = e.db.OneShell
	if e.running == 0 || e.jobs == 1 {
		j.stdin = e.opts.Stdin
	}
	j.setOutput()
	return j
}

// recipe is how the line c of job j runs: its shell, streams and
// environment, the run's handlers, and for a recursive line the
// jobserver's descriptors.
func (e *executor) recipe(j *job, c makefile.Command) shellrun.Recipe {
	rc := shellrun.Recipe{
		Shell:           j.shell,
		ShellFlags:      j.shellFlags,
		Dir:             e.opts.Dir,
		Env:             j.env,
		Stdin:           j.stdin,
		Stdout:          j.out,
		Stderr:          j.errw,
		ExecMiddlewares: e.opts.ExecMiddlewares,
		ProgramName:     e.prog,
		ProcessGroup:    e.pgroups,
		KillTimeout:     e.opts.KillTimeout,
		RealShell:       e.opts.RealShell,
		ListCommands:    e.opts.ListCommands,
		Claimed:         e.opts.Claimed,
		OpenHandler:     e.opts.OpenHandler,
		Direct:          e.opts.Direct,
		Tables:          e.tables,
	}
	if c.Recursive {
		rc.ExtraFiles = e.opts.RecursiveFiles
	}
	return rc
}

// prepare readies the run of the job's expanded recipe cmds: the shell,
// its flags and the environment (when a command will run), expanded in
// the unit's scope. An error is the makefile evaluation's (a variable
// that references itself…).
func (j *job) prepare(cmds []makefile.Command) error {
	e, s := j.e, j.state
	j.cmds = cmds
	j.shell, j.shellFlags = shellrun.DefaultShell, "-c"
	sc := e.scopeOf(s)
	sh, err := e.ev.Expand(e.ctx, sc, "$(SHELL)")
	if err != nil {
		return err
	}
	if sh = strings.TrimSpace(sh); sh != "" {
		j.shell = sh
	}
	fl, err := e.ev.Expand(e.ctx, sc, "$(.SHELLFLAGS)")
	if err != nil {
		return err
	}
	if fl = strings.TrimSpace(fl); fl != "" {
		j.shellFlags = fl
	}
	if j.spawns() {
		// The environment is only for the commands run: under -n, -t
		// and -q a recipe without recursive lines runs none, and make
		// computes none (its target_environment is called as a child
		// starts).
		env, err := e.ev.Environment(e.ctx, sc, s.auto)
		if err != nil {
			return err
		}
		j.env = env
		if env == nil {
			j.env = e.opts.Env
		}
	}
	r := s.rule.Recipe
	j.file, j.firstLine = r.Pos.File, r.Pos.Line
	for _, c := range cmds {
		idx := 0
		for i, l := range r.Lines {
			if l.Pos == c.Pos {
				idx = i
				break
			}
		}
		j.lineIndex = append(j.lineIndex, idx)
	}
	return nil
}

// discard ends a job that will not run: what it collected is written
// out and its output released.
func (j *job) discard() {
	j.flush()
	if j.closeOutput != nil {
		j.closeOutput()
	}
}

// spawns reports whether the job runs any command (under -n, -t and -q
// only recursive lines do).
func (j *job) spawns() bool {
	o := j.e.opts
	if !o.DryRun && !o.Touch && !o.Question {
		return true
	}
	for _, c := range j.cmds {
		if c.Recursive {
			return true
		}
	}
	return false
}

// hasCommand reports whether some line of the recipe has a command: a
// line that expands to nothing (or to a lone +, - or @) starts nothing,
// and make does not count it among the commands started.
func (j *job) hasCommand() bool {
	for _, c := range j.cmds {
		if !emptyCommand(c.Text) {
			return true
		}
	}
	return false
}

// emptyCommand reports whether a recipe line, expanded, is no command:
// blanks and backslash-newlines only.
func emptyCommand(text string) bool {
	return strings.TrimSpace(strings.ReplaceAll(text, "\\\n", "")) == ""
}

// allRecursive reports whether every line of the recipe is recursive (+
// or $(MAKE)): under -n they all run, and make looks at the target's file
// again afterwards instead of taking it as made.
func (j *job) allRecursive() bool {
	for _, c := range j.cmds {
		if !c.Recursive {
			return false
		}
	}
	return len(j.cmds) > 0
}

// also returns the other targets made by this job's rule.
func (j *job) also() []*graph.Node {
	if j.state.rule == nil {
		return nil
	}
	return j.state.rule.Also
}

// alsoMade returns the other targets this job makes with its target: none
// when -t touches the target instead of running the recipe (make then
// touches each target of the rule on its own).
func (j *job) alsoMade() []*graph.Node {
	if j.e.opts.Touch && !j.spawns() {
		return nil
	}
	return j.also()
}

// lockedWriter serialises writes of concurrent jobs to one stream.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// setOutput decides where the job's output goes under the -O mode.
func (j *job) setOutput() {
	e := j.e
	j.out, j.errw = j.directOutput()
	j.flush = func() {}
	if !j.syncing() {
		return
	}
	if j.tempOutput() {
		return
	}
	var ob, eb bytes.Buffer
	j.out, j.errw = &ob, &eb
	if e.combinedOutput() {
		j.errw = &ob
	}
	j.flush = func() {
		if ob.Len() == 0 && eb.Len() == 0 {
			return
		}
		e.outMu.Lock()
		defer e.outMu.Unlock()
		defer e.enterSync()()
		if ob.Len() > 0 {
			e.stdout.Write(ob.Bytes())
			ob.Reset()
		}
		if eb.Len() > 0 {
			e.stderr.Write(eb.Bytes())
			eb.Reset()
		}
	}
}

// syncing reports whether -O collects the job's output (not under
// --output-sync=none, nor without parallel jobs).
func (j *job) syncing() bool {
	mode := j.e.opts.OutputSync
	return mode != "" && mode != "none" && j.e.jobs != 1
}

// directOutput returns the writers of output that is not collected: the
// streams themselves.
func (j *job) directOutput() (io.Writer, io.Writer) {
	e := j.e
	_, outFile := stdio.File(e.stdout)
	_, errFile := stdio.File(e.stderr)
	if e.jobs == 1 || outFile && errFile {
		// Files are inherited by the commands, as make's children
		// inherit its streams: a sub-make's output and messages stay
		// in the order it writes them (a write to a file is one system
		// call, so jobs need no lock).
		return e.stdout, e.stderr
	}
	return lockedWriter{&e.outMu, e.stdout}, lockedWriter{&e.outMu, e.stderr}
}

// tempOutput collects the job's output in unlinked temporary files, as
// make does under -O: the commands write to a file of their own (no pipe
// that a background job they leave could hold, and break when dmake
// exits); one file for both when dmake's standard output and error are
// one file, so that the order of their lines is kept. It reports false
// when the files cannot be made.
func (j *job) tempOutput() bool {
	e := j.e
	c, err := stdio.Collect(e.combinedOutput())
	if err != nil {
		return false
	}
	j.out, j.errw = c.Streams()
	j.flush = func() {
		if !c.Pending() {
			return
		}
		e.outMu.Lock()
		defer e.outMu.Unlock()
		defer e.enterSync()()
		c.Flush(e.stdout, e.stderr)
	}
	j.closeOutput = c.Close
	return true
}

// errorf prints a make message through the job's output.
func (j *job) errorf(format string, args ...any) {
	fmt.Fprintf(j.errw, "%s: "+format+"\n", append([]any{j.e.prog}, args...)...)
}

// where is make's "Makefile:3" for command i ("<builtin>" without a file).
func (j *job) where(i int) string {
	if j.file == "" {
		return "<builtin>"
	}
	return j.file + ":" + strconv.Itoa(j.firstLine+j.lineIndex[i])
}

// run runs the job's commands in order, stopping at the first failure.
func (j *job) run(ctx context.Context) {
	e := j.e
	defer func() {
		j.flush()
		if j.closeOutput != nil {
			j.closeOutput()
		}
	}()
	lineSync := e.opts.OutputSync == "line" && e.jobs != 1
	if e.opts.Touch {
		j.runTouch(ctx)
		return
	}
	cmds := j.cmds
	if j.oneShell && len(cmds) > 0 {
		one := cmds[0]
		one.Text = j.oneShellText()
		for _, c := range cmds[1:] {
			one.Recursive = one.Recursive || c.Recursive
		}
		cmds = []makefile.Command{one}
	}
	for i, c := range cmds {
		if ctx.Err() != nil {
			j.interrupted = true
			return
		}
		j.current = i
		if emptyCommand(c.Text) {
			// Only a + was on the line: nothing to echo or run.
			continue
		}
		restore := j.unsynced(c)
		if !(i == 0 && j.echoed) {
			j.echo(c)
		}
		if e.opts.DryRun && !c.Recursive {
			continue
		}
		if c.Recursive {
			j.ranRecursive = true
		}
		rc := e.recipe(j, c)
		rc.OneShell = j.oneShell
		if e.opts.Announce != nil && c.Text != ":" {
			e.opts.Announce()
		}
		res, err := rc.Run(shellrun.WithRecipeLine(ctx, j.where(i), j.u.n.Name), c.Text)
		if lineSync {
			j.flush()
		}
		if ctx.Err() != nil {
			restore()
			j.interrupted = true
			return
		}
		if err != nil {
			j.errorf("%v", err)
			res.Status = 2
		}
		if res.Status == 0 && res.Signal == 0 {
			restore()
			continue
		}
		ignored := c.IgnoreError || e.opts.IgnoreErrors || j.ignoreTarget
		if e.opts.Question && c.Recursive && res.Status == 1 && res.Signal == 0 && !ignored {
			// The sub-make answered -q: not up to date, no error
			// (an ignored answer is an ignored error, as any).
			restore()
			j.question = true
			return
		}
		j.childError(i, res, ignored) // not collected either
		restore()
		if ignored {
			continue
		}
		j.failed = true
		if j.deleteOnError {
			e.deleteTarget(j, false)
		}
		return
	}
}

// unsynced makes the output of recursive command c go to the streams
// themselves while -O collects the job's (not under -Orecurse: the
// sub-make collects its own), as make does, after writing out what was
// collected so far. It returns the function that collects again.
func (j *job) unsynced(c makefile.Command) func() {
	if !c.Recursive || !j.syncing() || j.e.opts.OutputSync == "recurse" {
		return func() {}
	}
	j.flush()
	out, errw := j.out, j.errw
	j.out, j.errw = j.directOutput()
	return func() { j.out, j.errw = out, errw }
}

// echo prints a command before it runs, as make does unless it is silent.
func (j *job) echo(c makefile.Command) {
	e := j.e
	silent := c.Silent || e.opts.Silent || j.silentTarget
	if e.opts.DryRun || e.opts.Trace || !silent {
		fmt.Fprintln(j.out, c.Text)
	}
}

// trace prints --trace's line before the recipe runs: where the recipe
// is and why it runs: its newer prerequisites ($?), or, with none, that
// the target does not exist (make's words for a phony target or one
// remade under -B too). -t touches without one.
func (j *job) trace() {
	e := j.e
	s := j.state
	if e.opts.Touch || len(j.cmds) == 0 || s.rule == nil || s.rule.Recipe == nil {
		return
	}
	where := e.prog
	if p := s.rule.Recipe.Pos; p.File != "" {
		where = p.File + ":" + strconv.Itoa(p.Line)
	}
	n := j.u.n
	if len(s.newer) == 0 {
		fmt.Fprintf(j.out, "%s: target '%s' does not exist\n", where, n.Name)
		return
	}
	fmt.Fprintf(j.out, "%s: update target '%s' due to: %s\n", where, n.Name, strings.Join(s.newer, " "))
}

// oneShellText is a .ONESHELL recipe as one script: its lines joined by
// newlines, each without its prefix characters for a Bourne shell; a
// shell that is not one gets the later lines as written, since @ - + may
// be part of its script (make's construct_command_argv_internal).
func (j *job) oneShellText() string {
	bourne := shellrun.BourneCompatible(j.shell)
	texts := make([]string, len(j.cmds))
	for i, c := range j.cmds {
		texts[i] = c.Text
		if i > 0 && !bourne {
			texts[i] = c.Raw
		}
	}
	return strings.Join(texts, "\n")
}

// echoFirst prints the first command now, in the scheduler, so that jobs
// started one after the other print their first lines in that order.
func (j *job) echoFirst() {
	if len(j.cmds) == 0 || j.e.opts.Touch {
		return
	}
	c := j.cmds[0]
	if emptyCommand(c.Text) && !j.oneShell {
		return
	}
	if j.oneShell {
		c.Text = j.oneShellText()
		for _, o := range j.cmds[1:] {
			c.Recursive = c.Recursive || o.Recursive
		}
	}
	// A recursive line whose output -O does not collect (unsynced) is
	// echoed straight to the streams, as make's message does for a
	// child without syncout: collected, it would come out when the job's
	// goroutine starts the line, in whatever order the jobs' goroutines
	// run (features/output-sync's -Oline case).
	restore := j.unsynced(c)
	j.echo(c)
	restore()
	j.echoed = true
}

// childError prints make's message for a failed command.
func (j *job) childError(i int, res shellrun.Result, ignored bool) {
	if ignored && j.e.opts.Silent || !ignored && j.dontcare {
		return
	}
	if n := j.e.notices[j.goal]; n != "" && !ignored {
		fmt.Fprintln(j.errw, n)
		delete(j.e.notices, j.goal)
	}
	pre, post := "*** ", ""
	if ignored {
		pre, post = "", " (ignored)"
	}
	if res.Signal != 0 {
		j.errorf("%s[%s: %s] %s%s", pre, j.where(i), j.u.n.Name, interrupt.Text(res.Signal), post)
		return
	}
	j.errorf("%s[%s: %s] Error %d%s", pre, j.where(i), j.u.n.Name, res.Status, post)
}

// runTouch is -t: recursive lines run, otherwise the target is touched
// ("touch NAME").
func (j *job) runTouch(ctx context.Context) {
	e := j.e
	n := j.u.n
	recursive := false
	for _, c := range j.cmds {
		if c.Recursive && !emptyCommand(c.Text) {
			recursive = true
		}
	}
	if recursive {
		// make runs the recursive lines and prints the others.
		for i, c := range j.cmds {
			if !c.Recursive || emptyCommand(c.Text) {
				continue
			}
			fmt.Fprintln(j.out, c.Text)
			rc := e.recipe(j, c)
			res, err := rc.Run(ctx, c.Text)
			if err != nil && ctx.Err() != nil {
				j.interrupted = true
				return
			}
			if res.Status != 0 || res.Signal != 0 {
				j.childError(i, res, c.IgnoreError || e.opts.IgnoreErrors)
				if !(c.IgnoreError || e.opts.IgnoreErrors) {
					j.failed = true
					return
				}
			}
		}
		j.ranRecursive = true
		return
	}
	if n.Phony {
		return
	}
	if !e.opts.Silent {
		fmt.Fprintf(j.out, "touch %s\n", n.Name)
	}
	if e.opts.DryRun {
		// -n wins over -t: the touch is only printed.
		return
	}
	p := n.Name
	lib, mem, member := ar.ParseName(p)
	if member {
		p = lib
	}
	if e.opts.Dir != "" && !filepath.IsAbs(p) {
		p = filepath.Join(e.opts.Dir, p)
	}
	if member {
		// A member is touched in its archive (make's ar_touch).
		if err := ar.Touch(p, mem); err != nil {
			switch {
			case errors.Is(err, fs.ErrNotExist):
				j.errorf("touch: Archive '%s' does not exist", lib)
			case errors.Is(err, ar.ErrFormat):
				j.errorf("touch: '%s' is not a valid archive", lib)
			case errors.Is(err, ar.ErrNoMember):
				j.errorf("touch: Member '%s' does not exist in '%s'", mem, lib)
			default:
				j.errorf("touch: %v", err)
			}
			j.failed = true
		}
		return
	}
	now := time.Now()
	if err := os.Chtimes(p, now, now); err != nil {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE, 0o666)
		if err != nil {
			j.errorf("*** touch: %v", err)
			j.failed = true
			return
		}
		f.Close()
	}
}
