package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"runtime"
	"strings"
	"sync"
	"syscall"

	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// The handlers below are the only way the interpreter reaches files and
// programs: every one of them answers from the virtual FS and the command
// models, and none falls back to the interpreter's defaults.

// call sees every simple command (builtins and functions too) after
// expansion: it counts steps against the budget, records the position, and
// rewrites the builtins that would otherwise touch the host.
func (sc *scope) call(ctx context.Context, args []string) ([]string, error) {
	hc := interp.HandlerCtx(ctx)
	raw := hc.Pos
	n := sc.steps.Add(1)
	if sc.script != nil && sc.script.Role == RoleRunit && n > runitSteps {
		// A run script that loops is a service written in shell: it runs
		// until runit stops it.
		sc.d.halt()
		if !sc.budgetHit.Swap(true) {
			pos := sc.where(raw)
			sc.d.started.Store(true)
			sc.d.runitLoop.Store(true)
			sc.d.contain(pos, "runit-loop", "the run script loops (a service in the shell itself): stopped after %d commands", runitSteps)
		}
		return nil, errBudget
	}
	if n > sc.d.opts.MaxSteps {
		sc.d.halt()
		if !sc.budgetHit.Swap(true) {
			pos := sc.where(raw)
			sc.d.contain(pos, "loop-budget", "stopped after %d commands: the script does not end (step budget)", sc.d.opts.MaxSteps)
			sc.d.errorf(pos, "loop-budget", "the script ran more than %d commands; it loops without end", sc.d.opts.MaxSteps)
		}
		return nil, errBudget
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if g := runtime.NumGoroutine(); g > maxGoroutines || n%32 == 0 && g > maxGoroutines/16 && tooDeep() {
		sc.d.halt()
		if !sc.budgetHit.Swap(true) {
			pos := sc.where(raw)
			sc.d.contain(pos, "fork-bomb", "stopped: more than %d pipelines and subshells at once (a fork bomb)", maxGoroutines)
			sc.d.errorf(pos, "fork-bomb", "the script starts pipelines or subshells without end (fork bomb)")
		}
		return nil, errBudget
	}
	if n%32 == 0 && tooDeep() {
		sc.d.halt()
		if !sc.budgetHit.Swap(true) {
			pos := sc.where(raw)
			sc.d.contain(pos, "recursion-limit", "stopped: functions or shells nested more than the sandbox allows (unbounded recursion)")
			sc.d.errorf(pos, "recursion-limit", "functions nested too deeply: the script recurses without end")
		}
		return nil, errBudget
	}
	argv := args
	if args[0] == sc.d.h.hdoc && len(args) > 2 {
		argv = args[2:] // the command, without its here-document
	}
	sc.mu.Lock()
	sc.last = callRec{raw: raw, argv: argv}
	sc.mu.Unlock()

	// "builtin" and "command" (with -p, -- or no option) run the command
	// after them without looking functions up: their name is what is
	// rewritten, and the rewrite keeps the prefix.
	i := 0
	var prefix []string
	lookup := false
prefixes:
	for i < len(args)-1 {
		switch args[i] {
		case "builtin":
			prefix = []string{"builtin"}
			i++
			if args[i] == "--" && i < len(args)-1 {
				i++
			}
		case "command":
			j := i + 1
			for j < len(args) && strings.HasPrefix(args[j], "-") && args[j] != "-" {
				if args[j] == "--" {
					j++
					break
				}
				if strings.Trim(args[j], "-pvV") != "" {
					break prefixes // an option bash refuses: left to the interpreter
				}
				lookup = lookup || strings.ContainsAny(args[j], "vV")
				j++
			}
			if j == len(args) {
				return []string{":"}, nil
			}
			if lookup {
				pos := sc.where(raw)
				sc.d.contain(pos, "host-lookup", "command -v answered from the virtual FS, not the host's PATH")
				return append([]string{sc.d.h.lookup, "command"}, args[j:]...), nil
			}
			prefix = []string{"command"}
			i = j
		default:
			break prefixes
		}
	}
	name, rest := args[i], args[i+1:]
	if declCalls[name] && !sc.funcs[name] && (sc.shell == "bash" || name == "export" || name == "readonly" || name == "local") {
		// The interpreter runs declarations only as clauses, and a
		// plain command export (behind builtin or command, or parsed
		// as POSIX) fails with "unsupported builtin": a limit of the
		// sandbox, not of the script. Evaluated, its quoted words
		// parse as the clause.
		if text, ok := quoteWords(args[i:]); ok {
			return []string{"eval", text}, nil
		}
	}
	if prefix != nil && !specialCalls[name] && !subscriptCalls[name] {
		return append(prefix, args[i:]...), nil
	}
	if name == sc.d.h.arith && prefix == nil {
		// Added by harden before a statement evaluating arithmetic:
		// the values it reads (names followed, as bash follows them)
		// that hide a command substitution in an array subscript.
		var vals []string
		for _, n := range rest {
			v := hc.Env.Get(n).String()
			for d := 0; d < 16 && syntax.ValidName(v); d++ {
				v = hc.Env.Get(v).String()
			}
			if open, _ := nextCmdSubscript(v, 0); open >= 0 {
				vals = append(vals, v)
			}
		}
		if text, ok := sc.valueSubscriptsAhead(sc.where(raw), vals); ok {
			return []string{"eval", text}, nil
		}
		return []string{":"}, nil
	}
	if sc.d.h.is(name) && name != sc.d.h.hdoc {
		// A script that names a helper (it cannot know the token) meets
		// an unknown command, as it would in bash.
		return sc.d.h.failCall("127", name+": command not found"), nil
	}
	if subscriptCalls[name] {
		if text, ok := sc.subscriptsAhead(sc.where(raw), args[i:]); ok {
			return append(prefix, "eval", text), nil
		}
	}
	if !specialCalls[name] {
		return args, nil
	}
	pos := sc.where(raw)
	switch name {
	case "command", "builtin":
		// An option the interpreter refuses, or a lone prefix.
		return args[i:], nil
	case "type", "which", "hash":
		if name == "hash" {
			// hash NAME fails when NAME is no command (a test of
			// whether a program is installed); its options only
			// manage the table.
			if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
				return []string{":"}, nil
			}
			return append([]string{sc.d.h.lookup, "hash"}, rest...), nil
		}
		sc.d.contain(pos, "host-lookup", "%s answered from the virtual FS, not the host's PATH", name)
		return append([]string{sc.d.h.lookup, name}, rest...), nil
	case "source", ".":
		if name == "source" && sc.shell == "sh" {
			sc.d.warnf(pos, "bash-only", "source is bash-only; /bin/sh (dash) knows only '.'")
		}
		if len(rest) == 0 {
			return args[i:], nil
		}
		p, ok := sc.resolveSource(rest[0], hc.Dir, hc.Env.Get("PATH").String())
		if !ok {
			if strings.Contains(rest[0], "/") && sc.d.assume(pos, vpath(hc.Dir, rest[0]), "the sourced file", "") {
				sc.d.record(Command{Pos: pos, Argv: args, Kind: "unknown"})
				return []string{":"}, nil
			}
			return sc.d.h.failCall("1", fmt.Sprintf("%s: %s: No such file or directory", name, rest[0])), nil
		}
		src, err := sc.d.vfs.ReadFile(p)
		if err != nil {
			return sc.d.h.failCall("1", fmt.Sprintf("%s: %v", name, err)), nil
		}
		f, ok := sc.d.parse(src, p, sc.shell, true)
		if !ok {
			return sc.d.h.failCall("1", fmt.Sprintf("%s: %s: syntax error", name, p)), nil
		}
		text, ok := sc.hardenText(pos, "source", f)
		if !ok {
			return sc.d.h.failCall("1", "source refused by the sandbox"), nil
		}
		sc.mu.Lock()
		sc.files = append(sc.files, indexFile(f, p))
		served := p
		if text != "" {
			// Served hardened: positions in it are those of the printed text.
			served = "/.dmake-hardened" + p
			if sc.rewritten == nil {
				sc.rewritten = map[string][]byte{}
			}
			sc.rewritten[served] = []byte(text)
		}
		sc.mu.Unlock()
		sc.d.record(Command{Pos: pos, Argv: args, Kind: "builtin"})
		return append(append(prefix, name, vfsPrefix+served), rest[1:]...), nil
	case "eval":
		src := strings.Join(rest, " ")
		f, err := syntax.NewParser().Parse(strings.NewReader(src), "")
		sc.d.record(Command{Pos: pos, Argv: args, Kind: "builtin"})
		if err == nil {
			text, ok := sc.hardenText(pos, "eval", f)
			if !ok {
				return sc.d.h.failCall("1", "eval refused by the sandbox"), nil
			}
			sc.mu.Lock()
			sc.files = append(sc.files, indexFile(f, strings.SplitN(pos, ":", 2)[0]))
			sc.mu.Unlock()
			if text != "" {
				return append(prefix, "eval", text), nil
			}
		}
	case "trap":
		return sc.trap(pos, prefix, rest)
	case "alias":
		for _, a := range rest {
			if _, v, ok := strings.Cut(a, "="); ok {
				f, err := syntax.NewParser().Parse(strings.NewReader(v), "")
				if err == nil {
					if hz := harden(f, &sc.d.h, false, nil, sc.homes, true); len(hz) > 0 {
						sc.d.contain(pos, "refused-alias", "alias refused: %s", hz[0].msg)
						return sc.d.h.failCall("1", "alias refused by the sandbox"), nil
					}
				}
			}
		}
	case "pwd":
		// pwd -P would resolve symlinks on the host.
		if len(rest) > 0 {
			sc.d.contain(pos, "host-lookup", "pwd -P answered from the virtual FS, not by resolving host symlinks")
		}
		return append(prefix, "pwd"), nil
	case "read", "mapfile", "readarray", "select":
		sc.d.contain(pos, "stdin", "%s reads an empty stdin: the sandbox never hands scripts the terminal", name)
	case "kill":
		sc.d.contain(pos, "signal", "kill %s: no process is signalled by the dry run", strings.Join(rest, " "))
		return append([]string{sc.d.h.builtin, name}, rest...), nil
	case "umask", "ulimit", "jobs", "disown", "suspend", "logout", "fc", "history", "bind",
		"complete", "compgen", "compopt", "enable", "caller", "times", "coproc", "bg", "fg", "newgrp":
		return append([]string{sc.d.h.builtin, name}, rest...), nil
	case "set":
		sc.trackSet(rest)
	case "exit":
		sc.mu.Lock()
		sc.exitArg = &callRec{pos: pos, argv: args}
		sc.mu.Unlock()
		sc.d.record(Command{Pos: pos, Argv: args, Kind: "builtin"})
	case "exec", "cd":
		sc.d.record(Command{Pos: pos, Argv: args, Kind: "builtin"})
		if name == "cd" && len(rest) > 0 && rest[len(rest)-1] != "-" && !strings.HasPrefix(rest[len(rest)-1], "-") {
			// cd into a directory an archive unpacks or a package
			// makes: unknown, not an error.
			dir := vpath(hc.Dir, rest[len(rest)-1])
			if !strings.HasPrefix(rest[len(rest)-1], "/") && !strings.HasPrefix(rest[len(rest)-1], ".") && hc.Env.Get("CDPATH").String() != "" {
				break
			}
			if !sc.d.vfs.Exists(dir) {
				sc.d.assume(pos, dir, "the directory", dir)
			}
		}
	case "[", "test":
		if sc.shell == "sh" {
			for _, a := range rest {
				if a == "==" {
					sc.d.warnf(pos, "bash-only", "'==' in [ ] is bash-only; /bin/sh (dash) fails with 'unexpected operator'")
				}
			}
		}
	case "install_temporary", "install_permanent":
		if sc.funcs[name] {
			sc.d.record(Command{Pos: pos, Argv: args, Kind: "function"})
			sc.d.noteHelper(name, rest)
		}
	}
	return append(prefix, args[i:]...), nil
}

