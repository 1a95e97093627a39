package sandbox

import (
	"fmt"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// hazard is a construct the interpreter would run outside the handlers.
type hazard struct {
	pos   string // line:col
	what  string
	msg   string
	fatal bool // the text must not run at all
}

// harden walks a parsed script and takes out what mvdan.cc/sh v3.14.1 would
// run on the host rather than through the handlers:
//
//   - process substitution creates a FIFO in the host's temp dir: replaced
//     by /dev/null;
//   - background jobs outlive Run as goroutines: run in the foreground;
//   - $$ and $PPID read the host's pids: renamed to synthetic variables;
//   - ~user looks host users up: the names are returned in homes so the
//     environment can answer "HOME user" first;
//   - coproc is not supported: the script is refused.
//
// With rewrite false nothing can be changed, so every such construct is a
// fatal hazard and the text is refused.
//
// With fixedHomes, homes is what the environment already answers: any
// other ~user is a fatal hazard (text parsed again at run time, when the
// environment can no longer grow).
func harden(root syntax.Node, h *helpers, rewrite bool, funcs, homes map[string]bool, fixedHomes bool) []hazard {
	var hz []hazard
	add := func(p syntax.Pos, what, msg string, fatal bool) {
		hz = append(hz, hazard{pos: fmt.Sprintf("%d:%d", p.Line(), p.Col()), what: what, msg: msg, fatal: fatal || !rewrite})
	}
	tilde := func(p syntax.Pos, s string, assign bool) {
		var found []string
		if fixedHomes {
			tildes(s, assign, nil, func(u string) { found = append(found, u) })
			for _, u := range found {
				if u != "root" && !homes[u] {
					add(p, "tilde-user", fmt.Sprintf("~%s would look the user up on the host", u), true)
				}
			}
			return
		}
		tildes(s, assign, homes, func(u string) {
			if u != "root" {
				add(p, "tilde-user", fmt.Sprintf("~%s answered from the virtual /etc/passwd, not the host's users", u), false)
			}
		})
	}
	ints := map[string]bool{} // names declared -i, which v3.14.1 does not know
	valuesDone := map[*syntax.CallExpr]bool{}
	// staticSub are the names assigned a literal value with a command
	// substitution in a subscript, run ahead at the assignment: the run
	// time check of values used in arithmetic (arithPrep) leaves them.
	staticSub := map[string]bool{}
	prepped := map[syntax.Command]bool{} // statements arithPrep has seen
	prompts := func(parts []syntax.WordPart) {
		for i, part := range parts {
			pe, ok := part.(*syntax.ParamExp)
			if !ok || !isPromptExp(pe) {
				continue
			}
			add(pe.Pos(), "prompt-expansion", "${…@P} expanded as bash expands a prompt: the command substitutions in the value run in the dry run", false)
			if rewrite {
				if cs := promptSubst(pe, h.prefix+"P"); cs != nil {
					parts[i] = cs
				}
			}
		}
	}
	syntax.Walk(root, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.DblQuoted:
			prompts(n.Parts)
		case *syntax.Word:
			prompts(n.Parts)
			for i, part := range n.Parts {
				if ps, ok := part.(*syntax.ProcSubst); ok {
					add(ps.Pos(), "process-substitution", "process substitution is not run: the interpreter would create a FIFO on the host; /dev/null stands in for it", false)
					if rewrite {
						n.Parts[i] = &syntax.Lit{ValuePos: ps.Pos(), ValueEnd: ps.End(), Value: "/dev/null"}
					}
				}
			}
			if len(n.Parts) > 0 {
				if lit, ok := n.Parts[0].(*syntax.Lit); ok {
					tilde(lit.Pos(), lit.Value, false)
				}
			}
		case *syntax.Assign:
			if n.Value != nil && len(n.Value.Parts) > 0 {
				if lit, ok := n.Value.Parts[0].(*syntax.Lit); ok {
					tilde(lit.Pos(), lit.Value, true)
				}
			}
		case *syntax.Stmt:
			// v3.14.1 panics assigning to an array element in
			// arithmetic: such lets and (( )) become statements it runs;
			// it ignores declare a[i]=v (and 'a[$(cmd)]=v', where bash
			// runs cmd): the elements are assigned after the declare.
			switch c := n.Cmd.(type) {
			case *syntax.CallExpr:
				// i='a[$(cmd)]': bash runs cmd when the value is used in
				// arithmetic ($((i)), let, -eq), which v3.14.1 does not
				// do (it reads the value as a number); the command
				// substitutions run here, ahead, to be reported.
				if len(c.Args) > 0 || valuesDone[c] {
					break
				}
				valuesDone[c] = true // met again inside the block made here
				var pre []*syntax.Stmt
				for _, a := range c.Assigns {
					if a.Value == nil {
						continue
					}
					lit, ok := staticText(a.Value)
					if !ok {
						continue
					}
					for start := 0; ; {
						open, end := nextCmdSubscript(lit, start)
						if open < 0 {
							break
						}
						add(a.Pos(), "subscript-substitution", "the value of "+a.Name.Value+" holds a command substitution in an array subscript, which bash runs when the value is used in arithmetic: it is run here", false)
						staticSub[a.Name.Value] = true
						if stmts, ok := parseStmts(h.sub + "val=\"" + lit[open+1:end] + "\" || :\n"); ok {
							pre = append(pre, stmts...)
						}
						start = end
					}
				}
				if pre != nil && rewrite {
					n.Cmd = &syntax.Block{Lbrace: c.Pos(), Rbrace: c.End(), Stmts: append(pre, &syntax.Stmt{Position: n.Position, Cmd: c})}
				}
			case *syntax.DeclClause:
				if rewrite {
					if stmts := splitDecl(c); stmts != nil {
						n.Cmd = &syntax.Block{Lbrace: c.Pos(), Rbrace: c.End(), Stmts: stmts}
					}
				}
			case *syntax.LetClause:
				if !rewrite {
					break
				}
				stmts, ok := rewriteLet(c, h.sub+"let")
				if !ok {
					add(c.Pos(), "array-arithmetic", "this assignment to an array element in arithmetic is not supported by the dry run", true)
				} else if stmts != nil {
					n.Cmd = &syntax.Block{Lbrace: c.Pos(), Rbrace: c.End(), Stmts: stmts}
				}
			case *syntax.ArithmCmd:
				if !setsElement(c.X) {
					break
				}
				stmts, ok := rewriteArithmCmd(c, h.sub+"let")
				if !ok || !rewrite {
					add(c.Pos(), "array-arithmetic", "this assignment to an array element in arithmetic is not supported by the dry run", true)
				} else {
					n.Cmd = &syntax.Block{Lbrace: c.Pos(), Rbrace: c.End(), Stmts: stmts}
				}
			}
			if rewrite {
				// Arithmetic in this statement: an element assignment
				// inside $(( )) is hoisted before it, and the values
				// it reads are checked at run time for command
				// substitutions hidden in subscripts (h.arith).
				// A block made here (or in an earlier hardening of
				// the same text) ends with the statement prepared.
				if b, ok := n.Cmd.(*syntax.Block); ok && len(b.Stmts) > 1 {
					if c, ok := b.Stmts[0].Cmd.(*syntax.CallExpr); ok && len(c.Args) > 0 && c.Args[0].Lit() == h.arith {
						prepped[b.Stmts[len(b.Stmts)-1].Cmd] = true
					}
				}
				if n.Cmd != nil && !prepped[n.Cmd] {
					prepped[n.Cmd] = true
					if pre := arithPrep(n, h, staticSub); pre != nil {
						cmd := &syntax.Stmt{Position: n.Position, Cmd: n.Cmd}
						n.Cmd = &syntax.Block{Lbrace: n.Cmd.Pos(), Rbrace: n.Cmd.End(), Stmts: append(pre, cmd)}
					}
				}
			}
			if n.Background || n.Disown {
				add(n.Pos(), "background", "background job run in the foreground: the sandbox waits for everything a script starts", false)
				if rewrite {
					n.Background, n.Disown = false, false
				}
			}
		case *syntax.ParamExp:
			if n.Param != nil {
				switch n.Param.Value {
				case "$":
					if rewrite {
						n.Param = &syntax.Lit{ValuePos: n.Param.ValuePos, ValueEnd: n.Param.ValueEnd, Value: h.pid}
						add(n.Pos(), "host-pid", "$$ answered with a synthetic pid, not the host's", false)
					} else {
						add(n.Pos(), "host-pid", "$$ would show a host pid", true)
					}
				case "PPID":
					if rewrite {
						n.Param = &syntax.Lit{ValuePos: n.Param.ValuePos, ValueEnd: n.Param.ValueEnd, Value: h.ppid}
						add(n.Pos(), "host-pid", "$PPID answered with a synthetic pid, not the host's", false)
					} else {
						add(n.Pos(), "host-pid", "$PPID would show a host pid", true)
					}
				}
			}
		case *syntax.Redirect:
			if n.Word != nil {
				for _, part := range n.Word.Parts {
					if lit, ok := part.(*syntax.Lit); ok && strings.Contains(lit.Value, "sh-interp-") {
						add(n.Pos(), "temp-dir-bypass", "redirect to an sh-interp-* path: the interpreter's own temp dir is "+sandboxTmp+", where nothing can be created, so this goes to the virtual FS or fails", false)
					}
				}
			}
		case *syntax.ForClause:
			// v3.14.1 leaves a C-style loop when its body ends with a
			// non-zero status; bash loops on. A no-op ending the body
			// makes the interpreter loop as bash does (only $? after
			// the loop can differ).
			if _, ok := n.Loop.(*syntax.CStyleLoop); ok && rewrite && !cStyleFixed(n) {
				p := n.DonePos
				n.Do = append(n.Do, &syntax.Stmt{Position: p, Cmd: &syntax.CallExpr{Args: []*syntax.Word{{Parts: []syntax.WordPart{&syntax.Lit{ValuePos: p, ValueEnd: p, Value: ":"}}}}}})
			}
		case *syntax.DeclClause:
			if rewrite {
				intDecl(n, ints)
			}
		case *syntax.CallExpr:
			for _, a := range n.Assigns {
				if rewrite && a.Name != nil && ints[a.Name.Value] {
					intAssign(a)
				}
			}
		case *syntax.ArithmExp:
			if setsElement(n.X) {
				add(n.Pos(), "array-arithmetic", "an assignment to an array element inside $(( )) is not supported by the dry run", true)
			}
		case *syntax.CoprocClause:
			add(n.Pos(), "coproc", "coproc is not supported by the dry run", true)
		case *syntax.FuncDecl:
			if n.Name != nil && funcs != nil {
				funcs[n.Name.Value] = true
			}
		}
		return true
	})
	return hz
}

