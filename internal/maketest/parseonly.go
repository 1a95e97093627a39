package maketest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dmake-dev/dmake/internal/makeargs"
	"github.com/dmake-dev/dmake/makefile"
	"github.com/dmake-dev/dmake/shellrun"
)

// Invocation is a make command line taken apart.
type Invocation struct {
	Config makefile.Config
	Dir    string
	Err    string
	// OutputSync is -O's mode ("" when not given); the executor's.
	OutputSync string
	// Chdirs are the -C arguments in order (Dir already has them applied).
	Chdirs []string
}

// ParseArgs parses a make command line as dmake's command line does (the
// grammar of internal/makeargs): make's short and long flags, VAR=value
// words and goals. Options the cases never need (--help, --version) are
// errors.
func ParseArgs(dir string, args []string) Invocation {
	inv := Invocation{Dir: dir}
	cfg := &inv.Config
	flags, util, _, err := makeargs.Normalize(args)
	if err == nil && util != "" {
		err = fmt.Errorf("--util %s in a make command", util)
	}
	if err != nil {
		inv.Err = err.Error()
		return inv
	}
	words := false // after "--"
	for i := 0; i < len(flags); i++ {
		a := flags[i]
		if a == "--" && !words {
			words = true
			continue
		}
		if !words && strings.HasPrefix(a, "--") {
			name, val, hasVal := strings.Cut(a[2:], "=")
			value := func() string {
				if !hasVal && i+1 < len(flags) {
					i++
					return flags[i]
				}
				return val
			}
			switch name {
			case "always-make":
				cfg.Flags.AlwaysMake = true
			case "dry-run":
				cfg.Flags.DryRun = true
			case "environment-overrides":
				cfg.Flags.EnvOverrides = true
			case "ignore-errors":
				cfg.Flags.IgnoreErrors = true
			case "keep-going":
				cfg.Flags.KeepGoing = true
			case "no-keep-going":
				cfg.Flags.KeepGoing = false
			case "no-builtin-rules":
				cfg.Flags.NoBuiltinRules = true
			case "no-builtin-variables":
				cfg.Flags.NoBuiltinVars = true
			case "no-print-directory":
				cfg.Flags.NoPrintDir = true
			case "print-data-base":
				cfg.Flags.PrintDatabase = true
			case "print-directory":
				cfg.Flags.PrintDirectory = true
			case "question":
				cfg.Flags.Question = true
			case "silent":
				cfg.Flags.Silent = true
			case "touch":
				cfg.Flags.Touch = true
			case "file":
				cfg.Makefiles = append(cfg.Makefiles, value())
			case "directory":
				d := value()
				inv.Chdirs = append(inv.Chdirs, d)
				inv.Dir = filepath.Join(inv.Dir, d)
			case "include-dir":
				cfg.IncludeDirs = append(cfg.IncludeDirs, value())
			case "what-if":
				cfg.Flags.WhatIf = append(cfg.Flags.WhatIf, value())
			case "old-file":
				cfg.Flags.OldFiles = append(cfg.Flags.OldFiles, value())
			case "output-sync":
				inv.OutputSync = "target"
				if hasVal {
					inv.OutputSync = val
				}
			case "eval":
				cfg.Flags.Eval = append(cfg.Flags.Eval, value())
			case "trace":
				cfg.Flags.Trace = true
			case "warn-undefined-variables":
				cfg.Flags.WarnUndefined = true
			case "check-symlink-times":
				cfg.Flags.CheckSymlinks = true
			case "debug-all":
				cfg.Flags.Debug = true
			case "debug":
				cfg.Flags.DebugFlags = "b"
				if hasVal {
					cfg.Flags.DebugFlags = val
				}
			case "load-average":
				cfg.Flags.LoadAverage = val
			case "jobs":
				cfg.Flags.Jobs = makefile.UnlimitedJobs
				if hasVal {
					n, err := strconv.Atoi(val)
					if err != nil || n < 1 {
						inv.Err = "the '-j' option requires a positive integer argument"
					}
					cfg.Flags.Jobs = makefile.Jobs(n)
				}
			default:
				inv.Err = "unknown option " + a
			}
			continue
		}
		if strings.Contains(a, "=") && !strings.HasPrefix(a, "=") {
			cfg.CommandLineVars = append(cfg.CommandLineVars, a)
			continue
		}
		cfg.Goals = append(cfg.Goals, makefile.TrimDotSlash(a))
	}
	cfg.Dir = inv.Dir
	return inv
}

