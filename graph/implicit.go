package graph

import (
	"slices"
	"strings"

	"github.com/dmake-dev/dmake/internal/ar"
	"github.com/dmake-dev/dmake/makefile"
)

// maxChainDepth bounds chains of implicit rules.
const maxChainDepth = 16

// match is the result of an implicit rule search for one file.
type match struct {
	rule      *makefile.PatternRule
	stem      string // $*, directory included
	prereqs   []string
	chain     []*match // per prerequisite: the match that makes it, if it is intermediate
	orderOnly []string
	ooChain   []*match // per order-only prerequisite, as chain
	also      []string // the other targets of the rule instance
}

type candidate struct {
	rule   *makefile.PatternRule
	target int    // index of the matching target pattern
	dir    string // directory prepended to % prerequisites
	stem   string // the part % matched
	order  int
}

// search is GNU make's implicit rule search (implicit.c) for name: the
// pattern rules whose target matches, shortest stem first, in definition
// order otherwise; non-terminal match-anything rules only when no specific
// rule matched and never inside a chain; first a pass where every
// prerequisite must exist or be mentioned in the makefiles, then a pass
// where missing ones may be made by a chain of implicit rules.
func (g *Graph) search(name string, depth int, inUse []*makefile.PatternRule) *match {
	if depth > maxChainDepth || g.impossible[name] {
		return nil
	}
	if m := g.searchAs(name, name, depth, inUse); m != nil {
		return m
	}
	// An archive member "lib(m)" is searched for again as "(m)", the
	// member alone (make's try_implicit_rule): the built-in "(%): %"
	// matches it.
	if _, mem, ok := ar.ParseName(name); ok {
		return g.searchAs(name, "("+mem+")", depth, inUse)
	}
	return nil
}

