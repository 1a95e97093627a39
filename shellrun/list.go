package shellrun

import (
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// plainList returns line as a script for the interpreter when the real
// shell would only run its commands in turn and the interpreter runs
// them alike (Recipe.ListCommands): under the default shell and flags,
// a list of commands joined by &&, || and ;, each one make's fast path
// could run alone (plain words: no expansion, redirection, assignment or
// shell builtin) and each one a list command or echo, true and false with
// arguments their builtins print as the programs do.
func (rc *Recipe) plainList(line, shell, flags string) (*syntax.File, bool) {
	if rc.OneShell || shell != DefaultShell || flags != "-c" || len(rc.ListCommands) == 0 {
		return nil, false
	}
	parts, ops, ok := splitList(line)
	if !ok {
		return nil, false
	}
	var stmts []*syntax.Stmt
	var cur *syntax.Stmt
	for i, p := range parts {
		argv, fast, empty := FastArgv(p)
		if empty && i == len(parts)-1 && i > 0 && ops[i-1] == ";" {
			break // "a;": the shell allows a last empty command
		}
		if !fast || !slices.Contains(rc.ListCommands, argv[0]) && !sameAsBuiltin(argv) {
			return nil, false
		}
		call := &syntax.CallExpr{}
		for _, a := range argv {
			call.Args = append(call.Args, &syntax.Word{Parts: []syntax.WordPart{&syntax.SglQuoted{Value: a}}})
		}
		st := &syntax.Stmt{Cmd: call}
		switch {
		case cur == nil:
			cur = st
		case ops[i-1] == "&&":
			cur = &syntax.Stmt{Cmd: &syntax.BinaryCmd{Op: syntax.AndStmt, X: cur, Y: st}}
		case ops[i-1] == "||":
			cur = &syntax.Stmt{Cmd: &syntax.BinaryCmd{Op: syntax.OrStmt, X: cur, Y: st}}
		default: // ";"
			stmts = append(stmts, cur)
			cur = st
		}
	}
	if cur == nil {
		return nil, false
	}
	return &syntax.File{Stmts: append(stmts, cur)}, true
}

// splitList cuts line at the operators &&, || and ; outside quotes. It
// fails on any other operator (a lone & or |) and on a newline that is
// not escaped (a separator the parts would hide).
func splitList(line string) (parts, ops []string, ok bool) {
	start := 0
	for i := 0; i < len(line); i++ {
		switch c := line[i]; c {
		case '\\':
			i++
		case '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, nil, false
			}
			i += j + 1
		case '"':
			for i++; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' {
					i++
				}
			}
			if i >= len(line) {
				return nil, nil, false
			}
		case '\n':
			return nil, nil, false
		case '&', '|', ';':
			op := string(c)
			if c != ';' {
				if i+1 >= len(line) || line[i+1] != c {
					return nil, nil, false
				}
				op += string(c)
			}
			parts = append(parts, line[start:i])
			ops = append(ops, op)
			i += len(op) - 1
			start = i + 1
		}
	}
	return append(parts, line[start:]), ops, true
}