// ShellCapture is the $(shell) runner dmake uses: shellrun's real runner.
var ShellCapture = makefile.ShellFunc(func(ctx context.Context, c makefile.ShellCall) ([]byte, int, error) {
	return shellrun.RunCapture(ctx, shellrun.Capture{
		Command: c.Command, Shell: c.Shell, ShellFlags: c.ShellFlags,
		Dir: c.Dir, Env: c.Env, Stderr: c.Stderr, Program: c.Program,
		MaxOutput: c.MaxOutput,
	})
})

// ParseOnly is the dmake Runner made of the makefile package alone: it
// reads the makefiles, prints parse-time output and errors as make does,
// prints the data base for -p, and then runs a minimal goal phase (explicit
// rules only, no implicit rule search, no timestamps beyond existence) so
// that cases with echo recipes can be compared before the executor exists.
func ParseOnly(ctx context.Context, dir string, args, env []string, stdout, stderr io.Writer) int {
	const prog = "dmake"
	inv := ParseArgs(dir, args)
	if inv.Err != "" {
		fmt.Fprintf(stderr, "%s: %s\n", prog, inv.Err)
		return 2
	}
	cfg := inv.Config
	cfg.Env = env
	cfg.ProgramName = prog
	cfg.MakePath = "/usr/bin/" + prog
	cfg.Stdout = stdout
	cfg.Stderr = stderr
	cfg.Shell = ShellCapture
	db, err := makefile.Load(ctx, cfg)
	if err != nil {
		switch e := err.(type) {
		case *makefile.MissingIncludeError:
			fmt.Fprintln(stderr, e.Notice)
			fmt.Fprintln(stderr, e.Err.Format(prog))
		case *makefile.Error:
			fmt.Fprintln(stderr, e.Format(prog))
		default:
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		}
		return 2
	}
	if cfg.Flags.PrintDatabase {
		db.PrintDatabase(stdout)
	}
	goals := cfg.Goals
	if len(goals) == 0 {
		g := db.DefaultGoal()
		if g == "" {
			fmt.Fprintf(stderr, "%s: *** No targets.  Stop.\n", prog)
			return 2
		}
		goals = []string{g}
	}
	cfg.Flags = db.Flags
	b := &miniBuilder{ctx: ctx, db: db, cfg: &cfg, stdout: stdout, stderr: stderr, prog: prog, state: map[string]int{}}
	status := 0
	for _, g := range goals {
		ran, err := b.build(g, "", nil)
		if err != nil {
			fmt.Fprintln(stderr, err.Error())
			return 2
		}
		if !ran && b.state[g] == stateNoRecipe {
			fmt.Fprintf(stdout, "%s: Nothing to be done for '%s'.\n", prog, g)
		} else if !ran && b.state[g] == stateUpToDate {
			fmt.Fprintf(stdout, "%s: '%s' is up to date.\n", prog, g)
		}
	}
	return status
}

const (
	stateNone = iota
	stateNoRecipe
	stateUpToDate
	stateRan
)

type miniBuilder struct {
	ctx    context.Context
	db     *makefile.Database
	cfg    *makefile.Config
	stdout io.Writer
	stderr io.Writer
	prog   string
	state  map[string]int
}

type stopError string

func (e stopError) Error() string { return string(e) }

func (b *miniBuilder) exists(name string) bool {
	p := name
	if !filepath.IsAbs(p) {
		p = filepath.Join(b.cfg.Dir, p)
	}
	_, err := os.Stat(p)
	return err == nil
}

