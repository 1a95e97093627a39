package makefile

import (
	"slices"
	"strings"
)

// A node is a parsed expression: a value tree. Text is parsed once into a
// node; expanding the node gives the same result as GNU make's expansion of
// the text, including the order of side effects and of errors.
//
// The interface is closed: the types below are every kind of node, and
// the evaluator's switch over them is exhaustive.
type node interface{ isNode() }

func (literal) isNode()   {}
func (concat) isNode()    {}
func (varRef) isNode()    {}
func (dynRef) isNode()    {}
func (substRef) isNode()  {}
func (*funcCall) isNode() {}
func (errNode) isNode()   {}

// literal text.
type literal string

// concat is a sequence of nodes whose expansions are concatenated.
type concat []node

// varRef is $(NAME) or $X with a name known at parse time that is not a
// substitution reference.
type varRef struct{ name string }

// dynRef is $(…) whose text contains references: the inner text is
// expanded first, then treated as a name or a substitution reference.
type dynRef struct{ inner node }

// substRef is $(NAME:FROM=TO) with all three parts known at parse time.
type substRef struct{ name, from, to string }

// funcCall is a call of a built-in function. Arguments are parsed nodes;
// functions that expand their arguments lazily (if, and, or, foreach)
// receive them unexpanded.
type funcCall struct {
	fn   *funcInfo
	args []node
	raw  []string // argument texts, for functions that need them
}

// errNode raises a fatal error when expanded: a syntax error found while
// parsing is reported only if the text is actually expanded, as by make.
type errNode struct{ msg string }

// maxParseDepth bounds the nesting of references in one text: deeper
// text parses to an error node instead of exhausting the stack.
const maxParseDepth = 100000

// parseExpr parses s into a value tree.
func parseExpr(s string) node {
	if strings.IndexByte(s, '$') < 0 {
		return literal(s)
	}
	p := &parser{s: s}
	return p.expr(0, len(s), 0)
}

// parser parses one text. Each reference is parsed once: the matching
// close paren of an open one, and whether a range holds a '$', are looked
// up in tables made in one pass over the text (on first need), so that
// nesting costs linear time. Parsing a range [from, to) gives what make's
// parsing of the substring s[from:to] gives: a paren matched within the
// whole text is matched within the range when its match lies inside it.
type parser struct {
	s       string
	indexed bool
	dollars []int       // positions of '$'
	parens  [2]pairList // '(' and '{'
}

// pairList lists the open parens of one kind in order, with the position
// of each one's match (-1 when unmatched).
type pairList struct{ open, close []int }

func (p *parser) index() {
	p.indexed = true
	var stacks [2][]int
	for i := 0; i < len(p.s); i++ {
		k := 0
		switch p.s[i] {
		case '$':
			p.dollars = append(p.dollars, i)
			continue
		case '(':
		case '{':
			k = 1
		case ')':
			k = -1
		case '}':
			k = -2
		default:
			continue
		}
		if k >= 0 {
			l := &p.parens[k]
			stacks[k] = append(stacks[k], len(l.open))
			l.open = append(l.open, i)
			l.close = append(l.close, -1)
			continue
		}
		k = -k - 1
		if st := stacks[k]; len(st) > 0 {
			p.parens[k].close[st[len(st)-1]] = i
			stacks[k] = st[:len(st)-1]
		}
	}
}

// match returns the position of the paren closing the one at open (an
// '(' or '{'), or -1 when it is not closed before to. A reference at depth
// 1 (not within another) is matched by scanning, as make does: the tables
// are made only for nested ones, whose scans would add up to quadratic
// time.
func (p *parser) match(open, to, depth int) int {
	if !p.indexed && depth <= 1 {
		openc, closec := p.s[open], byte(')')
		if openc == '{' {
			closec = '}'
		}
		count := 0
		for i := open + 1; i < to; i++ {
			switch p.s[i] {
			case openc:
				count++
			case closec:
				if count == 0 {
					return i
				}
				count--
			}
		}
		return -1
	}
	if !p.indexed {
		p.index()
	}
	k := 0
	if p.s[open] == '{' {
		k = 1
	}
	l := &p.parens[k]
	i, _ := slices.BinarySearch(l.open, open)
	if m := l.close[i]; m >= 0 && m < to {
		return m
	}
	return -1
}

// hasDollar reports whether s[from:to] holds a '$'.
func (p *parser) hasDollar(from, to int) bool {
	if !p.indexed {
		// before the first call or computed reference, the ranges
		// asked about do not overlap: scanning them is linear
		return strings.IndexByte(p.s[from:to], '$') >= 0
	}
	i, _ := slices.BinarySearch(p.dollars, from)
	return i < len(p.dollars) && p.dollars[i] < to
}