// arithTests are the [[ ]] operators whose operands bash evaluates as
// arithmetic.
var arithTests = map[syntax.BinTestOperator]bool{syntax.TsEql: true, syntax.TsNeq: true, syntax.TsLeq: true,
	syntax.TsGeq: true, syntax.TsLss: true, syntax.TsGtr: true}

// arithPrep returns the statements to run before st (not those nested in
// it) for its arithmetic, nil when none: each $(( )) that is an
// assignment to an array element (which v3.14.1 cannot do) becomes
// statements assigning it (elementAssign) and the expansion of the value
// left; and a call of h.arith with the names the arithmetic reads
// (variables, $NAME), whose values it checks at run time for command
// substitutions in subscripts (k=$i$j, then $((k))), as bash runs them.
// Names in static (their literal was run ahead) and the dry run's own are
// left out.
func arithPrep(st *syntax.Stmt, h *helpers, static map[string]bool) []*syntax.Stmt {
	var pre []*syntax.Stmt
	var names []string
	seen := map[string]bool{}
	name := func(n string) {
		if syntax.ValidName(n) && !seen[n] && !static[n] && !strings.HasPrefix(n, h.sub) && !h.is(n) {
			seen[n] = true
			names = append(names, n)
		}
	}
	collect := func(root syntax.Node) {
		syntax.Walk(root, func(x syntax.Node) bool {
			switch x := x.(type) {
			case *syntax.Stmt, *syntax.CmdSubst:
				return false
			case *syntax.Word:
				if l := x.Lit(); l != "" {
					name(l)
				}
			case *syntax.ParamExp:
				if x.Param != nil && x.Index == nil && x.Exp == nil && x.Repl == nil && x.Slice == nil && !x.Excl && !x.Length {
					name(x.Param.Value)
				}
			}
			return true
		})
	}
	k := 0
	syntax.Walk(st.Cmd, func(x syntax.Node) bool {
		switch x := x.(type) {
		case *syntax.Stmt:
			return false
		case *syntax.Word, *syntax.DblQuoted:
			parts := wordParts(x)
			for i, part := range parts {
				ae, ok := part.(*syntax.ArithmExp)
				if !ok || !setsElement(ae.X) {
					continue
				}
				tmp := fmt.Sprintf("%se%d", h.sub, k)
				t, ok := elementAssign(arithmText(ae.X), tmp)
				if !ok {
					continue // refused: the ArithmExp case says so
				}
				stmts, ok := parseStmts(t)
				if !ok {
					continue
				}
				k++
				collect(ae.X)
				pre = append(pre, stmts...)
				parts[i] = &syntax.ParamExp{Dollar: ae.Pos(), Rbrace: ae.End(), Short: false, Param: &syntax.Lit{ValuePos: ae.Pos(), ValueEnd: ae.End(), Value: tmp}}
			}
		case *syntax.ArithmExp:
			collect(x.X)
		case *syntax.ArithmCmd:
			collect(x.X)
		case *syntax.LetClause:
			for _, e := range x.Exprs {
				collect(e)
			}
		case *syntax.BinaryTest:
			if arithTests[x.Op] {
				collect(x.X)
				collect(x.Y)
			}
		}
		return true
	})
	if len(names) > 0 {
		if stmts, ok := parseStmts(h.arith + " " + strings.Join(names, " ") + "\n"); ok {
			pre = append(stmts, pre...)
		}
	}
	return pre
}

