package makefile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestStatNow requires statNow, which Check uses, to see files as statOf
// (os.Stat), which recording uses, does: else every check would miss;
// both see the change time of files and directories.
func TestStatNow(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, []byte("data\n"), 0o644)
	os.Symlink("f", filepath.Join(dir, "link"))
	os.Symlink("nowhere", filepath.Join(dir, "dangling"))
	syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644)
	for _, name := range []string{"f", "link", "dangling", "fifo", ".", "missing", "/dev/null"} {
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, name)
		}
		var want FileStat
		if fi, err := os.Stat(p); err == nil {
			want = statOf(fi)
		}
		got := statNow(p)
		if got != want {
			t.Errorf("%s: statNow %+v, statOf(os.Stat) %+v", name, got, want)
		}
		if (name == "f" || name == ".") && (got.ChangeTime == 0 || got.ModTime == 0) {
			t.Errorf("%s: no change or modification time: %+v", name, got)
		}
	}
}
