package e2e

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/internal/legacybuild"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestLegacyPrepare runs the legacy debugging goal `bin/make NAME prepare`
// (GNU make, no docker) for every image, with and without the optional
// variables, in a copy of legacy-images/, and compares the build directory
// (each path, and where a link points, relative to DOCKER_HOME) and the
// generated Dockerfile with testdata/prepare-*.golden.
func TestLegacyPrepare(t *testing.T) {
	needCommand(t, "make")
	repo, err := legacybuild.RepoDir()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		image string
		vars  []string
	}{
		{"base", nil},
		{"ssh", nil},
		{"web", nil},
		{"ssh", []string{"IMAGE_PREFIX=t1/", "PRODUCTION=1", "BUST=1"}},
	}
	for _, tt := range tests {
		name := tt.image
		if len(tt.vars) > 0 {
			name += "-vars"
		}
		t.Run(name, func(t *testing.T) {
			home := filepath.Join(t.TempDir(), "legacy-images")
			if err := legacybuild.CopyTree(repo, home); err != nil {
				t.Fatal(err)
			}
			args := append([]string{tt.image, "prepare"}, tt.vars...)
			cmd := exec.Command(filepath.Join(home, "bin", "make"), args...)
			cmd.Env = append(os.Environ(), "DOCKER_HOME="+home)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("bin/make %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			got := describeBuild(t, home, filepath.Join(home, "images", tt.image, "build"))
			golden := filepath.Join("testdata", "prepare-"+name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./e2e -run TestLegacyPrepare -update)", err)
			}
			if got != string(want) {
				t.Errorf("bin/make %s: build directory differs from %s:\n--- got\n%s--- want\n%s", strings.Join(args, " "), golden, got, want)
			}
		})
	}
}

// describeBuild lists the build directory dir: one line per entry, links
// with their targets (DOCKER_HOME written as $DOCKER_HOME), then the
// Dockerfile.
func describeBuild(t *testing.T, home, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		switch {
		case rel == ".":
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%s -> %s\n", rel, strings.Replace(target, home, "$DOCKER_HOME", 1))
		case d.IsDir():
			fmt.Fprintf(&b, "%s/\n", rel)
		default:
			fmt.Fprintf(&b, "%s\n", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dockerfile, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	b.WriteString("--- Dockerfile\n")
	b.Write(dockerfile)
	return b.String()
}
