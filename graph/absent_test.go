package graph

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/dmake-dev/dmake/makefile"
)

// TestKnownAbsent checks the shortcut of implicit rule search against the
// long way (mentioned names, nodes, the directory cache) on a tree where
// each case's answer is known: a shortcut that answers "absent" for a name
// that exists or is mentioned makes search pick another rule than make.
func TestKnownAbsent(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"RCS/sub/a.y", "RCS/b.c,v", "src/x.c", "src/s.z.c"} {
		p := filepath.Join(dir, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, nil, 0o644)
	}
	mk := "all: src/x.c src/y.c\nsrc/named.c,v:\n"
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte(mk), 0o644)
	db, err := makefile.Load(context.Background(), makefile.Config{Dir: dir, Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	g := New(context.Background(), db, Options{Dir: dir})
	// List the directories as a search would have by then.
	for _, d := range []string{"RCS/x", "src/x", "SCCS/x"} {
		g.fileExists(d)
	}
	tests := []struct {
		cdir, stem, pattern string
		absent              bool
	}{
		{"", "b.c", "RCS/%,v", false},       // exists
		{"", "q.c", "RCS/%,v", true},        // listed directory, not in it
		{"", "q.c", "SCCS/s.%", true},       // directory that does not exist
		{"src/", "x.c", "%,v", true},        // named directory, neither listed nor named
		{"src/", "z.c", "s.%", false},       // named directory, listed
		{"src/", "named.c", "%,v", false},   // named directory, mentioned
		{"", "sub/a", "RCS/%.y", false},     // a stem with a slash: RCS/sub/a.y exists
		{"", "sub/none", "RCS/%.y", false},  // a stem with a slash: cannot tell
		{"nodir/", "q.c", "RCS/%,v", false}, // not listed yet: cannot tell
	}
	for _, tt := range tests {
		c := &candidate{dir: tt.cdir, stem: tt.stem}
		p := tt.pattern
		i := 0
		for p[i] != '%' {
			i++
		}
		got := g.knownAbsent(c, p, i)
		if got != tt.absent {
			t.Errorf("knownAbsent(dir %q, stem %q, %q) = %v, want %v", tt.cdir, tt.stem, p, got, tt.absent)
		}
		if got {
			q := c.instantiate(p)
			if g.mentioned[q] || g.hasRules(q) || g.existsOrVPath(q) {
				t.Errorf("knownAbsent(%q) but the long way finds it", q)
			}
		}
	}
}
