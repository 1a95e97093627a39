package executor_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/executor"
	"github.com/dmake-dev/dmake/internal/maketest"
	"github.com/dmake-dev/dmake/loadcache"
	"github.com/dmake-dev/dmake/makefile"
)

// cacheRun is what one LoadMakefiles call gave.
type cacheRun struct {
	out    string // what it printed, then the -p printout and default goal
	status int
	db     *makefile.Database
}

// loadCached runs LoadMakefiles in dir with cfg (Dir, Env, streams, shell
// filled in here) and the cache c (nil: none).
func loadCached(t *testing.T, dir string, cfg makefile.Config, c *loadcache.Cache) cacheRun {
	t.Helper()
	var out bytes.Buffer
	cfg.Dir = dir
	if cfg.Env == nil {
		cfg.Env = maketest.Env(dir)
	}
	cfg.ProgramName = "dmake"
	cfg.MakePath = "/usr/bin/dmake"
	cfg.Stdout, cfg.Stderr = &out, &out
	cfg.Shell = maketest.ShellCapture
	opts := executor.Options{Dir: dir, ProgramName: "dmake", Stdout: &out, Stderr: &out, Env: cfg.Env, LoadCache: c}
	db, st := executor.LoadMakefiles(context.Background(), cfg, opts)
	if db != nil {
		out.WriteString("--- database\n")
		db.PrintDatabase(&out)
		out.WriteString("--- default goal " + db.DefaultGoal() + "\n")
	}
	return cacheRun{out: out.String(), status: st, db: db}
}

