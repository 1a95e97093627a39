package makefile_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/internal/maketest"
	"github.com/dmake-dev/dmake/makefile"
)

// TestLimits loads makefiles that recurse without end or grow values
// without bound: each must stop with a makefile error at the line that
// started it (never a Go fatal error), under small limits so that the
// test is quick.
func TestLimits(t *testing.T) {
	tests := []struct {
		name, makefile string
		// want is the error as Error() prints it: at the line being read,
		// or while a variable expands, at that variable's definition
		// (as make reports errors).
		want string
	}{
		{"self-include", "include Makefile\nall: ; @:\n",
			"Makefile:1: include of 'Makefile' nested too deeply (more than 50 levels)"},
		{"eval-recursion", "all: ; @:\nF = $(eval $(value F))\n$(F)\n",
			"Makefile:2: $(eval …) nested too deeply (more than 50 levels)"},
		{"eval-define", "define F\nX := $$(eval $$(F))\nendef\n\n$(eval $(F))\n",
			"Makefile:1: expansion of variable 'F' nested too deeply (more than 50 levels)"},
		{"call-recursion", "f = $(call f,$1x)\nx := $(call f,a)\n",
			"Makefile:1: $(call f) nested too deeply (more than 50 levels)"},
		{"variable-chain", chain(60) + "x := $(A60)\n",
			"Makefile:12: expansion of variable 'A11' nested too deeply (more than 50 levels)"},
		{"file-dev-zero", "\nX := $(file </dev/zero)\n",
			"Makefile:2: open: /dev/zero: File is larger than 64 KiB (the limit on a value's size)"},
		{"include-dev-zero", "all: ; @:\ninclude /dev/zero\n",
			"Makefile:2: /dev/zero: File is larger than 64 KiB (the limit on a value's size)"},
		{"shell-yes", "X := $(shell yes)\n",
			"Makefile:1: the output of $(shell yes) is larger than 64 KiB (the limit on a value's size)"},
		{"shell-assign", "X != yes\n",
			"Makefile:1: the output of $(shell yes) is larger than 64 KiB (the limit on a value's size)"},
		{"nested-if", "\n\nX := " + strings.Repeat("$(if x,", 60) + "y" + strings.Repeat(")", 60) + "\n",
			"Makefile:3: $(if …) nested too deeply (more than 50 levels)"},
		{"exponential", doubling(20) + "x := $(D20)\n",
			"Makefile:2: the expansion is larger than 64 KiB (the limit on a value's size)"},
		{"exponential-recipe", doubling(20) + "all: ; echo $(D20)\n", ""},
		{"subst", "A := $(shell seq 1000)\nB := $(subst 1,$(A),$(A))\n",
			"Makefile:2: the expansion is larger than 64 KiB (the limit on a value's size)"},
		{"addprefix", "A := $(shell seq 1000)\nB := $(addprefix $(A),$(A))\n",
			"Makefile:2: the expansion is larger than 64 KiB (the limit on a value's size)"},
		{"patsubst", "A := $(shell seq 1000)\nB := $(A:%=$(A)%)\n",
			"Makefile:2: the expansion is larger than 64 KiB (the limit on a value's size)"},
		{"foreach", "A := $(shell seq 1000)\nB := $(foreach x,$(A),$(A))\n",
			"Makefile:2: the expansion is larger than 64 KiB (the limit on a value's size)"},
		{"append", "A := $(shell seq 10000)\nB := $(A)\n" + strings.Repeat("B += $(A)\n", 20),
			"Makefile:3: the value of 'B' is larger than 64 KiB (the limit on a value's size)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte(tt.makefile), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			db, err := makefile.Load(ctx, makefile.Config{Dir: dir, Stdout: io.Discard, Stderr: io.Discard,
				Shell: maketest.ShellCapture, Env: []string{"PATH=/usr/bin:/bin"}, MaxValue: 64 << 10, MaxDepth: 50})
			if tt.want == "" {
				// the value grows in the recipe, expanded when it runs
				if err != nil {
					t.Fatal(err)
				}
				r := db.Target("all").Rules[0]
				_, err = db.ExpandRecipe(ctx, db.ScopeFor("all", nil), r.Recipe, &makefile.AutoVars{Target: "all"})
				tt.want = "Makefile:2: the expansion is larger than 64 KiB (the limit on a value's size)"
			}
			var me *makefile.Error
			if !errors.As(err, &me) {
				t.Fatalf("got %v (%T), want a *makefile.Error %q", err, err, tt.want)
			}
			if me.Error() != tt.want {
				t.Errorf("got  %q\nwant %q", me.Error(), tt.want)
			}
		})
	}
}