// maxFrames bounds the Go stack depth of a running script: about 1000
// nested shell function calls (some 9 frames each). The interpreter slows
// down quadratically with depth, so without it unbounded recursion would
// only meet the deadline.
const maxFrames = 10000

// halt stops the running top-level script.
func (d *dryRun) halt() {
	d.mu.Lock()
	stop := d.stop
	d.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// runitSteps bounds the dry run of a runit run script that loops.
const runitSteps = 2000

// maxGoroutines bounds the pipelines and subshells running at once (each
// side of a pipeline is a goroutine).
const maxGoroutines = 4096

// tooDeep reports whether this goroutine's stack is deeper than maxFrames.
func tooDeep() bool {
	pcs := framePool.Get().(*[maxFrames]uintptr)
	defer framePool.Put(pcs)
	return runtime.Callers(0, pcs[:]) == maxFrames
}

var framePool = sync.Pool{New: func() any { return new([maxFrames]uintptr) }}

// hardenText hardens text the interpreter parses again at run time (eval,
// trap, source). It returns the text to run instead ("" for unchanged) or
// false when the text must be refused.
func (sc *scope) hardenText(pos, what string, f *syntax.File) (string, bool) {
	hz := harden(f, &sc.d.h, true, sc.funcs, sc.homes, true)
	if len(hz) == 0 {
		return "", true
	}
	for _, h := range hz {
		if h.fatal {
			sc.d.contain(pos, "refused-"+what, "%s refused: %s", what, h.msg)
			sc.d.errorf(pos, "refused", "%s refused by the sandbox: %s", what, h.msg)
			return "", false
		}
	}
	for _, h := range hz {
		sc.d.contain(pos, h.what, "in %s: %s", what, h.msg)
	}
	var b strings.Builder
	if err := syntax.NewPrinter().Print(&b, f); err != nil {
		return "", false
	}
	return b.String(), true
}

// subscriptCalls are the builtins that take variable names whose array
// subscripts bash expands when it runs them (so a command substitution in
// a subscript runs: printf -v 'a[$(cmd)]', read, unset 'a[$(cmd)]', test
// -v). let and declare are clauses, not calls: harden sees to them.
var subscriptCalls = toSet(`printf read unset mapfile readarray test [`)

// nameOperands returns the indexes of the arguments of a subscriptCalls
// builtin (args[0] its name) that are variable names, which bash expands
// the subscripts of: printf's and test's -v NAME, the names read, mapfile
// and unset take (not their other options' values, not printf's format
// or arguments).
func nameOperands(args []string) []int {
	var idx []int
	element := func(a string) bool {
		open := strings.IndexByte(a, '[')
		return open > 0 && syntax.ValidName(a[:open]) && strings.HasSuffix(a, "]")
	}
	switch args[0] {
	case "printf", "test", "[":
		for i := 1; i < len(args)-1; i++ {
			if args[i] == "-v" {
				idx = append(idx, i+1)
				if args[0] == "printf" {
					break
				}
			}
		}
	default:
		valued := map[string]bool{"-p": true, "-d": true, "-n": true, "-N": true, "-t": true, "-u": true, "-i": true,
			"-C": true, "-c": true, "-O": true, "-s": true}
		for i := 1; i < len(args); i++ {
			if valued[args[i]] && args[0] != "unset" {
				i++
				continue
			}
			if element(args[i]) {
				idx = append(idx, i)
			}
		}
	}
	return idx
}

// subscriptsAhead finds, in the name operands of a subscriptCalls
// builtin (args[0] the name; nameOperands), the array subscripts holding
// a command substitution. If there are some, it returns the hardened text to eval
// instead: each such subscript expanded first, as bash expands it (as the
// body of a here-document, so its commands run in the dry run and are
// reported), into a variable of its own, then the command with each
// subscript replaced by that variable.
func (sc *scope) subscriptsAhead(pos string, args []string) (string, bool) {
	var b strings.Builder
	argv := append([]string(nil), args...)
	n := 0
	for _, k := range nameOperands(args) {
		argv[k] = sc.expandAhead(&b, args[k], &n)
	}
	if n == 0 {
		return "", false
	}
	for k, a := range argv {
		if k > 0 {
			b.WriteByte(' ')
		}
		q, err := syntax.Quote(a, syntax.LangBash)
		if err != nil {
			return "", false
		}
		b.WriteString(q)
	}
	f, err := syntax.NewParser().Parse(strings.NewReader(b.String()), "")
	if err != nil {
		return "", false
	}
	sc.d.contain(pos, "subscript-substitution", "%s: the command substitutions in array subscripts run in the dry run, as bash runs them", args[0])
	text, ok := sc.hardenText(pos, "eval", f)
	if !ok {
		return "", false
	}
	if text == "" {
		var p strings.Builder
		if syntax.NewPrinter().Print(&p, f) != nil {
			return "", false
		}
		text = p.String()
	}
	return text, true
}

// valueSubscriptsAhead is subscriptsAhead for values arithmetic reads
// (vals): the hardened text expanding each of their array subscripts that
// hold a command substitution, so the commands run in the dry run and
// are reported, as bash runs them evaluating the values.
func (sc *scope) valueSubscriptsAhead(pos string, vals []string) (string, bool) {
	var b strings.Builder
	n := 0
	for _, v := range vals {
		sc.expandAhead(&b, v, &n)
	}
	if n == 0 {
		return "", false
	}
	b.WriteString(":\n")
	f, err := syntax.NewParser().Parse(strings.NewReader(b.String()), "")
	if err != nil {
		return "", false
	}
	sc.d.contain(pos, "subscript-substitution", "a value used in arithmetic holds a command substitution in an array subscript: it runs in the dry run, as bash runs it")
	text, ok := sc.hardenText(pos, "eval", f)
	if !ok {
		return "", false
	}
	if text == "" {
		var p strings.Builder
		if syntax.NewPrinter().Print(&p, f) != nil {
			return "", false
		}
		text = p.String()
	}
	return text, true
}

// expandAhead writes to b, for each array subscript of s holding a command
// substitution, the statement expanding it (as the body of a
// here-document) into a variable of its own (numbered from *n), and
// returns s with each such subscript replaced by that variable.
func (sc *scope) expandAhead(b *strings.Builder, s string, n *int) string {
	for start := 0; ; {
		open, end := nextCmdSubscript(s, start)
		if open < 0 {
			return s
		}
		inner := s[open+1 : end]
		v := fmt.Sprintf("%s%d", sc.d.h.sub, *n)
		*n++
		delim := sc.d.h.prefix + "S"
		fmt.Fprintf(b, "%s=$(cat <<%s\n%s\n%s\n)\n", v, delim, inner, delim)
		repl := "$" + v
		s = s[:open+1] + repl + s[end:]
		start = open + 1 + len(repl)
	}
}

// nextCmdSubscript returns the bounds (the [ and the ]) of the first
// array subscript at or after start in s that holds a command
// substitution (NAME[…$(…)…] or with backquotes), or -1, -1.
func nextCmdSubscript(s string, start int) (open, end int) {
	for {
		i := strings.IndexByte(s[start:], '[')
		if i < 0 {
			return -1, -1
		}
		open = start + i
		end = subscriptEnd(s, open)
		if end < 0 {
			return -1, -1
		}
		inner := s[open+1 : end]
		if (strings.Contains(inner, "$(") || strings.Contains(inner, "`")) && open > 0 && isNameByte(s[open-1]) {
			return open, end
		}
		start = open + 1
	}
}

// subscriptEnd returns the index of the ] closing the [ at open in s
// (nested brackets and command substitutions counted), or -1.
func subscriptEnd(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '[', '(':
			depth++
		case ']', ')':
			depth--
			if depth == 0 {
				if s[i] == ']' {
					return i
				}
				return -1
			}
		}
	}
	return -1
}

