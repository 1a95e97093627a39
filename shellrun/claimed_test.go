package shellrun_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/shellrun"
	"mvdan.cc/sh/v3/interp"
)

// TestClaimedLines runs lines with RealShell and Claimed = [claimed]: a
// line that calls claimed where the interpreter stands in for sh runs in
// the interpreter, so the middleware takes the command over (and the rest
// of the line runs as sh would run it); a line that does not call it, or
// that needs the real shell, runs in /bin/sh, which finds no such program.
func TestClaimedLines(t *testing.T) {
	tests := []struct {
		line    string
		claimed []string // the argument lists the middleware took over
		out     string
		status  int
	}{
		{"claimed build -t x .", []string{"claimed build -t x ."}, "", 0},
		{"cd sub && claimed build . && echo in $$(basename $$PWD)", []string{"claimed build ."}, "in sub\n", 0},
		{"for i in 1 2; do claimed run $$i; done", []string{"claimed run 1", "claimed run 2"}, "", 0},
		{"/usr/local/bin/claimed x || echo unreached", []string{"/usr/local/bin/claimed x"}, "", 0},
		{"claimed fail; echo status $$?", []string{"claimed fail"}, "status 3\n", 0},
		// Not a call of it: the real shell runs the line.
		{"echo claimed build", nil, "claimed build\n", 0},
		{"echo $$0", nil, "/bin/sh\n", 0},
		// The interpreter does not do umask as sh would: sh runs the
		// line, and finds no program of that name.
		{"umask 022; claimed build .", nil, "", 127},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			var took []string
			mw := func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
				return func(ctx context.Context, args []string) error {
					if filepath.Base(args[0]) != "claimed" {
						return next(ctx, args)
					}
					took = append(took, strings.Join(args, " "))
					if args[1] == "fail" {
						return interp.ExitStatus(3)
					}
					return nil
				}
			}
			var out, errb bytes.Buffer
			rc := shellrun.Recipe{
				RealShell: true, Claimed: []string{"claimed"}, Dir: dir,
				Env:    []string{"PATH=/usr/bin:/bin", "LC_ALL=C"},
				Stdout: &out, Stderr: &errb,
				ExecMiddlewares: []func(interp.ExecHandlerFunc) interp.ExecHandlerFunc{mw},
			}
			// make has turned $$ into $ before a line runs.
			line := strings.ReplaceAll(tt.line, "$$", "$")
			res, err := rc.Run(context.Background(), line)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(took, tt.claimed) {
				t.Errorf("taken over: %q, want %q", took, tt.claimed)
			}
			if out.String() != tt.out || res.Status != tt.status {
				t.Errorf("stdout %q, status %d; want %q, %d (stderr %q)", out.String(), res.Status, tt.out, tt.status, errb.String())
			}
		})
	}
}