// wordParts returns the parts of a Word or a DblQuoted.
func wordParts(n syntax.Node) []syntax.WordPart {
	switch n := n.(type) {
	case *syntax.Word:
		return n.Parts
	case *syntax.DblQuoted:
		return n.Parts
	}
	return nil
}

// cStyleFixed says whether a C-style loop's body already ends with the
// no-op harden adds (text hardened again, as a sourced file's).
func cStyleFixed(n *syntax.ForClause) bool {
	if len(n.Do) == 0 {
		return false
	}
	last := n.Do[len(n.Do)-1]
	c, ok := last.Cmd.(*syntax.CallExpr)
	return ok && last.Position == n.DonePos && len(c.Args) == 1 && c.Args[0].Lit() == ":"
}

// tildes finds the ~user prefixes of a literal (at its start and, in
// assignments, after each ':') and reports the user names.
func tildes(s string, assign bool, homes map[string]bool, found func(string)) {
	check := func(t string) {
		if !strings.HasPrefix(t, "~") {
			return
		}
		u := t[1:]
		if i := strings.IndexByte(u, '/'); i >= 0 {
			u = u[:i]
		}
		if u == "" || u == "+" || u == "-" {
			return
		}
		if homes != nil {
			homes[u] = true
		}
		found(u)
	}
	check(s)
	if assign {
		for i := 0; i < len(s); i++ {
			if s[i] == ':' {
				check(s[i+1:])
			}
		}
	}
}