func isNameByte(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// specialCalls are the names call looks at; everything else passes as is.
var specialCalls = toSet(`command type which hash source . eval trap alias pwd read mapfile readarray select kill
umask ulimit jobs disown suspend logout fc history bind complete compgen compopt enable caller times coproc bg fg newgrp
set exit exec cd [ test install_temporary install_permanent`)

// declCalls are the declaration builtins, which the interpreter runs only
// as clauses.
var declCalls = toSet(`export readonly local declare typeset`)

// quoteWords quotes words for bash, one command line.
func quoteWords(words []string) (string, bool) {
	var b strings.Builder
	for k, w := range words {
		q, err := syntax.Quote(w, syntax.LangBash)
		if err != nil {
			return "", false
		}
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(q)
	}
	return b.String(), true
}

// trackSet follows set -e / set +e for the wording of failures.
func (sc *scope) trackSet(args []string) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for j := 0; j < len(args); j++ {
		a := args[j]
		switch {
		case a == "-o" || a == "+o":
			if j+1 < len(args) && args[j+1] == "errexit" {
				sc.errexit = a == "-o"
			}
			j++
		case strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--"):
			if strings.Contains(a, "e") {
				sc.errexit = true
			}
		case strings.HasPrefix(a, "+"):
			if strings.Contains(a, "e") {
				sc.errexit = false
			}
		default:
			return
		}
	}
}

