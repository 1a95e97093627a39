package makefile

import (
	"os"
	"path/filepath"
	"sync"
)

// dirCache is make's directory cache (dir.c), one per run, owned by the
// run's Database: the names of a directory are read once, when make
// first looks in it — for a glob, or for the graph's search of a file
// (Database.DirNames) — and a directory first found missing stays
// missing, for the rest of the run; files the recipes create afterwards,
// targets make remakes too, are not seen by a later $(wildcard) of it
// (the graph notes what it remade over the listing itself). A name
// without wildcards is looked up live, not here. Make first looks in its
// working directory when it searches for its default makefile, or, with
// the built-in rules, when it remakes the makefiles (primeWorkDir).
//
// A nil *dirCache reads every directory afresh (the load cache checks
// what a glob gave against the file system as it is).
type dirCache struct {
	mu   sync.Mutex
	dirs map[string][]string // cleaned OS path → names; nil: missing or unreadable
}

// names returns the names in the directory at path (an absolute OS
// path), unsorted, and whether it could be read, from the cache when it
// was read before. The caller must not change them.
func (c *dirCache) names(path string) ([]string, bool) {
	if c == nil {
		return readNames(path)
	}
	path = filepath.Clean(path)
	c.mu.Lock()
	defer c.mu.Unlock()
	if names, ok := c.dirs[path]; ok {
		return names, names != nil
	}
	names, ok := readNames(path)
	if c.dirs == nil {
		c.dirs = make(map[string][]string)
	}
	if !ok {
		names = nil
	} else if names == nil {
		names = []string{}
	}
	c.dirs[path] = names
	return names, ok
}

// listed returns what the cache holds for the directory at path (an
// absolute OS path), without reading it: its names, whether it was
// readable, and whether the cache has it at all.
func (c *dirCache) listed(path string) ([]string, bool, bool) {
	if c == nil {
		return nil, false, false
	}
	path = filepath.Clean(path)
	c.mu.Lock()
	defer c.mu.Unlock()
	names, ok := c.dirs[path]
	return names, names != nil, ok
}

// readNames reads the names in the directory at path, unsorted.
func readNames(path string) ([]string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, false
	}
	return names, true
}

// DirNames returns the names in the directory dir (relative to the
// makefiles' directory, or absolute), unsorted, and whether it could be
// read, as make's directory cache holds them for this run: read when
// make first looked in dir, by a glob or by an earlier call. The caller
// must not change the slice.
func (db *Database) DirNames(dir string) ([]string, bool) {
	return db.dirs.names(pathAt(db.curdir, dir))
}

// primeWorkDir reads the working directory into the cache where make
// first looks in it: at the start, for its default makefile (no -f:
// read says so), or, with the built-in rules, once the makefiles are
// read, for the files their implicit rules could remake a makefile from
// (Makefile.c, RCS/…). An entry already there stays.
func (db *Database) primeWorkDir(cfg *Config, read bool) {
	if !read && len(cfg.Makefiles) == 0 || read && !cfg.Flags.NoBuiltinRules && !cfg.Flags.NoBuiltinVars {
		db.dirs.names(db.curdir)
	}
}

// DirListed is DirNames without reading: the names the cache holds for
// dir, whether dir was readable, and whether make has looked in it yet.
func (db *Database) DirListed(dir string) (names []string, readable, listed bool) {
	return db.dirs.listed(pathAt(db.curdir, dir))
}
