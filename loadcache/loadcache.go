// Package loadcache keeps the makefile databases dmake loaded, so that a
// run whose makefiles and other inputs did not change decodes the database
// instead of reading and evaluating every makefile again (kati's "regen"
// check, for GNU make semantics).
//
// An entry is keyed by a hash of everything in the makefile.Config that
// can change the result (directory, -f files, goals, command-line
// variables, the whole environment, flags, -I directories, program name
// and $(MAKE)). It holds the encoded database with its recorded inputs
// (makefile.Inputs: files with size, modification and change times and
// inode, probes, $(wildcard) results, parse-time $(shell) results, the
// output printed while reading), and what the caller learnt about
// remaking the makefiles (Remake). A lookup checks every input
// (Inputs.Check) and replays the output; any difference, a corrupt or
// truncated entry, or an entry written by another build of dmake is a
// miss, never an error.
//
// Entries live in one directory, never inside the project: the
// subdirectory dmake-load-cache (marked with a CACHEDIR.TAG) of
// $DMAKE_CACHE_DIR or of the user's cache directory (Location). Writes go
// to a temporary file renamed into place, so concurrent dmakes see a whole
// entry or none. Pruning only ever removes dmake's own entries: files of
// that subdirectory with an entry's name, owned by this user, that begin
// as an entry does; whatever else is in the directory is never touched.
package loadcache

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dmake-dev/dmake/makefile"
)

// Off is the value of $DMAKE_CACHE_DIR (or of a location) that disables
// the cache.
const Off = "off"

// Location returns the cache directory for a setting: dir itself when
// set ("off" disables: ""), else $DMAKE_CACHE_DIR of getenv, else
// dmake/load under the user's cache directory (os.UserCacheDir). It is ""
// when caching is disabled or no location can be found, and when the
// default location lies inside one of workDirs, the directories make
// starts and runs in (whose files a build leaves, cleans or compares:
// HOME may be the project).
func Location(dir string, getenv func(string) string, workDirs ...string) string {
	if dir == "" && getenv != nil {
		dir = getenv("DMAKE_CACHE_DIR")
	}
	if dir == Off {
		return ""
	}
	if dir != "" {
		return dir
	}
	ucd, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	dir = filepath.Join(ucd, "dmake", "load")
	for _, w := range workDirs {
		if wd, err := filepath.Abs(w); err == nil {
			if d, err := filepath.Abs(dir); err == nil && (d == wd || strings.HasPrefix(d, wd+string(filepath.Separator))) {
				return ""
			}
		}
	}
	return dir
}

// Cache is a directory of cached loads. Its methods may be called from
// several goroutines and processes at once.
type Cache struct {
	dir   string
	build string
	// Log, when not nil, receives one line per lookup and store saying
	// what happened and why (DMAKE_LOADCACHE_DEBUG in dmake).
	Log io.Writer

	hits, misses, stores, skipped, narrowed atomic.Int64
	maxBytes                                int64
}

// Subdir is the directory, inside the cache location, that holds the
// entries.
const Subdir = "dmake-load-cache"

// cacheDirTag marks Subdir as a cache (https://bford.info/cachedir/):
// backup tools skip it.
const cacheDirTag = "Signature: 8a477f597d28d172789f06886806bc55\n" +
	"# This file is a cache directory tag created by dmake (its cache of loaded makefiles).\n" +
	"# For information about cache directory tags, see https://bford.info/cachedir/\n"

// New returns the cache at location dir: its entries are in dir/Subdir
// (created when first written).
func New(dir string) *Cache {
	return &Cache{dir: filepath.Join(dir, Subdir), build: buildID(), maxBytes: maxBytes}
}

// Dir returns the directory that holds the cache's entries.
func (c *Cache) Dir() string { return c.dir }