// searchAs is search for file name, matching the pattern rules' targets
// against subject (name, or its archive member in parentheses). An
// archive-member subject has no directory part.
func (g *Graph) searchAs(name, subject string, depth int, inUse []*makefile.PatternRule) *match {
	dir, base := splitDir(subject)
	if subject != name || ar.IsMember(subject) {
		dir, base = "", subject
	}
	// Candidates live in arrays on the stack: search runs for every file
	// make considers, most of them sources that no rule makes.
	var cbuf, abuf [32]candidate
	cands, anyCands := cbuf[:0], abuf[:0]
	specific := false
	idx := g.ruleIndex()
	g.stamp++
	stamp := g.stamp
	consider := func(i int) {
		if idx.visited[i] == stamp {
			return
		}
		idx.visited[i] = stamp
		r := g.db.PatternRules[i]
		if slices.Contains(inUse, r) {
			return
		}
		noRecipe := r.Recipe == nil || len(r.Recipe.Lines) == 0
		for ti, tp := range r.Targets {
			anything := tp == "%"
			if anything && depth > 0 && !r.Terminal {
				continue
			}
			var stem, d string
			var ok bool
			if strings.IndexByte(tp, '/') >= 0 {
				stem, ok = matchPattern(tp, subject)
			} else {
				stem, ok = matchPattern(tp, base)
				d = dir
			}
			if !ok {
				continue
			}
			if !anything {
				specific = true
			}
			if noRecipe {
				// A rule with neither prerequisites nor recipe (make's
				// dummy "%.c:" for each suffix) only marks the name as
				// specific; one without a recipe makes nothing.
				return
			}
			c := candidate{rule: r, target: ti, dir: d, stem: stem, order: i}
			if anything && !r.Terminal {
				anyCands = append(anyCands, c)
			} else {
				cands = append(cands, c)
			}
			return
		}
	}
	var last byte
	if subject != "" {
		last = subject[len(subject)-1]
	}
	for _, i := range idx.byLast[last] {
		consider(i)
	}
	for _, i := range idx.noSuffix {
		consider(i)
	}
	for _, i := range idx.terminalAny {
		consider(i)
	}
	if !specific && depth == 0 {
		// Non-terminal match-anything rules apply only when no specific
		// rule matched, and never inside a chain.
		for _, i := range idx.otherAny {
			consider(i)
		}
		cands = append(cands, anyCands...)
	}
	// Shortest stem first (make counts the directory in the stem of a
	// pattern without a slash), then definition order.
	less := func(a, b candidate) bool {
		la, lb := len(a.dir)+len(a.stem), len(b.dir)+len(b.stem)
		if la != lb {
			return la < lb
		}
		return a.order < b.order
	}
	for i := 1; i < len(cands); i++ {
		for j := i; j > 0 && less(cands[j], cands[j-1]); j-- {
			cands[j], cands[j-1] = cands[j-1], cands[j]
		}
	}

	for pass := 0; pass < 2; pass++ {
		if pass == 1 && g.opts.NoImplicitChains {
			break
		}
		for _, c := range cands {
			if pass == 1 && c.rule.Terminal {
				continue
			}
			prereqs, orderOnly := c.rule.Prereqs, c.rule.OrderOnly
			if c.rule.SecondExpansion != "" {
				// .SECONDEXPANSION: the prerequisite text is expanded
				// again for this target, $* being the stem; % in what it
				// gives is the stem too.
				var epre, eoo []string
				if t := g.db.Targets[name]; t != nil && len(t.Rules) > 0 && !t.DoubleColon {
					epre, eoo = t.Rules[0].Prereqs, t.Rules[0].OrderOnly
				}
				auto := secondAuto(name, c.dir+c.stem, epre, eoo)
				p2, o2, err := g.secondExpandPattern(name, &c, auto)
				if err != nil {
					continue
				}
				prereqs = append(append([]string(nil), prereqs...), p2...)
				orderOnly = append(append([]string(nil), orderOnly...), o2...)
			}
			// Most candidates fail: the match is allocated only for one
			// that succeeds, its prerequisites gathered on the stack.
			var qbuf [4]string
			var sbuf [4]*match
			found, chain := qbuf[:0], sbuf[:0]
			// take finds the prerequisites of list (order-only ones too,
			// as make's pattern_search: each must exist, be mentioned, or
			// be made by a chain), adding them to found and chain.
			take := func(list []string) bool {
				for _, p := range list {
					if pass == 0 {
						if i := strings.IndexByte(p, '%'); i >= 0 && g.knownAbsent(&c, p, i) {
							return false
						}
					}
					q := c.instantiate(p)
					// Wildcards in a prerequisite (after the stem) give
					// the names they match, if any (make's
					// parse_file_seq of each prerequisite).
					qs := []string{q}
					if strings.ContainsAny(q, "*?[") {
						if ms := g.db.Glob(g.ctx, q); len(ms) > 0 {
							qs = ms
						}
					}
					for _, q := range qs {
						if q == name {
							return false
						}
						if g.mentioned[q] || g.hasRules(q) || g.existsOrVPath(q) {
							found = append(found, q)
							chain = append(chain, nil)
							continue
						}
						if pass == 0 {
							return false
						}
						used := append(inUse[:len(inUse):len(inUse)], c.rule)
						sub := g.search(q, depth+1, used)
						if sub == nil {
							if len(inUse) == 0 && !ruleMatches(c.rule, q) {
								// Found impossible with only this rule
								// left out, and this rule cannot make
								// it: no chain can.
								g.impossible[q] = true
							}
							return false
						}
						found = append(found, q)
						chain = append(chain, sub)
					}
				}
				return true
			}
			if !take(prereqs) {
				continue
			}
			nPre := len(found)
			if !take(orderOnly) {
				continue
			}
			m := &match{rule: c.rule, stem: c.dir + c.stem,
				prereqs: append([]string(nil), found[:nPre]...), chain: append([]*match(nil), chain[:nPre]...)}
			if len(found) > nPre {
				m.orderOnly = append([]string(nil), found[nPre:]...)
				m.ooChain = append([]*match(nil), chain[nPre:]...)
			}
			for ti, tp := range c.rule.Targets {
				if ti != c.target {
					m.also = append(m.also, c.dir+substPattern(tp, c.stem))
				}
			}
			return m
		}
	}
	return nil
}

// instantiate returns prerequisite pattern p for this candidate: the
// stem in place of %, the directory in front; p itself without a %.
func (c *candidate) instantiate(p string) string {
	i := strings.IndexByte(p, '%')
	if i < 0 {
		return p
	}
	return c.dir + p[:i] + c.stem + p[i+1:]
}