// chain defines A0 … An, each a reference to the one before.
func chain(n int) string {
	var b strings.Builder
	b.WriteString("A0 = x\n")
	for i := 1; i <= n; i++ {
		b.WriteString("A" + strconv.Itoa(i) + " = $(A" + strconv.Itoa(i-1) + ")\n")
	}
	return b.String()
}

// doubling defines D0 … Dn, each twice the one before: Dn is 2^n bytes.
func doubling(n int) string {
	var b strings.Builder
	b.WriteString("D0 = x\n")
	for i := 1; i <= n; i++ {
		b.WriteString("D" + strconv.Itoa(i) + " = $(D" + strconv.Itoa(i-1) + ")$(D" + strconv.Itoa(i-1) + ")\n")
	}
	return b.String()
}

// TestParseDepth parses references nested past what the parser takes:
// an error, not a stack overflow.
func TestParseDepth(t *testing.T) {
	dir := t.TempDir()
	n := 100001
	text := "all: ; @:\nX := " + strings.Repeat("$(if x,", n) + "y" + strings.Repeat(")", n) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := makefile.Load(context.Background(), makefile.Config{Dir: dir, Stdout: io.Discard, Stderr: io.Discard, MaxDepth: 1 << 30})
	want := "Makefile:2: references nested too deeply (more than 100000 levels)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

// TestLimitsDefault runs the recursions under the default limits: the
// depth limit must be reached before Go's stack is exhausted.
func TestLimitsDefault(t *testing.T) {
	for _, mk := range []string{
		"include Makefile\n",
		"F = $(eval $(value F))\n$(F)\n",
		"define F\nX := $$(eval $$(F))\nendef\n$(eval $(F))\n",
		"f = $(call f,$1x)\nx := $(call f,a)\n",
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte(mk), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := makefile.Load(context.Background(), makefile.Config{Dir: dir, Stdout: io.Discard, Stderr: io.Discard})
		var me *makefile.Error
		if !errors.As(err, &me) || !strings.Contains(me.Msg, "nested too deeply (more than 10000 levels)") {
			t.Errorf("%q: got %v, want the depth error", mk, err)
		}
	}
}

// TestSelfIncludeLikeMake compares a self-including makefile with GNU
// make, which stops when it runs out of file descriptors (under the usual
// limit of 1024): both fail with status 2 and a message at Makefile:1.
func TestSelfIncludeLikeMake(t *testing.T) {
	if _, err := exec.LookPath("/usr/bin/make"); err != nil {
		t.Skip("GNU make is not installed")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte("include Makefile\nall: ; @:\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", "-c", "ulimit -n 1024 && exec /usr/bin/make")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.HasPrefix(stderr.String(), "Makefile:1: *** ") {
		t.Fatalf("GNU make: %v, %q", err, stderr.String())
	}
	var got bytes.Buffer
	status := maketest.ParseOnly(context.Background(), dir, nil, []string{"PATH=/usr/bin:/bin"}, io.Discard, &got)
	if status != 2 || !strings.HasPrefix(got.String(), "Makefile:1: *** ") || strings.Count(got.String(), "\n") != 1 {
		t.Errorf("dmake: status %d, %q; want 2 and one line at Makefile:1 as make's %q", status, got.String(), stderr.String())
	}
}
