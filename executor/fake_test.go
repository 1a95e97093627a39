package executor

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/makefile"
)

// mk builds a rules database and the Makefile that GNU make reads into the
// same database, so a test can run both and compare. Recipes may use only
// $@ $< $^ $+ $? $* $| and $$ (the fake evaluator below expands those).
type mk struct {
	db   *makefile.Database
	text strings.Builder
	line int
}

func newMK() *mk {
	return &mk{db: &makefile.Database{Targets: map[string]*makefile.Target{}}}
}

func (m *mk) emit(s string) int {
	m.line++
	m.text.WriteString(s + "\n")
	return m.line
}

// rule adds "targets: prereqs | orderOnly" with recipe lines (tab
// prefixed in the Makefile). A target starting with % makes a pattern
// rule; sep "::" a double-colon rule.
func (m *mk) rule(targets, sep, prereqs, orderOnly string, recipe ...string) *mk {
	head := targets + sep
	if prereqs != "" {
		head += " " + prereqs
	}
	if orderOnly != "" {
		head += " | " + orderOnly
	}
	pos := makefile.Pos{File: "Makefile", Line: m.emit(head)}
	var rec *makefile.Recipe
	if len(recipe) > 0 {
		rec = &makefile.Recipe{}
		for _, l := range recipe {
			rec.Lines = append(rec.Lines, makefile.RecipeLine{Text: l, Pos: makefile.Pos{File: "Makefile", Line: m.emit("\t" + l)}})
		}
		rec.Pos = rec.Lines[0].Pos
	}
	if strings.Contains(targets, "%") {
		m.db.PatternRules = append(m.db.PatternRules, &makefile.PatternRule{
			Targets: strings.Fields(targets), Prereqs: strings.Fields(prereqs),
			OrderOnly: strings.Fields(orderOnly), Recipe: rec, Terminal: sep == "::", Pos: pos,
		})
		return m
	}
	for _, t := range strings.Fields(targets) {
		tg := m.db.Targets[t]
		if tg == nil {
			tg = &makefile.Target{Name: t, Pos: pos, DoubleColon: sep == "::"}
			m.db.Targets[t] = tg
			m.db.TargetOrder = append(m.db.TargetOrder, t)
		}
		r := &makefile.Rule{Prereqs: strings.Fields(prereqs), OrderOnly: strings.Fields(orderOnly), Recipe: rec, Pos: pos}
		if tg.DoubleColon || len(tg.Rules) == 0 {
			tg.Rules = append(tg.Rules, r)
			continue
		}
		old := tg.Rules[0]
		old.Prereqs = append(old.Prereqs, r.Prereqs...)
		old.OrderOnly = append(old.OrderOnly, r.OrderOnly...)
		if rec != nil {
			old.Recipe = rec
		}
	}
	return m
}

// special adds a special target (.PHONY, .PRECIOUS…) with prerequisites.
func (m *mk) special(name, prereqs string) *mk {
	m.emit(name + ": " + prereqs)
	switch name {
	case ".DELETE_ON_ERROR":
		m.db.DeleteOnError = true
		return m
	case ".ONESHELL":
		m.db.OneShell = true
		return m
	case ".NOTPARALLEL":
		m.db.NotParallel = true
		return m
	}
	t := m.db.Targets[name]
	if t == nil {
		t = &makefile.Target{Name: name}
		m.db.Targets[name] = t
	}
	t.Rules = append(t.Rules, &makefile.Rule{Prereqs: strings.Fields(prereqs)})
	for _, p := range strings.Fields(prereqs) {
		pt := m.db.Targets[p]
		if pt == nil {
			continue
		}
		switch name {
		case ".PHONY":
			pt.Phony = true
		case ".PRECIOUS":
			pt.Precious = true
		case ".SECONDARY":
			pt.Secondary = true
		case ".INTERMEDIATE":
			pt.Intermediate = true
		}
	}
	return m
}

// fakeEval expands recipes with automatic variables only.
type fakeEval struct{ db *makefile.Database }

func (f fakeEval) DefaultGoal() string {
	for _, t := range f.db.TargetOrder {
		if !strings.HasPrefix(t, ".") {
			return t
		}
	}
	return ""
}

func (f fakeEval) ScopeFor(name string, parent *makefile.Scope) *makefile.Scope { return nil }

func (f fakeEval) Expand(ctx context.Context, sc *makefile.Scope, text string) (string, error) {
	return "", nil
}

func (f fakeEval) Environment(ctx context.Context, sc *makefile.Scope, auto *makefile.AutoVars) ([]string, error) {
	return os.Environ(), nil
}

func (f fakeEval) ExpandRecipeTo(ctx context.Context, sc *makefile.Scope, r *makefile.Recipe, a *makefile.AutoVars, stdout, stderr io.Writer) ([]makefile.Command, error) {
	var out []makefile.Command
	for _, l := range r.Lines {
		repl := strings.NewReplacer("$$", "$", "$@", a.Target, "$<", a.First, "$^", strings.Join(a.All, " "),
			"$+", strings.Join(a.AllDup, " "), "$?", strings.Join(a.Newer, " "), "$*", a.Stem, "$|", strings.Join(a.OrderOnly, " "))
		text := repl.Replace(l.Text)
		c := makefile.Command{Pos: l.Pos}
		for len(text) > 0 && strings.ContainsRune("@-+ \t", rune(text[0])) {
			switch text[0] {
			case '@':
				c.Silent = true
			case '-':
				c.IgnoreError = true
			case '+':
				c.Recursive = true
			}
			text = text[1:]
		}
		c.Text = text
		out = append(out, c)
	}
	return out, nil
}

// outcome is what a make run leaves: its output and status, and the tree.
type outcome struct {
	Stdout, Stderr string
	Status         int
	Tree           string
}

// treeOf lists the files of dir (names, link targets, modes, contents).
func treeOf(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "Makefile" {
			return nil
		}
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			fmt.Fprintf(&b, "%s -> %s\n", rel, l)
		case fi.IsDir():
			fmt.Fprintf(&b, "%s/ %v\n", rel, fi.Mode().Perm())
		default:
			c, _ := os.ReadFile(p)
			fmt.Fprintf(&b, "%s %v %q\n", rel, fi.Mode().Perm(), c)
		}
		return nil
	})
	return b.String()
}

// gnuMake runs GNU make on the Makefile text in dir.
func gnuMake(t *testing.T, dir, text string, args ...string) outcome {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("GNU make not installed")
	}
	if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("make", append([]string{"-r", "-R"}, args...)...)
	cmd.Dir = dir
	var so, se strings.Builder
	cmd.Stdout, cmd.Stderr = &so, &se
	cmd.Env = append(os.Environ(), "MAKEFLAGS=", "MAKELEVEL=")
	err := cmd.Run()
	o := outcome{Stdout: so.String(), Stderr: se.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		o.Status = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	o.Tree = treeOf(t, dir)
	return o
}

// dmakeRun runs the executor on m's database in dir.
func dmakeRun(t *testing.T, dir string, m *mk, opts Options) outcome {
	t.Helper()
	var so, se strings.Builder
	opts.Dir = dir
	opts.Stdout, opts.Stderr = &so, &se
	if opts.ProgramName == "" {
		opts.ProgramName = "make"
	}
	e := newExecutor(context.Background(), m.db, nil, opts)
	e.ev = fakeEval{m.db}
	e.g = NewGraph(context.Background(), m.db, opts)
	st, _ := e.run()
	return outcome{Stdout: so.String(), Stderr: se.String(), Status: st, Tree: treeOf(t, dir)}
}
