package loadcache

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/makefile"
)

// store loads the makefiles of cfg with input recording and stores them
// in c, returning the key.
func store(t *testing.T, c *Cache, cfg makefile.Config) Key {
	t.Helper()
	cfg.RecordInputs = true
	db, err := makefile.Load(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := db.AppendEncoding(nil)
	if err != nil {
		t.Fatal(err)
	}
	k, err := KeyOf(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Store(k, enc, &Remake{}); err != nil {
		t.Fatal(err)
	}
	return k
}

// TestOutputReplayedToOtherStreams stores a load read with no output
// streams and looks it up with some: the $(info) and $(warning) output
// that went nowhere the first time is printed on the hit, as a load would.
func TestOutputReplayedToOtherStreams(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte("$(info out)\n$(warning err)\nall:\n"), 0o644)
	c := New(filepath.Join(t.TempDir(), "cache"))
	cfg := makefile.Config{Dir: dir, ProgramName: "dmake"}
	k := store(t, c, cfg)
	var out, errb bytes.Buffer
	cfg.Stdout, cfg.Stderr = &out, &errb
	if h := c.Lookup(context.Background(), k, cfg); h == nil {
		t.Fatal("miss")
	}
	if out.String() != "out\n" || errb.String() != "Makefile:2: err\n" {
		t.Errorf("replayed stdout %q, stderr %q", out.String(), errb.String())
	}
}

// TestEntryMisses: an entry of another build, a truncated entry, one under
// another key and no entry are misses, never errors or panics.
func TestEntryMisses(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte("X = 1\nall:\n"), 0o644)
	cdir := filepath.Join(t.TempDir(), "cache")
	c := New(cdir)
	cfg := makefile.Config{Dir: dir}
	k := store(t, c, cfg)
	ctx := context.Background()
	if c.Lookup(ctx, k, cfg) == nil {
		t.Fatal("the stored load misses")
	}
	other := New(cdir)
	other.build = "another build"
	if other.Lookup(ctx, k, cfg) != nil {
		t.Error("an entry of another build hits")
	}
	k2, _ := KeyOf(cfg, "other settings")
	if c.Lookup(ctx, k2, cfg) != nil {
		t.Error("another key hits")
	}
	data, _ := os.ReadFile(c.path(k))
	for _, n := range []int{0, 5, len(data) / 2, len(data) - 1} {
		os.WriteFile(c.path(k), data[:n], 0o600)
		if c.Lookup(ctx, k, cfg) != nil {
			t.Errorf("an entry cut to %d of %d bytes hits", n, len(data))
		}
	}
	if s := c.Stats(); s.Hits != 1 || s.Misses != 5 {
		t.Errorf("stats %+v", s)
	}
}

// TestLocation: $DMAKE_CACHE_DIR and an explicit setting win, "off"
// disables, and the default location is never inside the directories
// make works in.
func TestLocation(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if got := Location("/x", env(map[string]string{"DMAKE_CACHE_DIR": "/y"})); got != "/x" {
		t.Errorf("setting: %q", got)
	}
	if got := Location("", env(map[string]string{"DMAKE_CACHE_DIR": "/y"})); got != "/y" {
		t.Errorf("DMAKE_CACHE_DIR: %q", got)
	}
	if got := Location("", env(map[string]string{"DMAKE_CACHE_DIR": Off})); got != "" {
		t.Errorf("off: %q", got)
	}
	ucd, err := os.UserCacheDir()
	if err != nil {
		t.Skip(err)
	}
	if got := Location("", env(nil), "/nonexistent/elsewhere"); got != filepath.Join(ucd, "dmake", "load") {
		t.Errorf("default: %q", got)
	}
	if got := Location("", env(nil), filepath.Dir(ucd)); got != "" {
		t.Errorf("default inside the work directory %s: %q", filepath.Dir(ucd), got)
	}
}

// TestEntryWritableByOthers: an entry others may write is not read (a
// database from the cache runs its recipes).
func TestEntryWritableByOthers(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte("all:\n"), 0o644)
	c := New(filepath.Join(t.TempDir(), "cache"))
	cfg := makefile.Config{Dir: dir}
	k := store(t, c, cfg)
	if c.Lookup(context.Background(), k, cfg) == nil {
		t.Fatal("the stored load misses")
	}
	os.Chmod(c.path(k), 0o666)
	if c.Lookup(context.Background(), k, cfg) != nil {
		t.Error("an entry writable by others hits")
	}
}

