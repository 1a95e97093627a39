package graph_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/dmake-dev/dmake/graph"
	"github.com/dmake-dev/dmake/makefile"
)

// loadTree writes and loads a legacy-style tree of n components (as
// bench/makefile.sh generates it): one .mk per component, included by
// wildcard, each a phony prerequisite of prepare.
func loadTree(b *testing.B, n int) (*makefile.Database, string) {
	root := b.TempDir()
	comp := filepath.Join(root, "make", "components")
	img := filepath.Join(root, "images", "app")
	for _, d := range []string{comp, img} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.Fatal(err)
		}
	}
	mk := fmt.Sprintf("HOME := %s\ninclude $(wildcard $(HOME)/make/components/*.mk)\n"+
		".PHONY: build prepare $(COMPONENTS)\nbuild: prepare\n\t@echo build\nprepare: $(COMPONENTS) $(FILES)\n", root)
	if err := os.WriteFile(filepath.Join(img, "Makefile"), []byte(mk), 0o644); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		c := fmt.Sprintf("c%06d", i)
		text := fmt.Sprintf("COMPONENTS += %[1]s\nFILES += build/%[1]s.sh\n%[1]s:\n\t@echo %[1]s\nbuild/%[1]s.sh: %[1]s\n\tln -sf x $@\n", c)
		if err := os.WriteFile(filepath.Join(comp, c+".mk"), []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	db, err := makefile.Load(context.Background(), makefile.Config{Dir: img, Goals: []string{"build"}, Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	return db, img
}

func benchPlan(b *testing.B, n int) {
	db, dir := loadTree(b, n)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g := graph.New(ctx, db, graph.Options{Dir: dir})
		if got := len(g.Targets([]string{"build"})); got != 2*n+2 {
			b.Fatalf("planned %d targets, want %d", got, 2*n+2)
		}
	}
}

// BenchmarkPlan10000 plans the goal of a 10000-component tree (graph.New
// and the walk of every node): with BenchmarkPlan30000 it shows whether
// planning grows linearly.
func BenchmarkPlan10000(b *testing.B) { benchPlan(b, 10000) }

// BenchmarkPlan30000 plans the goal of a 30000-component tree.
func BenchmarkPlan30000(b *testing.B) { benchPlan(b, 30000) }
