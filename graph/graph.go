// Package graph builds the target graph of a make run from a rules
// database: which rule makes each file (explicit rules, pattern rules found
// by GNU make's implicit rule search, chains of them, suffix rules already
// converted by the makefile package, .DEFAULT), where each file is found
// (vpath), and its modification time. The graph is built lazily, target by
// target, in the order make considers them, because implicit rule search
// looks at the file system as it is when the target is first needed.
//
// The walk itself — make's traversal order and out-of-date decisions as
// recipes finish — belongs to the executor, which asks the graph for nodes
// and times. Above the file graph, the image graph (ImageOrder) links the
// images the image package discovered to their components and to the
// images they are built FROM; Doc prints both as dot, JSON or Mermaid.
package graph

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"github.com/dmake-dev/dmake/internal/ar"
	"github.com/dmake-dev/dmake/internal/relpath"
	"github.com/dmake-dev/dmake/makefile"
)

// Options are the make flags that change the graph.
type Options struct {
	// Dir is the directory relative file names are relative to (make's
	// working directory after -C). Empty means the process's.
	Dir string
	// AlwaysMake (-B) makes every target out of date.
	AlwaysMake bool
	// WhatIf (-W) files are considered infinitely new.
	WhatIf []string
	// OldFiles (-o) are considered very old and are never remade.
	OldFiles []string
	// NoImplicitChains turns off chains of implicit rules (for tests).
	NoImplicitChains bool
	// CheckSymlinks (-L) gives a file reached through symbolic links the
	// latest time of the links and the file.
	CheckSymlinks bool
	// Warn, when not nil, is given make's warnings about the files it
	// looks for (without the program name), with the place in the
	// makefiles a warning is about (the zero Pos: none).
	Warn func(pos makefile.Pos, msg string)
}

// Graph is the target graph of one run. It is not safe for concurrent use:
// the executor's scheduler is its only user.
type Graph struct {
	db    *makefile.Database
	opts  Options
	nodes map[string]*Node
	// mentioned are the names make's file table would hold after reading
	// the makefiles: every target and every explicit prerequisite.
	mentioned map[string]bool
	whatIf    map[string]bool
	oldFiles  map[string]bool
	stat      func(string) (time.Time, bool) // the mtime of a file, and whether it exists
	ctx       context.Context
	// exists holds the files assumed made without looking (SetNew), over
	// the directory cache dirs; impossible are the names a chain search
	// found no way to make (make's file_impossible).
	exists     map[string]bool
	impossible map[string]bool
	dirs       map[string]map[string]bool // directory ("" or "d/") → names; nil when unreadable
	reread     map[string]bool            // directories the run created: read past the run's cache
	listed     map[string]bool            // every directory read, and whether it was readable
	named      map[string]bool            // directories ("" or "d/") of every mentioned name and node
	namedIn    map[string]map[string]bool // for some of those directories, the base names (see knownAbsent)
	subdirs    map[subdirKey]string       // candidate directories, built once (see knownAbsent)
	slab       []Node                     // the next nodes to hand out
	paths      relpath.Resolver
	index      *patternIndex
	stamp      uint64
	specials   map[string]*specialSet
}

// Rule is one way a node is made: an explicit rule (several for a
// double-colon target), the instance of a pattern rule, or .DEFAULT.
type Rule struct {
	Prereqs   []*Node
	OrderOnly []*Node
	// OrderOnlyAt holds, for each OrderOnly[i], how many of Prereqs make
	// walks before it (the rule's lines of .SECONDEXPANSION text each
	// give normal then order-only prerequisites); nil: all of them.
	OrderOnlyAt []int
	// Recipe is nil for a rule without one.
	Recipe *makefile.Recipe
	// Stem is $* (with its directory, as make computes it).
	Stem string
	// Pattern is the pattern rule this rule is an instance of, if any.
	Pattern *makefile.PatternRule
	// Default reports the recipe of .DEFAULT.
	Default bool
	// Also are the other targets made by the same recipe run (the other
	// targets of a multi-target pattern rule or of a grouped rule).
	Also []*Node
	// Extra are the prerequisites .EXTRA_PREREQS adds: made after the
	// others, in no automatic variable.
	Extra []*Node
	// Pos is where the rule was written.
	Pos makefile.Pos
}