// ageTree makes every file and directory under dir a minute old: older
// than the cache's window for modification times too recent to trust.
func ageTree(t *testing.T, dir string) {
	t.Helper()
	old := time.Now().Add(-time.Minute)
	filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		if err == nil {
			os.Chtimes(p, old, old)
		}
		return nil
	})
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLoadCacheInvalidation runs, for each row, LoadMakefiles with a cache
// twice on the row's files (a miss that stores, then a hit: the control),
// changes one thing, and runs it again: the row says whether the load
// must miss (or hit and still remake), and every run must give what a run
// without the cache gives — output ($(info) replayed on a hit), the -p
// printout, the default goal.
func TestLoadCacheInvalidation(t *testing.T) {
	const wildcardMk = "include $(wildcard make/*.mk)\nall: ; @echo $(X)\n"
	rows := []struct {
		name   string
		files  map[string]string
		cfg    makefile.Config
		change func(t *testing.T, dir string, cfg *makefile.Config)
		// miss: the run after the change must miss; else it hits.
		miss bool
		// skip: the control hit skips remaking the makefiles; narrow:
		// it remakes only those with a rule.
		skip, narrow bool
	}{
		{name: "edit included makefile", miss: true, skip: true,
			files: map[string]string{"Makefile": "include a.mk\nall: ; @echo $(X)\n", "a.mk": "X = 1\n"},
			change: func(t *testing.T, dir string, _ *makefile.Config) {
				writeFiles(t, dir, map[string]string{"a.mk": "X = 22\n"})
			}},
		{name: "same size edit, new mtime", miss: true, skip: true,
			files: map[string]string{"Makefile": "include a.mk\nall: ; @echo $(X)\n", "a.mk": "X = 1\n"},
			change: func(t *testing.T, dir string, _ *makefile.Config) {
				writeFiles(t, dir, map[string]string{"a.mk": "X = 2\n"})
			}},
		{name: "same size edit, same mtime, recent file", miss: true, skip: true,
			files: map[string]string{"Makefile": "include a.mk\nall: ; @echo $(X)\n", "a.mk": "X = 1\n"},
			change: func(t *testing.T, dir string, _ *makefile.Config) {
				// a.mk was written within the cache's racy window (the
				// setup below leaves this row's files new): only its
				// content tells the change.
				p := filepath.Join(dir, "a.mk")
				fi, _ := os.Stat(p)
				writeFiles(t, dir, map[string]string{"a.mk": "X = 2\n"})
				os.Chtimes(p, fi.ModTime(), fi.ModTime())
			}},
		{name: "cp -p over an included makefile: same size, mtime and inode", miss: true, skip: true,
			files: map[string]string{"Makefile": "include a.mk\nall: ; @echo $(X)\n", "a.mk": "X = 1\n", "b.txt": "X = 2\n"},
			change: func(t *testing.T, dir string, _ *makefile.Config) {
				// ageTree gave a.mk and b.txt the same modification time;
				// cp -p writes over a.mk in place and sets it back: only
				// the change time (st_ctim) tells.
				before, _ := os.Stat(filepath.Join(dir, "a.mk"))
				if out, err := exec.Command("cp", "-p", filepath.Join(dir, "b.txt"), filepath.Join(dir, "a.mk")).CombinedOutput(); err != nil {
					t.Fatalf("cp -p: %v\n%s", err, out)
				}
				after, _ := os.Stat(filepath.Join(dir, "a.mk"))
				if !after.ModTime().Equal(before.ModTime()) || after.Size() != before.Size() || !os.SameFile(before, after) {
					t.Fatalf("cp -p changed more than the content: %v %d → %v %d", before.ModTime(), before.Size(), after.ModTime(), after.Size())
				}
			}},
		{name: "same size edit, touch -r back", miss: true, skip: true,
			files: map[string]string{"Makefile": "include a.mk\nall: ; @echo $(X)\n", "a.mk": "X = 1\n", "ref": ""},
			change: func(t *testing.T, dir string, _ *makefile.Config) {
				writeFiles(t, dir, map[string]string{"a.mk": "X = 2\n"})
				if out, err := exec.Command("touch", "-r", filepath.Join(dir, "ref"), filepath.Join(dir, "a.mk")).CombinedOutput(); err != nil {
					t.Fatalf("touch -r: %v\n%s", err, out)
				}
			}},
		{name: "wildcard gains a file", miss: true, skip: true,
			files: map[string]string{"Makefile": wildcardMk, "make/a.mk": "X += a\n"},
			change: func(t *testing.T, dir string, _ *makefile.Config) {
				writeFiles(t, dir, map[string]string{"make/b.mk": "X += b\n"})
			}},
		{name: "wildcard loses a file", miss: true, skip: true,
			files: map[string]string{"Makefile": wildcardMk, "make/a.mk": "X += a\n", "make/b.mk": "X += b\n"},
			change: func(t *testing.T, dir string, _ *makefile.Config) {
				os.Remove(filepath.Join(dir, "make/b.mk"))
			}},
		{name: "wildcard directory appears", miss: true, skip: true,
			files: map[string]string{"Makefile": "include $(wildcard sub/*/x.mk)\nall: ; @echo $(X)\n", "sub/a/.keep": ""},
			change: func(t *testing.T, dir string, _ *makefile.Config) {
				writeFiles(t, dir, map[string]string{"sub/b/x.mk": "X = b\n"})
			}},
		{name: "wildcard of a plain name, file appears", miss: true, skip: true,
			files: map[string]string{"Makefile": "include $(wildcard local.mk)\nall: ; @echo $(X)\n"},
			change: func(t *testing.T, dir string, _ *makefile.Config) {
				writeFiles(t, dir, map[string]string{"local.mk": "X = local\n"})
			}},
		{name: "include found earlier in -I", miss: true, skip: true,
			cfg:   makefile.Config{IncludeDirs: []string{"i1", "i2"}},
			files: map[string]string{"Makefile": "include inc.mk\nall: ; @echo $(X)\n", "i2/inc.mk": "X = two\n", "i1/.keep": ""},
			change: func(t *testing.T, dir string, _ *makefile.Config) {
				writeFiles(t, dir, map[string]string{"i1/inc.mk": "X = one\n"})
			}},
		{name: "-include'd file appears", miss: true, skip: true,
			files: map[string]string{"Makefile": "-include opt.mk\nall: ; @echo $(X)\n"},
			change: func(t *testing.T, dir string, _ *makefile.Config) {
				writeFiles(t, dir, map[string]string{"opt.mk": "X = here\n"})
			}},
		{name: "environment variable", miss: true, skip: true,
			files: map[string]string{"Makefile": "all: ; @echo $(FOO)\n"},
			change: func(t *testing.T, dir string, cfg *makefile.Config) {
				cfg.Env = append(maketest.Env(dir), "FOO=bar")
			}},
		{name: "command-line variable", miss: true, skip: true,
			files: map[string]string{"Makefile": "X = 1\nall: ; @echo $(X)\n"},
			change: func(t *testing.T, dir string, cfg *makefile.Config) {
				cfg.CommandLineVars = []string{"X=2"}
			}},
		{name: "goals", miss: true, skip: true,
			files: map[string]string{"Makefile": "G := $(MAKECMDGOALS)\nall: ; @echo $(G)\nother: ; @:\n"},
			change: func(t *testing.T, dir string, cfg *makefile.Config) {
				cfg.Goals = []string{"other"}
			}},
		{name: "different -f", miss: true, skip: true,
			files: map[string]string{"Makefile": "X = 1\nall: ; @:\n", "other.mk": "X = 2\nall: ; @:\n"},
			change: func(t *testing.T, dir string, cfg *makefile.Config) {
				cfg.Makefiles = []string{"other.mk"}
			}},
		{name: "$(shell) output", miss: true, skip: true,
			files: map[string]string{"Makefile": "X := $(shell cat data.txt)\nall: ; @echo $(X)\n", "data.txt": "one\n"},
			change: func(t *testing.T, dir string, _ *makefile.Config) {
				writeFiles(t, dir, map[string]string{"data.txt": "two\n"})
			}},
		{name: "$(info) replayed, unrelated file added", skip: true,
			files: map[string]string{"Makefile": "$(info reading)\n$(warning careful)\nall: ; @:\n"},
			change: func(t *testing.T, dir string, _ *makefile.Config) {
				writeFiles(t, dir, map[string]string{"notes.txt": "x\n"})
			}},
		{name: "corrupt cache entry", miss: true, skip: true,
			files: map[string]string{"Makefile": "X = 1\nall: ; @:\n"},
			change: func(t *testing.T, dir string, _ *makefile.Config) {
				ents, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), "cache", loadcache.Subdir, "*"))
				for _, e := range ents {
					data, _ := os.ReadFile(e)
					os.WriteFile(e, data[:len(data)*2/3], 0o644)
				}
			}},
		{name: "makefile with a rule, prerequisite newer", narrow: true,
			files: map[string]string{"Makefile": "include gen.mk\ngen.mk: gen.src ; cp gen.src gen.mk\nall: ; @echo $(X)\n",
				"gen.src": "X = new\n", "gen.mk": "X = old\n"},
			change: func(t *testing.T, dir string, _ *makefile.Config) {
				// the load itself is unchanged (a hit), but remaking
				// gen.mk must still happen, and then a reload
				now := time.Now()
				os.Chtimes(filepath.Join(dir, "gen.src"), now, now)
			}},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "work")
			cache := loadcache.New(filepath.Join(root, "cache"))
			writeFiles(t, dir, r.files)
			if !strings.Contains(r.name, "recent") {
				ageTree(t, dir)
			}
			if strings.Contains(r.name, "prerequisite newer") {
				// gen.mk is up to date at first
				old := time.Now().Add(-2 * time.Minute)
				os.Chtimes(filepath.Join(dir, "gen.src"), old, old)
			}
			cfg := r.cfg
			check := func(what string, wantHit bool) cacheRun {
				t.Helper()
				before := cache.Stats()
				got := loadCached(t, dir, cfg, cache)
				after := cache.Stats()
				if hit := after.Hits > before.Hits; hit != wantHit {
					t.Fatalf("%s: hit %v, want %v (stats %+v → %+v)", what, hit, wantHit, before, after)
				}
				want := loadCached(t, dir, cfg, nil)
				if got.out != want.out || got.status != want.status {
					t.Fatalf("%s: with the cache (status %d):\n%s\nwithout (status %d):\n%s", what, got.status, got.out, want.status, want.out)
				}
				return got
			}
			check("first run", false)
			before := cache.Stats()
			if before.Stores != 1 {
				t.Fatalf("first run stored %d entries", before.Stores)
			}
			check("control", true)
			after := cache.Stats()
			if skipped := after.RemakeSkipped - before.RemakeSkipped; (skipped == 1) != r.skip {
				t.Errorf("control: remaking skipped %d times, want skipping %v", skipped, r.skip)
			}
			if narrowed := after.RemakeNarrowed - before.RemakeNarrowed; (narrowed == 1) != r.narrow {
				t.Errorf("control: remaking narrowed %d times, want narrowing %v", narrowed, r.narrow)
			}
			r.change(t, dir, &cfg)
			if strings.Contains(r.name, "prerequisite newer") {
				before := cache.Stats()
				got := loadCached(t, dir, cfg, cache)
				after := cache.Stats()
				// a hit, gen.mk remade, a restart that reads it (not
				// from the cache: after a restart none is used)
				if after.Hits != before.Hits+1 || after.RemakeSkipped != before.RemakeSkipped || after.RemakeNarrowed != before.RemakeNarrowed+1 {
					t.Fatalf("stats %+v → %+v", before, after)
				}
				if !strings.Contains(got.out, "cp gen.src gen.mk") || !strings.Contains(got.out, "X = new") {
					t.Fatalf("gen.mk not remade and read again:\n%s", got.out)
				}
				check("after remaking", false)
				return
			}
			check("after the change", !r.miss)
		})
	}
}

