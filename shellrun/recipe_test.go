package shellrun

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
)

func TestFastArgv(t *testing.T) {
	tests := []struct {
		line  string
		argv  []string
		fast  bool
		empty bool
	}{
		{line: "echo hello world", argv: []string{"echo", "hello", "world"}, fast: true},
		{line: "  cp  a\tb ", argv: []string{"cp", "a", "b"}, fast: true},
		{line: `echo a\\nb`, argv: []string{"echo", `a\nb`}, fast: true},
		{line: `printf '%s|' 'a b' c\ d '' x`, argv: []string{"printf", "%s|", "a b", "c d", "", "x"}, fast: true},
		{line: "echo a\\\n  b", argv: []string{"echo", "a", "b"}, fast: true},
		{line: "echo 'a\\\nb'", argv: []string{"echo", "a\\\nb"}, fast: true},
		{line: `echo "x"`},   // double quotes go to the shell
		{line: "echo $HOME"}, // expansion
		{line: "a; b"},       // list
		{line: "FOO=1 cmd"},  // leading assignment
		{line: "cmd FOO=1", argv: []string{"cmd", "FOO=1"}, fast: true},
		{line: "cd /tmp"},            // shell builtin
		{line: "test -f x"},          // shell builtin
		{line: "ls ~"},               // tilde
		{line: "echo 'unterminated"}, // let the shell complain
		{line: "  \t", empty: true},
	}
	for _, tt := range tests {
		argv, fast, empty := FastArgv(tt.line)
		if fast != tt.fast || empty != tt.empty || !reflect.DeepEqual(argv, tt.argv) && tt.fast {
			t.Errorf("FastArgv(%q) = %q, %v, %v; want %q, %v, %v", tt.line, argv, fast, empty, tt.argv, tt.fast, tt.empty)
		}
	}
}

func TestDashEcho(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"a", "b"}, "a b\n"},
		{[]string{"-n", "a"}, "a"},
		{[]string{"-e", "a"}, "-e a\n"},
		{[]string{`a\nb`}, "a\nb\n"},
		{[]string{`a\tb\\c`}, "a\tb\\c\n"},
		{[]string{`stop\cnot`, "this"}, "stop"},
		{[]string{`\0101\q`}, "A\\q\n"},
	}
	for _, tt := range tests {
		if got := DashEcho(tt.args); got != tt.want {
			t.Errorf("DashEcho(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}

func run(t *testing.T, rc Recipe, line string) (string, string, Result) {
	t.Helper()
	var out, errb bytes.Buffer
	rc.Stdout, rc.Stderr = &out, &errb
	if rc.Env == nil {
		rc.Env = []string{"PATH=/usr/bin:/bin"}
	}
	if rc.Dir == "" {
		rc.Dir = t.TempDir()
	}
	res, err := rc.Run(context.Background(), line)
	if err != nil {
		t.Fatalf("Run(%q): %v", line, err)
	}
	return out.String(), errb.String(), res
}

func TestRecipeShells(t *testing.T) {
	if _, err := os.Stat("/bin/bash"); err != nil {
		t.Skip("no bash")
	}
	dash := false
	if target, err := os.Readlink("/bin/sh"); err == nil && strings.HasSuffix(target, "dash") {
		dash = true
	}
	tests := []struct {
		name           string
		rc             Recipe
		line           string
		stdout, stderr string
		status         int
		needDash       bool
	}{
		{name: "fast path echo keeps backslashes", line: `echo a\\nb`, stdout: "a\\nb\n"},
		{name: "dash echo interprets", line: `echo "a\nb"`, stdout: "a\nb\n", needDash: true},
		{name: "bash echo does not", rc: Recipe{Shell: "/bin/bash"}, line: `echo "a\nb"`, stdout: "a\\nb\n"},
		{name: "status", line: "exit 3", status: 3},
		{name: "make's not found", rc: Recipe{ProgramName: "dmake"}, line: "no-such-cmd-x", stderr: "dmake: no-such-cmd-x: No such file or directory\n", status: 127},
		{name: "dash's not found", line: "true; no-such-cmd-x", stderr: "/bin/sh: 1: no-such-cmd-x: not found\n", status: 127, needDash: true},
		{name: "bash's not found", rc: Recipe{Shell: "/bin/bash"}, line: "true; no-such-cmd-x", stderr: "/bin/bash: line 1: no-such-cmd-x: command not found\n", status: 127},
		{name: "shellflags -e", rc: Recipe{ShellFlags: "-ec"}, line: "false; echo no", status: 1},
		{name: "shellflags pipefail", rc: Recipe{Shell: "/bin/bash", ShellFlags: "-o pipefail -c"}, line: "false | true", status: 1},
		{name: "non-POSIX shell is executed", rc: Recipe{Shell: "/bin/echo", ShellFlags: "-n"}, line: "x  $y", stdout: "x  $y"},
		{name: "syntax error goes to the real shell", line: "if true; then echo", stderr: "/bin/sh: 1: Syntax error: end of file unexpected (expecting \"fi\")\n", status: 2, needDash: true},
		{name: "oneshell", rc: Recipe{OneShell: true}, line: "x=1\necho $x", stdout: "1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needDash && !dash {
				t.Skip("/bin/sh is not dash")
			}
			out, errs, res := run(t, tt.rc, tt.line)
			if out != tt.stdout || errs != tt.stderr || res.Status != tt.status {
				t.Errorf("got stdout %q stderr %q status %d; want %q %q %d", out, errs, res.Status, tt.stdout, tt.stderr, tt.status)
			}
		})
	}
}

// TestRecipeMiddlewares checks that every external command, in the fast
// path and in pipelines, goes through the caller's middlewares, and that a
// middleware reads the pipeline's data from the handler's stdin (as the
// docker build interceptor does for "tar … | docker build -").
func TestRecipeMiddlewares(t *testing.T) {
	var seen []string
	var stdin string
	mw := func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
		return func(ctx context.Context, args []string) error {
			seen = append(seen, args[0])
			if args[0] == "fake-docker" {
				b, _ := io.ReadAll(interp.HandlerCtx(ctx).Stdin)
				stdin = string(b)
				return nil
			}
			return next(ctx, args)
		}
	}
	rc := Recipe{ExecMiddlewares: []func(interp.ExecHandlerFunc) interp.ExecHandlerFunc{mw}}
	run(t, rc, "true")
	run(t, rc, "printf x")
	run(t, rc, "printf 'ctx data' | fake-docker build -t x -")
	// "printf x" is a fast-path line: make executes /usr/bin/printf, so
	// the middlewares see it ("true" runs in-process: same result, no
	// fork); in the pipeline printf is the shell's builtin.
	if want := []string{"printf", "fake-docker"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("middleware saw %q, want %q", seen, want)
	}
	if stdin != "ctx data" {
		t.Errorf("middleware read %q from stdin, want %q", stdin, "ctx data")
	}
}

