package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCleanCache: a make run fills the load cache under $XDG_CACHE_HOME,
// --clean-cache removes it, the exported base root filesystems and the
// base image store of BuildKit builds, says
// so, and leaves other files of those directories alone.
func TestCleanCache(t *testing.T) {
	bin := buildDmake(t)
	cache := t.TempDir()
	env := []string{"XDG_CACHE_HOME=" + cache, "DMAKE_CACHE_DIR=", "DOCKER_HOME="}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte("all:\n\t@echo ok\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, status := runBinary(t, bin, env, "-C", dir); status != 0 {
		t.Fatalf("make run: status %d\n%s", status, stderr)
	}
	load := filepath.Join(cache, "dmake", "load", "dmake-load-cache")
	if ents, err := os.ReadDir(load); err != nil || len(ents) < 2 {
		t.Fatalf("the make run left no load cache entry in %s: %v", load, err)
	}
	rootfsDir := filepath.Join(cache, "dmake", "rootfs")
	os.MkdirAll(rootfsDir, 0o755)
	os.WriteFile(filepath.Join(rootfsDir, strings.Repeat("0f", 32)+".tar"), make([]byte, 2000), 0o644)
	os.WriteFile(filepath.Join(rootfsDir, "notes.txt"), []byte("mine"), 0o644)
	basesDir := filepath.Join(cache, "dmake", "buildkit-bases")
	os.MkdirAll(filepath.Join(basesDir, "blobs", "sha256"), 0o755)
	os.MkdirAll(filepath.Join(basesDir, "ids"), 0o755)
	os.WriteFile(filepath.Join(basesDir, "blobs", "sha256", strings.Repeat("ab", 32)), make([]byte, 3000), 0o644)
	os.WriteFile(filepath.Join(basesDir, "ids", strings.Repeat("cd", 32)), []byte("sha256:x\n"), 0o644)

	stdout, stderr, status := runBinary(t, bin, env, "--clean-cache")
	if status != 0 {
		t.Fatalf("--clean-cache: status %d\n%s", status, stderr)
	}
	for _, want := range []string{"load cache: removed 1 entry (", "from " + load, "base rootfs cache: removed 1 file (2 kB) from " + rootfsDir, "BuildKit base image store: removed 2 files (3.01 kB) from " + basesDir} {
		if !strings.Contains(stdout, want) {
			t.Errorf("--clean-cache does not say %q:\n%s", want, stdout)
		}
	}
	if _, err := os.Stat(load); err == nil {
		t.Errorf("%s is still there", load)
	}
	if out, _ := exec.Command("find", cache, "-type", "f").Output(); string(out) != filepath.Join(rootfsDir, "notes.txt")+"\n" {
		t.Errorf("left in the cache: %q, want only notes.txt", out)
	}
}
