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
			if l, ok := n.Cmd.(*syntax.LetClause); ok && rewrite {
				if stmts := rewriteLet(l, h.sub+"let"); stmts != nil {
					n.Cmd = &syntax.Block{Lbrace: l.Pos(), Rbrace: l.End(), Stmts: stmts}
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
// hold, which v3.14.1 took for numbers. An argument assigning to an
// element, 'a[$(cmd)]=v' (where bash runs cmd), becomes an element
// assignment the interpreter can do: tmp=$((v)); a[$(cmd)]=$tmp, the last
// argument's value giving the status, as it gives let's: it returns those
// statements (nil when the let was changed in place, or left: another
// kind of element assignment).
func rewriteLet(l *syntax.LetClause, tmp string) []*syntax.Stmt {
	var text strings.Builder
	special := false
	exprs := make([]syntax.ArithmExpr, len(l.Exprs))
	for i, e := range l.Exprs {
		x, src := quotedArithm(e)
		if x == nil {
			exprs[i] = e
			fmt.Fprintf(&text, "(( 1 ))\n") // not the last: its status does not count
			continue
		}
		exprs[i] = x
		if !setsElement(x) {
			fmt.Fprintf(&text, "(( %s ))\n", src)
			continue
		}
		b, ok := x.(*syntax.BinaryArithm)
		open := strings.IndexByte(src, '[')
		end := -1
		if open > 0 {
			end = subscriptEnd(src, open)
		}
		if !ok || b.Op != syntax.Assgn || end < 0 || !strings.HasPrefix(strings.TrimLeft(src[end+1:], " "), "=") ||
			!syntax.ValidName(strings.TrimSpace(src[:open])) {
			return nil // left as it was
		}
		value := strings.TrimPrefix(strings.TrimLeft(src[end+1:], " "), "=")
		fmt.Fprintf(&text, "%s=$(( %s ))\n%s[%s]=$%s\n", tmp, value, strings.TrimSpace(src[:open]), src[open+1:end], tmp)
		special = true
	}
	if !special {
		copy(l.Exprs, exprs)
		return nil
	}
	if len(l.Exprs) > 0 {
		fmt.Fprintf(&text, "(( %s ))\n", tmp)
	}
	// Statuses: only the last counts, as in let.
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(text.String()), "")
	if err != nil {
		return nil
	}
	var out []*syntax.Stmt
	for i, st := range f.Stmts {
		if _, ok := st.Cmd.(*syntax.ArithmCmd); ok && i != len(f.Stmts)-1 {
			continue
		}
		out = append(out, st)
	}
	return out
}