// TestPrune: past the size limit, a store removes the least recently used
// entries (a hit counts as a use), down to three quarters of the limit.
func TestPrune(t *testing.T) {
	c := New(filepath.Join(t.TempDir(), "cache"))
	ctx := context.Background()
	var keys []Key
	var cfgs []makefile.Config
	for i := 0; i < 4; i++ {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "Makefile"), []byte("all:\n"), 0o644)
		cfg := makefile.Config{Dir: dir}
		keys = append(keys, store(t, c, cfg))
		cfgs = append(cfgs, cfg)
		os.Chtimes(c.path(keys[i]), time.Now().Add(time.Duration(i-10)*time.Minute), time.Now().Add(time.Duration(i-10)*time.Minute))
	}
	fi, _ := os.Stat(c.path(keys[0]))
	c.maxBytes = 4*fi.Size() + 1 // one more entry is too many
	if c.Lookup(ctx, keys[0], cfgs[0]) == nil {
		t.Fatal("miss")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte("all:\n"), 0o644)
	store(t, c, makefile.Config{Dir: dir})
	for i, k := range keys {
		_, err := os.Stat(c.path(k))
		// entries 1 and 2 were the least recently used (0 was just hit)
		if gone := err != nil; gone != (i == 1 || i == 2) {
			t.Errorf("entry %d: removed %v", i, gone)
		}
	}
}

// TestPruneOnNewEntry: rewriting an entry (as a run whose directories
// changed does) does not prune; the next new entry does.
func TestPruneOnNewEntry(t *testing.T) {
	c := New(filepath.Join(t.TempDir(), "cache"))
	var keys []Key
	var cfgs []makefile.Config
	for i := 0; i < 3; i++ {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "Makefile"), []byte("all:\n"), 0o644)
		cfgs = append(cfgs, makefile.Config{Dir: dir})
	}
	keys = append(keys, store(t, c, cfgs[0]), store(t, c, cfgs[1]))
	c.maxBytes = 1 // every prune removes every entry
	store(t, c, cfgs[1])
	for i, k := range keys {
		if _, err := os.Stat(c.path(k)); err != nil {
			t.Errorf("entry %d removed by rewriting entry 1: %v", i, err)
		}
	}
	store(t, c, cfgs[2])
	for i, k := range keys {
		if _, err := os.Stat(c.path(k)); err == nil {
			t.Errorf("entry %d kept past the size limit after a new entry", i)
		}
	}
}

// TestPruneKeepsForeignFiles: with DMAKE_CACHE_DIR pointing at a directory
// that holds other files (a project, a directory of videos), pruning past
// the age and the size limits removes only dmake's own entries: old files,
// big files, files named like entries that are not entries, links and
// FIFOs are all left alone.
func TestPruneKeepsForeignFiles(t *testing.T) {
	loc := t.TempDir()
	old := time.Now().Add(-30 * 24 * time.Hour)
	foreign := map[string]string{
		"Makefile":            "all:\n",
		"README":              "read me\n",
		"video.mp4":           strings.Repeat("v", 4096),
		Subdir + "/notes.txt": "mine\n",
		Subdir + "/0123456789abcdef0123456789abcdef": "not an entry\n",
		Subdir + "/.tmp-keep":                        "not a temporary entry\n",
	}
	for name, data := range foreign {
		p := filepath.Join(loc, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, old, old)
	}
	if err := syscall.Mkfifo(filepath.Join(loc, Subdir, "fedcba9876543210fedcba9876543210"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Symlink(filepath.Join(loc, "README"), filepath.Join(loc, Subdir, "00000000000000000000000000000000"))

	c := New(loc)
	c.maxBytes = 1 // every store is past the size limit
	ctx := context.Background()
	var keys []Key
	var cfgs []makefile.Config
	for i := 0; i < 3; i++ {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "Makefile"), []byte("all:\n"), 0o644)
		cfg := makefile.Config{Dir: dir}
		keys = append(keys, store(t, c, cfg))
		cfgs = append(cfgs, cfg)
		if i == 0 {
			os.Chtimes(c.path(keys[0]), old, old) // past maxAge
		}
	}
	for name, data := range foreign {
		got, err := os.ReadFile(filepath.Join(loc, name))
		if err != nil || string(got) != data {
			t.Errorf("%s: removed or changed by pruning (%v)", name, err)
		}
	}
	for _, name := range []string{"fedcba9876543210fedcba9876543210", "00000000000000000000000000000000"} {
		if _, err := os.Lstat(filepath.Join(loc, Subdir, name)); err != nil {
			t.Errorf("%s: removed by pruning", name)
		}
	}
	if _, err := os.Stat(c.path(keys[0])); err == nil {
		t.Errorf("dmake's own entry past maxAge was kept")
	}
	if c.Lookup(ctx, keys[2], cfgs[2]) != nil {
		t.Errorf("past the size limit (1 byte), pruning kept dmake's entries")
	}
	tag, err := os.ReadFile(filepath.Join(loc, Subdir, "CACHEDIR.TAG"))
	if err != nil || !strings.HasPrefix(string(tag), "Signature: 8a477f597d28d172789f06886806bc55") {
		t.Errorf("no cache directory tag: %v %q", err, tag)
	}
}

