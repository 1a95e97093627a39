package executor_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/interp"

	"github.com/dmake-dev/dmake/executor"
	"github.com/dmake-dev/dmake/internal/maketest"
	"github.com/dmake-dev/dmake/makefile"
	"github.com/dmake-dev/dmake/symlinker"
)

// tree lists a directory: names, link targets, modes and file contents.
func tree(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			lines = append(lines, fmt.Sprintf("%s -> %s", rel, l))
		case fi.IsDir():
			lines = append(lines, fmt.Sprintf("%s/ %v", rel, fi.Mode().Perm()))
		default:
			b, _ := os.ReadFile(p)
			lines = append(lines, fmt.Sprintf("%s %v %q", rel, fi.Mode().Perm(), b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestLegacyPrepare runs the prepare goal of every legacy image (the goal
// that fills images/NAME/build and writes its Dockerfile without docker)
// under GNU make and under dmake's makefile package and executor, with
// the symlinker fast path plugged in as the driver does, in the same copy
// of legacy-images/: the build directories must be identical.
func TestLegacyPrepare(t *testing.T) {
	if _, err := exec.LookPath("/usr/bin/make"); err != nil {
		t.Skip("GNU make is not installed")
	}
	src, err := filepath.Abs(filepath.Join("..", "legacy-images"))
	if err != nil {
		t.Fatal(err)
	}
	images, _ := filepath.Glob(filepath.Join(src, "images", "*", "Makefile"))
	if len(images) == 0 {
		t.Skip("no legacy-images/images/*/Makefile")
	}
	repo := filepath.Join(t.TempDir(), "legacy-images")
	if out, err := exec.Command("cp", "-a", src, repo).CombinedOutput(); err != nil {
		t.Fatalf("copying legacy-images: %v: %s", err, out)
	}
	env := []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + repo, "LANG=C", "DOCKER_HOME=" + repo}
	for _, mk := range images {
		name := filepath.Base(filepath.Dir(mk))
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(repo, "images", name)
			build := filepath.Join(dir, "build")
			os.RemoveAll(build)

			cmd := exec.Command("/usr/bin/make", "prepare")
			cmd.Dir, cmd.Env = dir, env
			var mout, merr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &mout, &merr
			if err := cmd.Run(); err != nil {
				t.Fatalf("make prepare: %v\n%s%s", err, mout.String(), merr.String())
			}
			want := tree(t, build)
			if !strings.Contains(want, "Dockerfile") {
				t.Fatalf("make left no Dockerfile:\n%s", want)
			}
			os.RemoveAll(build)

			ctx := context.Background()
			var dout, derr bytes.Buffer
			db, err := makefile.Load(ctx, makefile.Config{Dir: dir, Goals: []string{"prepare"}, Env: env,
				ProgramName: "make", Stdout: &dout, Stderr: &derr, Shell: maketest.ShellCapture})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			sl := symlinker.New(symlinker.Config{Root: repo})
			st, err := executor.Run(ctx, db, nil, executor.Options{
				Goals: []string{"prepare"}, Dir: dir, ProgramName: "make", Stdout: &dout, Stderr: &derr, Env: env,
				ExecMiddlewares: []func(interp.ExecHandlerFunc) interp.ExecHandlerFunc{sl.Middleware()},
			})
			if st != 0 || err != nil {
				t.Fatalf("dmake prepare: status %d, %v\n%s%s", st, err, dout.String(), derr.String())
			}
			got := tree(t, build)
			t.Logf("%d entries in build/", strings.Count(want, "\n")+1)
			if got != want {
				t.Errorf("build directories differ\n--- make:\n%s\n--- dmake:\n%s", want, got)
			}
			if dout.String() != mout.String() || derr.String() != merr.String() {
				t.Errorf("output differs\n--- make:\n%s%s\n--- dmake:\n%s%s", mout.String(), merr.String(), dout.String(), derr.String())
			}
		})
	}
}
