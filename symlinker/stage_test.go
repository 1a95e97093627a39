package symlinker

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fillBuildDir writes a complete build directory into dir: n scripts
// linked from ../src, a Dockerfile naming the version.
func fillBuildDir(t testing.TB, dir, version string, n int, step func(i int)) {
	if err := os.MkdirAll(filepath.Join(dir, "script"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		name := fmt.Sprintf("%02d_x.sh", i)
		if err := os.Symlink("../../src/"+name, filepath.Join(dir, "script", name)); err != nil {
			t.Fatal(err)
		}
		if step != nil {
			step(i)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM "+version+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestStageChild is the child process of TestStageKilled: it fills a build
// directory slowly, staged or in place, says "filling" once it has begun,
// and waits to be killed.
func TestStageChild(t *testing.T) {
	dir := os.Getenv("DMAKE_STAGE_CHILD")
	if dir == "" {
		t.Skip("only run as the child of TestStageKilled")
	}
	target := dir
	var st *Staging
	if os.Getenv("DMAKE_STAGE_MODE") == "staged" {
		var err error
		if st, err = Stage(dir); err != nil {
			t.Fatal(err)
		}
		target = st.Dir()
	} else if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	fillBuildDir(t, target, "new", 40, func(i int) {
		if i == 10 {
			fmt.Println("filling")
			os.Stdout.Sync()
			time.Sleep(time.Minute) // killed here
		}
	})
	if st != nil {
		if err := st.Commit(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStageKilled kills a process in the middle of filling a build
// directory: with Stage the old directory is intact and the next Stage
// removes the leftovers; filling in place (the control) leaves a half
// directory, so the check would catch a Stage that did not stage.
func TestStageKilled(t *testing.T) {
	for _, mode := range []string{"staged", "in place"} {
		t.Run(mode, func(t *testing.T) {
			parent := t.TempDir()
			build := filepath.Join(parent, "build")
			fillBuildDir(t, build, "old", 40, nil)
			before := snapshot(t, build)

			cmd := exec.Command(os.Args[0], "-test.run=^TestStageChild$", "-test.v")
			cmd.Env = append(os.Environ(), "DMAKE_STAGE_CHILD="+build, "DMAKE_STAGE_MODE="+strings.Fields(mode)[0])
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(out)
			started := false
			for sc.Scan() {
				if sc.Text() == "filling" {
					started = true
					break
				}
			}
			if !started {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatal("the child never started filling")
			}
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()

			after := "(missing)\n"
			if _, err := os.Stat(build); err == nil {
				after = snapshot(t, build)
			}
			if mode == "in place" {
				if after == before {
					t.Fatal("control: filling in place and killing left the old directory intact; the test cannot tell")
				}
				return
			}
			if after != before {
				t.Fatalf("build directory changed by a killed run:\n%s\nwant:\n%s", after, before)
			}
			leftovers, _ := filepath.Glob(filepath.Join(parent, ".build.dmake-stage-*"))
			if len(leftovers) != 1 {
				t.Fatalf("want the killed run's stage directory, found %v", leftovers)
			}
			st, err := Stage(build)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(leftovers[0]); !os.IsNotExist(err) {
				t.Errorf("stale stage directory %s not removed by Stage", leftovers[0])
			}
			if err := st.Abort(); err != nil {
				t.Fatal(err)
			}
			if rest, _ := filepath.Glob(filepath.Join(parent, ".build.dmake-*")); len(rest) != 0 {
				t.Errorf("left after Abort: %v", rest)
			}
		})
	}
}

// TestStageCommit replaces a directory (by exchange and by the rename
// fallback) and makes a missing one; nothing else is left beside it.
func TestStageCommit(t *testing.T) {
	for _, tc := range []struct {
		name     string
		existing bool
		exchange bool
	}{
		{"exchange", true, true},
		{"rename aside", true, false},
		{"new directory", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			build := filepath.Join(parent, "build")
			if tc.existing {
				fillBuildDir(t, build, "old", 3, nil)
				if err := os.WriteFile(filepath.Join(build, "stale-only-in-old"), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want := filepath.Join(t.TempDir(), "build")
			fillBuildDir(t, want, "new", 5, nil)

			st, err := Stage(build)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Dir(st.Dir()) != parent {
				t.Fatalf("staging directory %s is not beside %s", st.Dir(), build)
			}
			fillBuildDir(t, st.Dir(), "new", 5, nil)
			if err := st.commit(tc.exchange); err != nil {
				t.Fatal(err)
			}
			if got, w := snapshot(t, build), snapshot(t, want); got != w {
				t.Fatalf("after commit:\n%s\nwant:\n%s", got, w)
			}
			entries, _ := os.ReadDir(parent)
			if len(entries) != 1 {
				t.Errorf("left beside the build directory: %v", entries)
			}
			if err := st.Commit(); err == nil {
				t.Error("a second Commit succeeded")
			}
		})
	}
}

// TestStageCleansOnlyDead checks that Stage removes the stage directories
// of dead processes and keeps those of live ones.
func TestStageCleansOnlyDead(t *testing.T) {
	parent := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	deadDir := filepath.Join(parent, fmt.Sprintf(".build.dmake-stage-%d-1", dead.Process.Pid))
	liveDir := filepath.Join(parent, fmt.Sprintf(".build.dmake-stage-%d-1", os.Getpid()))
	otherDir := filepath.Join(parent, fmt.Sprintf(".other.dmake-stage-%d-1", dead.Process.Pid))
	for _, d := range []string{deadDir, liveDir, otherDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	st, err := Stage(filepath.Join(parent, "build"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Abort()
	if _, err := os.Stat(deadDir); !os.IsNotExist(err) {
		t.Error("a dead process's stage directory survived")
	}
	for _, d := range []string{liveDir, otherDir} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s removed: %v", d, err)
		}
	}
}