// trap keeps the signals the interpreter supports (EXIT, ERR) and checks
// the handler text, which the interpreter parses again when it fires.
func (sc *scope) trap(pos string, prefix, rest []string) ([]string, error) {
	if len(rest) < 2 || strings.HasPrefix(rest[0], "-") && rest[0] != "-" {
		return append(append(prefix, "trap"), rest...), nil
	}
	cb := rest[0]
	f, err := syntax.NewParser().Parse(strings.NewReader(cb), "")
	if err == nil {
		text, ok := sc.hardenText(pos, "trap", f)
		if !ok {
			return sc.d.h.failCall("1", "trap refused by the sandbox"), nil
		}
		if text != "" {
			cb = text
		}
		sc.mu.Lock()
		sc.files = append(sc.files, indexFile(f, strings.SplitN(pos, ":", 2)[0]))
		sc.mu.Unlock()
	}
	out := append(prefix, "trap", cb)
	for _, s := range rest[1:] {
		switch strings.TrimPrefix(strings.ToUpper(s), "SIG") {
		case "EXIT", "0":
			out = append(out, "EXIT")
		case "ERR":
			out = append(out, "ERR")
		default:
			// other signals never arrive during a build
		}
	}
	sc.d.record(Command{Pos: pos, Argv: append([]string{"trap"}, rest...), Kind: "builtin"})
	if len(out) == len(prefix)+2 {
		return []string{":"}, nil
	}
	return out, nil
}