// TestFIFOCacheEntry: a FIFO planted where an entry would be is a miss,
// not a hang.
func TestFIFOCacheEntry(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte("all:\n"), 0o644)
	c := New(filepath.Join(t.TempDir(), "cache"))
	cfg := makefile.Config{Dir: dir}
	k := store(t, c, cfg)
	os.Remove(c.path(k))
	if err := syscall.Mkfifo(c.path(k), 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan *Hit, 1)
	go func() { done <- c.Lookup(context.Background(), k, cfg) }()
	select {
	case h := <-done:
		if h != nil {
			t.Error("a FIFO at the entry's path hits")
		}
	case <-time.After(time.Minute):
		t.Fatal("Lookup blocked on a FIFO at the entry's path")
	}
}

// TestClean removes every entry and the directory they were in, and, in a
// directory that holds other files too, only dmake's entries and tag.
func TestClean(t *testing.T) {
	for _, foreign := range []bool{false, true} {
		loc := t.TempDir()
		c := New(loc)
		var keys []Key
		for i := 0; i < 3; i++ {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "Makefile"), []byte("all:\n"), 0o644)
			keys = append(keys, store(t, c, makefile.Config{Dir: dir}))
		}
		other := filepath.Join(c.Dir(), "0123456789abcdef0123456789abcdef")
		if foreign {
			os.WriteFile(other, []byte("not an entry\n"), 0o644)
		}
		var size int64
		for _, k := range keys {
			fi, err := os.Stat(c.path(k))
			if err != nil {
				t.Fatal(err)
			}
			size += fi.Size()
		}
		r, err := c.Clean()
		if err != nil || r.Files != 3 || r.Bytes != size {
			t.Errorf("foreign %v: Clean() = %+v, %v; want 3 files, %d bytes", foreign, r, err, size)
		}
		_, err = os.Stat(c.Dir())
		if gone := err != nil; gone == foreign {
			t.Errorf("foreign %v: cache directory removed: %v", foreign, gone)
		}
		if _, err := os.Stat(other); foreign && err != nil {
			t.Errorf("a file that is not an entry was removed")
		}
		if r, err := c.Clean(); err != nil || r.Files != 0 {
			t.Errorf("foreign %v: second Clean() = %+v, %v", foreign, r, err)
		}
	}
}

// TestPruneCountsOnlyOwnEntries: a big file of someone else's named like
// an entry does not count towards the size limit, so it evicts none of
// dmake's entries (and is left alone).
func TestPruneCountsOnlyOwnEntries(t *testing.T) {
	loc := t.TempDir()
	c := New(loc)
	big := filepath.Join(loc, Subdir, "0123456789abcdef0123456789abcdef")
	os.MkdirAll(filepath.Dir(big), 0o755)
	if err := os.WriteFile(big, bytes.Repeat([]byte("x"), 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	var keys []Key
	for i := 0; i < 3; i++ {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "Makefile"), []byte("all:\n"), 0o644)
		keys = append(keys, store(t, c, makefile.Config{Dir: dir}))
		if i == 0 {
			fi, err := os.Stat(c.path(keys[0]))
			if err != nil {
				t.Fatal(err)
			}
			c.maxBytes = 4 * fi.Size() // room for dmake's three, not for the big file
		}
	}
	for i, k := range keys {
		if _, err := os.Stat(c.path(k)); err != nil {
			t.Errorf("entry %d removed: the foreign file counted towards the limit", i)
		}
	}
	if fi, err := os.Stat(big); err != nil || fi.Size() != 1<<20 {
		t.Errorf("the foreign file was removed or changed: %v", err)
	}
}

// TestPruneOldEntries: a store removes its own entries not used for
// maxAge and its temporary files abandoned for maxTmpAge (a dmake killed
// while writing one), and keeps the other entries and a temporary file
// being written.
func TestPruneOldEntries(t *testing.T) {
	c := New(t.TempDir())
	var keys []Key
	for range 3 {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "Makefile"), []byte("all:\n"), 0o644)
		keys = append(keys, store(t, c, makefile.Config{Dir: dir}))
	}
	ago := func(p string, d time.Duration) {
		t.Helper()
		when := time.Now().Add(-d)
		if err := os.Chtimes(p, when, when); err != nil {
			t.Fatal(err)
		}
	}
	ago(c.path(keys[0]), maxAge+24*time.Hour)
	ago(c.path(keys[1]), maxAge-24*time.Hour)
	abandoned := filepath.Join(c.Dir(), ".tmp-123456")
	os.WriteFile(abandoned, []byte(fileMagic+"half an entry"), 0o600)
	ago(abandoned, 24*time.Hour)
	writing := filepath.Join(c.Dir(), ".tmp-654321")
	os.WriteFile(writing, []byte(fileMagic+"being written"), 0o600)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte("all:\n"), 0o644)
	store(t, c, makefile.Config{Dir: dir})
	for i, k := range keys {
		_, err := os.Stat(c.path(k))
		if gone := err != nil; gone != (i == 0) {
			t.Errorf("entry %d: removed %v", i, gone)
		}
	}
	if _, err := os.Stat(abandoned); err == nil {
		t.Error("a temporary file abandoned a day ago was kept")
	}
	if _, err := os.Stat(writing); err != nil {
		t.Errorf("a temporary file being written was removed: %v", err)
	}
}