// Stats are the counts of lookups that hit and missed, of entries
// written, and of hits whose stored Remake let the caller skip remaking
// the makefiles (RemakeSkipped) or remake only those with a rule
// (RemakeNarrowed), since New.
type Stats struct {
	Hits, Misses, Stores, RemakeSkipped, RemakeNarrowed int64
}

// Stats returns the counts of c so far.
func (c *Cache) Stats() Stats {
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Stores: c.stores.Load(),
		RemakeSkipped: c.skipped.Load(), RemakeNarrowed: c.narrowed.Load()}
}

// RemakeSkipped is called by the caller when a hit's Remake let it skip
// remaking the makefiles: it counts in Stats and goes to Log.
func (c *Cache) RemakeSkipped() {
	c.skipped.Add(1)
	c.logf("remaking the makefiles skipped: it does nothing")
}

// RemakeNarrowed is called by the caller when a hit's Remake let it remake
// only its Goals, n of all the makefiles: it counts in Stats and goes to
// Log.
func (c *Cache) RemakeNarrowed(goals, n int) {
	c.narrowed.Add(1)
	c.logf("remaking only the %d of %d makefiles that have a rule", goals, n)
}

// buildID identifies this dmake executable: an entry written by another
// build is not read (its encoding or semantics may differ).
func buildID() string {
	var b strings.Builder
	if bi, ok := debug.ReadBuildInfo(); ok {
		b.WriteString(bi.Main.Path + "@" + bi.Main.Version + " " + bi.GoVersion)
		for _, s := range bi.Settings {
			if strings.HasPrefix(s.Key, "vcs.") {
				b.WriteString(" " + s.Key + "=" + s.Value)
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		if fi, err := os.Stat(exe); err == nil {
			fmt.Fprintf(&b, " %s %d %d", exe, fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return b.String()
}

// Remake is what the caller learnt about remaking the makefiles after a
// load. Known reports that the implicit rule search answered through the
// directory listings Dirs, whose state is recorded; Goals are then the
// makefiles (and missing included files) that had a rule, explicit or
// found by search: the others had none. While none of those directories
// changes (and the database is the cached one), remaking the others still
// does nothing, and remaking the makefiles is remaking Goals.
type Remake struct {
	Known bool
	Goals []string
	Dirs  []Dir
}

// Dir is a directory an implicit rule search listed, and its state then.
type Dir struct {
	Path    string // as the OS sees it
	Exists  bool
	ModTime int64
	// ChangeTime is the directory's change time (st_ctim), which no one
	// can set back.
	ChangeTime int64
	Inode      uint64
	// Names are the entries the search could have looked for (ListDir's
	// keep), sorted: when the directory changes (a build directory made
	// beside the makefiles), it still answers the search alike while
	// these stay the same.
	Names []string
}

// ListDir returns the state of directory path now with the names of its
// entries for which keep(path, name) reports true.
func ListDir(path string, keep func(dir, name string) bool) Dir {
	d := StatDir(path)
	if !d.Exists {
		return d
	}
	f, err := os.Open(path)
	if err != nil {
		return Dir{Path: path}
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return Dir{Path: path}
	}
	for _, n := range names {
		if keep(path, n) {
			d.Names = append(d.Names, n)
		}
	}
	slices.Sort(d.Names)
	return d
}

// sameState reports whether d and o are the same directory unchanged.
func (d Dir) sameState(o Dir) bool {
	return d.Path == o.Path && d.Exists == o.Exists && d.ModTime == o.ModTime && d.ChangeTime == o.ChangeTime && d.Inode == o.Inode
}

// StatDir returns the state of directory path now.
func StatDir(path string) Dir {
	d := Dir{Path: path}
	fi, err := os.Stat(path)
	if err != nil {
		return d
	}
	d.Exists = true
	d.ModTime = fi.ModTime().UnixNano()
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		d.Inode = st.Ino
		d.ChangeTime = st.Ctim.Nano()
	}
	return d
}

// racySlack is how recent a directory's modification or change time may
// be for a change in the same clock tick to go unseen.
const racySlack = 2 * time.Second

// Settle makes Valid compare the names of every directory of r modified or
// changed so recently that a later change could keep its times, instead of
// trusting them.
func (r *Remake) Settle() {
	for i, d := range r.Dirs {
		if d.Exists && time.Since(time.Unix(0, max(d.ModTime, d.ChangeTime))) < racySlack {
			r.Dirs[i].ModTime, r.Dirs[i].ChangeTime = -1, -1
		}
	}
}

// Valid reports whether r is Known and every directory of r is as
// recorded, or, when it changed, still has the same entries for which keep
// (the same as when r was made) reports true. When r holds but a directory
// changed, fresh is r with the directories' current state (settled, see
// Settle): storing it lets later checks trust their times again.
func (r *Remake) Valid(keep func(dir, name string) bool) (ok bool, fresh *Remake) {
	if r == nil || !r.Known {
		return false, nil
	}
	for i, d := range r.Dirs {
		now := StatDir(d.Path)
		if now.sameState(d) {
			continue
		}
		if now.Exists != d.Exists || !now.Exists {
			return false, nil
		}
		l := ListDir(d.Path, keep)
		if !slices.Equal(l.Names, d.Names) {
			return false, nil
		}
		if fresh == nil {
			fresh = &Remake{Known: true, Goals: r.Goals, Dirs: slices.Clone(r.Dirs)}
		}
		fresh.Dirs[i] = l
	}
	if fresh != nil {
		fresh.Settle()
		if slices.EqualFunc(fresh.Dirs, r.Dirs, Dir.sameState) {
			fresh = nil // still too recent to trust: nothing gained by storing
		}
	}
	return true, fresh
}

// Key is the identity of a load: the hash of its Config (without streams
// and shell) and of the caller's extra text.
type Key [sha256.Size]byte

// KeyOf returns the key of a load with cfg; extra is hashed too (the
// caller's settings that change what it stores, such as the options of
// remaking). cfg.Dir is made absolute first.
func KeyOf(cfg makefile.Config, extra string) (Key, error) {
	dir := cfg.Dir
	if dir == "" {
		d, err := os.Getwd()
		if err != nil {
			return Key{}, err
		}
		dir = d
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return Key{}, err
	}
	h := sha256.New()
	w := func(tag string, vals ...any) {
		fmt.Fprintf(h, "%s=%#v\n", tag, vals)
	}
	w("version", keyVersion)
	w("dir", dir)
	w("makefiles", cfg.Makefiles)
	w("goals", cfg.Goals)
	w("vars", cfg.CommandLineVars)
	env(h, cfg.Env)
	w("flags", cfg.Flags)
	w("include", cfg.IncludeDirs)
	w("prog", cfg.ProgramName, cfg.MakePath, cfg.MakeLevel, cfg.ReadOnly, cfg.Shell != nil)
	w("limits", cfg.MaxValue, cfg.MaxDepth)
	w("extra", extra)
	var k Key
	h.Sum(k[:0])
	return k, nil
}

// keyVersion changes when the fields hashed by KeyOf do.
const keyVersion = 3

// env hashes the environment in the order of its names, so that the same
// environment listed in another order has the same key: a load does not
// depend on it (what a parse-time $(shell) printed is checked on a hit).
// Entries of the same name keep their order, since the last one wins.
func env(h hash.Hash, env []string) {
	sorted := slices.Clone(env)
	slices.SortStableFunc(sorted, func(a, b string) int {
		return strings.Compare(envName(a), envName(b))
	})
	fmt.Fprintf(h, "env %d\n", len(sorted))
	for _, kv := range sorted {
		fmt.Fprintf(h, "%d:%s\n", len(kv), kv)
	}
}

func (c *Cache) path(k Key) string {
	return filepath.Join(c.dir, hex.EncodeToString(k[:16]))
}

func (c *Cache) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, "dmake: load cache: "+format+"\n", args...)
	}
}

// Hit is a cached load found unchanged.
type Hit struct {
	// DB is the decoded database, as makefile.Load would return it.
	DB *makefile.Database
	// Remake is what was stored with it (nil if nothing).
	Remake *Remake
	// Encoding is the stored encoding of DB, to store again with a new
	// Remake (DB itself may have changed since: remaking the makefiles
	// expands in it).
	Encoding []byte
}

// Lookup returns the cached load for cfg under key, if every recorded
// input is unchanged: the recorded output has then been written again on
// cfg.Stdout and cfg.Stderr. A nil Hit is a miss (the reason goes to
// Log). Checking may run the parse-time $(shell) commands again
// (makefile.Inputs.Check).
func (c *Cache) Lookup(ctx context.Context, k Key, cfg makefile.Config) *Hit {
	h, why := c.lookup(ctx, k, cfg)
	if h == nil {
		c.misses.Add(1)
		c.logf("miss: %s", why)
		return nil
	}
	c.hits.Add(1)
	c.logf("hit")
	touch(c.path(k))
	h.DB.Inputs.Replay(cfg.Stdout, cfg.Stderr, cfg.DebugStream())
	return h
}

const fileMagic = "dmakeLC\x02"

func (c *Cache) lookup(ctx context.Context, k Key, cfg makefile.Config) (*Hit, string) {
	data, err := readOwn(c.path(k))
	if err != nil {
		return nil, err.Error()
	}
	r := reader{data: data}
	if string(r.next(len(fileMagic))) != fileMagic {
		return nil, "not an entry"
	}
	if string(r.bytes()) != c.build {
		return nil, "written by another build of dmake"
	}
	if string(r.next(len(k))) != string(k[:]) {
		return nil, "another key"
	}
	var rm *Remake
	if r.uint() == 1 {
		rm = &Remake{Known: r.uint() == 1}
		n := r.uint()
		for i := uint64(0); i < n && r.err == nil; i++ {
			rm.Goals = append(rm.Goals, string(r.bytes()))
		}
		n = r.uint()
		for i := uint64(0); i < n && r.err == nil; i++ {
			d := Dir{Path: string(r.bytes()), Exists: r.uint() == 1, ModTime: int64(r.uint()), ChangeTime: int64(r.uint()), Inode: r.uint()}
			names := r.uint()
			for j := uint64(0); j < names && r.err == nil; j++ {
				d.Names = append(d.Names, string(r.bytes()))
			}
			rm.Dirs = append(rm.Dirs, d)
		}
	}
	if r.err != nil {
		return nil, "corrupt entry"
	}
	// Decoding before checking costs a miss a few milliseconds, against
	// the whole load it then does.
	db, err := makefile.DecodeDatabase(ctx, r.data[r.off:], cfg)
	if err != nil {
		return nil, "corrupt entry: " + err.Error()
	}
	if db.Inputs == nil {
		return nil, "no inputs recorded"
	}
	if why := db.Inputs.Check(ctx, cfg); why != "" {
		return nil, why
	}
	return &Hit{DB: db, Remake: rm, Encoding: r.data[r.off:]}, ""
}

// readOwn reads the file at path if this user owns it and no one else
// may write it: a database from the cache runs its recipes.
func readOwn(path string) ([]byte, error) {
	// Not through a link, and without blocking on a FIFO planted there.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, errors.New("no entry")
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Geteuid() || fi.Mode().Perm()&0o022 != 0 || !fi.Mode().IsRegular() {
		return nil, errors.New("entry not owned by this user, or writable by others")
	}
	data := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, errors.New("entry unreadable")
	}
	return data, nil
}

