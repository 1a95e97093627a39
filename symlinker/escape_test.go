package symlinker

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEscapeRefused checks that a link pulling a file from outside the
// repository into a build directory is refused, that the same command
// succeeds without the symlinker (so the refusal is the symlinker's), and
// that links staying inside, or made outside build directories, or allowed
// by AllowOutside, are made.
func TestEscapeRefused(t *testing.T) {
	base := t.TempDir()
	repo := filepath.Join(base, "repo")
	outside := filepath.Join(base, "outside")
	for _, d := range []string{"images/x/build/script", "script", "notbuild"} {
		if err := os.MkdirAll(filepath.Join(repo, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{filepath.Join(repo, "script/00_a.sh"), filepath.Join(outside, "secret")} {
		if err := os.WriteFile(f, []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A link inside the repository that leads out of it, and one outside
	// build directories that points out.
	if err := os.Symlink(outside, filepath.Join(repo, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(repo, "notbuild/outlink")); err != nil {
		t.Fatal(err)
	}
	isBuild := UnderDirs(filepath.Join(repo, "images/x/build"))
	env := []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}
	cases := []struct {
		name, cmd string
		refused   bool
	}{
		{"absolute outside", "ln -s " + outside + "/secret images/x/build/secret", true},
		{"relative outside", "ln -s ../../../../outside/secret images/x/build/secret", true},
		{"through an inner link", "ln -sf ../../../out/secret images/x/build/secret", true},
		{"into the build dir", "ln -s ../../../../../outside/secret images/x/build/script/", true},
		{"two operands into a directory", "cd images/x/build && ln -s ../../../../../outside/secret script", true},
		{"relative form", "ln -sr ../outside/secret images/x/build/secret", true},
		{"target directory form", "ln -s -t images/x/build " + outside + "/secret", true},
		{"left to the real ln", "ln -sb " + outside + "/secret images/x/build/secret", true},
		{"copied link", "cp -r notbuild/outlink images/x/build/", true},
		{"over a link to a directory", "ln -s ../../../script images/x/build/secret && ln -sfn " + outside + "/secret images/x/build/secret", true},
		{"hard link", "ln " + outside + "/secret images/x/build/secret", true},
		{"copied link, real cp", "cp -a notbuild/outlink images/x/build/", true},
		{"copied tree with a link, real cp", "cp -a notbuild images/x/build/", true},
		{"cp -s", "cp -s " + outside + "/secret images/x/build/", true},
		{"inside", "ln -s ../../../../script/00_a.sh images/x/build/script/00_a.sh", false},
		{"inside, relative form", "ln -sr script/00_a.sh images/x/build/script/", false},
		{"inside, left to the real ln", "ln -sb ../../../../script/00_a.sh images/x/build/script/00_a.sh", false},
		{"inside, dir form", "ln -sf ../../../../script/00_a.sh images/x/build/script", false},
		{"real cp inside", "cp -a script images/x/build/", false},
		{"hard link inside", "ln script/00_a.sh images/x/build/script/", false},
		{"outside but not in a build dir", "ln -s ../../outside/secret notbuild/secret", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clean := func() {
				for _, p := range []string{"images/x/build/script/secret", "images/x/build/secret", "images/x/build/script/00_a.sh", "notbuild/secret", "images/x/build/outlink", "images/x/build/notbuild"} {
					os.RemoveAll(filepath.Join(repo, p))
				}
			}
			clean()
			before := snapshot(t, repo)

			plain := runLine(t, repo, tc.cmd, env, nil)
			if plain.status != 0 || leaks(t, repo) != tc.refused || plain.tree == before {
				t.Fatalf("without the symlinker: status %d, tree changed %v; the case proves nothing", plain.status, plain.tree != before)
			}
			clean()

			got := runLine(t, repo, tc.cmd, env, New(Config{Root: repo, IsBuildPath: isBuild}))
			if wantReal := (strings.Contains(tc.cmd, "-sb") || strings.Contains(tc.cmd, "cp -a") || strings.HasPrefix(tc.cmd, "cp -s") || strings.HasPrefix(tc.cmd, "ln ") && !strings.HasPrefix(tc.cmd, "ln -s")) && !tc.refused; got.fellBack != wantReal {
				t.Fatalf("fell back to the real ln: %v, want %v", got.fellBack, wantReal)
			}
			if !tc.refused {
				if got.status != 0 || got.tree != plain.tree {
					t.Fatalf("status %d, stderr %q; tree:\n%s\nwant:\n%s", got.status, got.stderr, got.tree, plain.tree)
				}
				return
			}
			if got.status != 1 || leaks(t, repo) {
				t.Fatalf("not refused: status %d, tree:\n%s", got.status, got.tree)
			}
			for _, want := range []string{"refusing", "--allow-outside-links", "secret", "outside the repository root"} {
				if !strings.Contains(got.stderr, want) {
					t.Errorf("message %q lacks %q", got.stderr, want)
				}
			}
			clean()
			allowed := runLine(t, repo, tc.cmd, env, New(Config{Root: repo, IsBuildPath: isBuild, AllowOutside: true}))
			if allowed.status != 0 || allowed.tree != plain.tree {
				t.Fatalf("with AllowOutside: status %d, stderr %q", allowed.status, allowed.stderr)
			}
		})
	}
}

// leaks reports whether a link in repo's build directory leads outside
// repo.
func leaks(t *testing.T, repo string) bool {
	t.Helper()
	leak := false
	root := canonicalize(repo)
	filepath.WalkDir(filepath.Join(repo, "images/x/build"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			a, err1 := os.Stat(path)
			b, err2 := os.Stat(filepath.Join(repo, "../outside/secret"))
			if err1 == nil && err2 == nil && os.SameFile(a, b) {
				leak = true
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		target, _ := os.Readlink(path)
		if !filepath.IsAbs(target) {
			target = canonicalize(filepath.Dir(path)) + "/" + target
		}
		if !within(canonicalize(target), root) {
			leak = true
		}
		return nil
	})
	return leak
}
