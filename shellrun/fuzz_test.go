package shellrun

import (
	"strings"
	"testing"
	"unicode/utf8"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// FuzzRecipeLine splits generated recipe lines as make's shell-less path
// does (FastArgv) and checks it against the shell's own reading: a line
// FastArgv runs without a shell must parse as one simple command whose
// words, quotes and backslashes resolved, are FastArgv's words. Nothing
// runs. The shell parse and the checks that decide whether the
// interpreter may run a line must not panic either.
func FuzzRecipeLine(f *testing.F) {
	for _, s := range []string{
		"echo hi", "  cc -o x 'a b' \"c d\" e\\ f", "a=1 echo", "echo $(x)", "cd /tmp && ls",
		"echo 'it''s'", "echo \"a\\\nb\" 'c\\\nd' e\\\nf", "exit 3", "printf '%s\\n' x y", "\"\"",
		"echo a\\", "echo ~ x=~", "true # c", "echo \"unterminated", "for i in 1 2; do echo $$i; done",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		argv, fast, empty := FastArgv(line)
		if fast && (empty || len(argv) == 0) {
			t.Fatalf("FastArgv(%q) = %q, fast, empty %v", line, argv, empty)
		}
		file, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader(line), "")
		if err == nil {
			NeedsRealShell(file)
			replaceShellPID(file)
		}
		if !fast || strings.ContainsAny(line, "\x00\r") || !utf8.ValidString(line) || endsInBackslash(line) || bareNewline(line) {
			// The shell parser reads UTF-8 text only, and reads a
			// carriage return as a blank (sh and make: a character).
			return
		}
		if reserved[argv[0]] {
			// make execs "fi" as a program; the shell has a syntax error
			return
		}
		if err != nil {
			t.Fatalf("FastArgv(%q) = %q runs it without a shell, but the shell cannot parse it: %v", line, argv, err)
		}
		var words []string
		if len(file.Stmts) == 1 {
			st := file.Stmts[0]
			if call, ok := st.Cmd.(*syntax.CallExpr); ok && len(call.Assigns) == 0 && len(st.Redirs) == 0 && !st.Negated && !st.Background {
				for _, w := range call.Args {
					fields, err := expand.Fields(nil, w)
					if err != nil {
						t.Fatalf("FastArgv(%q) = %q: the shell's word %d does not expand: %v", line, argv, len(words), err)
					}
					words = append(words, fields...)
				}
			}
		}
		if strings.Join(words, "\x00") != strings.Join(argv, "\x00") || len(words) != len(argv) {
			t.Fatalf("FastArgv(%q) = %q, the shell reads %q", line, argv, words)
		}
	})
}

// endsInBackslash reports a line that ends in an odd number of
// backslashes: make drops the last one, the shell keeps it.
func endsInBackslash(line string) bool {
	n := len(line) - len(strings.TrimRight(line, "\\"))
	return n%2 == 1
}

// bareNewline reports a newline not escaped by a backslash: the executor
// splits a recipe line there (as make does) before it runs.
func bareNewline(line string) bool {
	for i := 0; i < len(line); i++ {
		if line[i] != '\n' {
			continue
		}
		n := 0
		for k := i - 1; k >= 0 && line[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return true
		}
	}
	return false
}

// reserved are the shell's reserved words (and a few of bash's) that make
// does not send to the shell when they start a line: it runs a program of
// that name, where the shell would read syntax.
var reserved = map[string]bool{
	"!": true, "{": true, "}": true, "case": true, "do": true, "done": true, "elif": true,
	"else": true, "esac": true, "fi": true, "for": true, "function": true, "if": true,
	"in": true, "select": true, "then": true, "until": true, "while": true,
	"[[": true, "]]": true, "time": true, "coproc": true,
}