// Store writes under key k the encoding (makefile.Database.AppendEncoding)
// of a database read with makefile.Config.RecordInputs, whose inputs can
// be cached (makefile.Inputs.Uncacheable is empty), with what the caller
// learnt about remaking (may be nil). Errors are also logged; a failed
// store only costs the next run its speed.
func (c *Cache) Store(k Key, enc []byte, rm *Remake) error {
	err := c.store(k, enc, rm)
	if err != nil {
		c.logf("not stored: %v", err)
	}
	return err
}

func (c *Cache) store(k Key, enc []byte, rm *Remake) error {
	b := []byte(fileMagic)
	b = appendBytes(b, []byte(c.build))
	b = append(b, k[:]...)
	if rm == nil {
		b = binary.AppendUvarint(b, 0)
	} else {
		b = binary.AppendUvarint(b, 1)
		b = binary.AppendUvarint(b, b2u(rm.Known))
		b = binary.AppendUvarint(b, uint64(len(rm.Goals)))
		for _, g := range rm.Goals {
			b = appendBytes(b, []byte(g))
		}
		b = binary.AppendUvarint(b, uint64(len(rm.Dirs)))
		for _, d := range rm.Dirs {
			b = appendBytes(b, []byte(d.Path))
			b = binary.AppendUvarint(b, b2u(d.Exists))
			b = binary.AppendUvarint(b, uint64(d.ModTime))
			b = binary.AppendUvarint(b, uint64(d.ChangeTime))
			b = binary.AppendUvarint(b, d.Inode)
			b = binary.AppendUvarint(b, uint64(len(d.Names)))
			for _, n := range d.Names {
				b = appendBytes(b, []byte(n))
			}
		}
	}
	b = append(b, enc...)
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	tag := filepath.Join(c.dir, "CACHEDIR.TAG")
	if _, err := os.Lstat(tag); errors.Is(err, os.ErrNotExist) {
		os.WriteFile(tag, []byte(cacheDirTag), 0o644)
	}
	f, err := os.CreateTemp(c.dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	// Rewriting an entry (a hit whose directories changed, as every run
	// of a makefile that touches its own directories makes) adds none:
	// only a new entry prunes, whose scan opens every entry.
	_, lerr := os.Lstat(c.path(k))
	added := lerr != nil
	if err == nil {
		err = os.Rename(f.Name(), c.path(k))
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	c.stores.Add(1)
	switch {
	case rm == nil || !rm.Known:
		c.logf("stored %d bytes", len(b))
	case len(rm.Goals) == 0:
		c.logf("stored %d bytes (remaking the makefiles does nothing)", len(b))
	default:
		c.logf("stored %d bytes (remaking the makefiles is remaking %d of them)", len(b), len(rm.Goals))
	}
	if added {
		c.prune()
	}
	return nil
}

// maxAge is how long an entry that was not written again is kept.
const maxAge = 14 * 24 * time.Hour

// maxTmpAge is how long a temporary file may stay: one older was left by
// a dmake that died while writing it.
const maxTmpAge = time.Hour

// maxBytes is the size the entries may take together: past it the least
// recently used go.
const maxBytes = 256 << 20

// prune removes entries not used for maxAge, temporary files abandoned
// for maxTmpAge, and the least recently used ones past maxBytes in all: each
// distinct directory, environment or command line makes an entry. Only
// dmake's own entries are considered (ownEntry); nothing else in the
// directory is removed, whatever its age or size.
func (c *Cache) prune() {
	all, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	type entry struct {
		e    os.DirEntry
		used time.Time
		size int64
	}
	// The scan takes one lstat per entry (DirEntry.Info): a directory
	// grows to thousands of entries, and a store that adds one should
	// not open each. The full check of ownership (ownEntry, which opens
	// the file) is made only past a limit, of what may be removed.
	var keep []entry
	var total int64
	for _, e := range all {
		if !entryName(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Geteuid() {
			continue
		}
		tmp := strings.HasPrefix(e.Name(), ".tmp-")
		if age := time.Since(fi.ModTime()); age > maxAge || tmp && age > maxTmpAge {
			if ownEntry(c.dir, e) {
				os.Remove(filepath.Join(c.dir, e.Name()))
			}
			continue
		}
		if tmp {
			continue // being written
		}
		keep = append(keep, entry{e, fi.ModTime(), fi.Size()})
		total += fi.Size()
	}
	if total <= c.maxBytes {
		return
	}
	// Past the limit (rare), only dmake's own entries count: a file of
	// someone else's named like one must not make room by evicting them.
	own := keep[:0]
	total = 0
	for _, e := range keep {
		if ownEntry(c.dir, e.e) {
			own = append(own, e)
			total += e.size
		}
	}
	if total <= c.maxBytes {
		return
	}
	sort.Slice(own, func(i, j int) bool { return own[i].used.Before(own[j].used) })
	for _, e := range own {
		if total <= c.maxBytes*3/4 {
			break
		}
		os.Remove(filepath.Join(c.dir, e.e.Name()))
		total -= e.size
	}
}

// Removed counts what a Clean removed.
type Removed struct {
	Files int
	Bytes int64
}

// Clean removes every entry of the cache (and the temporary files of
// stores that were killed), as prune would once they are old: only
// dmake's own entries (ownEntry) and the cache directory tag, then the
// directory if that leaves it empty. A cache directory that does not
// exist is clean.
func (c *Cache) Clean() (Removed, error) {
	var r Removed
	all, err := os.ReadDir(c.dir)
	if errors.Is(err, os.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("load cache: %w", err)
	}
	for _, e := range all {
		if !ownEntry(c.dir, e) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		if err := os.Remove(filepath.Join(c.dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			return r, fmt.Errorf("load cache: %w", err)
		}
		r.Files++
		r.Bytes += fi.Size()
	}
	tag := filepath.Join(c.dir, "CACHEDIR.TAG")
	if data, err := os.ReadFile(tag); err == nil && string(data) == cacheDirTag {
		os.Remove(tag)
	}
	os.Remove(c.dir) // only if empty: whatever else is there stays
	return r, nil
}

// entryName reports whether name is one an entry or a store's temporary
// file takes.
func entryName(name string) bool {
	return strings.HasPrefix(name, ".tmp-") ||
		len(name) == 32 && strings.Trim(name, "0123456789abcdef") == ""
}

// ownEntry reports whether e, in dir, is one of dmake's entries or of its
// temporary files: named as they are, a regular file (not followed if a
// link) owned by this user, beginning with fileMagic. The content is read
// without blocking (a FIFO is not a regular file and is never opened).
func ownEntry(dir string, e os.DirEntry) bool {
	name := e.Name()
	if !entryName(name) || !e.Type().IsRegular() {
		return false
	}
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Geteuid() {
		return false
	}
	head := make([]byte, len(fileMagic))
	if _, err := io.ReadFull(f, head); err != nil {
		// An empty temporary file is one a killed store left.
		return fi.Size() == 0 && strings.HasPrefix(name, ".tmp-")
	}
	return string(head) == fileMagic
}

// touch marks the entry at path used now, for prune.
func touch(path string) {
	now := time.Now()
	os.Chtimes(path, now, now)
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func appendBytes(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

type reader struct {
	data []byte
	off  int
	err  error
}

func (r *reader) next(n int) []byte {
	if r.err != nil || n < 0 || r.off+n > len(r.data) {
		r.err = errors.New("truncated")
		return nil
	}
	b := r.data[r.off : r.off+n]
	r.off += n
	return b
}

func (r *reader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.data[r.off:])
	if n <= 0 {
		r.err = errors.New("bad varint")
		return 0
	}
	r.off += n
	return v
}

func (r *reader) bytes() []byte {
	n := r.uint()
	if n > uint64(len(r.data)) {
		r.err = errors.New("bad length")
		return nil
	}
	return r.next(int(n))
}

// envName is the name of an environment entry "NAME=value".
func envName(kv string) string {
	if i := strings.IndexByte(kv, '='); i >= 0 {
		return kv[:i]
	}
	return kv
}
