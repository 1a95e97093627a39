package executor

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/dmake-dev/dmake/makefile"
)

// TestSearchedNames checks which names of a directory can matter to the
// implicit rule search that remakes makefiles, with make's built-in rules
// and a rule of the makefile's own.
func TestSearchedNames(t *testing.T) {
	dir := t.TempDir()
	mk := "all:\nout/%.x: gen/%.y\n\tcp $< $@\n"
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte(mk), 0o644)
	db, err := makefile.Load(context.Background(), makefile.Config{Dir: dir, Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	keep := searchedNames(db, []string{"Makefile", "/p/make/c1.mk", "/p/out/sub/a.x"})
	tests := []struct {
		dir, name string
		want      bool
	}{
		{"/p", "build", false},        // what a build leaves
		{"/p", "Dockerfile", false},   //
		{"/p", "Makefile,v", true},    // %:: %,v
		{"/p", "s.Makefile", true},    // %:: s.%
		{"/p/RCS", "Makefile", true},  // %:: RCS/%
		{"/p/RCS", "other", false},    // RCS/% instantiates the goal's name only
		{"/p", "Makefile.sh", true},   // %: %.sh
		{"/p/make", "c1.mk.sh", true}, // goals count by their extension
		{"/p/make", "c9.mk.c", true},  //
		{"/p/make", "c1.mk.o", true},  // %: %.o
		{"/p/make", "c1.mk.o.c", false},
		{"/p/make", "c1.mk.c.q", false},
		{"/p/make", "c1.mk.y", true}, // %: %.c, then %.c: %.y
		{"/p/make", "c1.mk", true},   // a goal's own shape
		{"/p/make", "notes.txt", false},
		{"/p/gen/sub", "a.y", true}, // a slash in the target pattern: any directory, by suffix
		{"/p/elsewhere", "z.y", true},
	}
	for _, tt := range tests {
		if got := keep(tt.dir, tt.name); got != tt.want {
			t.Errorf("searchedNames(…)(%q, %q) = %v, want %v", tt.dir, tt.name, got, tt.want)
		}
	}
}
