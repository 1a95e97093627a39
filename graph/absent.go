package graph

import (
	"os"
	"strings"
)

// subdirKey names the directory of a candidate prerequisite: the
// candidate's directory and the part of the prerequisite pattern before
// % up to its last slash ("RCS/" in "RCS/%,v").
type subdirKey struct{ dir, sub string }

// nameDir records the directory of name as one that holds a name the
// makefiles mention or the graph has a node for.
func (g *Graph) nameDir(name string) {
	dir, base := splitDir(name)
	if !g.named[dir] {
		g.named[dir] = true
	}
	if in := g.namedIn[dir]; in != nil {
		in[base] = true
	}
}

// namesIn returns the base names of the mentioned names and nodes in dir,
// a set made on first use and kept current by nameDir.
func (g *Graph) namesIn(dir string) map[string]bool {
	if in := g.namedIn[dir]; in != nil {
		return in
	}
	in := make(map[string]bool)
	add := func(name string) {
		if d, base := splitDir(name); d == dir {
			in[base] = true
		}
	}
	for name := range g.mentioned {
		add(name)
	}
	for name := range g.nodes {
		add(name)
	}
	g.namedIn[dir] = in
	return in
}

// readDirNames returns the names in directory path, unsorted.
func readDirNames(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// knownAbsent reports, cheaply, that instantiating prerequisite pattern p
// (which has a % at i) for candidate c names neither a file that exists
// nor a name the makefiles mention nor a node: the directory cache does
// not list it, and the name's directory holds no mentioned name or node
// of that base name (looked up per directory, not in the graph's maps of
// full names). It answers false when it cannot tell (vpath in use, a
// slash after % or in the stem) and the caller looks as usual. Implicit rule search tries a handful of such
// names for every source file (make's RCS/ and SCCS/ rules), most of them
// in directories that do not exist.
func (g *Graph) knownAbsent(c *candidate, p string, i int) bool {
	after := p[i+1:]
	if strings.IndexByte(after, '/') >= 0 || strings.IndexByte(c.stem, '/') >= 0 ||
		len(g.db.VPaths) > 0 || g.hasVPATH() {
		return false
	}
	pre := p[:i]
	j := strings.LastIndexByte(pre, '/') + 1
	key := subdirKey{c.dir, pre[:j]}
	dir, ok := g.subdirs[key]
	if !ok {
		dir = c.dir + pre[:j]
		g.subdirs[key] = dir
	}
	entries, ok := g.dirs[dir]
	if !ok {
		return false // not listed yet: fileExists lists it
	}
	if !g.named[dir] {
		if entries == nil {
			return true
		}
		base := pre[j:] + c.stem + after
		return !entries[base] && base != "." && base != ".."
	}
	// A directory that holds mentioned names or nodes (the sources' own):
	// the name is absent when neither the listing nor those names have
	// its base.
	base := pre[j:] + c.stem + after
	return !entries[base] && !g.namesIn(dir)[base] && base != "." && base != ".."
}