// TestLoadCacheRemakeCandidateAppears: a makefile without a rule is not
// remade on a hit while the directories the implicit rule search listed
// are unchanged; when a file appears that a built-in rule can remake it
// from (a.mk from a.mk.sh by "%: %.sh"), the hit remakes it as make does,
// and reads it again.
func TestLoadCacheRemakeCandidateAppears(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "work")
	cache := loadcache.New(filepath.Join(root, "cache"))
	writeFiles(t, dir, map[string]string{"Makefile": "include a.mk\nall: ; @echo $(X)\n", "a.mk": "X = plain\n"})
	ageTree(t, dir)
	loadCached(t, dir, makefile.Config{}, cache)
	before := cache.Stats()
	loadCached(t, dir, makefile.Config{}, cache)
	if s := cache.Stats(); s.Hits != before.Hits+1 || s.RemakeSkipped != before.RemakeSkipped+1 {
		t.Fatalf("control: stats %+v → %+v", before, s)
	}
	writeFiles(t, dir, map[string]string{"a.mk.sh": "X = from-sh\n"})
	got := loadCached(t, dir, makefile.Config{}, cache)
	if s := cache.Stats(); s.Hits != before.Hits+2 {
		t.Fatalf("after a.mk.sh appeared: stats %+v", s)
	}
	if !strings.Contains(got.out, "cat a.mk.sh >a.mk") || !strings.Contains(got.out, "X = from-sh") {
		t.Fatalf("a.mk not remade from a.mk.sh and read again:\n%s", got.out)
	}
}

