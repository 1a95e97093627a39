package graph

import "strings"

// subdirKey names the directory of a candidate prerequisite: the
// candidate's directory and the part of the prerequisite pattern before
// % up to its last slash ("RCS/" in "RCS/%,v").
type subdirKey struct{ dir, sub string }

// nameDir records the directory of name as one that holds a name the
// makefiles mention or the graph has a node for.
func (g *Graph) nameDir(name string) {
	dir, _ := splitDir(name)
	if !g.named[dir] {
		g.named[dir] = true
	}
}

// knownAbsent reports, cheaply, that instantiating prerequisite pattern p
// (which has a % at i) for candidate c names neither a file that exists
// nor a name the makefiles mention nor a node: the name's directory holds
// no mentioned name or node, and the directory cache does not list it. It
// answers false when it cannot tell (vpath in use, a slash after %) and
// the caller looks as usual. Implicit rule search tries a handful of such
// names for every source file (make's RCS/ and SCCS/ rules), most of them
// in directories that do not exist.
func (g *Graph) knownAbsent(c *candidate, p string, i int) bool {
	after := p[i+1:]
	if strings.IndexByte(after, '/') >= 0 || len(g.db.VPaths) > 0 || g.hasVPATH() {
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
	if g.named[dir] {
		return false
	}
	entries, ok := g.dirs[dir]
	if !ok {
		return false // not listed yet: fileExists lists it
	}
	if entries == nil {
		return true
	}
	base := pre[j:] + c.stem + after
	return !entries[base] && base != "." && base != ".."
}
