package makefile

import "strings"

// A node is a parsed expression: a value tree. Text is parsed once into a
// node; expanding the node gives the same result as GNU make's expansion of
// the text, including the order of side effects and of errors.
type node interface{}

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

// parseExpr parses s into a value tree.
func parseExpr(s string) node {
	if strings.IndexByte(s, '$') < 0 {
		return literal(s)
	}
	var parts concat
	var sb []byte
	flush := func() {
		if len(sb) > 0 {
			parts = append(parts, literal(sb))
			sb = nil
		}
	}
	i := 0
	for i < len(s) {
		j := strings.IndexByte(s[i:], '$')
		if j < 0 {
			sb = append(sb, s[i:]...)
			break
		}
		sb = append(sb, s[i:i+j]...)
		i += j + 1 // past '$'
		if i >= len(s) {
			sb = append(sb, '$') // make keeps a lone $ at the end
			break
		}
		switch c := s[i]; c {
		case '$':
			sb = append(sb, '$')
			i++
		case '(', '{':
			n, next := parseRef(s, i)
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

// parseRef parses the reference whose open paren is s[open]; it returns the
// node and the index just past the reference.
func parseRef(s string, open int) (node, int) {
	openc := s[open]
	closec := byte(')')
	if openc == '{' {
		closec = '}'
	}
	beg := open + 1
	if fn, nameEnd := lookupFunc(s, beg); fn != nil {
		return parseFunc(s, fn, nameEnd, openc, closec)
	}
	end := strings.IndexByte(s[beg:], closec)
	if end < 0 {
		return errNode{msg: "unterminated variable reference"}, len(s)
	}
	end += beg
	if strings.IndexByte(s[beg:end], '$') >= 0 {
		count := 0
		p := beg
		for ; p < len(s); p++ {
			if s[p] == openc {
				count++
			} else if s[p] == closec {
				count--
				if count < 0 {
					break
				}
			}
		}
		if count < 0 {
			return dynRef{inner: parseExpr(s[beg:p])}, p + 1
		}
		// Unmatched: make uses the text up to the first close paren as
		// the name and swallows the rest of the string.
		return refFromText(s[beg:end]), len(s)
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
// followed by whitespace or the end of the text, and the end of its name.
func lookupFunc(s string, beg int) (*funcInfo, int) {
	e := beg
	for e < len(s) && (s[e] >= 'a' && s[e] <= 'z' || s[e] == '-') {
		e++
	}
	if e == beg {
		return nil, 0
	}
	if e < len(s) && s[e] != ' ' && s[e] != '\t' && s[e] != '\n' {
		return nil, 0
	}
	fn := funcTable[s[beg:e]]
	if fn == nil {
		return nil, 0
	}
	return fn, e
}

func parseFunc(s string, fn *funcInfo, nameEnd int, openc, closec byte) (node, int) {
	beg := nameEnd
	for beg < len(s) && (s[beg] == ' ' || s[beg] == '\t' || s[beg] == '\n') {
		beg++
	}
	count := 0
	end := beg
	for ; end < len(s); end++ {
		if s[end] == openc {
			count++
		} else if s[end] == closec {
			count--
			if count < 0 {
				break
			}
		}
	}
	if count >= 0 {
		return errNode{msg: "unterminated call to function '" + fn.name + "': missing '" + string(closec) + "'"}, len(s)
	}
	var raw []string
	p := beg
	nargs := 0
	for p <= end {
		nargs++
		next := -1
		if nargs != fn.maxArgs {
			next = findNextArg(s, openc, closec, p, end)
		}
		if next < 0 {
			next = end
		}
		raw = append(raw, s[p:next])
		p = next + 1
	}
	args := make([]node, len(raw))
	for i, r := range raw {
		if fn.stripArgs && (i == 0 || fn.name != "if") {
			// if, or, and strip the unexpanded text of their conditions.
			r = trimSpace(r)
		}
		args[i] = parseExpr(r)
	}
	return &funcCall{fn: fn, args: args, raw: raw}, end + 1
}

func findNextArg(s string, openc, closec byte, p, end int) int {
	count := 0
	for ; p < end; p++ {
		switch s[p] {
		case openc:
			count++
		case closec:
			count--
			if count < 0 {
				return -1
			}
		case ',':
			if count == 0 {
				return p
			}
		}
	}
	return -1
}