// TestShellPID: each line has its own $$, a number, as each line has its
// own shell under make.
func TestShellPID(t *testing.T) {
	a, _, _ := run(t, Recipe{}, `echo "$$"; echo $$`)
	b, _, _ := run(t, Recipe{}, `echo "$$"`)
	lines := strings.Fields(a)
	if len(lines) != 2 || lines[0] != lines[1] {
		t.Fatalf("$$ within a line: %q", a)
	}
	if strings.Trim(lines[0], "0123456789") != "" || lines[0] == "" {
		t.Errorf("$$ = %q, not a number", lines[0])
	}
	if strings.TrimSpace(b) == lines[0] {
		t.Errorf("two lines share $$ %s", lines[0])
	}
}

// TestPipelineStderr: the stages of a pipeline write to one buffer at
// once (the interpreter's message for a missing command, os/exec's copier
// of the next stage): nothing may be lost.
func TestPipelineStderr(t *testing.T) {
	for i := 0; i < 50; i++ {
		_, errs, res := run(t, Recipe{}, "no-such-cmd-x | cat")
		if !strings.Contains(errs, "no-such-cmd-x") || res.Status != 0 {
			t.Fatalf("run %d: stderr %q status %d", i, errs, res.Status)
		}
	}
}

// TestRunCaptureMaxOutput runs commands that write without end: each is
// stopped once it has written more than MaxOutput, whether it is a
// program (yes, through the direct-exec path), a shell loop run by the
// interpreter, or a program under a real shell.
func TestRunCaptureMaxOutput(t *testing.T) {
	for _, c := range []Capture{
		{Command: "yes"},
		{Command: "while :; do echo y; done"},
		{Command: "yes | cat", Shell: "/bin/bash"},
	} {
		c.MaxOutput = 1000
		c.Env = []string{"PATH=/usr/bin:/bin"}
		out, _, err := RunCapture(context.Background(), c)
		if err != nil {
			t.Errorf("%q: %v", c.Command, err)
		}
		if len(out) != 1001 {
			t.Errorf("%q: %d bytes of output, want MaxOutput+1", c.Command, len(out))
		}
	}
}

