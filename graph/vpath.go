package graph

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/dmake-dev/dmake/makefile"
)

// matchPattern matches name against a make pattern with one %, returning
// the stem. A pattern without % matches only itself (stem "").
func matchPattern(pattern, name string) (string, bool) {
	i := strings.IndexByte(pattern, '%')
	if i < 0 {
		return "", pattern == name
	}
	pre, suf := pattern[:i], pattern[i+1:]
	if len(name) < len(pre)+len(suf) || !strings.HasPrefix(name, pre) || !strings.HasSuffix(name, suf) {
		return "", false
	}
	return name[len(pre) : len(name)-len(suf)], true
}

// substPattern replaces the first % of pattern by stem.
func substPattern(pattern, stem string) string {
	i := strings.IndexByte(pattern, '%')
	if i < 0 {
		return pattern
	}
	return pattern[:i] + stem + pattern[i+1:]
}

// hasVPATH reports whether the VPATH variable is set.
func (g *Graph) hasVPATH() bool {
	return g.db.Globals != nil && g.db.Globals.Lookup("VPATH") != nil
}

// vpathSearch looks for name in the vpath directories: those of the
// matching vpath directives in order, then VPATH's. It returns the name
// found ("dir/name"), its modification time and whether the file exists,
// or "". Like make's vpath_search it takes a name the makefiles mention
// for found without looking (a target's only when the name it finds is a
// target too): such a file need not exist.
func (g *Graph) vpathSearch(name string) (string, time.Time, bool) {
	p, mt, ok, _, _ := g.vpathSearchIndex(name)
	return p, mt, ok
}

// vpathSearchIndex is vpathSearch also returning where it found name
// (make's vpath_search): the index of the vpath directive among all of
// them (VPATH's counting as the last), and of the directory in it.
func (g *Graph) vpathSearchIndex(name string) (string, time.Time, bool, uint, uint) {
	if filepath.IsAbs(name) || !g.usesVPath() {
		return "", time.Time{}, false, 0, 0
	}
	target := g.isTarget(name)
	look := func(dirs []string) (string, time.Time, bool, uint, bool) {
		for i, d := range dirs {
			p := strings.TrimSuffix(d, "/") + "/" + name
			if g.inTable(p) && (!target || g.isTarget(p)) {
				mt, ok := g.stat(g.sysPath(p))
				return p, mt, ok, uint(i), true
			}
			if !g.fileExists(p) {
				continue
			}
			if mt, ok := g.stat(g.sysPath(p)); ok {
				return p, mt, true, uint(i), true
			}
		}
		return "", time.Time{}, false, 0, false
	}
	for vi, vp := range g.db.VPaths {
		if _, ok := matchPattern(vp.Pattern, name); ok {
			if p, mt, e, pi, ok := look(vp.Dirs); ok {
				return p, mt, e, uint(vi), pi
			}
		}
	}
	if g.hasVPATH() {
		if p, mt, e, pi, ok := look(g.pathList("VPATH")); ok {
			return p, mt, e, uint(len(g.db.VPaths)), pi
		}
	}
	return "", time.Time{}, false, 0, 0
}

// usesVPath reports whether there is any vpath directive or VPATH.
func (g *Graph) usesVPath() bool { return len(g.db.VPaths) > 0 || g.hasVPATH() }

// pathList returns the directories of a search path variable (VPATH,
// GPATH): separated by colons or blanks.
func (g *Graph) pathList(variable string) []string {
	val, err := g.db.Expand(g.ctx, nil, "$("+variable+")")
	if err != nil {
		return nil
	}
	return strings.FieldsFunc(val, func(r rune) bool { return r == ':' || r == ' ' || r == '\t' })
}

// inTable reports whether make's file table holds name: the makefiles
// mention it, or the run has met it.
func (g *Graph) inTable(name string) bool { return g.mentioned[name] || g.nodes[name] != nil }

