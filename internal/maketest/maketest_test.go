package maketest

import (
	"reflect"
	"testing"

	"github.com/dmake-dev/dmake/makefile"
)

func TestParseCase(t *testing.T) {
	c, err := ParseCase("x", []byte("args: -s all X=1\nshell: sh\nnonl: Makefile\nenv: A=1 B=2\n-- Makefile --\nall: ; @:\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Args, []string{"-s", "all", "X=1"}) || c.Shell != "sh" || !c.NoNL["Makefile"] || len(c.ExtraEnv) != 2 {
		t.Errorf("ParseCase = %+v", c)
	}
	if got := c.CommandLine(); !reflect.DeepEqual(got, []string{"-s", "all", "X=1"}) {
		t.Errorf("CommandLine = %q (sh cases add no SHELL)", got)
	}
	for _, bad := range []string{"skip-reason: no\n", "shell: zsh\n", "no colon\n"} {
		if _, err := ParseCase("bad", []byte(bad)); err == nil {
			t.Errorf("ParseCase(%q) accepted", bad)
		}
	}
}

func TestParseArgs(t *testing.T) {
	inv := ParseArgs("/d", []string{"-sk", "-f", "a.mk", "-fb.mk", "-j4", "-C", "sub", "--no-print-directory", "V=1", "goal"})
	cfg := inv.Config
	if !cfg.Flags.Silent || !cfg.Flags.KeepGoing || cfg.Flags.Jobs != 4 || !cfg.Flags.NoPrintDir {
		t.Errorf("flags = %+v", cfg.Flags)
	}
	if !reflect.DeepEqual(cfg.Makefiles, []string{"a.mk", "b.mk"}) || inv.Dir != "/d/sub" ||
		!reflect.DeepEqual(cfg.CommandLineVars, []string{"V=1"}) || !reflect.DeepEqual(cfg.Goals, []string{"goal"}) {
		t.Errorf("ParseArgs = %+v", inv)
	}
	for _, tt := range []struct {
		args []string
		want func(Invocation) bool
	}{
		{[]string{"-j"}, func(i Invocation) bool { return i.Config.Flags.Jobs == makefile.UnlimitedJobs }},
		{[]string{"-j", "3", "all"}, func(i Invocation) bool {
			return i.Config.Flags.Jobs == 3 && reflect.DeepEqual(i.Config.Goals, []string{"all"})
		}},
		{[]string{"--makefile=m.mk", "--just-print"}, func(i Invocation) bool {
			return reflect.DeepEqual(i.Config.Makefiles, []string{"m.mk"}) && i.Config.Flags.DryRun
		}},
		{[]string{"-k", "-S"}, func(i Invocation) bool { return !i.Config.Flags.KeepGoing && i.Err == "" }},
		{[]string{"-Oline"}, func(i Invocation) bool { return i.OutputSync == "line" }},
		{[]string{"-O"}, func(i Invocation) bool { return i.OutputSync == "target" }},
		{[]string{"--", "-x"}, func(i Invocation) bool { return reflect.DeepEqual(i.Config.Goals, []string{"-x"}) }},
		{[]string{"-x"}, func(i Invocation) bool { return i.Err != "" }},
		{[]string{"--no-such-option"}, func(i Invocation) bool { return i.Err != "" }},
	} {
		if inv := ParseArgs("/d", tt.args); !tt.want(inv) {
			t.Errorf("ParseArgs(%q) = %+v", tt.args, inv)
		}
	}
}

const sampleDB = `# GNU Make 4.3

# Variables

# makefile (from 'Makefile', line 1)
A = $(B) x
# command line
V := 1
# default
define M
a
b
endef

# Implicit Rules

%.o: %.c
#  recipe to execute (built-in):
	$(CC) -c $<

# Files

# Not a target:
.SUFFIXES:

# makefile (from 'Makefile', line 3)
all: T := t
all: dep | oo
#  Phony target (prerequisite of .PHONY).
# automatic
# @ := all
#  recipe to execute (from 'Makefile', line 4):
	@echo $@

# finished making data base
`

func TestParseDB(t *testing.T) {
	db := ParseDB(sampleDB)
	want := &DB{
		Vars:       map[string]string{"A": "file recursive $(B) x", "V": "command line simple 1", "M": "default recursive a\nb"},
		Rules:      map[string]string{"all: dep | oo": "\t@echo $@"},
		Impl:       map[string]string{"%.o: %.c": "\t$(CC) -c $<"},
		TargetVars: map[string]string{"all: T": "file := t"},
	}
	if d := want.Diff(db); d != "" {
		t.Errorf("ParseDB differs:\n%s", d)
	}
	other := ParseDB(sampleDB)
	other.Vars["A"] = "file simple x"
	if d := db.Diff(other); d == "" {
		t.Error("Diff found no difference")
	}
}
