package makefile_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/internal/txtar"
	"github.com/dmake-dev/dmake/makefile"
)

// seedCorpus adds the Makefiles of the differential cases to f.
func seedCorpus(f *testing.F) {
	root := filepath.Join("..", "testdata", "make")
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".txtar") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		for _, file := range txtar.Parse(data).Files {
			if strings.HasSuffix(file.Name, "Makefile") || strings.HasSuffix(file.Name, ".mk") {
				f.Add(string(file.Data))
			}
		}
		return nil
	})
}

// fuzzMaxValue keeps each input quick: a value that doubles without end
// stops at 1 MiB instead of 256.
const fuzzMaxValue = 1 << 20

// FuzzLoad reads arbitrary text as a Makefile: it must never panic or
// hang. Files are read-only and $(shell) does nothing.
func FuzzLoad(f *testing.F) {
	seedCorpus(f)
	f.Fuzz(func(t *testing.T, text string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		defer func() {
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("took %v", d)
			}
		}()
		db, err := makefile.Load(ctx, makefile.Config{Dir: dir, Stdout: io.Discard, Stderr: io.Discard, ReadOnly: true, Env: []string{"PATH=/usr/bin:/bin"}, MaxValue: fuzzMaxValue})
		if err != nil {
			if _, ok := err.(*makefile.Error); !ok {
				if _, ok := err.(*makefile.MissingIncludeError); !ok && ctx.Err() == nil {
					t.Fatalf("error of unexpected type %T: %v", err, err)
				}
			}
			return
		}
		db.PrintDatabase(io.Discard)
		for _, name := range db.TargetOrder {
			tg := db.Target(name)
			sc := db.ScopeFor(name, nil)
			for _, r := range tg.Rules {
				db.ExpandRecipe(ctx, sc, r.Recipe, &makefile.AutoVars{Target: name})
			}
		}
	})
}

// FuzzExpand expands arbitrary text in a database with a few variables.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{"$(A)", "$(subst a,b,$(A))", "$(foreach x,$(A),$(x)$(x))", "$(call F,1,2)", "${A:a=b}", "$(if $(A),x,y)", "$(eval B = $(A))$(B)", "$(patsubst %.c,%.o,a.c b.c)", "$(wordlist 1,2,a b c)", "$", "$(", "$(subst", "$$(A)"} {
		f.Add(s)
	}
	seedCorpus(f)
	dir := f.TempDir()
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte("A = a b c\nF = <$(1)|$(2)>\nR = $(R)\nall: ; @:\n"), 0o644)
	db, err := makefile.Load(context.Background(), makefile.Config{Dir: dir, Stdout: io.Discard, Stderr: io.Discard, ReadOnly: true, MaxValue: fuzzMaxValue})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		db.Expand(ctx, nil, text)
	})
}
