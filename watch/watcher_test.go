package watch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

var fsnotifyOverflow = fsnotify.ErrEventOverflow

// startWatcher makes the files (relative to a new temp dir) and watches in.
func startWatcher(t *testing.T, files map[string]string, in func(dir string) Inputs) (string, *Watcher, *probe) {
	t.Helper()
	dir := tempDir(t)
	for name, content := range files {
		write(t, filepath.Join(dir, name), content)
	}
	p, h := newProbe(t, dir)
	w, err := New(in(dir), Options{Clock: p.clock, hooks: h})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return dir, w, p
}

// paths makes an Inputs watching the given paths relative to dir, with
// rel Makefiles and wildcard patterns.
func paths(watch []string, makes []string, globs []string) func(string) Inputs {
	return func(dir string) Inputs {
		abs := func(l []string) []string {
			var out []string
			for _, p := range l {
				out = append(out, filepath.Join(dir, p))
			}
			return out
		}
		return &Static{Watch: abs(watch), Makes: abs(makes), Globs: abs(globs)}
	}
}

func TestWatcherEditorSequences(t *testing.T) {
	base := map[string]string{
		"a.sh":            "echo a\n",
		"other":           "not an input\n",
		"tree/b.sh":       "echo b\n",
		"tree/sub/c.conf": "c=1\n",
		"Makefile":        "include make/*.mk\n",
		"make/common.mk":  "X = 1\n",
	}
	in := paths([]string{"a.sh", "tree"}, []string{"Makefile"}, []string{"make/*.mk"})
	tests := []struct {
		name    string
		act     func(t *testing.T, dir string)
		want    []string // the one batch's changes; nil: no batch at all
		reparse bool
	}{
		{
			name: "plain write",
			act:  func(t *testing.T, dir string) { write(t, filepath.Join(dir, "a.sh"), "echo A\n") },
			want: []string{"modified a.sh"},
		},
		{
			name: "atomic rename save of a file input",
			act: func(t *testing.T, dir string) {
				tmp := filepath.Join(dir, ".a.sh.tmp.1234")
				write(t, tmp, "echo new\n")
				must(t, os.Rename(tmp, filepath.Join(dir, "a.sh")))
			},
			want: []string{"modified a.sh"},
		},
		{
			name: "atomic rename save inside a watched tree",
			act: func(t *testing.T, dir string) {
				tmp := filepath.Join(dir, "tree/.b.sh.XYZ")
				write(t, tmp, "echo new\n")
				must(t, os.Rename(tmp, filepath.Join(dir, "tree/b.sh")))
			},
			want: []string{"modified tree/b.sh"},
		},
		{
			name: "vim save with backup, 4913 probe and swap file",
			act: func(t *testing.T, dir string) {
				for _, sub := range []string{"", "tree/"} {
					d := filepath.Join(dir, sub)
					f := filepath.Join(d, map[string]string{"": "a.sh", "tree/": "b.sh"}[sub])
					swp := filepath.Join(d, "."+filepath.Base(f)+".swp")
					write(t, swp, "swap")
					probe := filepath.Join(d, "4913")
					write(t, probe, "")
					must(t, os.Remove(probe))
					must(t, os.Rename(f, f+"~"))
					write(t, f, "echo saved by vim\n")
					must(t, os.Remove(f+"~"))
					write(t, swp, "swap2")
					must(t, os.Remove(swp))
				}
			},
			want: []string{"modified a.sh", "modified tree/b.sh"},
		},
		{
			name: "emacs lock and autosave files",
			act: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, "tree/.#b.sh"), "lock")
				write(t, filepath.Join(dir, "tree/#b.sh#"), "autosave")
			},
			want: nil,
		},
		{
			name: "delete and re-create with new content",
			act: func(t *testing.T, dir string) {
				must(t, os.Remove(filepath.Join(dir, "tree/b.sh")))
				write(t, filepath.Join(dir, "tree/b.sh"), "echo B\n")
			},
			want: []string{"modified tree/b.sh"},
		},
		{
			name: "delete and re-create with the same content",
			act: func(t *testing.T, dir string) {
				must(t, os.Remove(filepath.Join(dir, "a.sh")))
				write(t, filepath.Join(dir, "a.sh"), "echo a\n")
			},
			want: nil,
		},
		{
			name: "delete",
			act:  func(t *testing.T, dir string) { must(t, os.Remove(filepath.Join(dir, "tree/sub/c.conf"))) },
			want: []string{"removed tree/sub/c.conf"},
		},
		{
			name: "chmod without content change",
			act:  func(t *testing.T, dir string) { must(t, os.Chmod(filepath.Join(dir, "a.sh"), 0o600)) },
			want: nil,
		},
		{
			name: "touch without content change",
			act: func(t *testing.T, dir string) {
				now := time.Now().Add(time.Hour)
				must(t, os.Chtimes(filepath.Join(dir, "tree/b.sh"), now, now))
			},
			want: nil,
		},
		{
			name: "executable bit set",
			act:  func(t *testing.T, dir string) { must(t, os.Chmod(filepath.Join(dir, "tree/b.sh"), 0o755)) },
			want: []string{"mode tree/b.sh"},
		},
		{
			name: "same content written again",
			act:  func(t *testing.T, dir string) { write(t, filepath.Join(dir, "a.sh"), "echo a\n") },
			want: nil,
		},
		{
			name: "file that is not an input",
			act: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, "other"), "changed")
				write(t, filepath.Join(dir, "new-not-input"), "x")
				write(t, filepath.Join(dir, "make/readme.txt"), "x")
			},
			want: nil,
		},
		{
			name:    "Makefile edited",
			act:     func(t *testing.T, dir string) { write(t, filepath.Join(dir, "Makefile"), "include make/*.mk\nY = 2\n") },
			want:    []string{"modified Makefile"},
			reparse: true,
		},
		{
			name:    "new .mk matching a wildcard include",
			act:     func(t *testing.T, dir string) { write(t, filepath.Join(dir, "make/ssh.mk"), "SSH = 1\n") },
			want:    []string{"created make/ssh.mk"},
			reparse: true,
		},
		{
			name:    "included .mk removed",
			act:     func(t *testing.T, dir string) { must(t, os.Remove(filepath.Join(dir, "make/common.mk"))) },
			want:    []string{"removed make/common.mk"},
			reparse: true,
		},
		{
			name: "new file in a new nested directory",
			act: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, "tree/x/y/z/new.sh"), "echo new\n")
			},
			want: []string{"created tree/x/y/z/new.sh"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, w, p := startWatcher(t, base, in)
			tt.act(t, dir)
			bs := p.batches(w)
			if tt.want == nil {
				if len(bs) != 0 {
					t.Fatalf("got a batch %v, want none", changes(dir, bs[0]))
				}
				return
			}
			if len(bs) != 1 {
				t.Fatalf("got %d batches, want 1", len(bs))
			}
			if got := changes(dir, bs[0]); !slices.Equal(got, tt.want) {
				t.Errorf("changes = %q, want %q", got, tt.want)
			}
			if bs[0].Reparse != tt.reparse {
				t.Errorf("Reparse = %v, want %v", bs[0].Reparse, tt.reparse)
			}
			// And nothing more happens.
			if got := p.batches(w); len(got) != 0 {
				t.Errorf("a second batch came: %v", changes(dir, got[0]))
			}
		})
	}
}