// isPromptExp reports whether pe is ${name@P} (or ${name[i]@P}): prompt
// expansion, which v3.14.1 leaves undone, while bash runs the command
// substitutions (and expands the parameters) in the value.
func isPromptExp(pe *syntax.ParamExp) bool {
	return pe.Exp != nil && pe.Exp.Op == syntax.OtherParamOps && pe.Exp.Word != nil && pe.Exp.Word.Lit() == "P" &&
		pe.Param != nil && !pe.Excl && !pe.Length && !pe.Width && pe.Slice == nil && pe.Repl == nil && pe.Names == 0
}

// promptSubst returns what stands for ${name@P}: the value expanded as
// the body of a here-document (parameters, command substitutions and
// arithmetic expanded, quotes kept), by eval, in a command substitution,
// so that what bash would run runs in the dry run:
// $(builtin eval "cat <<'DELIM'…" with the value as the body). delim is
// drawn at random (helpers): the value cannot end the body early. Prompt
// escapes (\u, \w…) are left as they are.
func promptSubst(pe *syntax.ParamExp, delim string) *syntax.CmdSubst {
	plain := *pe
	plain.Exp = nil
	var b strings.Builder
	if err := syntax.NewPrinter().Print(&b, &plain); err != nil {
		return nil
	}
	text := "builtin eval \"cat <<" + delim + "\n" + b.String() + "\n" + delim + "\n\""
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(text), "")
	if err != nil {
		return nil
	}
	return &syntax.CmdSubst{Left: pe.Pos(), Right: pe.End(), Stmts: f.Stmts}
}

