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

// vpathDirs returns the directories to search for name: those of the
// matching vpath directives in order, then VPATH's.
func (g *Graph) vpathDirs(name string) []string {
	if len(g.db.VPaths) == 0 && !g.hasVPATH() {
		return nil
	}
	var dirs []string
	for _, vp := range g.db.VPaths {
		if _, ok := matchPattern(vp.Pattern, name); ok {
			dirs = append(dirs, vp.Dirs...)
		}
	}
	if g.db.Globals != nil {
		if v := g.db.Globals.Lookup("VPATH"); v != nil {
			val, err := g.db.Expand(g.ctx, nil, "$(VPATH)")
			if err == nil {
				dirs = append(dirs, strings.FieldsFunc(val, func(r rune) bool { return r == ':' || r == ' ' || r == '\t' })...)
			}
		}
	}
	return dirs
}

// hasVPATH reports whether the VPATH variable is set.
func (g *Graph) hasVPATH() bool {
	return g.db.Globals != nil && g.db.Globals.Lookup("VPATH") != nil
}

// vpathSearch looks for name in the vpath directories. It returns the
// name found ("dir/name") and its modification time, or "".
func (g *Graph) vpathSearch(name string) (string, time.Time) {
	if filepath.IsAbs(name) {
		return "", time.Time{}
	}
	for _, d := range g.vpathDirs(name) {
		p := strings.TrimSuffix(d, "/") + "/" + name
		if !g.fileExists(p) {
			continue
		}
		if mt, ok := g.stat(g.sysPath(p)); ok {
			return p, mt
		}
	}
	return "", time.Time{}
}

// existsOrVPath reports whether name exists directly or by vpath.
func (g *Graph) existsOrVPath(name string) bool {
	if g.fileExists(name) {
		return true
	}
	p, _ := g.vpathSearch(name)
	return p != ""
}