func TestWatcherBurstIsOneBatch(t *testing.T) {
	files := map[string]string{}
	for i := range 500 {
		files[fmt.Sprintf("tree/d%d/f%03d.sh", i%10, i)] = "old\n"
	}
	dir, w, p := startWatcher(t, files, paths([]string{"tree"}, nil, nil))
	var want []string
	for i := range 500 {
		name := fmt.Sprintf("tree/d%d/f%03d.sh", i%10, i)
		write(t, filepath.Join(dir, name), fmt.Sprintf("new %d\n", i))
		want = append(want, "modified "+name)
	}
	for i := range 500 {
		name := fmt.Sprintf("tree/n%d/g%03d.sh", i%10, i)
		write(t, filepath.Join(dir, name), "x\n")
		want = append(want, "created "+name)
	}
	slices.SortFunc(want, func(a, b string) int { return cmpPath(a, b) })
	bs := p.batches(w)
	if len(bs) != 1 {
		t.Fatalf("1000 writes made %d batches, want 1", len(bs))
	}
	got := changes(dir, bs[0])
	if !slices.Equal(got, want) {
		t.Errorf("got %d changes, want %d; first got %q", len(got), len(want), got[:min(3, len(got))])
	}
	if st := w.Stats(); st.Files != 1000 || st.Watches != 22 {
		t.Errorf("Stats = %+v, want 1000 files and 22 watches (dir, tree, 20 subdirectories)", st)
	}
	// 1000 touches (times only) and one real edit: one batch of one change.
	later := time.Now().Add(time.Hour)
	for _, c := range bs[0].Changes {
		must(t, os.Chtimes(c.Path, later, later))
	}
	write(t, filepath.Join(dir, "tree/n3/g013.sh"), "edited\n")
	bs = p.batches(w)
	if len(bs) != 1 || !slices.Equal(changes(dir, bs[0]), []string{"modified tree/n3/g013.sh"}) {
		t.Fatalf("touches and one edit: %v", bs)
	}
}

