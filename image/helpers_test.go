package image

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// copyTree copies the directory src to dst, keeping modes and symlinks.
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(l, target)
		case d.IsDir():
			if rel == "build" || strings.HasSuffix(rel, "/build") {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(target, b, info.Mode().Perm())
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// needMake skips the test when GNU make is missing (CI has it).
func needMake(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("SKIPPED: needs GNU make to prepare the build directory")
	}
}

// prepare copies the legacy-style repo at src into a temporary directory
// and runs make's prepare goal for image name there (a fixture step: the
// build directory of links and the one-step Dockerfile). It returns the
// copy's root.
func prepare(t testing.TB, src, name string, vars ...string) string {
	t.Helper()
	needMake(t)
	root := t.TempDir()
	copyTree(t, src, root)
	runMake(t, root, name, append([]string{"prepare"}, vars...)...)
	return root
}

func runMake(t testing.TB, root, name string, args ...string) {
	t.Helper()
	cmd := exec.Command("make", append([]string{"-s", "-C", filepath.Join(root, "images", name)}, args...)...)
	cmd.Env = append(os.Environ(), "DOCKER_HOME="+root)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// runRecipe runs one recipe line through mvdan's interpreter in dir, with
// the Builder's middleware in front of the real exec handler, as dmake's
// executor does. It returns the exit error and the combined output.
func runRecipe(t testing.TB, b *Builder, dir, line string, env ...string) (string, error) {
	t.Helper()
	f, err := syntax.NewParser().Parse(strings.NewReader(line), "recipe")
	if err != nil {
		t.Fatalf("parsing %q: %v", line, err)
	}
	var out bytes.Buffer
	r, err := interp.New(
		interp.Dir(dir),
		interp.Env(expand.ListEnviron(append(os.Environ(), env...)...)),
		interp.StdIO(nil, &out, &out),
		interp.ExecHandlers(b.Middleware()),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = r.Run(context.Background(), f)
	return out.String(), err
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func execOutput(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	return string(out), err
}