// resolveSource finds the file "source NAME" reads: PATH first for names
// without a slash, then the current directory, as bash does.
func (sc *scope) resolveSource(name, dir, pathVar string) (string, bool) {
	if !strings.Contains(name, "/") {
		for _, d := range strings.Split(pathVar, ":") {
			if d == "" {
				d = "."
			}
			p := clean(dir, d+"/"+name)
			if fi, err := sc.d.vfs.Stat(p, true); err == nil && !fi.IsDir() {
				return p, true
			}
		}
	}
	p := clean(dir, name)
	if fi, err := sc.d.vfs.Stat(p, true); err == nil && !fi.IsDir() {
		return p, true
	}
	return "", false
}

// vpath maps a path the interpreter hands over to the virtual FS.
func vpath(dir, p string) string {
	if strings.HasPrefix(p, vfsPrefix+"/") {
		return clean("/", strings.TrimPrefix(p, vfsPrefix))
	}
	return clean(dir, p)
}

func (sc *scope) open(ctx context.Context, p string, flag int, perm os.FileMode) (io.ReadWriteCloser, error) {
	hc := interp.HandlerCtx(ctx)
	vp := vpath(hc.Dir, p)
	sc.mu.Lock()
	text, ok := sc.rewritten[vp]
	sc.mu.Unlock()
	if ok {
		return nopCloser{r: bytes.NewReader(text)}, nil
	}
	switch vp {
	case "/dev/null":
		return devNull{}, nil
	case "/dev/stdout", "/proc/self/fd/1", "/dev/fd/1":
		return nopCloser{w: hc.Stdout}, nil
	case "/dev/stderr", "/proc/self/fd/2", "/dev/fd/2":
		return nopCloser{w: hc.Stderr}, nil
	case "/dev/zero", "/dev/urandom", "/dev/random":
		return nopCloser{r: bytes.NewReader(make([]byte, 4096))}, nil
	case "/dev/tty", "/dev/console":
		return nil, pathErr("open", p, syscall.ENXIO)
	}
	if proto, addr, ok := devNet(vp); ok {
		// bash opens a connection for /dev/tcp/HOST/PORT and
		// /dev/udp/HOST/PORT: network access, which the dry run reports
		// and answers with an empty stream.
		sc.mu.Lock()
		raw := sc.last.raw
		sc.mu.Unlock()
		pos := sc.files[0].name
		if raw.IsValid() {
			pos = sc.where(raw)
		}
		sc.d.devNetFetch(pos, proto, addr)
		return devNull{}, nil
	}
	f, err := sc.d.vfs.Open(vp, flag, perm)
	if isNotExist(err) {
		// A file a package installs, or in an unpacked archive: unknown.
		sc.mu.Lock()
		raw := sc.last.raw
		sc.mu.Unlock()
		pos := sc.files[0].name
		if raw.IsValid() {
			pos = sc.where(raw)
		}
		if flag&(os.O_WRONLY|os.O_RDWR) != 0 {
			if sc.d.assume(pos, vp, "the directory of", path.Dir(vp)) {
				return sc.d.vfs.Open(vp, flag, perm)
			}
		} else if sc.d.assume(pos, vp, "the file", "") {
			return nopCloser{r: bytes.NewReader(nil)}, nil
		}
	}
	return f, err
}