// TestLoadCacheRemakeBesideMakefiles checks that what a build leaves
// beside the makefiles (a build directory, output files) does not make a
// hit remake them again: no implicit rule could look for those names. A
// name a rule could look for (a.mk.sh, a source of make's built-in
// "%: %.sh") still does: TestLoadCacheRemakeCandidateAppears.
func TestLoadCacheRemakeBesideMakefiles(t *testing.T) {
	// Fresh: the directory was modified within the cache's racy window,
	// so its names are compared every time rather than its times trusted;
	// aged: only its modification time is old.
	for _, aged := range []bool{true, false} {
		t.Run(fmt.Sprintf("aged=%v", aged), func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "work")
			cache := loadcache.New(filepath.Join(root, "cache"))
			writeFiles(t, dir, map[string]string{"Makefile": "include a.mk\nall: ; @echo $(X)\n", "a.mk": "X = plain\n"})
			if aged {
				ageTree(t, dir)
			}
			loadCached(t, dir, makefile.Config{}, cache)
			before := cache.Stats()
			if err := os.MkdirAll(filepath.Join(dir, "build", "script"), 0o755); err != nil {
				t.Fatal(err)
			}
			writeFiles(t, dir, map[string]string{"out.txt": "x", "Dockerfile": "FROM x\n"})
			loadCached(t, dir, makefile.Config{}, cache)
			s := cache.Stats()
			if s.Hits != before.Hits+1 || s.RemakeSkipped != before.RemakeSkipped+1 {
				t.Fatalf("after build/, out.txt and Dockerfile appeared: stats %+v → %+v (want a hit that skips remaking)", before, s)
			}
			// The directory's change time (which ageTree cannot set back)
			// is within the racy window: it was stored to be compared by
			// names, and still is, so nothing is stored again
			// (TestRemakeValidFresh: a directory whose times were
			// trusted is).
			if stored := s.Stores - before.Stores; stored != 0 {
				t.Errorf("the changed directory's state stored %d times, want none", stored)
			}
			writeFiles(t, dir, map[string]string{"a.mk.sh": "X = from-sh\n"})
			got := loadCached(t, dir, makefile.Config{}, cache)
			if !strings.Contains(got.out, "X = from-sh") {
				t.Fatalf("a.mk not remade from a.mk.sh after the directory had changed once:\n%s", got.out)
			}
		})
	}
}