// A kill naming no process (the legacy "kill -9 $(lsof …)" once make
// expanded its $(…) to nothing) reaches the exec middlewares (where the
// image layer reports it) whatever else the line holds; a kill naming a
// process, or one whose arguments expand at run time, is the real shell's.
func TestRecipeKillNothingMiddleware(t *testing.T) {
	var seen [][]string
	mw := func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
		return func(ctx context.Context, args []string) error {
			if args[0] == "kill" {
				seen = append(seen, args)
				return nil
			}
			return next(ctx, args)
		}
	}
	rc := Recipe{ExecMiddlewares: []func(interp.ExecHandlerFunc) interp.ExecHandlerFunc{mw}}
	for _, tc := range []struct {
		line, out string
		seen      string
	}{
		{"kill -9", "", "[[kill -9]]"}, // fast path: make runs kill itself
		{"kill -9  2>/dev/null || true; echo after", "after\n", "[[kill -9]]"},
		{"cd /tmp && kill -s KILL; echo $?", "0\n", "[[kill -s KILL]]"},
		{`if true; then kill -9 ; fi | cat`, "", "[[kill -9]]"},
		{"kill -0 $$ && echo alive", "alive\n", "[]"},
		{"p=$$; kill -0 $p && echo alive", "alive\n", "[]"},
	} {
		seen = nil
		out, errs, res := run(t, rc, tc.line)
		if out != tc.out || res.Status != 0 || fmt.Sprint(seen) != tc.seen {
			t.Errorf("%q: stdout %q, stderr %q, status %d, middleware saw %v; want %q, 0, %s", tc.line, out, errs, res.Status, seen, tc.out, tc.seen)
		}
	}
}

// TestRealShell: with RealShell a line that needs a shell is the real
// shell's: $0 is SHELL, $$ the pid its children see as their parent, and
// messages are the shell's own. Fast-path lines are still make's.
func TestRealShell(t *testing.T) {
	if _, err := os.Stat("/bin/bash"); err != nil {
		t.Skip("no bash")
	}
	tests := []struct {
		name           string
		rc             Recipe
		line           string
		stdout, stderr string
		status         int
	}{
		{name: "$0", line: "echo $0", stdout: "/bin/sh\n"},
		{name: "$0 of bash", rc: Recipe{Shell: "/bin/bash"}, line: "echo $0", stdout: "/bin/bash\n"},
		{name: "$$ is the parent of the shell's children", rc: Recipe{Shell: "/bin/bash"}, line: `sh -c 'echo $PPID' > ppid; test $$ = "$(cat ppid)" && echo same`, stdout: "same\n"},
		{name: "bash's cd message", rc: Recipe{Shell: "/bin/bash"}, line: "cd nonexistent-x", stderr: "/bin/bash: line 1: cd: nonexistent-x: No such file or directory\n", status: 1},
		{name: "make's not found", rc: Recipe{ProgramName: "dmake"}, line: "no-such-cmd-x", stderr: "dmake: no-such-cmd-x: No such file or directory\n", status: 127},
		{name: "make's message for a missing SHELL", rc: Recipe{Shell: "/no/such/shell", ProgramName: "dmake"}, line: "echo $0", stderr: "dmake: /no/such/shell: No such file or directory\n", status: 127},
		{name: "shellflags", rc: Recipe{Shell: "/bin/bash", ShellFlags: "-o pipefail -c"}, line: "false | true", status: 1},
		{name: "oneshell", rc: Recipe{OneShell: true}, line: "x=1\necho $x", stdout: "1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rc.RealShell = true
			out, errs, res := run(t, tt.rc, tt.line)
			if out != tt.stdout || errs != tt.stderr || res.Status != tt.status {
				t.Errorf("got stdout %q stderr %q status %d; want %q %q %d", out, errs, res.Status, tt.stdout, tt.stderr, tt.status)
			}
		})
	}
}

// TestRealShellBackground: a background job of a line, or of a $(shell …)
// command whose standard error is no file, does not hold up the line,
// and runs on after it: the job waits for a file the test creates only
// once the line has returned, then writes its own.
func TestRealShellBackground(t *testing.T) {
	job := `(while [ ! -f go ]; do sleep 0.01; done; echo done > done) >/dev/null &`
	for _, c := range []struct {
		name string
		run  func(dir string) error
	}{
		{"recipe line", func(dir string) error {
			var out, errb bytes.Buffer
			rc := Recipe{RealShell: true, Dir: dir, Env: []string{"PATH=/usr/bin:/bin"}, Stdout: &out, Stderr: &errb}
			_, err := rc.Run(context.Background(), job)
			return err
		}},
		{"$(shell)", func(dir string) error {
			var errb bytes.Buffer
			_, _, err := RunCapture(context.Background(), Capture{RealShell: true, Command: job, Dir: dir, Env: []string{"PATH=/usr/bin:/bin"}, Stderr: &errb})
			return err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			returned := make(chan error, 1)
			go func() { returned <- c.run(dir) }()
			select {
			case err := <-returned:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(time.Minute):
				os.WriteFile(filepath.Join(dir, "go"), nil, 0o644)
				t.Fatal("the line waited for its background job")
			}
			if err := os.WriteFile(filepath.Join(dir, "go"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
				if b, _ := os.ReadFile(filepath.Join(dir, "done")); string(b) == "done\n" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the background job did not run on after the line")
				}
			}
		})
	}
}