func (sc *scope) stat(ctx context.Context, name string, follow bool) (fs.FileInfo, error) {
	if fn, ok := strings.CutPrefix(name, sc.d.h.probe); ok {
		// Is the command of an inlined here-document still no function?
		if sc.funcs[fn] {
			return nil, pathErr("stat", name, errNotExist)
		}
		return sc.d.vfs.Stat("/", true)
	}
	hc := interp.HandlerCtx(ctx)
	return sc.d.vfs.Stat(vpath(hc.Dir, name), follow)
}

func (sc *scope) access(ctx context.Context, name string, mode interp.AccessMode) error {
	hc := interp.HandlerCtx(ctx)
	fi, err := sc.d.vfs.Stat(vpath(hc.Dir, name), true)
	if err != nil {
		return err
	}
	// The build runs as root: read and write always pass, exec needs a bit.
	if mode&interp.AccessExec != 0 && !fi.IsDir() && fi.Mode().Perm()&0o111 == 0 {
		return pathErr("access", name, syscall.EACCES)
	}
	return nil
}

func (sc *scope) readDir(ctx context.Context, name string) ([]fs.DirEntry, error) {
	hc := interp.HandlerCtx(ctx)
	return sc.d.vfs.ReadDir(vpath(hc.Dir, name))
}