// Node is one file or phony target.
type Node struct {
	// Name is the target's name as the makefiles spell it.
	Name string
	// Target is the database entry, nil when the makefiles never name it
	// as a target.
	Target *makefile.Target
	// Rules are the rules that make it, in order; empty for a file that is
	// only a source.
	Rules []*Rule
	// DoubleColon reports a double-colon target: each rule is made on its
	// own.
	DoubleColon bool
	// Phony, Precious, Secondary come from the special targets.
	Phony, Precious, Secondary bool
	// Intermediate is a file made only as a step of an implicit rule chain
	// (or named by .INTERMEDIATE): make deletes it when done if it made it.
	Intermediate bool
	// Old reports -o: never remade, considered very old.
	Old bool
	// NoRule reports that search found no rule at all (and no file).
	NoRule bool
	// Err is the error that stops make met finding n's rules (a
	// secondary expansion's, such as a rule defined by its $(eval)),
	// nil if none.
	Err error
	// LowResolution reports a file whose time has whole seconds only
	// (an archive member, or one named by .LOW_RESOLUTION_TIME): as a
	// target it counts as made at the end of its second.
	LowResolution bool

	resolved bool
	// file state
	statted bool
	restat  bool   // remade: to be looked at under its own name when asked (Restat)
	path    string // the name found by vpath, or Name
	exists  bool
	mtime   time.Time
	// implicit is the pending implicit match when a chain search found
	// this node as an intermediate.
	implicit *match
	// renamed is the node a search for this node's file merged it into
	// (see Graph.Renamed), nil if none; merged are the nodes merged into
	// this one, whose rules it takes too.
	renamed *Node
	merged  []*Node
	// ignoreVPath reports a file remade after vpath had found it: make
	// looks for it under its own name only (make's ignore_vpath).
	ignoreVPath bool
}

// New returns the graph of db.
func New(ctx context.Context, db *makefile.Database, opts Options) *Graph {
	stat := statMtime
	if opts.CheckSymlinks {
		stat = statSymlinkMtime
	}
	g := &Graph{
		db:        db,
		opts:      opts,
		nodes:     make(map[string]*Node, 2*len(db.Targets)),
		mentioned: make(map[string]bool, 2*len(db.Targets)),
		whatIf:    make(map[string]bool),
		oldFiles:  make(map[string]bool),
		stat:      stat,
		ctx:       ctx,

		exists:     make(map[string]bool),
		impossible: make(map[string]bool),
		dirs:       make(map[string]map[string]bool),
		reread:     make(map[string]bool),
		listed:     make(map[string]bool),
		named:      make(map[string]bool),
		namedIn:    make(map[string]map[string]bool),
		subdirs:    make(map[subdirKey]string),
		paths:      relpath.New(opts.Dir),
	}
	for name, t := range db.Targets {
		g.mentioned[name] = true
		for _, r := range t.Rules {
			for _, p := range r.Prereqs {
				g.mentioned[p] = true
			}
			for _, p := range r.OrderOnly {
				g.mentioned[p] = true
			}
		}
	}
	for name := range g.mentioned {
		g.nameDir(name)
	}
	for _, f := range opts.WhatIf {
		g.whatIf[makefile.TrimDotSlash(f)] = true
	}
	for _, f := range opts.OldFiles {
		g.oldFiles[f] = true
	}
	return g
}

// specialSet is the prerequisites of a special target as a set, so that
// each node looks itself up in constant time however long the list (a
// ".PHONY: $(COMPONENTS)" of a large tree).
type specialSet struct {
	names    map[string]bool
	patterns []string // % patterns (only .PRECIOUS takes them)
}

// special returns the prerequisites of special target name as a set,
// made on first use.
func (g *Graph) special(name string) *specialSet {
	if sp, ok := g.specials[name]; ok {
		return sp
	}
	ps, _ := g.db.SpecialPrereqs(name)
	sp := &specialSet{names: make(map[string]bool, len(ps))}
	for _, p := range ps {
		sp.names[p] = true
		if name == ".PRECIOUS" && strings.Contains(p, "%") {
			sp.patterns = append(sp.patterns, p)
		}
	}
	if g.specials == nil {
		g.specials = make(map[string]*specialSet)
	}
	g.specials[name] = sp
	return sp
}

