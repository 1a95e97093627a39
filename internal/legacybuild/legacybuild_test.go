package legacybuild

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeTree makes a small legacy-like repo under dir.
func writeTree(t *testing.T, dir string) {
	t.Helper()
	files := map[string]string{
		"bin/build":           "#!/bin/bash\n",
		"make/common.mk":      "IMAGE_PREFIX ?= legacy/\n",
		"script/03_sshd.sh":   "install_permanent openssh-server\n",
		"images/ssh/Makefile": "IMAGE = ssh\n",
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(dir, "bin/build"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("03_sshd.sh", filepath.Join(dir, "script/sshd.sh")); err != nil {
		t.Fatal(err)
	}
}

func TestTreeHash(t *testing.T) {
	tests := []struct {
		name    string
		change  func(t *testing.T, dir string)
		differs bool
	}{
		{"nothing", func(*testing.T, string) {}, false},
		{"build output", func(t *testing.T, dir string) {
			must(t, os.MkdirAll(filepath.Join(dir, "images/ssh/build/script"), 0o755))
			must(t, os.WriteFile(filepath.Join(dir, "images/ssh/build/Dockerfile"), []byte("FROM x\n"), 0o644))
		}, false},
		{"documentation", func(t *testing.T, dir string) {
			must(t, os.WriteFile(filepath.Join(dir, "README.md"), []byte("# legacy\n"), 0o644))
		}, false},
		{"tool state", func(t *testing.T, dir string) {
			must(t, os.MkdirAll(filepath.Join(dir, ".dmake"), 0o755))
			must(t, os.WriteFile(filepath.Join(dir, ".dmake/lock"), []byte("1\n"), 0o644))
		}, false},
		{"mtime only", func(t *testing.T, dir string) {
			must(t, os.Chtimes(filepath.Join(dir, "script/03_sshd.sh"), timeZero, timeZero))
		}, false},
		{"content", func(t *testing.T, dir string) {
			must(t, os.WriteFile(filepath.Join(dir, "script/03_sshd.sh"), []byte("install_permanent openssh-serveR\n"), 0o644))
		}, true},
		{"executable bit", func(t *testing.T, dir string) {
			must(t, os.Chmod(filepath.Join(dir, "script/03_sshd.sh"), 0o755))
		}, true},
		{"symlink target", func(t *testing.T, dir string) {
			must(t, os.Remove(filepath.Join(dir, "script/sshd.sh")))
			must(t, os.Symlink("../bin/build", filepath.Join(dir, "script/sshd.sh")))
		}, true},
		{"new file", func(t *testing.T, dir string) {
			must(t, os.WriteFile(filepath.Join(dir, "script/99_cleanup.sh"), nil, 0o644))
		}, true},
		{"renamed file", func(t *testing.T, dir string) {
			must(t, os.Rename(filepath.Join(dir, "make/common.mk"), filepath.Join(dir, "make/shared.mk")))
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir)
			before, err := TreeHash(dir)
			if err != nil {
				t.Fatal(err)
			}
			tt.change(t, dir)
			after, err := TreeHash(dir)
			if err != nil {
				t.Fatal(err)
			}
			if (before != after) != tt.differs {
				t.Errorf("hash before %s, after %s; want differs=%v", before, after, tt.differs)
			}
		})
	}
}

func TestCopyTree(t *testing.T) {
	src := t.TempDir()
	writeTree(t, src)
	must(t, os.MkdirAll(filepath.Join(src, "images/ssh/build"), 0o755))
	must(t, os.WriteFile(filepath.Join(src, "images/ssh/build/Dockerfile"), []byte("FROM x\n"), 0o644))
	must(t, os.MkdirAll(filepath.Join(src, ".dmake"), 0o755))
	must(t, os.WriteFile(filepath.Join(src, ".dmake/lock"), []byte("1\n"), 0o644))
	dst := filepath.Join(t.TempDir(), "copy")
	if err := CopyTree(src, dst); err != nil {
		t.Fatal(err)
	}
	hs, err := TreeHash(src)
	must(t, err)
	hd, err := TreeHash(dst)
	must(t, err)
	if hs != hd {
		t.Errorf("copy hashes to %s, source to %s", hd, hs)
	}
	for _, left := range []string{"images/ssh/build", ".dmake"} {
		if _, err := os.Stat(filepath.Join(dst, left)); !os.IsNotExist(err) {
			t.Errorf("%s was copied (stat: %v)", left, err)
		}
	}
	if target, err := os.Readlink(filepath.Join(dst, "script/sshd.sh")); err != nil || target != "03_sshd.sh" {
		t.Errorf("symlink copied as %q, %v; want link to 03_sshd.sh", target, err)
	}
	if st, err := os.Stat(filepath.Join(dst, "bin/build")); err != nil || st.Mode().Perm() != 0o755 {
		t.Errorf("bin/build copied with %v, %v; want mode 0755", st.Mode(), err)
	}
}

func TestRepoDir(t *testing.T) {
	dir, err := RepoDir()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range Names() {
		if _, err := os.Stat(filepath.Join(dir, "images", name, "Makefile")); err != nil {
			t.Errorf("image %s: %v", name, err)
		}
	}
}

// TestEnsure builds the shared images when they are stale, then checks that
// a second look finds them current and labelled with the tree's hash.
func TestEnsure(t *testing.T) {
	im := Ensure(t, Prefix)
	again, err := ensure(context.Background(), t, Prefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Built) != 0 {
		t.Errorf("second ensure built %v again; want nothing", again.Built)
	}
	if again.Hash != im.Hash {
		t.Errorf("hash changed between calls: %s, %s", im.Hash, again.Hash)
	}
	for _, name := range Names() {
		if got := ImageLabel(context.Background(), im.Tag(name), HashLabel); got != im.Hash {
			t.Errorf("%s: label %s = %q, want %q", im.Tag(name), HashLabel, got, im.Hash)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var timeZero = time.Unix(0, 0)
