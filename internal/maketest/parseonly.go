package maketest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

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

// ParseArgs parses the make command line the cases use: short flags
// (combinable), -f/-C/-I/-j with attached or separate values, a few long
// options, VAR=value words and goals.
func ParseArgs(dir string, args []string) Invocation {
	inv := Invocation{Dir: dir}
	cfg := &inv.Config
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "--") {
			switch {
			case a == "--no-print-directory":
				cfg.Flags.NoPrintDir = true
			case a == "--print-directory":
				cfg.Flags.PrintDirectory = true
			case a == "--no-builtin-rules":
				cfg.Flags.NoBuiltinRules = true
			case a == "--no-builtin-variables":
				cfg.Flags.NoBuiltinVars = true
			case a == "--environment-overrides":
				cfg.Flags.EnvOverrides = true
			case a == "--print-data-base":
				cfg.Flags.PrintDatabase = true
			case strings.HasPrefix(a, "--file="), strings.HasPrefix(a, "--makefile="):
				cfg.Makefiles = append(cfg.Makefiles, a[strings.IndexByte(a, '=')+1:])
			case strings.HasPrefix(a, "--directory="):
				inv.Chdirs = append(inv.Chdirs, a[len("--directory="):])
				inv.Dir = filepath.Join(inv.Dir, a[len("--directory="):])
			case a == "--output-sync":
				inv.OutputSync = "target"
			case strings.HasPrefix(a, "--output-sync="):
				inv.OutputSync = a[len("--output-sync="):]
			case strings.HasPrefix(a, "--what-if="):
				cfg.Flags.WhatIf = append(cfg.Flags.WhatIf, a[len("--what-if="):])
			case strings.HasPrefix(a, "--old-file="):
				cfg.Flags.OldFiles = append(cfg.Flags.OldFiles, a[len("--old-file="):])
			case strings.HasPrefix(a, "--include-dir="):
				cfg.IncludeDirs = append(cfg.IncludeDirs, a[len("--include-dir="):])
			default:
				inv.Err = "unknown option " + a
			}
			continue
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			for k := 1; k < len(a); k++ {
				c := a[k]
				val := func() string {
					if k+1 < len(a) {
						v := a[k+1:]
						k = len(a)
						return v
					}
					if i+1 < len(args) {
						i++
						return args[i]
					}
					return ""
				}
				switch c {
				case 's':
					cfg.Flags.Silent = true
				case 'k':
					cfg.Flags.KeepGoing = true
				case 'n':
					cfg.Flags.DryRun = true
				case 'p':
					cfg.Flags.PrintDatabase = true
				case 'r':
					cfg.Flags.NoBuiltinRules = true
				case 'R':
					cfg.Flags.NoBuiltinVars = true
				case 'e':
					cfg.Flags.EnvOverrides = true
				case 'i':
					cfg.Flags.IgnoreErrors = true
				case 'B':
					cfg.Flags.AlwaysMake = true
				case 'q':
					cfg.Flags.Question = true
				case 't':
					cfg.Flags.Touch = true
				case 'w':
					cfg.Flags.PrintDirectory = true
				case 'f':
					cfg.Makefiles = append(cfg.Makefiles, val())
				case 'C':
					d := val()
					inv.Chdirs = append(inv.Chdirs, d)
					inv.Dir = filepath.Join(inv.Dir, d)
				case 'I':
					cfg.IncludeDirs = append(cfg.IncludeDirs, val())
				case 'W':
					cfg.Flags.WhatIf = append(cfg.Flags.WhatIf, val())
				case 'o':
					cfg.Flags.OldFiles = append(cfg.Flags.OldFiles, val())
				case 'O':
					// -O takes its mode only attached (-Otarget), as make.
					inv.OutputSync = "target"
					if k+1 < len(a) {
						inv.OutputSync = a[k+1:]
						k = len(a)
					}
				case 'j':
					v := ""
					if k+1 < len(a) {
						v = a[k+1:]
						k = len(a)
					} else if i+1 < len(args) && isNum(args[i+1]) {
						i++
						v = args[i]
					}
					n, _ := strconv.Atoi(v)
					cfg.Flags.Jobs = makefile.Jobs(n)
					if v == "" {
						cfg.Flags.Jobs = makefile.UnlimitedJobs
					}
				default:
					inv.Err = "unknown option -" + string(c)
				}
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

func isNum(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
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
		env, err := b.db.Environment(b.ctx, sc)
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