// build makes name; it reports whether any command ran for it or below.
func (b *miniBuilder) build(name, parent string, psc *makefile.Scope) (bool, error) {
	if st, ok := b.state[name]; ok {
		return st == stateRan, nil
	}
	b.state[name] = stateNone
	t := b.db.Target(name)
	if t == nil || len(t.Rules) == 0 {
		if d := b.db.Target(".DEFAULT"); d != nil && len(d.Rules) > 0 && d.Rules[0].Recipe != nil && !b.exists(name) {
			t = &makefile.Target{Name: name, Rules: []*makefile.Rule{{Recipe: d.Rules[0].Recipe}}}
		}
	}
	if t == nil || len(t.Rules) == 0 {
		if b.exists(name) || b.db.IsPhony(name) {
			b.state[name] = stateNoRecipe
			return false, nil
		}
		if parent != "" {
			return false, stopError(fmt.Sprintf("%s: *** No rule to make target '%s', needed by '%s'.  Stop.", b.prog, name, parent))
		}
		return false, stopError(fmt.Sprintf("%s: *** No rule to make target '%s'.  Stop.", b.prog, name))
	}
	sc := b.db.ScopeFor(name, psc)
	anyRan := false
	hasRecipe := false
	for _, r := range t.Rules {
		prereqs := append([]string(nil), r.Prereqs...)
		oo := append([]string(nil), r.OrderOnly...)
		for _, text := range r.SecondExpansionTexts {
			n, o, err := b.db.SecondExpand(b.ctx, sc, text, &makefile.AutoVars{Target: name, Stem: r.Stem})
			if err != nil {
				return false, b.fail(err)
			}
			prereqs = append(prereqs, n...)
			oo = append(oo, o...)
		}
		prereqRan := false
		for _, p := range append(append([]string(nil), prereqs...), oo...) {
			ran, err := b.build(p, name, sc)
			if err != nil {
				return false, err
			}
			prereqRan = prereqRan || ran
		}
		anyRan = anyRan || prereqRan
		if r.Recipe == nil {
			continue
		}
		hasRecipe = true
		if !(t.Phony || !b.exists(name) || prereqRan || b.cfg.Flags.AlwaysMake) {
			continue
		}
		first := ""
		if len(prereqs) > 0 {
			first = prereqs[0]
		}
		auto := &makefile.AutoVars{Target: name, First: first, All: prereqs, AllDup: prereqs, Newer: prereqs, Stem: r.Stem, OrderOnly: oo}
		cmds, err := b.db.ExpandRecipe(b.ctx, sc, r.Recipe, auto)
		if err != nil {
			return false, b.fail(err)
		}
		shell, _ := b.db.Expand(b.ctx, sc, "$(SHELL)")
		flags, _ := b.db.Expand(b.ctx, sc, "$(.SHELLFLAGS)")
		env, err := b.db.Environment(b.ctx, sc, auto)
		if err != nil {
			return false, b.fail(err)
		}
		silentAll := b.cfg.Flags.Silent || b.db.SilentAll
		if ps, ok := b.db.SpecialPrereqs(".SILENT"); ok {
			for _, p := range ps {
				if p == name {
					silentAll = true
				}
			}
		}
		anyRan = true
		for _, c := range cmds {
			if !c.Silent && !silentAll || b.cfg.Flags.DryRun {
				fmt.Fprintln(b.stdout, c.Text)
			}
			if b.cfg.Flags.DryRun && !c.Recursive {
				continue
			}
			rc := shellrun.Recipe{Shell: shell, ShellFlags: flags, Dir: b.cfg.Dir, Env: env, Stdout: b.stdout, Stderr: b.stderr, ProgramName: b.prog}
			res, err := rc.Run(b.ctx, c.Text)
			if err != nil {
				return false, err
			}
			if res.Status != 0 || res.Signal != 0 {
				what := "Error " + strconv.Itoa(res.Status)
				if res.Signal != 0 {
					what = res.Signal.String()
				}
				loc := c.Pos.File + ":" + strconv.Itoa(c.Pos.Line) + ": "
				if c.Pos.File == "" {
					loc = ""
				}
				if c.IgnoreError || b.cfg.Flags.IgnoreErrors || b.db.IgnoreAll {
					fmt.Fprintf(b.stderr, "%s: [%s%s] %s (ignored)\n", b.prog, loc, name, what)
					continue
				}
				return false, stopError(fmt.Sprintf("%s: *** [%s%s] %s", b.prog, loc, name, what))
			}
		}
	}
	switch {
	case anyRan:
		b.state[name] = stateRan
	case hasRecipe:
		b.state[name] = stateUpToDate
	default:
		b.state[name] = stateNoRecipe
	}
	return anyRan, nil
}

func (b *miniBuilder) fail(err error) error {
	if e, ok := err.(*makefile.Error); ok {
		return stopError(e.Format(b.prog))
	}
	return err
}