// hasRules reports whether the graph has a node called name with rules.
func (g *Graph) hasRules(name string) bool {
	n := g.nodes[name]
	return n != nil && len(n.Rules) > 0
}

// patternIndex sorts the pattern rules by what their target patterns can
// match, so that a search looks only at rules that may apply.
type patternIndex struct {
	// byLast holds the rules with a target pattern whose text after %
	// ends with that byte; noSuffix those with nothing after % (but
	// something before: "s.%"); terminalAny the terminal match-anything
	// rules and otherAny the other match-anything rules. Indexes into
	// db.PatternRules, ascending.
	byLast      [256][]int
	noSuffix    []int
	terminalAny []int
	otherAny    []int
	visited     []uint64
}

// ruleIndex returns the pattern index, made on first use.
func (g *Graph) ruleIndex() *patternIndex {
	if g.index != nil {
		return g.index
	}
	idx := &patternIndex{visited: make([]uint64, len(g.db.PatternRules))}
	for i, r := range g.db.PatternRules {
		seen := map[*[]int]bool{}
		add := func(l *[]int) {
			if !seen[l] {
				seen[l] = true
				*l = append(*l, i)
			}
		}
		for _, tp := range r.Targets {
			pc := strings.IndexByte(tp, '%')
			switch {
			case tp == "%" && r.Terminal:
				add(&idx.terminalAny)
			case tp == "%":
				add(&idx.otherAny)
			case pc < 0 || pc == len(tp)-1:
				add(&idx.noSuffix)
			default:
				add(&idx.byLast[tp[len(tp)-1]])
			}
		}
	}
	g.index = idx
	return idx
}

// ruleMatches reports whether one of r's target patterns matches name.
func ruleMatches(r *makefile.PatternRule, name string) bool {
	_, base := splitDir(name)
	for _, tp := range r.Targets {
		n := base
		if strings.IndexByte(tp, '/') >= 0 {
			n = name
		}
		if _, ok := matchPattern(tp, n); ok {
			return true
		}
	}
	return false
}

// secondExpandPattern is the secondary expansion of candidate c's
// prerequisites for target name, as make's implicit rule search does it:
// each prerequisite (a blank-separated word, running on through
// parentheses and braces, so "$$(addsuffix /%.c,a b)" is one) has its
// first % replaced by $* (the stem) before it is expanded, and the words it
// expands to get the target's directory, as a % prerequisite's would.
func (g *Graph) secondExpandPattern(name string, c *candidate, auto *makefile.AutoVars) (prereqs, orderOnly []string, err error) {
	sc := g.db.ScopeFor(name, nil)
	orderOnlyNow := false
	for _, w := range prereqWords(c.rule.SecondExpansion) {
		if w == "|" {
			orderOnlyNow = true
			continue
		}
		// The % becomes $* ($(*F) when the directory is added after),
		// so that a $ in the stem is not expanded again.
		i := strings.IndexByte(w, '%')
		if i >= 0 && c.dir != "" {
			w = w[:i] + "$(*F)" + w[i+1:]
		} else if i >= 0 {
			w = w[:i] + "$*" + w[i+1:]
		}
		p2, o2, err := g.db.SecondExpand(g.ctx, sc, w, auto)
		if err != nil {
			return nil, nil, err
		}
		if i >= 0 && c.dir != "" {
			for k := range p2 {
				p2[k] = c.dir + p2[k]
			}
			for k := range o2 {
				o2[k] = c.dir + o2[k]
			}
		}
		if orderOnlyNow {
			orderOnly = append(append(orderOnly, p2...), o2...)
		} else {
			prereqs = append(prereqs, p2...)
			orderOnly = append(orderOnly, o2...)
			if len(o2) > 0 {
				orderOnlyNow = true
			}
		}
	}
	return prereqs, orderOnly, nil
}

// prereqWords splits a prerequisite text at blanks outside parentheses
// and braces.
func prereqWords(text string) []string {
	var out []string
	depth, start := 0, -1
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '(' || c == '{':
			depth++
		case (c == ')' || c == '}') && depth > 0:
			depth--
		case (c == ' ' || c == '\t' || c == '\n') && depth == 0:
			if start >= 0 {
				out = append(out, text[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, text[start:])
	}
	return out
}