// Database returns the rules database the graph reads.
func (g *Graph) Database() *makefile.Database { return g.db }

// Options returns the graph's options.
func (g *Graph) Options() Options { return g.opts }

// Node returns the node called name, creating it if needed. Its rules are
// not resolved until Resolve.
func (g *Graph) Node(name string) *Node {
	if n, ok := g.nodes[name]; ok {
		return n
	}
	if len(g.slab) == 0 {
		// Nodes are allocated in blocks: a graph has one per file.
		g.slab = make([]Node, 256)
	}
	n := &g.slab[0]
	g.slab = g.slab[1:]
	n.Name, n.Target = name, g.db.Targets[name]
	g.nameDir(name)
	if t := n.Target; t != nil {
		n.DoubleColon = t.DoubleColon
		n.Phony, n.Precious, n.Secondary = t.Phony, t.Precious, t.Secondary
		n.Intermediate = t.Intermediate
	}
	has := func(special string) bool {
		sp := g.special(special)
		if sp.names[name] {
			return true
		}
		// make also takes patterns in .PRECIOUS (.PRECIOUS: %.o).
		for _, p := range sp.patterns {
			if _, ok := matchPattern(p, name); ok {
				return true
			}
		}
		return false
	}
	n.Phony = n.Phony || has(".PHONY")
	n.Precious = n.Precious || has(".PRECIOUS")
	n.Secondary = n.Secondary || has(".SECONDARY") || g.db.SecondaryAll
	// .SECONDARY makes its files intermediate too (make's snap_deps: "both
	// intermediate and secondary"): never deleted, but not made only
	// because they are missing.
	n.Intermediate = n.Intermediate || has(".INTERMEDIATE") || n.Secondary
	n.Old = g.oldFiles[name]
	n.LowResolution = ar.IsMember(name) || has(".LOW_RESOLUTION_TIME")
	g.nodes[name] = n
	return n
}

// secondAuto is the automatic variables of a secondary expansion for
// target: $< $^ $+ $| are the prerequisites known so far (make's
// set_file_variables over the prerequisites that need no more expansion).
func secondAuto(target, stem string, prereqs, orderOnly []string) *makefile.AutoVars {
	a := &makefile.AutoVars{Target: target, Stem: stem, AllDup: prereqs}
	if len(prereqs) > 0 {
		a.First = prereqs[0]
	}
	seen := make(map[string]bool, len(prereqs))
	for _, p := range prereqs {
		if !seen[p] {
			seen[p] = true
			a.All = append(a.All, p)
		}
	}
	for _, p := range orderOnly {
		if !seen[p] {
			seen[p] = true
			a.OrderOnly = append(a.OrderOnly, p)
		}
	}
	return a
}

// Lookup returns the node called name if the graph has it.
func (g *Graph) Lookup(name string) *Node { return g.nodes[name] }

// Resolve finds the rules of n, as make does when it first considers n:
// its explicit rules, else an implicit rule (search, with chains), else
// .DEFAULT's recipe. It is a no-op after the first call.
func (g *Graph) Resolve(n *Node) {
	if n.resolved {
		return
	}
	n.resolved = true
	if n.Old {
		return
	}
	if n.Name[0] == '-' && strings.HasPrefix(n.Name, "-l") || !n.Phony && g.usesVPath() {
		// make looks for the file before it looks for rules: a search
		// may merge n into another file, or rename it (GPATH).
		g.statNode(n)
		if n.renamed != nil {
			n.implicit = nil
			return
		}
	}
	if n.implicit != nil {
		g.applyMatch(n, n.implicit)
		n.implicit = nil
		return
	}
	hasRecipe := g.addExplicitRules(n, n.Target)
	for _, from := range n.merged {
		// The files merged into n's (make's rehash_file): their
		// prerequisites follow n's own (mergeRule).
		if g.addExplicitRules(n, from.Target) {
			hasRecipe = true
		}
	}
	if hasRecipe || n.Phony || n.DoubleColon {
		return
	}
	// make searches implicit rules for a target without a recipe.
	if m := g.search(n.Name, 0, nil); m != nil {
		g.applyMatch(n, m)
		return
	}
	if d := g.db.Targets[".DEFAULT"]; d != nil && len(d.Rules) > 0 && d.Rules[0].Recipe != nil && len(d.Rules[0].Recipe.Lines) > 0 {
		if !g.Exists(n) && !n.IsTarget() {
			n.Rules = append(n.Rules, &Rule{Recipe: d.Rules[0].Recipe, Default: true, Pos: d.Rules[0].Pos})
			return
		}
	}
	if !n.IsTarget() && !g.Exists(n) {
		n.NoRule = true
	}
}

