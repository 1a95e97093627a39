package rootfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Clean removes the exported root filesystems, what is derived from them
// (apt lists and state, command indexes) and unfinished files under
// $XDG_CACHE_HOME/dmake/rootfs, and nothing else.
func TestClean(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	dir, err := Dir()
	if err != nil || dir != filepath.Join(cache, "dmake", "rootfs") {
		t.Fatalf("Dir() = %q, %v", dir, err)
	}
	id := strings.Repeat("ab", 32)
	ours := map[string]string{id + ".tar": "tar", id + ".123.part": "pa", id + ".index": "i", id + ".noindex": "n", id + ".apt": "a", id + ".aptstate": "s", id + ".aptstate.9.part": "p", id + ".lower": "l"}
	theirs := map[string]string{"notes.txt": "mine", "abc.tar": "short id", id + ".tar.bak": "x"}
	os.MkdirAll(dir, 0o755)
	for _, m := range []map[string]string{ours, theirs} {
		for name, data := range m {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	files, bytes, err := Clean()
	if err != nil || files != 8 || bytes != 11 {
		t.Errorf("Clean() = %d, %d, %v; want 8 files, 11 bytes", files, bytes, err)
	}
	for name := range ours {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s kept", name)
		}
	}
	for name := range theirs {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s removed", name)
		}
	}
	for name := range theirs {
		os.Remove(filepath.Join(dir, name))
	}
	if files, _, err := Clean(); err != nil || files != 0 {
		t.Errorf("Clean() of an empty cache = %d, %v", files, err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("the empty cache directory %s was kept", dir)
	}
}
