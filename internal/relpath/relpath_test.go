package relpath

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPath(t *testing.T) {
	wd := t.TempDir()
	wd, _ = filepath.EvalSymlinks(wd)
	sub := filepath.Join(wd, "sub")
	os.Mkdir(sub, 0o755)
	os.WriteFile(filepath.Join(sub, "f"), []byte("x"), 0o644)
	t.Chdir(wd)
	tests := []struct {
		dir, name, want string
	}{
		{"", "sub/f", "sub/f"},
		{wd, "sub/f", "sub/f"},                     // dir is the working directory
		{wd, filepath.Join(wd, "sub/f"), "sub/f"},  // absolute under it
		{wd, "/etc/passwd", "/etc/passwd"},         // absolute elsewhere
		{wd, wd, wd},                               // the directory itself stays absolute
		{sub, "f", filepath.Join(sub, "f")},        // another directory: joined
		{sub, filepath.Join(wd, "sub/f"), "sub/f"}, // absolute under the working directory
		{"sub", "f", "sub/f"},                      // relative directory
	}
	for _, tt := range tests {
		got := New(tt.dir).Path(tt.name)
		if got != tt.want {
			t.Errorf("New(%q).Path(%q) = %q, want %q", tt.dir, tt.name, got, tt.want)
		}
		// Whatever the form, it names the same file as the long way.
		long := tt.name
		if !filepath.IsAbs(long) && tt.dir != "" {
			long = filepath.Join(tt.dir, long)
		}
		a, errA := os.Stat(long)
		b, errB := os.Stat(got)
		if (errA == nil) != (errB == nil) || errA == nil && !os.SameFile(a, b) {
			t.Errorf("New(%q).Path(%q) = %q names another file than %q", tt.dir, tt.name, got, long)
		}
	}
}