// addExplicitRules gives n the rules of target t (n's own, or those of a
// file merged into n's, folded into n's rule: mergeRule): their
// prerequisites second-expanded for n, the grouped targets they make too.
// It reports whether t has a recipe.
func (g *Graph) addExplicitRules(n *Node, t *makefile.Target) bool {
	var hasRecipe bool
	if t != nil {
		for _, r := range t.Rules {
			rule := &Rule{Recipe: r.Recipe, Stem: r.Stem, Pos: r.Pos}
			pre, oo := r.Prereqs, r.OrderOnly
			at := r.OrderOnlyAt
			texts := r.SecondExpansionTexts
			if len(texts) == 0 && r.SecondExpansion != "" {
				texts = []string{r.SecondExpansion}
			}
			for i, text := range texts {
				stem := r.Stem
				if r.SecondExpansionStems != nil {
					// Each static pattern line has its own stem.
					stem = r.SecondExpansionStems[i]
				}
				if r.StaticPattern != "" && (r.SecondExpansionStems == nil || stem != "") {
					// make turns the %s of a static pattern rule's
					// prerequisites into $* before expanding them again.
					text = strings.ReplaceAll(text, "%", "$*")
				}
				sc := g.db.ScopeFor(n.Name, nil)
				auto := secondAuto(n.Name, stem, pre, oo)
				p2, o2, err := g.db.SecondExpand(g.ctx, sc, text, auto)
				if err != nil {
					if n.Err == nil {
						n.Err = err
					}
					continue
				}
				pre = append(append([]string(nil), pre...), p2...)
				if at == nil {
					// Those so far come after the rule's own.
					at = make([]int, len(oo))
					for k := range at {
						at[k] = len(r.Prereqs)
					}
				}
				for range o2 {
					at = append(at[:len(at):len(at)], len(pre))
				}
				oo = append(append([]string(nil), oo...), o2...)
			}
			rule.OrderOnlyAt = at
			for _, p := range pre {
				rule.Prereqs = append(rule.Prereqs, g.Node(p))
			}
			for _, p := range oo {
				rule.OrderOnly = append(rule.OrderOnly, g.Node(p))
			}
			for _, p := range t.ExtraPrereqs {
				rule.Extra = append(rule.Extra, g.Node(p))
			}
			if r.Recipe != nil && len(r.Recipe.Lines) > 0 {
				hasRecipe = true
			}
			// The other targets of a grouped rule ("a b &: c") are made by
			// the same run of its recipe (make's also_make).
			for _, a := range r.Grouped {
				if a != n.Name {
					rule.Also = append(rule.Also, g.Node(a))
				}
			}
			if t != n.Target && !n.DoubleColon && len(n.Rules) > 0 {
				mergeRule(n.Rules[0], rule)
				continue
			}
			n.Rules = append(n.Rules, rule)
		}
	}
	return hasRecipe
}

// mergeRule folds rule, of a file merged into a single-colon target's,
// into that target's rule into: its prerequisites after into's, its
// recipe when into has none (make's rehash_file: where both have one,
// make's warning says the merged file's wins, but the target's runs;
// mergeWarning).
func mergeRule(into, rule *Rule) {
	for range rule.OrderOnly {
		if into.OrderOnlyAt != nil {
			into.OrderOnlyAt = append(into.OrderOnlyAt, len(into.Prereqs)+len(rule.Prereqs))
		}
	}
	into.Prereqs = append(into.Prereqs, rule.Prereqs...)
	into.OrderOnly = append(into.OrderOnly, rule.OrderOnly...)
	into.Extra = append(into.Extra, rule.Extra...)
	into.Also = append(into.Also, rule.Also...)
	if rule.Recipe != nil && len(rule.Recipe.Lines) > 0 && (into.Recipe == nil || len(into.Recipe.Lines) == 0) {
		into.Recipe, into.Pos = rule.Recipe, rule.Pos
	}
}