// expr parses s[from:to].
func (p *parser) expr(from, to, depth int) node {
	if !p.hasDollar(from, to) {
		return literal(p.s[from:to])
	}
	s := p.s
	var parts concat
	var sb []byte
	flush := func() {
		if len(sb) > 0 {
			parts = append(parts, literal(sb))
			sb = nil
		}
	}
	i := from
	for i < to {
		j := strings.IndexByte(s[i:to], '$')
		if j < 0 {
			sb = append(sb, s[i:to]...)
			break
		}
		sb = append(sb, s[i:i+j]...)
		i += j + 1 // past '$'
		if i >= to {
			sb = append(sb, '$') // make keeps a lone $ at the end
			break
		}
		switch c := s[i]; c {
		case '$':
			sb = append(sb, '$')
			i++
		case '(', '{':
			n, next := p.ref(i, to, depth+1)
			flush()
			parts = append(parts, n)
			i = next
		default:
			flush()
			parts = append(parts, varRef{name: s[i : i+1]})
			i++
		}
	}
	flush()
	switch len(parts) {
	case 0:
		return literal("")
	case 1:
		return parts[0]
	}
	return parts
}

// ref parses the reference whose open paren is s[open], within s[:to]; it
// returns the node and the index just past the reference.
func (p *parser) ref(open, to, depth int) (node, int) {
	if depth > maxParseDepth {
		return errNode{msg: "references nested too deeply (more than " + itoa(maxParseDepth) + " levels)"}, to
	}
	s := p.s
	closec := byte(')')
	if s[open] == '{' {
		closec = '}'
	}
	beg := open + 1
	if fn, nameEnd := lookupFunc(s[:to], beg); fn != nil {
		return p.fn(fn, open, nameEnd, to, depth)
	}
	end := strings.IndexByte(s[beg:to], closec)
	if end < 0 {
		return errNode{msg: "unterminated variable reference"}, to
	}
	end += beg
	if p.hasDollar(beg, end) {
		if m := p.match(open, to, depth); m >= 0 {
			return dynRef{inner: p.expr(beg, m, depth)}, m + 1
		}
		// Unmatched: make uses the text up to the first close paren as
		// the name and swallows the rest of the string.
		return refFromText(s[beg:end]), to
	}
	return refFromText(s[beg:end]), end + 1
}

// refFromText makes the node for a reference whose inner text is known.
func refFromText(t string) node {
	if c := strings.IndexByte(t, ':'); c >= 0 {
		if e := strings.IndexByte(t[c+1:], '='); e >= 0 {
			return substRef{name: t[:c], from: t[c+1 : c+1+e], to: t[c+1+e+1:]}
		}
	}
	return varRef{name: t}
}

// lookupFunc reports the built-in function named at s[beg:], which must be
// followed by whitespace (isspace's: CR, FF and VT count) or the end of
// the text, and the end of its name.
func lookupFunc(s string, beg int) (*funcInfo, int) {
	e := beg
	for e < len(s) && (s[e] >= 'a' && s[e] <= 'z' || s[e] == '-') {
		e++
	}
	if e == beg {
		return nil, 0
	}
	if e < len(s) && !isWS(s[e]) {
		return nil, 0
	}
	fn := funcTable[s[beg:e]]
	if fn == nil {
		return nil, 0
	}
	return fn, e
}

// fn parses a function call whose open paren is s[open] and whose name
// ends at nameEnd, within s[:to].
func (p *parser) fn(fn *funcInfo, open, nameEnd, to, depth int) (node, int) {
	s := p.s
	openc := s[open]
	closec := byte(')')
	if openc == '{' {
		closec = '}'
	}
	beg := nameEnd
	for beg < to && isWS(s[beg]) {
		beg++
	}
	end := p.match(open, to, depth)
	if end < 0 {
		return errNode{msg: "unterminated call to function '" + fn.name + "': missing '" + string(closec) + "'"}, to
	}
	var raw []string
	var spans [][2]int
	q := beg
	nargs := 0
	for q <= end {
		nargs++
		next := -1
		if nargs != fn.maxArgs {
			next = p.nextArg(openc, q, end, depth)
		}
		if next < 0 {
			next = end
		}
		raw = append(raw, s[q:next])
		spans = append(spans, [2]int{q, next})
		q = next + 1
	}
	args := make([]node, len(raw))
	for i, sp := range spans {
		a, b := sp[0], sp[1]
		if fn.stripArgs && (i == 0 || fn.name != "if") {
			// if, or, and strip the unexpanded text of their conditions.
			for a < b && isWS(s[a]) {
				a++
			}
			for b > a && isWS(s[b-1]) {
				b--
			}
		}
		args[i] = p.expr(a, b, depth)
	}
	return &funcCall{fn: fn, args: args, raw: raw}, end + 1
}

// nextArg returns the position of the next comma of this call's level in
// s[q:end], or -1: nested parens of the call's kind openc are skipped
// whole (make counts only those; a comma within other parens splits).
func (p *parser) nextArg(openc byte, q, end, depth int) int {
	s := p.s
	for ; q < end; q++ {
		switch s[q] {
		case openc:
			if m := p.match(q, end, depth); m >= 0 {
				q = m
			}
		case ',':
			return q
		}
	}
	return -1
}
