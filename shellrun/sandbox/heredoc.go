package sandbox

import (
	"strings"

	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// Here-documents to external commands are handed to the command model as
// an argument instead of a pipe. The interpreter feeds a here-document
// through an os.Pipe and a goroutine, whatever handles the command: two
// files, a goroutine and a dozen system calls each, an eighth of the CPU of
// a dry run of typical install scripts (cat >file <<EOF). The rewrite keeps
// the interpreter's meaning exactly:
//
//	cat >f <<EOF      if [[ -e /dev/null/_TOKEN_/cat ]]; then
//	body $x       →      _TOKEN_hdoc "body $x
//	EOF                  " cat >f
//	                  else cat >f <<EOF …; fi
//
// The body is expanded by the interpreter as a here-document is (the word
// parts are the same; see hdocArg), and the command runs through the exec
// handler (models.go) with the body as its standard input. The condition,
// answered by the stat handler (a test no function can redefine), takes
// the original form when a function of that name has been declared since
// the text was parsed (source, eval, a trap), as the function would read
// the here-document.

// inlineHeredocs rewrites, in a parsed and hardened text, the statements
// that run an external command (a literal name that is no builtin, no
// function declared in funcs, no name the call handler rewrites) with one
// here-document as their only input redirection, last of their
// redirections, and literal arguments (so that expanding the body among
// the arguments changes no order of expansions). It looks at statements
// and compound commands only, not into words (command substitutions keep
// their here-documents): a walk of every node cost a third as much as the
// pipes it saves.
func inlineHeredocs(f *syntax.File, funcs map[string]bool, h *helpers) {
	inlineStmts(f.Stmts, funcs, h)
}

func inlineStmts(stmts []*syntax.Stmt, funcs map[string]bool, h *helpers) {
	for _, st := range stmts {
		inlineStmt(st, funcs, h)
	}
}

func inlineStmt(st *syntax.Stmt, funcs map[string]bool, h *helpers) {
	if st == nil {
		return
	}
	switch c := st.Cmd.(type) {
	case *syntax.CallExpr:
		inlineCall(st, c, funcs, h)
	case *syntax.Block:
		inlineStmts(c.Stmts, funcs, h)
	case *syntax.Subshell:
		inlineStmts(c.Stmts, funcs, h)
	case *syntax.IfClause:
		for ; c != nil; c = c.Else {
			inlineStmts(c.Cond, funcs, h)
			inlineStmts(c.Then, funcs, h)
		}
	case *syntax.WhileClause:
		inlineStmts(c.Cond, funcs, h)
		inlineStmts(c.Do, funcs, h)
	case *syntax.ForClause:
		inlineStmts(c.Do, funcs, h)
	case *syntax.CaseClause:
		for _, it := range c.Items {
			inlineStmts(it.Stmts, funcs, h)
		}
	case *syntax.BinaryCmd:
		inlineStmt(c.X, funcs, h)
		inlineStmt(c.Y, funcs, h)
	case *syntax.FuncDecl:
		inlineStmt(c.Body, funcs, h)
	case *syntax.TimeClause:
		inlineStmt(c.Stmt, funcs, h)
	}
}

// inlineCall rewrites st, which runs call, if it qualifies.
func inlineCall(st *syntax.Stmt, call *syntax.CallExpr, funcs map[string]bool, h *helpers) {
	if len(st.Redirs) == 0 || len(call.Assigns) > 0 || len(call.Args) == 0 {
		return
	}
	last := st.Redirs[len(st.Redirs)-1]
	if last.Op != syntax.Hdoc || last.N != nil {
		return
	}
	for _, rd := range st.Redirs[:len(st.Redirs)-1] {
		switch rd.Op {
		case syntax.RdrOut, syntax.AppOut, syntax.RdrAll, syntax.AppAll, syntax.DplOut, syntax.RdrClob, syntax.AppClob:
		default:
			return // another input, or something unusual
		}
	}
	name := call.Args[0].Lit()
	if name == "" || interp.IsBuiltin(name) || funcs[name] || specialCalls[name] || h.is(name) {
		return
	}
	for _, a := range call.Args[1:] {
		if a.Lit() == "" {
			return // an expansion (or an empty word): keep the order
		}
	}
	pos := call.Args[0].Pos()
	lit := func(v string) *syntax.Word {
		return &syntax.Word{Parts: []syntax.WordPart{&syntax.Lit{ValuePos: pos, ValueEnd: pos, Value: v}}}
	}
	check := &syntax.Stmt{Position: st.Position, Cmd: &syntax.TestClause{Left: pos, Right: pos,
		X: &syntax.UnaryTest{OpPos: pos, Op: syntax.TsExists, X: lit(h.probe + name)}}}
	fast := &syntax.Stmt{Position: st.Position, Redirs: st.Redirs[:len(st.Redirs)-1],
		Cmd: &syntax.CallExpr{Args: append([]*syntax.Word{lit(h.hdoc), hdocArg(last)}, call.Args...)}}
	slow := &syntax.Stmt{Position: st.Position, Redirs: st.Redirs, Cmd: call}
	end := st.End()
	st.Cmd = &syntax.IfClause{Position: st.Position, ThenPos: st.Position, FiPos: end,
		Cond: []*syntax.Stmt{check}, Then: []*syntax.Stmt{fast},
		Else: &syntax.IfClause{Position: st.Position, FiPos: end, Then: []*syntax.Stmt{slow}}}
	st.Redirs = nil
}

// hdocArg is the word that expands, as an argument, to what the
// interpreter makes of the here-document of rd (Runner.hdocString): a
// quoted delimiter with a literal body gives the body as it is; otherwise
// the same parts expand in double quotes, where the one difference from a
// here-document, a backslash before '"', is escaped.
func hdocArg(rd *syntax.Redirect) *syntax.Word {
	pos := rd.Pos()
	if rd.Hdoc == nil {
		return &syntax.Word{Parts: []syntax.WordPart{&syntax.SglQuoted{Left: pos, Right: pos}}}
	}
	if quotedDelim(rd.Word) {
		if lit := rd.Hdoc.Lit(); lit != "" {
			return &syntax.Word{Parts: []syntax.WordPart{&syntax.SglQuoted{Left: pos, Right: pos, Value: lit}}}
		}
	}
	parts := make([]syntax.WordPart, 0, len(rd.Hdoc.Parts)+1)
	for _, p := range rd.Hdoc.Parts {
		if l, ok := p.(*syntax.Lit); ok && strings.Contains(l.Value, `\"`) {
			p = &syntax.Lit{ValuePos: l.ValuePos, ValueEnd: l.ValueEnd, Value: escapeHdocQuotes(l.Value)}
		}
		parts = append(parts, p)
	}
	if len(parts) == 1 {
		// A lone "$@" in double quotes would make several fields. (The
		// parser ends a body with its newline, a literal: defensive.)
		parts = append(parts, &syntax.Lit{ValuePos: pos, ValueEnd: pos})
	}
	return &syntax.Word{Parts: []syntax.WordPart{&syntax.DblQuoted{Left: pos, Right: pos, Parts: parts}}}
}

// quotedDelim reports whether a here-document delimiter is quoted (<<'EOF',
// <<"EOF", <<\EOF), which makes the body literal: the interpreter's rule
// (hdocQuotedDelim).
func quotedDelim(w *syntax.Word) bool {
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			if strings.Contains(p.Value, `\`) {
				return true
			}
		case *syntax.SglQuoted, *syntax.DblQuoted:
			return true
		}
	}
	return false
}

// escapeHdocQuotes rewrites a literal of a here-document so that, read in
// double quotes, it gives what it gives in the here-document: there a
// backslash escapes only \ $ and `, in double quotes also ", so \" becomes
// \\". Pairs are taken as the expander takes them.
func escapeHdocQuotes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case '"':
				b.WriteString(`\\"`)
				i++
				continue
			case '\\', '$', '`':
				b.WriteByte(c)
				b.WriteByte(s[i+1])
				i++
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// hdocBody finds the here-document that feeds the standard input of the
// command at p: its own, or that of the command piped into it. It
// returns the file and the line the body starts on.
func (sc *scope) hdocBody(p syntax.Pos) (string, int, bool) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for i := len(sc.files) - 1; i >= 0; i-- {
		pf := sc.files[i]
		if i > 0 && !pf.hasCall(p) {
			continue
		}
		line := 0
		startsAt := func(st *syntax.Stmt) bool {
			c, ok := st.Cmd.(*syntax.CallExpr)
			return ok && len(c.Args) > 0 && c.Args[0].Pos().Offset() == p.Offset()
		}
		hdoc := func(st *syntax.Stmt) int {
			// The statement's own here-document, also where
			// inlineHeredocs moved it (into an if of its own).
			l := 0
			syntax.Walk(st, func(n syntax.Node) bool {
				if rd, ok := n.(*syntax.Redirect); ok && l == 0 && (rd.Op == syntax.Hdoc || rd.Op == syntax.DashHdoc) && rd.Hdoc != nil {
					l = int(rd.Hdoc.Pos().Line())
				}
				return l == 0
			})
			return l
		}
		syntax.Walk(pf.file, func(n syntax.Node) bool {
			if line != 0 {
				return false
			}
			switch n := n.(type) {
			case *syntax.Stmt:
				if startsAt(n) {
					line = hdoc(n)
				}
			case *syntax.BinaryCmd:
				if (n.Op == syntax.Pipe || n.Op == syntax.PipeAll) && startsAt(n.Y) && hdoc(n.Y) == 0 {
					if l := hdoc(n.X); l != 0 {
						line = l
					}
				}
			}
			return true
		})
		if line == 0 {
			return "", 0, false
		}
		name := pf.name
		if i == 0 {
			line += sc.lineOff
		}
		return name, line, true
	}
	return "", 0, false
}