// applyMatch gives n the rule of an implicit match: the pattern rule's
// prerequisites come first, then the explicit ones (without a recipe).
func (g *Graph) applyMatch(n *Node, m *match) {
	rule := &Rule{Recipe: m.rule.Recipe, Stem: m.stem, Pattern: m.rule, Pos: m.rule.Pos}
	for i, p := range m.prereqs {
		pn := g.Node(p)
		if sub := m.chain[i]; sub != nil && !pn.resolved && len(pn.Rules) == 0 {
			pn.implicit = sub
			if g.db.Targets[p] == nil && !pn.Secondary {
				pn.Intermediate = true
			}
		}
		rule.Prereqs = append(rule.Prereqs, pn)
	}
	for i, p := range m.orderOnly {
		pn := g.Node(p)
		if sub := m.ooChain[i]; sub != nil && !pn.resolved && len(pn.Rules) == 0 {
			pn.implicit = sub
			if g.db.Targets[p] == nil && !pn.Secondary {
				pn.Intermediate = true
			}
		}
		rule.OrderOnly = append(rule.OrderOnly, pn)
	}
	for _, a := range m.also {
		an := g.Node(a)
		rule.Also = append(rule.Also, an)
	}
	// Every pattern rule has the global .EXTRA_PREREQS after its own
	// prerequisites (make's snap_implicit_rules).
	for _, p := range g.db.ExtraPrereqs {
		rule.Extra = append(rule.Extra, g.Node(p))
	}
	var explicit []*Node
	var explicitOO []*Node
	var at []int
	own := len(rule.Prereqs)
	for _, r := range n.Rules {
		if r.OrderOnlyAt != nil && at == nil {
			// Those so far come after the normal ones so far.
			at = make([]int, len(rule.OrderOnly)+len(explicitOO))
			for k := range at {
				at[k] = own + len(explicit)
			}
		}
		if at != nil {
			for k := range r.OrderOnly {
				a := len(r.Prereqs)
				if r.OrderOnlyAt != nil {
					a = r.OrderOnlyAt[k]
				}
				at = append(at, own+len(explicit)+a)
			}
		}
		explicit = append(explicit, r.Prereqs...)
		explicitOO = append(explicitOO, r.OrderOnly...)
		rule.Extra = append(rule.Extra, r.Extra...)
	}
	rule.OrderOnlyAt = at
	if len(n.Rules) == 0 && n.Target != nil {
		for _, p := range n.Target.ExtraPrereqs {
			rule.Extra = append(rule.Extra, g.Node(p))
		}
	}
	rule.Prereqs = append(rule.Prereqs, explicit...)
	rule.OrderOnly = append(rule.OrderOnly, explicitOO...)
	n.Rules = []*Rule{rule}
	// The other targets of the pattern share the same rule instance.
	for _, an := range rule.Also {
		if !an.resolved {
			an.resolved = true
			an.Rules = []*Rule{rule}
		}
	}
}

// HasRecipe reports whether any rule of n has a recipe.
func (n *Node) HasRecipe() bool {
	for _, r := range n.Rules {
		if r.Recipe != nil && len(r.Recipe.Lines) > 0 {
			return true
		}
	}
	return false
}

// IsTarget reports whether the makefiles name n as a target (with a rule).
func (n *Node) IsTarget() bool { return n.Target != nil && len(n.Target.Rules) > 0 }

// sysPath returns the name to give system calls for name, a name relative
// to the graph's directory (or absolute).
func (g *Graph) sysPath(name string) string { return g.paths.Path(name) }

