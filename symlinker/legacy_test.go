package symlinker

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLegacyPrepare runs, for each image of legacy-images/, the recipe
// lines of its prepare goal (as make -n prints them) through an interp
// runner with the symlinker, with the escape check on, and compares the
// build directory with the one GNU make leaves. No line may go to the real
// binaries.
func TestLegacyPrepare(t *testing.T) {
	src, err := filepath.Abs("../legacy-images")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(src, "make/common.mk")); err != nil {
		t.Skip("no legacy-images/ in this tree")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no GNU make")
	}
	images, _ := filepath.Glob(filepath.Join(src, "images/*/Makefile"))
	if len(images) == 0 {
		t.Skip("no images in legacy-images/")
	}
	env := []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}
	for _, mk := range images {
		name := filepath.Base(filepath.Dir(mk))
		t.Run(name, func(t *testing.T) {
			copyTree := func() string {
				dst := filepath.Join(t.TempDir(), "repo")
				if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
					t.Fatalf("copy: %v\n%s", err, out)
				}
				os.RemoveAll(filepath.Join(dst, "images", name, "build"))
				return dst
			}
			makeRepo, ourRepo := copyTree(), copyTree()

			run := func(repo string, args ...string) string {
				cmd := exec.Command("make", append([]string{"-s", "-C", filepath.Join(repo, "images", name), "DOCKER_HOME=" + repo}, args...)...)
				cmd.Env = append(os.Environ(), "DOCKER_HOME="+repo)
				var out, errb bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errb
				if err := cmd.Run(); err != nil {
					t.Fatalf("make %v: %v\n%s", args, err, errb.String())
				}
				return out.String()
			}
			run(makeRepo, "prepare")
			lines := run(ourRepo, "-n", "prepare")

			imageDir := filepath.Join(ourRepo, "images", name)
			sl := New(Config{Root: ourRepo, IsBuildPath: UnderDirs(filepath.Join(imageDir, "build"))})
			sc := bufio.NewScanner(strings.NewReader(lines))
			n := 0
			for sc.Scan() {
				line := strings.ReplaceAll(sc.Text(), ourRepo, "$DOCKER_HOME")
				out := runLine(t, imageDir, line, append(env, "DOCKER_HOME="+ourRepo), sl)
				if out.status != 0 || out.stderr != "" {
					t.Fatalf("%s: status %d, stderr %q", line, out.status, out.stderr)
				}
				if out.fellBack {
					t.Errorf("%s: went to the real binary", line)
				}
				n++
			}
			if n == 0 {
				t.Fatal("make -n printed no recipe line")
			}
			got := strings.ReplaceAll(snapshot(t, filepath.Join(ourRepo, "images", name, "build")), ourRepo, "$REPO")
			want := strings.ReplaceAll(snapshot(t, filepath.Join(makeRepo, "images", name, "build")), makeRepo, "$REPO")
			if got != want {
				t.Fatalf("build directory:\n%s\nmake leaves:\n%s", got, want)
			}
		})
	}
}
