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
	// A stand-in for docker on the build goal: it records its arguments and
	// the list of files of the context it reads from stdin.
	fake := filepath.Join(repo, "fake-docker")
	os.WriteFile(fake, []byte("#!/bin/sh\necho \"$@\" > \"$FAKE_OUT.args\"\ntar -tz | sort > \"$FAKE_OUT.files\"\n"), 0o755)
	for _, mk := range images {
		name := filepath.Base(filepath.Dir(mk))
		t.Run(name+"/build-with-fake-docker", func(t *testing.T) {
			dir := filepath.Join(repo, "images", name)
			run := func(tool string, out string) (string, string) {
				os.RemoveAll(filepath.Join(dir, "build"))
				args := []string{"build", "DOCKER=" + fake, "IMAGE_PREFIX=t1/"}
				e := append(env, "FAKE_OUT="+out)
				var so, se bytes.Buffer
				if tool == "make" {
					cmd := exec.Command("/usr/bin/make", args...)
					cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, e, &so, &se
					if err := cmd.Run(); err != nil {
						t.Fatalf("make build: %v\n%s%s", err, so.String(), se.String())
					}
				} else {
					if st := maketest.Exec(context.Background(), dir, args, e, &so, &se); st != 0 {
						t.Fatalf("dmake build: status %d\n%s%s", st, so.String(), se.String())
					}
				}
				a, _ := os.ReadFile(out + ".args")
				f, _ := os.ReadFile(out + ".files")
				return maketest.Normalize(so.String()+se.String(), "dmake") + "args: " + string(a), string(f)
			}
			mout, mfiles := run("make", filepath.Join(t.TempDir(), "make"))
			dout, dfiles := run("dmake", filepath.Join(t.TempDir(), "dmake"))
			t.Logf("%s%d files in the context", mout, strings.Count(mfiles, "\n"))
			if mout != dout {
				t.Errorf("build output differs\n--- make:\n%s\n--- dmake:\n%s", mout, dout)
			}
			if mfiles != dfiles || !strings.Contains(mfiles, "Dockerfile") {
				t.Errorf("build contexts differ\n--- make:\n%s\n--- dmake:\n%s", mfiles, dfiles)
			}
		})
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