// fileExists reports whether the file name exists (not a vpath search),
// as make's directory cache does: each directory is read once, through
// the run's cache (Database.DirNames, which make's globs share), and
// what the run itself makes is added as it is made.
func (g *Graph) fileExists(name string) bool {
	if len(g.exists) > 0 {
		if e, ok := g.exists[name]; ok {
			return e
		}
	}
	dir, base := splitDir(name)
	entries, ok := g.dirs[dir]
	if !ok {
		d := dir
		if d == "" {
			d = "."
		}
		if list, ok := g.readDir(d, dir); ok {
			entries = make(map[string]bool, len(list))
			for _, e := range list {
				entries[e] = true
			}
		}
		g.dirs[dir] = entries
		g.listed[dir] = entries != nil
	}
	if entries == nil {
		return false
	}
	return entries[base] || base == "." || base == ".."
}

// readDir returns the names in the directory d (as names spell it, "."
// for the current one; dir is its key in g.dirs), and whether it could
// be read: from the run's directory cache, or read afresh when the run
// created it after the cache found it missing (see noteFile).
func (g *Graph) readDir(d, dir string) ([]string, bool) {
	if g.reread[dir] {
		list, err := readDirNames(g.sysPath(d))
		return list, err == nil
	}
	p := d
	switch {
	case filepath.IsAbs(p):
	case filepath.IsAbs(g.opts.Dir):
		p = filepath.Join(g.opts.Dir, p)
	default:
		abs, err := filepath.Abs(g.sysPath(d))
		if err != nil {
			list, err := readDirNames(g.sysPath(d))
			return list, err == nil
		}
		p = abs
	}
	return g.db.DirNames(p)
}

// Directories returns every directory the directory cache has listed so
// far: the key is the directory as names spell it ("" for the current
// directory, else with its trailing slash), the value whether it could be
// read. Implicit rule search found files only through these listings, so
// while none of these directories changes its search results stay valid.
func (g *Graph) Directories() map[string]bool {
	out := make(map[string]bool, len(g.listed))
	for d, ok := range g.listed {
		out[d] = ok
	}
	return out
}

// statNode finds n's file: as named, else by vpath; and its mtime.
func (g *Graph) statNode(n *Node) {
	if n.statted {
		return
	}
	n.statted = true
	n.path = n.Name
	if lib, mem, ok := ar.ParseName(n.Name); ok {
		g.statMember(n, lib, mem)
		return
	}
	if n.restat {
		n.restat = false
		g.restatFile(n)
		return
	}
	if mt, ok := g.stat(g.sysPath(n.Name)); ok {
		n.exists, n.mtime = true, mt
		return
	}
	if n.Phony {
		return
	}
	g.findFile(n, true)
}

// findFile looks for n's file by vpath and, for a "-lNAME", as a library
// (make's f_mtime after the file was not found under its name). A file
// found there is n's; where is n's path only before n is remade (make
// renames a remade file's $@ and $^ back to its own name).
func (g *Graph) findFile(n *Node, before bool) {
	p, mt, ok := g.vpathSearch(n.Name)
	if p == "" && strings.HasPrefix(n.Name, "-l") {
		p, mt, ok = g.libSearch(n.Name)
	}
	if p == "" {
		return
	}
	if g.found(n, p) {
		if n.renamed != nil {
			return
		}
		// Renamed (GPATH): n is the file found.
		n.path, n.exists, n.mtime = p, ok, mt
		return
	}
	if before {
		n.path = p
	}
	n.exists, n.mtime = ok, mt
}

// statMember finds archive member n, mem of archive lib, as make's
// f_mtime does: the archive is found as any file (by vpath too, n's path
// following it), and the member's time is the date the archive records
// for it; a member the archive lacks, or of a missing archive, does not
// exist.
func (g *Graph) statMember(n *Node, lib, mem string) {
	an := g.Node(lib)
	g.statNode(an)
	if !an.exists {
		return
	}
	if an.path != lib {
		n.path = an.path + "(" + mem + ")"
	}
	if date, ok := ar.Date(g.sysPath(an.path), mem); ok {
		n.exists, n.mtime = true, time.Unix(date, 0)
	}
}

// file returns the node whose file is n's, looked at: n, or the node a
// search for n's file merged it into (which looking may do).
func (g *Graph) file(n *Node) *Node {
	g.statNode(n)
	for n.renamed != nil {
		n = n.renamed
		g.statNode(n)
	}
	return n
}

