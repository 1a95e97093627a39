package shellrun_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/interp"

	"github.com/dmake-dev/dmake/shellrun"
	"github.com/dmake-dev/dmake/symlinker"
)

// outcome is what a line did: its output, status and the files it left.
type outcome struct {
	stdout, stderr string
	status         int
	files          string
}

// TestPlainListLikeShell runs lines through a plain-make Recipe (the real
// shell, the symlinker's commands in-process) and through /bin/sh -c
// itself, each in a fresh directory: output, status and files must be
// the same. The lines that are only lists of the symlinker's commands and
// echo/true/false must not have started the shell.
func TestPlainListLikeShell(t *testing.T) {
	tests := []struct {
		line      string
		inProcess bool
	}{
		{"mkdir -p d/e && ln -sf ../a d/e/l", true},
		{"ln -s a l; ln -s a l", true},
		{"ln -s a l; ln -s a l; echo after", true},
		{"rm nofile || echo fallback", true},
		{"false && echo no; echo yes", true},
		{"false || false && echo never", true},
		{"true || echo never", true},
		{"touch t1 t2 && chmod 600 t1 && cp t1 t3", true},
		{"mkdir x; ", true},
		{"cp nofile y && echo never", true},
		{"echo 'a;b' && echo c\\;d && echo 'x||y'", true},
		{"mkdir -p d && ln -sfn '../a b' 'd/l l'", true},
		// Not plain lists: the real shell runs them.
		{`echo "c" && true`, false},
		{"echo $$ > /dev/null && echo $0", false},
		{"ln -s a l & wait", false},
		{"ln -s a l | cat", false},
		{"cd d && ln -s a l", false},
		{"X=1 ln -s a l && true", false},
		{"echo -n x && true", false},
		{"ln -s a l;; true", false},
		{"ln -s a l &&", false},
	}
	env := []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			var seen []string
			count := func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
				return func(ctx context.Context, args []string) error {
					seen = append(seen, args[0])
					return next(ctx, args)
				}
			}
			dir := setupDir(t)
			sl := symlinker.New(symlinker.Config{Root: dir, AllowOutside: true})
			var out, errb bytes.Buffer
			rc := shellrun.Recipe{
				RealShell: true, ListCommands: symlinker.Commands(), Dir: dir, Env: env, Stdout: &out, Stderr: &errb,
				ExecMiddlewares: []func(interp.ExecHandlerFunc) interp.ExecHandlerFunc{count, sl.Middleware()},
			}
			res, err := rc.Run(context.Background(), tt.line)
			if err != nil {
				t.Fatal(err)
			}
			got := outcome{out.String(), errb.String(), res.Status, listDir(t, dir)}

			dir = setupDir(t)
			cmd := exec.Command("/bin/sh", "-c", tt.line)
			cmd.Dir, cmd.Env = dir, env
			out.Reset()
			errb.Reset()
			cmd.Stdout, cmd.Stderr = &out, &errb
			status := 0
			if err := cmd.Run(); err != nil {
				var ee *exec.ExitError
				if !errors.As(err, &ee) {
					t.Fatal(err)
				}
				status = ee.ExitCode()
			}
			want := outcome{out.String(), errb.String(), status, listDir(t, dir)}
			if got != want {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			// In-process, every external command passed the middlewares;
			// through the shell, none did.
			usesList := false
			for _, f := range strings.Fields(tt.line) {
				usesList = usesList || slices.Contains(symlinker.Commands(), f)
			}
			switch {
			case tt.inProcess && usesList && len(seen) == 0:
				t.Errorf("the middlewares saw nothing: the line went to the shell")
			case !tt.inProcess && len(seen) > 0:
				t.Errorf("the middlewares saw %q: the line ran in-process", seen)
			}
		})
	}
}

// setupDir is a fresh directory with a file a.
func setupDir(t *testing.T) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a"), []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// listDir describes the files under dir: names, kinds, link targets,
// modes and contents.
func listDir(t *testing.T, dir string) string {
	var lines []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, _ := d.Info()
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			lines = append(lines, rel+" -> "+target)
		case d.IsDir():
			lines = append(lines, fmt.Sprintf("%s/ %v", rel, fi.Mode().Perm()))
		default:
			b, _ := os.ReadFile(p)
			lines = append(lines, fmt.Sprintf("%s %v %q", rel, fi.Mode().Perm(), b))
		}
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "; ")
}