// quotedArithm returns the expression a quoted let argument holds (its
// text between the quotes parsed as arithmetic) and that text, or nil
// when e is no quoted word or its text does not parse.
func quotedArithm(e syntax.ArithmExpr) (syntax.ArithmExpr, string) {
	w, ok := e.(*syntax.Word)
	if !ok || len(w.Parts) != 1 {
		return nil, ""
	}
	var text string
	switch q := w.Parts[0].(type) {
	case *syntax.SglQuoted:
		if q.Dollar {
			return nil, ""
		}
		text = q.Value
	case *syntax.DblQuoted:
		var b strings.Builder
		if err := syntax.NewPrinter().Print(&b, w); err != nil {
			return nil, ""
		}
		text = strings.TrimSuffix(strings.TrimPrefix(b.String(), "\""), "\"")
	default:
		return nil, ""
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader("(("+text+"))"), "")
	if err != nil || len(f.Stmts) != 1 {
		return nil, ""
	}
	if ac, ok := f.Stmts[0].Cmd.(*syntax.ArithmCmd); ok {
		return ac.X, text
	}
	return nil, ""
}

// assignOps are the assignments of arithmetic.
var assignOps = map[syntax.BinAritOperator]bool{syntax.Assgn: true, syntax.AddAssgn: true, syntax.SubAssgn: true,
	syntax.MulAssgn: true, syntax.QuoAssgn: true, syntax.RemAssgn: true, syntax.AndAssgn: true, syntax.OrAssgn: true,
	syntax.XorAssgn: true, syntax.ShlAssgn: true, syntax.ShrAssgn: true, syntax.AndBoolAssgn: true,
	syntax.OrBoolAssgn: true, syntax.XorBoolAssgn: true, syntax.PowAssgn: true}

// setsElement reports whether x assigns to an array element (a[i]=1,
// a[i]++), which v3.14.1 cannot do in arithmetic (it panics).
func setsElement(x syntax.ArithmExpr) bool {
	found := false
	indexed := func(e syntax.ArithmExpr) bool {
		w, ok := e.(*syntax.Word)
		if !ok || len(w.Parts) != 1 {
			return false
		}
		pe, ok := w.Parts[0].(*syntax.ParamExp)
		return ok && pe.Index != nil
	}
	syntax.Walk(x, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.BinaryArithm:
			if assignOps[n.Op] && indexed(n.X) {
				found = true
			}
		case *syntax.UnaryArithm:
			if (n.Op == syntax.Inc || n.Op == syntax.Dec) && indexed(n.X) {
				found = true
			}
		}
		return !found
	})
	return found
}

// rewriteLet makes a let the interpreter runs as bash does: quoted
// arguments ('x=1', "y = $x + 1") are parsed as the expressions they
// hold, which v3.14.1 took for numbers. When an argument assigns to an
// array element ('a[$(cmd)]=v', where bash runs cmd), which v3.14.1
// cannot do in arithmetic, the let becomes statements it can run (see
// elementAssign), the last argument's value giving the status, as it
// gives let's: it returns those (nil when the let was changed in place),
// ok false when an element assignment has a form it cannot rewrite.
func rewriteLet(l *syntax.LetClause, tmp string) (stmts []*syntax.Stmt, ok bool) {
	xs := make([]syntax.ArithmExpr, len(l.Exprs))
	srcs := make([]string, len(l.Exprs))
	special := false
	for i, e := range l.Exprs {
		x, src := quotedArithm(e)
		if x == nil {
			x, src = e, arithmText(e)
		}
		xs[i], srcs[i] = x, src
		special = special || setsElement(x)
	}
	if !special {
		copy(l.Exprs, xs)
		return nil, true
	}
	var text strings.Builder
	for i, x := range xs {
		if !setsElement(x) {
			fmt.Fprintf(&text, "%s=$(( %s ))\n", tmp, srcs[i])
			continue
		}
		t, ok := elementAssign(srcs[i], tmp)
		if !ok {
			return nil, false
		}
		text.WriteString(t)
	}
	fmt.Fprintf(&text, "(( %s ))\n", tmp)
	return parseStmts(text.String())
}