// TestRemakeValidFresh: a directory recorded with times that were
// trusted, that changed since (its modification or only its change time)
// but still holds the same names, leaves Remake valid and gives a fresh
// state to store; that state, checked again, gives none.
func TestRemakeValidFresh(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.mk"), nil, 0o644)
	keep := func(_, name string) bool { return strings.HasSuffix(name, ".mk") }
	now := ListDir(dir, keep)
	for _, tc := range []struct {
		name string
		old  func(d *Dir)
	}{
		{"older modification time", func(d *Dir) { d.ModTime -= int64(time.Hour) }},
		{"older change time", func(d *Dir) { d.ChangeTime -= int64(time.Hour) }},
	} {
		d := now
		tc.old(&d)
		ok, fresh := (&Remake{Known: true, Dirs: []Dir{d}}).Valid(keep)
		if !ok || fresh == nil {
			t.Fatalf("%s: valid %v, fresh %+v", tc.name, ok, fresh)
		}
		// Settled (-1) while within the racy window, the state now after.
		got, cur := fresh.Dirs[0], StatDir(dir)
		settled := got.ModTime == -1 && got.ChangeTime == -1
		if !settled && !got.sameState(cur) || !slices.Equal(got.Names, now.Names) {
			t.Errorf("%s: fresh state %+v, want settled or %+v, with the names %q", tc.name, got, cur, now.Names)
		}
		if ok, again := fresh.Valid(keep); !ok || again != nil {
			t.Errorf("%s: the settled state: valid %v, fresh %+v", tc.name, ok, again)
		}
	}
	os.WriteFile(filepath.Join(dir, "b.mk"), nil, 0o644)
	if ok, _ := (&Remake{Known: true, Dirs: []Dir{now}}).Valid(keep); ok {
		t.Error("a directory that gained a name the search could look for is still valid")
	}
}

// TestKeyEnvironmentOrder: the same environment in another order has the
// same key; a different one, or two entries of one name swapped (the last
// wins), has another.
func TestKeyEnvironmentOrder(t *testing.T) {
	key := func(env ...string) Key {
		t.Helper()
		k, err := KeyOf(makefile.Config{Dir: "/d", Env: env}, "")
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	base := key("A=1", "PATH=/bin", "B=2", "A=3")
	for _, tc := range []struct {
		env  []string
		same bool
	}{
		{[]string{"PATH=/bin", "A=1", "A=3", "B=2"}, true},
		{[]string{"B=2", "A=1", "A=3", "PATH=/bin"}, true},
		{[]string{"A=3", "PATH=/bin", "B=2", "A=1"}, false},
		{[]string{"A=1", "PATH=/bin", "B=2"}, false},
		{[]string{"A=1", "PATH=/usr/bin", "B=2", "A=3"}, false},
	} {
		if got := key(tc.env...) == base; got != tc.same {
			t.Errorf("env %q: same key %v, want %v", tc.env, got, tc.same)
		}
	}
}

// BenchmarkStoreNewEntry: a store that adds an entry to a directory of
// 2 000 (as many as a developer's machine gathers) prunes it, with one
// lstat per entry and no open.
func BenchmarkStoreNewEntry(b *testing.B) {
	c := New(filepath.Join(b.TempDir(), "cache"))
	dir := b.TempDir()
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte("all:\n"), 0o644)
	cfg := makefile.Config{Dir: dir, RecordInputs: true}
	db, err := makefile.Load(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	enc, err := db.AppendEncoding(nil)
	if err != nil {
		b.Fatal(err)
	}
	k, err := KeyOf(cfg, "")
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Store(k, enc, &Remake{}); err != nil {
		b.Fatal(err)
	}
	entry, err := os.ReadFile(c.path(k))
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 2000; i++ {
		var other Key
		binary.BigEndian.PutUint64(other[:], uint64(i+1))
		if err := os.WriteFile(c.path(other), entry, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		os.Remove(c.path(k))
		if err := c.Store(k, enc, &Remake{}); err != nil {
			b.Fatal(err)
		}
	}
}
