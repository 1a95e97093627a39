package executor

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// execCase is one differential case: the same database run by GNU make
// and by the executor, in fresh directories, must print the same, exit the
// same and leave the same tree.
type execCase struct {
	name  string
	mk    func() *mk
	files map[string]string // created before the run, oldest first by name order
	newer []string          // files made newer than all others
	args  []string          // GNU make's arguments
	opts  Options           // the executor's
	runs  int               // run this many times in the same directory (default 1)
}

func setupDir(t *testing.T, c execCase) string {
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour)
	for name, content := range c.files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, old, old)
	}
	for _, name := range c.newer {
		p := filepath.Join(dir, name)
		now := time.Now()
		os.Chtimes(p, now, now)
	}
	return dir
}

func TestExecDifferential(t *testing.T) {
	for _, c := range execCases {
		t.Run(c.name, func(t *testing.T) {
			runs := c.runs
			if runs == 0 {
				runs = 1
			}
			m := c.mk()
			text := m.text.String()
			gdir, ddir := setupDir(t, c), setupDir(t, c)
			for i := 0; i < runs; i++ {
				want := gnuMake(t, gdir, text, c.args...)
				got := dmakeRun(t, ddir, c.mk(), c.opts)
				if got != want {
					t.Errorf("run %d differs\nmakefile:\n%s\n--- make:\n%s\n--- dmake:\n%s", i+1, text, show(want), show(got))
				} else {
					t.Logf("run %d:\n%s", i+1, show(got))
				}
				// Let mtimes advance between runs as they would.
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

func show(o outcome) string {
	return "stdout:\n" + o.Stdout + "stderr:\n" + o.Stderr + "status: " + itoa(o.Status) + "\ntree:\n" + o.Tree
}

func itoa(i int) string {
	return string(rune('0'+i/100%10)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))
}

var execCases = []execCase{
	{
		name: "chain",
		mk: func() *mk {
			return newMK().rule("all", ":", "b", "", "cat b > $@").rule("b", ":", "c", "", "cp $< $@", "@echo made $@")
		},
		files: map[string]string{"c": "c\n"},
		runs:  2,
	},
	{
		name: "failure",
		mk: func() *mk {
			return newMK().rule("all", ":", "a b", "", "@echo all").rule("a", ":", "", "", "@echo a; false").rule("b", ":", "", "", "@echo b")
		},
	},
	{
		name: "keep-going",
		mk: func() *mk {
			return newMK().rule("all", ":", "a b c", "", "@echo all").rule("a", ":", "", "", "@echo a; false").rule("b", ":", "", "", "@echo b").rule("c", ":", "x", "", "@echo c")
		},
		args: []string{"-k"}, opts: Options{KeepGoing: true},
	},
	{
		name: "dry-run",
		mk: func() *mk {
			return newMK().rule("all", ":", "b", "", "@cat b > $@", "-false").rule("b", ":", "", "", "echo b > $@")
		},
		args: []string{"-n"}, opts: Options{DryRun: true},
	},
	{
		name: "ignore",
		mk: func() *mk {
			return newMK().rule("all", ":", "", "", "-false", "nosuchcommand-x", "echo after")
		},
		args: []string{"-i"}, opts: Options{IgnoreErrors: true},
	},
	{
		name: "no-rule",
		mk: func() *mk {
			return newMK().rule("all", ":", "missing", "", "echo all")
		},
	},
	{
		name: "up-to-date",
		mk: func() *mk {
			return newMK().rule("out", ":", "in", "", "cp in out").rule("nothing", ":", "", "")
		},
		files: map[string]string{"in": "x", "out": "x"}, newer: []string{"out"},
	},
	{
		name: "phony-order-only",
		mk: func() *mk {
			return newMK().rule("all", ":", "clean", "dir", "@echo all $| $^").rule("clean", ":", "", "", "@echo clean").rule("dir", ":", "", "", "mkdir -p dir").special(".PHONY", "all clean")
		},
		runs: 2,
	},
	{
		name: "double-colon",
		mk: func() *mk {
			return newMK().rule("all", "::", "", "", "@echo one").rule("all", "::", "a", "", "@echo two $^").rule("a", ":", "", "", "@touch a")
		},
		runs: 2,
	},
	{
		name: "pattern-chain",
		mk: func() *mk {
			return newMK().rule("all", ":", "foo.o", "").rule("%.o", ":", "%.c", "", "cp $< $@").rule("%.c", ":", "%.y", "", "cp $< $@")
		},
		files: map[string]string{"foo.y": "y"},
		runs:  2,
	},
	{
		name: "cycle",
		mk: func() *mk {
			return newMK().rule("a", ":", "b", "", "@echo a").rule("b", ":", "a", "", "@echo b")
		},
	},
	{
		name: "always-make",
		mk: func() *mk {
			return newMK().rule("out", ":", "in", "", "cp in out")
		},
		files: map[string]string{"in": "x", "out": "x"}, newer: []string{"out"},
		args: []string{"-B"}, opts: Options{AlwaysMake: true},
	},
	{
		name: "delete-on-error",
		mk: func() *mk {
			return newMK().rule("out", ":", "", "", "echo partial > $@; exit 3").special(".DELETE_ON_ERROR", "")
		},
	},
	{
		name: "touch",
		mk: func() *mk {
			return newMK().rule("all", ":", "a", "").rule("a", ":", "b", "", "echo a > $@").special(".PHONY", "all")
		},
		files: map[string]string{"b": "b"},
		args:  []string{"-t"}, opts: Options{Touch: true},
	},
	{
		name: "dash-echo",
		mk: func() *mk {
			return newMK().rule("all", ":", "", "", `echo a\\nb`, `echo "a\nb"`, `echo -e x`, `@echo 'q\tq' > f`)
		},
	},
	{
		name: "question",
		mk: func() *mk {
			return newMK().rule("out", ":", "in", "", "cp in out")
		},
		files: map[string]string{"in": "x"},
		args:  []string{"-q"}, opts: Options{Question: true},
	},
	{
		name: "old-file",
		mk: func() *mk {
			return newMK().rule("all", ":", "gen", "", "@echo all from $^").rule("gen", ":", "src", "", "@echo gen; touch gen")
		},
		files: map[string]string{"src": "x", "gen": "g", "all": ""}, newer: []string{"src"},
		args: []string{"-o", "gen"}, opts: Options{OldFiles: []string{"gen"}},
	},
	{
		name: "what-if",
		mk: func() *mk {
			return newMK().rule("all", ":", "src", "", "@echo all from $?")
		},
		files: map[string]string{"src": "x", "all": ""}, newer: []string{"all"},
		args: []string{"-n", "-W", "src"}, opts: Options{DryRun: true, WhatIf: []string{"src"}},
	},
	{
		name: "oneshell",
		mk: func() *mk {
			return newMK().rule("all", ":", "", "", "@x=1", "echo $$x", "cd /; pwd").special(".ONESHELL", "")
		},
	},
	{
		name: "multi-target-pattern",
		mk: func() *mk {
			return newMK().rule("all", ":", "x.a x.b", "", "@cat $^").rule("%.a %.b", ":", "%.src", "", "echo $* > $*.a; echo $* > $*.b")
		},
		files: map[string]string{"x.src": ""},
	},
	{
		name: "exec-not-found",
		mk: func() *mk {
			return newMK().rule("all", ":", "", "", "-nosuch-cmd-x arg", "nosuch-cmd-y; true", "nosuch-cmd-z")
		},
	},
	{
		name: "silent-flag",
		mk: func() *mk {
			return newMK().rule("all", ":", "", "", "echo hi", "-exit 4")
		},
		args: []string{"-s"}, opts: Options{Silent: true},
	},
}

// TestCycleError: with CycleError a cycle stops the run before any recipe,
// naming the whole cycle, instead of make's warning.
func TestCycleError(t *testing.T) {
	m := newMK().rule("all", ":", "a", "", "@echo all").rule("a", ":", "b", "", "@echo a").
		rule("b", ":", "c", "", "@echo b").rule("c", ":", "a", "", "@echo c")
	got := dmakeRun(t, t.TempDir(), m, Options{CycleError: true, ProgramName: "dmake"})
	want := outcome{Stderr: "dmake: *** dependency cycle: a -> b -> c -> a.  Stop.\n", Status: 2}
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", show(got), show(want))
	}
}
