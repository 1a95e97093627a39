package makefile

import (
	"os"
	"path/filepath"
	"sync"
)

// dirCache is make's directory cache as its globs see it (dir.c): the
// names of a directory are read once, when make first looks in it, and
// a directory first found missing stays missing, for the rest of the
// run; files the recipes create afterwards, targets make remakes too,
// are not seen by a later $(wildcard) of it. A name without wildcards is
// looked up live, not here. Make first looks in its working directory
// when it searches for its default makefile, or, with the built-in
// rules, when it remakes the makefiles (primeWorkDir).
//
// A nil *dirCache reads every directory afresh (the load cache checks
// what a glob gave against the file system as it is).
type dirCache struct {
	mu   sync.Mutex
	dirs map[string][]string // cleaned OS path → names; nil: missing or unreadable
}

// names returns the names in the directory at path (an OS path) and
// whether it could be read, from the cache when it was read before.
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

// readNames reads the names in the directory at path.
func readNames(path string) ([]string, bool) {
	ents, err := os.ReadDir(path)
	if err != nil {
		return nil, false
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	return names, true
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