// TestRecipeDirect: Direct gets the command of a line make runs without a
// shell (words, directory, environment, streams) before any interpreter;
// what it does not take, and every other line, goes on as without it.
func TestRecipeDirect(t *testing.T) {
	type call struct {
		args         []string
		dir, path, x string
		uid          bool
	}
	var calls []call
	direct := func(dir string, vars expand.Environ, stdin io.Reader, stdout, stderr io.Writer, args []string) (uint8, bool) {
		if args[0] != "fake-ln" {
			return 0, false
		}
		calls = append(calls, call{args: args, dir: dir, path: vars.Get("PATH").String(), x: vars.Get("X").String(), uid: vars.Get("UID").IsSet()})
		fmt.Fprintln(stdout, "out", args[1])
		fmt.Fprintln(stderr, "err", args[1])
		if args[1] == "fail" {
			return 3, true
		}
		return 0, true
	}
	dir := t.TempDir()
	env := []string{"PATH=/usr/bin:/bin", "X=1", "X=2"}
	tests := []struct {
		line, out, errs string
		status          int
		direct          bool
	}{
		{line: "fake-ln 'a b'", out: "out a b\n", errs: "err a b\n", direct: true},
		{line: "fake-ln fail", out: "out fail\n", errs: "err fail\n", status: 3, direct: true},
		// Not taken: the interpreter runs it as without Direct.
		{line: "printf x", out: "x"},
		// The builtins run echo, true and false.
		{line: "echo fake-ln", out: "fake-ln\n"},
		// A line for the shell is not make's to run directly.
		{line: "fake-ln x; printf y", out: "y", errs: "/bin/sh: 1: fake-ln: not found\n"},
	}
	for _, tt := range tests {
		calls = nil
		out, errs, res := run(t, Recipe{Direct: direct, Dir: dir, Env: env}, tt.line)
		if out != tt.out || errs != tt.errs || res.Status != tt.status {
			t.Errorf("%q: out %q, err %q, status %d; want %q, %q, %d", tt.line, out, errs, res.Status, tt.out, tt.errs, tt.status)
		}
		if !tt.direct {
			if len(calls) > 0 {
				t.Errorf("%q: Direct ran %q", tt.line, calls[0].args)
			}
			continue
		}
		if len(calls) != 1 {
			t.Fatalf("%q: Direct ran %d commands, want 1", tt.line, len(calls))
		}
		c := calls[0]
		if want := (call{args: c.args, dir: dir, path: "/usr/bin:/bin", x: "2", uid: true}); !reflect.DeepEqual(c, want) {
			t.Errorf("%q: Direct got %+v, want %+v", tt.line, c, want)
		}
	}
}

// TestTablesEnviron checks that the environment a command run directly
// gets from VarTables answers as the list itself does (the last of a name
// wins, an empty value is set, a name without = is not), whether indexed
// (the slice seen before) or not, and that another slice is never answered
// from the index of the previous one.
func TestTablesEnviron(t *testing.T) {
	var tables VarTables
	a := []string{"PATH=/bin", "LANG=C", "LANG=C.UTF-8", "EMPTY=", "NOEQ", "X=1=2"}
	b := []string{"PATH=/usr/bin", "LANG=fr_FR.UTF-8"}
	names := []string{"PATH", "LANG", "EMPTY", "NOEQ", "X", "MISSING"}
	for i, env := range [][]string{a, a, a, b, b, a[:3], a} {
		got := tables.environ(env)
		for _, name := range names {
			want := pairsEnviron(env).Get(name)
			if g := got.Get(name); !reflect.DeepEqual(g, want) {
				t.Errorf("call %d: Get(%q) = %+v, want %+v", i, name, g, want)
			}
		}
	}
	if _, ok := tables.environ(a).(indexEnviron); !ok {
		t.Errorf("the same slice again was not indexed")
	}
}