// rewriteArithmCmd is rewriteLet for (( … )) assigning to an element.
func rewriteArithmCmd(ac *syntax.ArithmCmd, tmp string) ([]*syntax.Stmt, bool) {
	t, ok := elementAssign(arithmText(ac.X), tmp)
	if !ok {
		return nil, false
	}
	return parseStmts(t + "(( " + tmp + " ))\n")
}

func parseStmts(text string) ([]*syntax.Stmt, bool) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(text), "")
	if err != nil {
		return nil, false
	}
	return f.Stmts, true
}

// arithmText prints an arithmetic expression.
func arithmText(x syntax.ArithmExpr) string {
	var b strings.Builder
	if err := syntax.NewPrinter().Print(&b, &syntax.ArithmCmd{X: x}); err != nil {
		return ""
	}
	// Positions can make the printer continue lines.
	t := strings.ReplaceAll(b.String(), "\\\n", "")
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(t), "(("), "))"))
}

// elementAssign turns src, an arithmetic assignment to an array element
// (NAME[SUB]=v, NAME[SUB]+=v and the like, NAME[SUB]++, --NAME[SUB]), into
// statements v3.14.1 can run: the element assigned as a variable is, its
// value left in tmp. ok is false for another form (an assignment inside a
// larger expression).
func elementAssign(src, tmp string) (text string, ok bool) {
	s := strings.TrimSpace(src)
	pre := ""
	if strings.HasPrefix(s, "++") || strings.HasPrefix(s, "--") {
		pre, s = s[:1], strings.TrimSpace(s[2:])
	}
	open := strings.IndexByte(s, '[')
	if open <= 0 || !syntax.ValidName(strings.TrimSpace(s[:open])) {
		return "", false
	}
	end := subscriptEnd(s, open)
	if end < 0 {
		return "", false
	}
	elem := strings.TrimSpace(s[:open]) + s[open:end+1]
	rest := strings.TrimSpace(s[end+1:])
	switch {
	case pre != "" && rest == "":
		return fmt.Sprintf("%s=$(( ${%s:-0} %s 1 ))\n%s=$%s\n", tmp, elem, pre, elem, tmp), true
	case rest == "++" || rest == "--":
		return fmt.Sprintf("%s=${%s:-0}\n%s=$(( %s %s 1 ))\n", tmp, elem, elem, tmp, rest[:1]), true
	case strings.HasPrefix(rest, "=") && !strings.HasPrefix(rest, "=="):
		return fmt.Sprintf("%s=$(( %s ))\n%s=$%s\n", tmp, rest[1:], elem, tmp), true
	}
	for _, op := range []string{"**=", "<<=", ">>=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^="} {
		if v, found := strings.CutPrefix(rest, op); found {
			return fmt.Sprintf("%s=$(( ${%s:-0} %s (%s) ))\n%s=$%s\n", tmp, elem, strings.TrimSuffix(op, "="), v, elem, tmp), true
		}
	}
	return "", false
}

// intDecl takes the integer attribute out of a declare -i (local -i…),
// which v3.14.1 refuses (a false error: status 2), and gives it by hand:
// the names are added to ints, and their values, here and in later
// assignments (intAssign), are evaluated as arithmetic, as bash does.
func intDecl(d *syntax.DeclClause, ints map[string]bool) {
	found := false
	args := d.Args[:0]
	for _, a := range d.Args {
		if a.Naked && a.Name == nil && a.Value != nil {
			if opt := a.Value.Lit(); strings.HasPrefix(opt, "-") && strings.Contains(opt, "i") {
				found = true
				opt = strings.ReplaceAll(opt, "i", "")
				if opt == "-" {
					continue
				}
				a.Value = &syntax.Word{Parts: []syntax.WordPart{&syntax.Lit{ValuePos: a.Value.Pos(), ValueEnd: a.Value.End(), Value: opt}}}
			}
		}
		args = append(args, a)
	}
	d.Args = args
	if !found {
		return
	}
	for _, a := range d.Args {
		if a.Name != nil && a.Index == nil && a.Array == nil {
			ints[a.Name.Value] = true
			intAssign(a)
		}
	}
}