// isTarget reports whether the makefiles give name a rule.
func (g *Graph) isTarget(name string) bool {
	t := g.db.Targets[name]
	return t != nil && len(t.Rules) > 0
}

// inGPATH reports whether found, the name vpath found for name, lies in a
// directory of GPATH (make's gpath_search).
func (g *Graph) inGPATH(found, name string) bool {
	if g.db.Globals == nil || g.db.Globals.Lookup("GPATH") == nil || len(found) <= len(name) {
		return false
	}
	dir := found[:len(found)-len(name)-1]
	for _, d := range g.pathList("GPATH") {
		if d != "/" {
			d = strings.TrimSuffix(d, "/")
		}
		if d == dir {
			return true
		}
	}
	return false
}

// found is what make's f_mtime does with the name p a search found for
// n's file: when make's file table holds p too, the two files become
// one (make's rehash_file: the node of p stands for n from now on, and
// a warning says whose recipe wins when both have one); else, when p lies
// in GPATH, n is renamed p for good (make's rename_file: $@, implicit
// rule search and the file made are p). It reports whether n was merged
// or renamed. The rules of a node merged go to p's node: their
// prerequisites after its own, their recipe where it has none.
func (g *Graph) found(n *Node, p string) bool {
	if p == n.Name {
		return false
	}
	if g.inTable(p) {
		m := g.Renamed(g.Node(p))
		if m == n {
			return false
		}
		g.mergeWarning(n, m)
		n.renamed = m
		if n.IsTarget() {
			m.merged = append(m.merged, n)
			if m.resolved {
				g.addExplicitRules(m, n.Target)
			}
		}
		return true
	}
	if g.inGPATH(p, n.Name) {
		n.Name = p
		g.nodes[p] = n
		g.nameDir(p)
		return true
	}
	return false
}

// mergeWarning warns, as make's rehash_file does, when n merged into m
// has a recipe and so has m: m's is ignored.
func (g *Graph) mergeWarning(n, m *Node) {
	from, to := recipeOf(n), recipeOf(m)
	if from == nil || to == nil || from == to {
		return
	}
	if to.Pos.File != "" {
		g.warnAt(from.Pos, fmt.Sprintf("Recipe was specified for file '%s' at %s:%d,", n.Name, to.Pos.File, to.Pos.Line))
	} else {
		g.warnAt(from.Pos, fmt.Sprintf("Recipe for file '%s' was found by implicit rule search,", n.Name))
	}
	g.warnAt(from.Pos, fmt.Sprintf("but '%s' is now considered the same file as '%s'.", n.Name, m.Name))
	g.warnAt(from.Pos, fmt.Sprintf("Recipe for '%s' will be ignored in favor of the one for '%s'.", m.Name, n.Name))
}

// recipeOf returns the recipe of n's rules (its explicit ones while it
// has none yet: a node is merged as it is resolved), nil if none.
func recipeOf(n *Node) *makefile.Recipe {
	if len(n.Rules) == 0 && n.Target != nil {
		for _, r := range n.Target.Rules {
			if r.Recipe != nil && len(r.Recipe.Lines) > 0 {
				return r.Recipe
			}
		}
		return nil
	}
	for _, r := range n.Rules {
		if r.Recipe != nil && len(r.Recipe.Lines) > 0 {
			return r.Recipe
		}
	}
	return nil
}

// Renamed returns the node n stands for: n itself, or the node a search
// for n's file merged it into (see found). Exists, Path and Mtime of n
// are those of that node.
func (g *Graph) Renamed(n *Node) *Node {
	for n.renamed != nil {
		n = n.renamed
	}
	return n
}

// existsOrVPath reports whether name exists directly or by vpath.
func (g *Graph) existsOrVPath(name string) bool {
	if g.fileExists(name) {
		return true
	}
	p, _, _ := g.vpathSearch(name)
	return p != ""
}