// devNetFetch reports a connection through /dev/tcp or /dev/udp, once per
// address (the redirections written out are reported before the script
// runs, at their place; those the script computes when they open).
func (d *dryRun) devNetFetch(pos, proto, addr string) {
	u := proto + "://" + addr
	d.mu.Lock()
	for _, f := range d.rep.Network {
		if len(f.URLs) == 1 && f.URLs[0] == u && f.Tool == "/dev/"+proto {
			d.mu.Unlock()
			return
		}
	}
	d.rep.Network = append(d.rep.Network, Fetch{Pos: pos, Tool: "/dev/" + proto, URLs: []string{u}})
	d.mu.Unlock()
	d.warnf(pos, "network", "%s: network access through bash's /dev/%s, not verifiable offline", u, proto)
}

// devNetRedirects reports the redirections of f to /dev/tcp and /dev/udp
// paths written out in full.
func (d *dryRun) devNetRedirects(f *syntax.File, name string) {
	syntax.Walk(f, func(n syntax.Node) bool {
		if r, ok := n.(*syntax.Redirect); ok && r.Word != nil {
			if proto, addr, ok := devNet(r.Word.Lit()); ok {
				d.devNetFetch(fmt.Sprintf("%s:%d:%d", name, r.Pos().Line(), r.Pos().Col()), proto, addr)
			}
		}
		return true
	})
}

// devNet says whether p is one of bash's network paths,
// /dev/tcp/HOST/PORT or /dev/udp/HOST/PORT, and returns the protocol and
// HOST:PORT.
func devNet(p string) (proto, addr string, ok bool) {
	for _, proto := range []string{"tcp", "udp"} {
		if rest, ok := strings.CutPrefix(p, "/dev/"+proto+"/"); ok {
			host, port, _ := strings.Cut(rest, "/")
			return proto, host + ":" + port, true
		}
	}
	return "", "", false
}

type devNull struct{}

func (devNull) Read([]byte) (int, error)    { return 0, io.EOF }
func (devNull) Write(p []byte) (int, error) { return len(p), nil }
func (devNull) Close() error                { return nil }

type nopCloser struct {
	r io.Reader
	w io.Writer
}

func (n nopCloser) Read(p []byte) (int, error) {
	if n.r == nil {
		return 0, io.EOF
	}
	return n.r.Read(p)
}

func (n nopCloser) Write(p []byte) (int, error) {
	if n.w == nil {
		return 0, syscall.EBADF
	}
	return n.w.Write(p)
}
func (n nopCloser) Close() error { return nil }