// intAssign makes an assignment to a variable declared -i evaluate its
// value as arithmetic: n=3+4 is 7, n+=4 adds.
func intAssign(a *syntax.Assign) {
	if a.Value == nil || a.Index != nil || a.Array != nil || a.Naked {
		return
	}
	var b strings.Builder
	if err := syntax.NewPrinter().Print(&b, a.Value); err != nil {
		return
	}
	expr := strings.TrimSpace(strings.ReplaceAll(b.String(), "\\\n", ""))
	if expr == "" {
		return
	}
	if a.Append {
		expr = a.Name.Value + " + (" + expr + ")"
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader("x=$(( "+expr+" ))"), "")
	if err != nil || len(f.Stmts) != 1 {
		return
	}
	if c, ok := f.Stmts[0].Cmd.(*syntax.CallExpr); ok && len(c.Assigns) == 1 && c.Assigns[0].Value != nil {
		a.Value, a.Append = c.Assigns[0].Value, false
	}
}

// splitDecl returns, for a declare, typeset or local that assigns array
// elements (declare a[2]=v, local 'a[$(cmd)]=v'), the declare of the
// names alone followed by the element assignments, which v3.14.1 runs
// (and where a command substitution in a subscript runs, as in bash); nil
// when there is none.
func splitDecl(d *syntax.DeclClause) []*syntax.Stmt {
	switch d.Variant.Value {
	case "declare", "typeset", "local":
	default:
		return nil
	}
	var after []*syntax.Stmt
	split := map[string]bool{}
	for i, a := range d.Args {
		var text string
		switch {
		case a.Naked && a.Name == nil && a.Value != nil:
			lit, ok := staticText(a.Value)
			open := strings.IndexByte(lit, '[')
			if !ok || open <= 0 || !syntax.ValidName(lit[:open]) {
				continue
			}
			end := subscriptEnd(lit, open)
			if end < 0 || !strings.HasPrefix(lit[end+1:], "=") {
				continue
			}
			val, err := syntax.Quote(lit[end+2:], syntax.LangBash)
			if err != nil {
				continue
			}
			text = lit[:end+2] + val
			split[lit[:open]] = true
			d.Args[i] = &syntax.Assign{Naked: true, Name: &syntax.Lit{ValuePos: a.Pos(), ValueEnd: a.Pos(), Value: lit[:open]}}
		case a.Index != nil && !a.Naked && a.Name != nil:
			after = append(after, &syntax.Stmt{Position: a.Pos(), Cmd: &syntax.CallExpr{Assigns: []*syntax.Assign{a}}})
			split[a.Name.Value] = true
			d.Args[i] = &syntax.Assign{Naked: true, Name: &syntax.Lit{ValuePos: a.Name.ValuePos, ValueEnd: a.Name.ValueEnd, Value: a.Name.Value}}
			continue
		default:
			continue
		}
		stmts, ok := parseStmts(text + "\n")
		if !ok || len(stmts) != 1 {
			return nil
		}
		after = append(after, stmts...)
	}
	if after == nil {
		return nil
	}
	if d.Variant.Value == "local" {
		// v3.14.1 assigns an element of a local declared without a
		// value outside the function: local a=() keeps it local.
		for _, a := range d.Args {
			if a.Naked && a.Name != nil && split[a.Name.Value] {
				a.Naked, a.Array = false, &syntax.ArrayExpr{Lparen: a.Name.ValueEnd, Rparen: a.Name.ValueEnd}
			}
		}
	}
	return append([]*syntax.Stmt{{Position: d.Pos(), Cmd: d}}, after...)
}

// staticText returns the text of a word without expansions (literal or
// quoted parts only).
func staticText(w *syntax.Word) (string, bool) {
	var b strings.Builder
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			b.WriteString(p.Value)
		case *syntax.SglQuoted:
			if p.Dollar {
				return "", false
			}
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				l, ok := q.(*syntax.Lit)
				if !ok {
					return "", false
				}
				b.WriteString(l.Value)
			}
		default:
			return "", false
		}
	}
	return b.String(), true
}