// cmpPath orders "kind path" strings by path, as batches are.
func cmpPath(a, b string) int {
	_, pa, _ := cut(a)
	_, pb, _ := cut(b)
	switch {
	case pa < pb:
		return -1
	case pa > pb:
		return 1
	}
	return 0
}

func cut(s string) (string, string, bool) {
	for i := range s {
		if s[i] == ' ' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func TestWatcherFollowsRenamedDirectories(t *testing.T) {
	files := map[string]string{
		"tree/sub/x.sh":      "x\n",
		"tree/sub/deep/y.sh": "y\n",
	}
	dir, w, p := startWatcher(t, files, paths([]string{"tree"}, nil, nil))
	must(t, os.Rename(filepath.Join(dir, "tree/sub"), filepath.Join(dir, "tree/moved")))
	bs := p.batches(w)
	if len(bs) != 1 {
		t.Fatalf("rename made %d batches, want 1", len(bs))
	}
	want := []string{"created tree/moved/deep/y.sh", "created tree/moved/x.sh", "removed tree/sub/deep/y.sh", "removed tree/sub/x.sh"}
	if got := changes(dir, bs[0]); !slices.Equal(got, want) {
		t.Fatalf("changes = %q, want %q", got, want)
	}
	// The watches followed: an edit deep in the moved tree is seen under
	// its new name, and nothing is watched under the old one.
	write(t, filepath.Join(dir, "tree/moved/deep/y.sh"), "y2\n")
	bs = p.batches(w)
	if len(bs) != 1 || !slices.Equal(changes(dir, bs[0]), []string{"modified tree/moved/deep/y.sh"}) {
		t.Fatalf("edit after rename: %d batches, %v", len(bs), bs)
	}
	if st := w.Stats(); st.Watches != 4 {
		t.Errorf("Stats.Watches = %d, want 4 (dir, tree, moved, moved/deep)", st.Watches)
	}
	// Moving the directory out of the tree removes its files; back in, it
	// adds them again.
	must(t, os.Rename(filepath.Join(dir, "tree/moved"), filepath.Join(dir, "outside")))
	bs = p.batches(w)
	if len(bs) != 1 || len(bs[0].Changes) != 2 || bs[0].Changes[0].Kind != Removed {
		t.Fatalf("move out: %v", bs)
	}
	write(t, filepath.Join(dir, "outside/x.sh"), "not watched now\n")
	if bs := p.batches(w); len(bs) != 0 {
		t.Fatalf("edit outside the tree made a batch: %v", changes(dir, bs[0]))
	}
	must(t, os.Rename(filepath.Join(dir, "outside"), filepath.Join(dir, "tree/back")))
	bs = p.batches(w)
	want = []string{"created tree/back/deep/y.sh", "created tree/back/x.sh"}
	if len(bs) != 1 || !slices.Equal(changes(dir, bs[0]), want) {
		t.Fatalf("move back: %v, want %q", bs, want)
	}
}

func TestWatcherInputDirectoryReplaced(t *testing.T) {
	// The input directory itself is removed and made again, as a checkout
	// or a generator might do.
	dir, w, p := startWatcher(t, map[string]string{"tree/a.sh": "a\n"}, paths([]string{"tree"}, nil, nil))
	must(t, os.RemoveAll(filepath.Join(dir, "tree")))
	bs := p.batches(w)
	if len(bs) != 1 || !slices.Equal(changes(dir, bs[0]), []string{"removed tree/a.sh"}) {
		t.Fatalf("remove: %v", bs)
	}
	write(t, filepath.Join(dir, "tree/a.sh"), "a again\n")
	bs = p.batches(w)
	if len(bs) != 1 || !slices.Equal(changes(dir, bs[0]), []string{"created tree/a.sh"}) {
		t.Fatalf("re-create: %v", bs)
	}
	write(t, filepath.Join(dir, "tree/a.sh"), "a edited\n")
	bs = p.batches(w)
	if len(bs) != 1 || !slices.Equal(changes(dir, bs[0]), []string{"modified tree/a.sh"}) {
		t.Fatalf("edit: %v", bs)
	}
}

func TestWatcherMissingParentOfInputFile(t *testing.T) {
	// An input file whose directory does not exist yet is watched through
	// the nearest directory that does.
	// (a.sh keeps the test directory itself watched, for the probe.)
	dir, w, p := startWatcher(t, nil, paths([]string{"a.sh", "later/deeper/f.sh"}, nil, nil))
	write(t, filepath.Join(dir, "later/deeper/f.sh"), "here\n")
	bs := p.batches(w)
	if len(bs) != 1 || !slices.Equal(changes(dir, bs[0]), []string{"created later/deeper/f.sh"}) {
		t.Fatalf("got %v", bs)
	}
	write(t, filepath.Join(dir, "later/deeper/f.sh"), "edited\n")
	bs = p.batches(w)
	if len(bs) != 1 || !slices.Equal(changes(dir, bs[0]), []string{"modified later/deeper/f.sh"}) {
		t.Fatalf("got %v", bs)
	}
}

func TestWatcherSetInputs(t *testing.T) {
	dir, w, p := startWatcher(t, map[string]string{"a.sh": "a\n", "b.sh": "b\n"}, paths([]string{"a.sh"}, nil, nil))
	write(t, filepath.Join(dir, "b.sh"), "b2\n")
	if bs := p.batches(w); len(bs) != 0 {
		t.Fatalf("b.sh is not an input yet, got %v", changes(dir, bs[0]))
	}
	must(t, w.SetInputs(paths([]string{"b.sh"}, nil, nil)(dir)))
	write(t, filepath.Join(dir, "a.sh"), "a2\n")
	write(t, filepath.Join(dir, "b.sh"), "b3\n")
	bs := p.batches(w)
	if len(bs) != 1 || !slices.Equal(changes(dir, bs[0]), []string{"modified b.sh"}) {
		t.Fatalf("got %v", bs)
	}
}

func TestWatcherExclude(t *testing.T) {
	dir := tempDir(t)
	write(t, filepath.Join(dir, "img/script/a.sh"), "a\n")
	p, h := newProbe(t, dir)
	w, err := New(&Static{Watch: []string{filepath.Join(dir, "img")}}, Options{
		Clock: p.clock, hooks: h, Exclude: []string{filepath.Join(dir, "img/build")},
	})
	must(t, err)
	defer w.Close()
	write(t, filepath.Join(dir, "img/build/Dockerfile"), "FROM x\n")
	write(t, filepath.Join(dir, "img/build/script/a.sh"), "a\n")
	if bs := p.batches(w); len(bs) != 0 {
		t.Fatalf("writes to an excluded directory made a batch: %v", changes(dir, bs[0]))
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestWatcherFollowsSymlinkedInputFile(t *testing.T) {
	files := map[string]string{"a.sh": "a\n", "real/x.sh": "x\n", "real/y.sh": "y\n"}
	dir := tempDir(t)
	for name, content := range files {
		write(t, filepath.Join(dir, name), content)
	}
	must(t, os.Mkdir(filepath.Join(dir, "links"), 0o755))
	link := filepath.Join(dir, "links/x.sh")
	must(t, os.Symlink("../real/x.sh", link))
	p, h := newProbe(t, dir)
	w, err := New(paths([]string{"a.sh", "links/x.sh"}, nil, nil)(dir), Options{Clock: p.clock, hooks: h})
	must(t, err)
	defer w.Close()

	write(t, filepath.Join(dir, "real/x.sh"), "x2\n")
	bs := p.batches(w)
	if len(bs) != 1 || !slices.Equal(changes(dir, bs[0]), []string{"modified links/x.sh"}) {
		t.Fatalf("edit of the target: %v", bs)
	}
	// ln -sf ../real/y.sh links/x.sh, atomically.
	tmp := filepath.Join(dir, "links/.tmp-link")
	must(t, os.Symlink("../real/y.sh", tmp))
	must(t, os.Rename(tmp, link))
	bs = p.batches(w)
	if len(bs) != 1 || !slices.Equal(changes(dir, bs[0]), []string{"modified links/x.sh"}) {
		t.Fatalf("link retargeted: %v", bs)
	}
	write(t, filepath.Join(dir, "real/y.sh"), "y2\n")
	bs = p.batches(w)
	if len(bs) != 1 || !slices.Equal(changes(dir, bs[0]), []string{"modified links/x.sh"}) {
		t.Fatalf("edit of the new target: %v", bs)
	}
	write(t, filepath.Join(dir, "real/x.sh"), "x3\n")
	if bs := p.batches(w); len(bs) != 0 {
		t.Fatalf("edit of the old target made a batch: %v", changes(dir, bs[0]))
	}
}

func TestWatcherOverflowLooksAgain(t *testing.T) {
	dir, w, p := startWatcher(t, map[string]string{"a.sh": "a\n", "tree/sub/b.sh": "b\n"}, paths([]string{"a.sh", "tree"}, nil, nil))
	// Lose the events of tree/sub, as a queue overflow would.
	sub := filepath.Join(dir, "tree/sub")
	w.do(func() {
		must(t, w.fsn.Remove(sub))
		delete(w.dirs, sub)
	})
	write(t, filepath.Join(dir, "tree/sub/b.sh"), "b2\n")
	if bs := p.batches(w); len(bs) != 0 {
		t.Fatalf("an unwatched directory made a batch: %v", changes(dir, bs[0]))
	}
	w.fsn.Errors <- fsnotifyOverflow
	select {
	case err := <-w.Errors():
		if !errors.Is(err, fsnotifyOverflow) {
			t.Errorf("error = %v", err)
		}
	case <-time.After(wait):
		t.Fatal("the overflow was not reported")
	}
	bs := p.batches(w)
	if len(bs) != 1 || !slices.Equal(changes(dir, bs[0]), []string{"modified tree/sub/b.sh"}) {
		t.Fatalf("after the overflow: %v", bs)
	}
	// And the lost watch is back.
	write(t, filepath.Join(dir, "tree/sub/b.sh"), "b3\n")
	if bs := p.batches(w); len(bs) != 1 {
		t.Fatalf("edit after the overflow: %d batches", len(bs))
	}
}

func TestWatcherInputDirectoryAppears(t *testing.T) {
	// An input path missing at the start that appears as a directory is
	// watched recursively from then on.
	dir, w, p := startWatcher(t, map[string]string{"a.sh": "a\n"}, paths([]string{"a.sh", "later"}, nil, nil))
	write(t, filepath.Join(dir, "later/sub/x.sh"), "x\n")
	bs := p.batches(w)
	if len(bs) != 1 || !slices.Equal(changes(dir, bs[0]), []string{"created later/sub/x.sh"}) {
		t.Fatalf("got %v", bs)
	}
	write(t, filepath.Join(dir, "later/sub/x.sh"), "x2\n")
	write(t, filepath.Join(dir, "later/y.sh"), "y\n")
	bs = p.batches(w)
	if len(bs) != 1 || !slices.Equal(changes(dir, bs[0]), []string{"modified later/sub/x.sh", "created later/y.sh"}) {
		t.Fatalf("got %v", bs)
	}
}

func TestWatcherSameFileBurst(t *testing.T) {
	dir, w, p := startWatcher(t, map[string]string{"a.sh": "a\n"}, paths([]string{"a.sh"}, nil, nil))
	for i := range 1000 {
		write(t, filepath.Join(dir, "a.sh"), fmt.Sprintf("edit %d\n", i))
	}
	bs := p.batches(w)
	if len(bs) != 1 || !slices.Equal(changes(dir, bs[0]), []string{"modified a.sh"}) {
		t.Fatalf("1000 writes of one file: %v", bs)
	}
}