// Exists reports whether n's file exists (found directly or by vpath).
func (g *Graph) Exists(n *Node) bool {
	n = g.file(n)
	return n.exists
}

// Path returns the name n's file was found under: Name, or the name vpath
// found. $< and $^ use it.
func (g *Graph) Path(n *Node) string {
	n = g.file(n)
	return n.path
}

// Mtime returns n's modification time as make uses it: the zero time for
// a file that does not exist; -o files are very old, -W files infinitely
// new.
func (g *Graph) Mtime(n *Node) time.Time {
	n = g.file(n)
	if g.WhatIf(n) {
		return farFuture
	}
	if n.Old && n.exists {
		return veryOld
	}
	return n.mtime
}

// WhatIf reports whether n is a -W file, by its name or the name vpath
// found it under ("./" aside).
func (g *Graph) WhatIf(n *Node) bool {
	if len(g.whatIf) == 0 {
		return false
	}
	if g.whatIf[n.Name] {
		return true
	}
	g.statNode(n)
	return n.path != n.Name && g.whatIf[makefile.TrimDotSlash(n.path)]
}

// Restat forgets what the graph knows of n's file, after its recipe ran.
// A target remade by its recipe is looked for under its own name, not
// where vpath found it (make's GPATH aside).
func (g *Graph) Restat(n *Node) {
	delete(g.exists, n.Name)
	delete(g.impossible, n.Name)
	if n.statted && n.path != n.Name {
		n.ignoreVPath = true
	}
	n.statted = true
	n.path = n.Name
	n.exists, n.mtime = false, time.Time{}
	if lib, mem, ok := ar.ParseName(n.Name); ok {
		// The recipe of a member updates its archive.
		g.Restat(g.Node(lib))
		g.statMember(n, lib, mem)
		return
	}
	if dir, _ := splitDir(n.Name); !g.listedNow(dir) {
		// No listing of its directory to keep up to date: the file
		// is looked at when someone asks (a parent that does not
		// exist asks nothing of it).
		n.statted, n.restat = false, true
		return
	}
	g.restatFile(n)
}

// listedNow reports whether the directory cache holds dir ("" or "d/"),
// readable or not.
func (g *Graph) listedNow(dir string) bool {
	_, ok := g.dirs[dir]
	return ok
}

// restatFile looks at n's file under its own name and notes it in the
// directory cache.
func (g *Graph) restatFile(n *Node) {
	if mt, ok := g.stat(g.sysPath(n.Name)); ok {
		n.exists, n.mtime = true, mt
	}
	g.noteFile(n.Name, n.exists)
	if !n.exists && !n.Phony && !n.ignoreVPath {
		// Not found before it was made (a "-lNAME" made by a rule, a
		// file its recipe made elsewhere): looked for again.
		g.findFile(n, false)
	}
}

// SetNew marks n as just made without looking at the file system (what
// make assumes under -n, -q and -t, and for targets without a recipe).
func (g *Graph) SetNew(n *Node) {
	g.exists[n.Name] = true
	g.noteFile(n.Name, true)
	n.statted, n.restat = true, false
	n.path = n.Name
	n.exists = true
	n.mtime = farFuture
}

// noteFile records in the directory cache whether name exists now that
// the run has made (or tried to make) it.
func (g *Graph) noteFile(name string, exists bool) {
	dir, base := splitDir(name)
	if entries := g.dirs[dir]; entries != nil {
		entries[base] = exists
	} else if exists {
		// A directory the run created: read it again, past the cache.
		delete(g.dirs, dir)
		g.reread[dir] = true
	}
}

var (
	farFuture = time.Unix(1<<40, 0)
	veryOld   = time.Unix(1, 0)
)

// IsFarFuture reports whether t is the time SetNew and -W give.
func IsFarFuture(t time.Time) bool { return t.Equal(farFuture) }

// Nodes returns every node created so far, in no particular order.
func (g *Graph) Nodes() []*Node {
	out := make([]*Node, 0, len(g.nodes))
	for _, n := range g.nodes {
		out = append(out, n)
	}
	return out
}

// splitDir splits name into its directory part (with the slash) and base.
func splitDir(name string) (string, string) {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return "", name
	}
	return name[:i+1], name[i+1:]
}
