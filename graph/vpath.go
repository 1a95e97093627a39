package graph

import (
	"path/filepath"
	"strings"
	"time"
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
// found ("dir/name") and its modification time, or "".
func (g *Graph) vpathSearch(name string) (string, time.Time) {
	p, mt, _, _ := g.vpathSearchIndex(name)
	return p, mt
}

// vpathSearchIndex is vpathSearch also returning where it found name
// (make's vpath_search): the index of the vpath directive among all of
// them (VPATH's counting as the last), and of the directory in it.
func (g *Graph) vpathSearchIndex(name string) (string, time.Time, uint, uint) {
	if filepath.IsAbs(name) || len(g.db.VPaths) == 0 && !g.hasVPATH() {
		return "", time.Time{}, 0, 0
	}
	look := func(dirs []string) (string, time.Time, uint, bool) {
		for i, d := range dirs {
			p := strings.TrimSuffix(d, "/") + "/" + name
			if !g.fileExists(p) {
				continue
			}
			if mt, ok := g.stat(g.sysPath(p)); ok {
				return p, mt, uint(i), true
			}
		}
		return "", time.Time{}, 0, false
	}
	for vi, vp := range g.db.VPaths {
		if _, ok := matchPattern(vp.Pattern, name); ok {
			if p, mt, pi, ok := look(vp.Dirs); ok {
				return p, mt, uint(vi), pi
			}
		}
	}
	if g.hasVPATH() {
		val, err := g.db.Expand(g.ctx, nil, "$(VPATH)")
		if err == nil {
			dirs := strings.FieldsFunc(val, func(r rune) bool { return r == ':' || r == ' ' || r == '\t' })
			if p, mt, pi, ok := look(dirs); ok {
				return p, mt, uint(len(g.db.VPaths)), pi
			}
		}
	}
	return "", time.Time{}, 0, 0
}

// existsOrVPath reports whether name exists directly or by vpath.
func (g *Graph) existsOrVPath(name string) bool {
	if g.fileExists(name) {
		return true
	}
	p, _ := g.vpathSearch(name)
	return p != ""
}
