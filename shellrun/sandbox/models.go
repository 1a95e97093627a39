package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/interp"
)

// modelCall is one external command being answered by a model.
type modelCall struct {
	sc     *scope
	ctx    context.Context
	hc     interp.HandlerContext
	pos    string
	args   []string
	kind   string // "model", "network", "unknown", "script"
	model  string
	msg    string
	fatal  error
	stdinB []byte
	stdinR bool
	// pending is the diagnosis of a nested shell that failed.
	pending []Diagnostic
	// diag is the code of the diagnosis when the failure ends the
	// script ("not-found"; "" for "failed").
	diag string
}

// exec answers every external command: nothing is ever run on the host.
func (sc *scope) exec(ctx context.Context, args []string) error {
	hc := interp.HandlerCtx(ctx)
	m := &modelCall{sc: sc, ctx: ctx, hc: hc, pos: sc.where(hc.Pos), args: args, kind: "model"}
	if args[0] == sc.d.h.hdoc && len(args) > 2 {
		// An inlined here-document (heredoc.go) is the standard input.
		body := args[1]
		if len(body) > maxStdin {
			body = body[:maxStdin]
		}
		args = args[2:]
		m.args, m.stdinB, m.stdinR = args, []byte(body), true
	}
	code := m.run()
	if m.fatal != nil {
		return m.fatal
	}
	if h := &sc.d.h; !h.is(args[0]) || args[0] == h.builtin {
		argv := args
		if args[0] == h.builtin {
			argv = args[1:]
		}
		sc.d.record(Command{Pos: m.pos, Argv: argv, Kind: m.kind, Exit: code, Model: m.model})
	}
	if code != 0 {
		sc.setLastErr(callRec{pos: m.pos, argv: args, code: code, msg: m.msg, pending: m.pending, diag: m.diag})
		return interp.ExitStatus(uint8(code))
	}
	return nil
}

// setLastErr records rec as the last command that failed, unless it is
// left of the one recorded in the same pipeline: the commands of a
// pipeline run at once, and its status is that of the rightmost one that
// failed (the last, or with pipefail the last to fail), whichever ended
// first.
func (sc *scope) setLastErr(rec callRec) {
	sc.errMu.Lock()
	defer sc.errMu.Unlock()
	sc.mu.Lock()
	prev := sc.lastErr
	sc.mu.Unlock()
	if prev.pos != "" && prev.pos != rec.pos {
		fp, lp, cp := splitPos(prev.pos)
		fr, lr, cr := splitPos(rec.pos)
		if fp == fr && (lp > lr || lp == lr && cp > cr) && sc.inOnePipeline(prev.pos, rec.pos) {
			return
		}
	}
	sc.mu.Lock()
	sc.lastErr = rec
	sc.mu.Unlock()
}

func (m *modelCall) out(format string, a ...any) { fmt.Fprintf(m.hc.Stdout, format, a...) }

// fail prints a message the way the tool would and returns code.
func (m *modelCall) fail(code int, format string, a ...any) int {
	m.msg = fmt.Sprintf(format, a...)
	fmt.Fprintf(m.hc.Stderr, "%s: %s\n", path.Base(m.args[0]), m.msg)
	return code
}

func (m *modelCall) abs(p string) string { return clean(m.hc.Dir, p) }

// maxStdin is how much of its standard input a command model reads.
const maxStdin = 16 << 20

// stdin reads the command's standard input (at most maxStdin bytes).
func (m *modelCall) stdin() []byte {
	if m.stdinR {
		return m.stdinB
	}
	m.stdinR = true
	if f, ok := m.hc.Stdin.(*os.File); ok && f == nil || m.hc.Stdin == nil {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(m.hc.Stdin, maxStdin))
	m.stdinB = b
	return b
}

// flags splits args into single-letter/long flags and operands; takesArg
// names the flags that consume the next word.
func flags(args []string, takesArg string) (set map[string]string, ops []string) {
	set = map[string]string{}
	short, long, _ := strings.Cut(takesArg, "|")
	long = "|" + long
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			ops = append(ops, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "--") {
			k, v, ok := strings.Cut(a[2:], "=")
			if !ok && strings.Contains(long, "|"+k+"|") && i+1 < len(args) {
				v = args[i+1]
				i++
			}
			set["--"+k] = v
			continue
		}
		if len(a) > 1 && a[0] == '-' {
			for j := 1; j < len(a); j++ {
				c := string(a[j])
				if strings.Contains(short, c) {
					if j+1 < len(a) {
						set[c] = a[j+1:]
					} else if i+1 < len(args) {
						set[c] = args[i+1]
						i++
					}
					break
				}
				set[c] = ""
			}
			continue
		}
		ops = append(ops, a)
	}
	return set, ops
}

func has(set map[string]string, keys ...string) bool {
	for _, k := range keys {
		if _, ok := set[k]; ok {
			return true
		}
	}
	return false
}

// run dispatches to the model of args[0].
func (m *modelCall) run() int {
	name := path.Base(m.args[0])
	a := m.args[1:]
	m.model = name
	if h := &m.sc.d.h; h.is(m.args[0]) {
		// Only the call handler's rewrites get here (it refuses the
		// names in a script), always with their arguments; a missing
		// one is a bug in the rewrite, never a crash.
		switch {
		case m.args[0] == h.lookup && len(a) > 0:
			return m.lookup(a)
		case m.args[0] == h.fail && len(a) > 1:
			code, _ := strconv.Atoi(a[0])
			fmt.Fprintln(m.hc.Stderr, a[1])
			m.msg = a[1]
			return code
		case m.args[0] == h.builtin && len(a) > 0:
			return m.builtin(a)
		}
		m.msg = "internal: bad helper call"
		return 2
	}
	if strings.Contains(m.args[0], "/") {
		p := m.abs(m.args[0])
		fi, err := m.sc.d.vfs.Stat(p, true)
		if err != nil {
			if known := knownCommand(name); known && (strings.HasPrefix(p, "/usr/") || strings.HasPrefix(p, "/bin/") || strings.HasPrefix(p, "/sbin/")) {
				return m.answerCommand(name, a)
			}
			m.kind = "unknown"
			if m.assume(p, "the program", "") {
				return 0
			}
			m.notFound("%s: No such file or directory", m.args[0])
			return m.fail(127, "No such file or directory")
		}
		if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			m.sc.d.errorf(m.pos, "not-executable", "%s: Permission denied (no run bit)", m.args[0])
			return m.fail(126, "Permission denied")
		}
		if code, ok := m.scriptFile(p, a); ok {
			return code
		}
	}
	return m.answerCommand(name, a)
}

// scriptFile runs a virtual file that is a shell script in a nested shell.
func (m *modelCall) scriptFile(p string, a []string) (int, bool) {
	src, err := m.sc.d.vfs.ReadFile(p)
	if err != nil {
		return 0, false
	}
	line, _, _ := bytes.Cut(src, []byte("\n"))
	l := string(line)
	shell := ""
	switch {
	case strings.HasPrefix(l, "#!") && strings.Contains(l, "bash"):
		shell = "bash"
	case strings.HasPrefix(l, "#!") && (strings.HasSuffix(strings.TrimSpace(l), "/sh") || strings.Contains(l, "dash") || strings.HasSuffix(strings.TrimSpace(l), " sh")):
		shell = "sh"
	case !strings.HasPrefix(l, "#!") && bytes.IndexByte(src[:min(len(src), 512)], 0) < 0 && len(src) > 0:
		shell = "sh"
	default:
		return 0, false
	}
	m.kind = "script"
	return m.nested(shell, src, p, a), true
}

// nested runs text in a nested shell sharing the budget and the VFS.
func (m *modelCall) nested(shell string, src []byte, name string, params []string) int {
	return m.nestedAt(shell, src, name, 0, params)
}

// nestedAt is nested for text that starts after line lineOff of name.
func (m *modelCall) nestedAt(shell string, src []byte, name string, lineOff int, params []string) int {
	code, _, pending := m.sc.d.runText(m.ctx, m.sc.script, shell, src, name, lineOff, params, m.sc.depth+1, m.sc.steps, false)
	m.pending = append(m.pending, pending...)
	if m.sc.budgetHit.Load() || m.ctx.Err() != nil {
		m.fatal = errBudget
		if m.ctx.Err() != nil {
			m.fatal = m.ctx.Err()
		}
	}
	return code
}

// unmodelled answers a command, or a use of it, the dry run has no model
// of: its outcome is unknown (an Unknowns entry at the command), assumed
// to succeed with no output.
func (m *modelCall) unmodelled() int {
	m.kind = "unknown"
	cmd := shellQuote(m.args)
	if len(cmd) > 60 {
		cmd = strings.ToValidUTF8(cmd[:60], "") + "…"
	}
	m.sc.d.unknownf(m.pos, "unmodelled", "%s is not modelled: assumed to succeed with no output", cmd)
	return 0
}

// answerCommand answers a command by name.
func (m *modelCall) answerCommand(name string, a []string) int {
	d := m.sc.d
	if m.sc.shell == "sh" && name == "[[" {
		d.errorf(m.pos, "bash-only", "[[ is bash-only: /bin/sh (dash) says '[[: not found'")
		m.kind = "unknown"
		return m.fail(127, "not found")
	}
	if code, missing := m.absent(name, a); missing {
		return code
	}
	if fn, ok := models[name]; ok {
		return fn(m, a)
	}
	if noop[name] {
		return 0
	}
	if daemons[name] != nil {
		return m.daemon(name, a)
	}
	if p, ok := m.lookPath(name); ok {
		if code, ok := m.scriptFile(p, a); ok {
			return code
		}
		m.kind = "unknown"
		d.unknownf(m.pos, "unmodelled", "%s (%s) is not modelled: assumed to succeed with no output", name, p)
		return 0
	}
	if baseCommands[name] {
		m.kind = "unknown"
		d.unknownf(m.pos, "unmodelled", "%s is not modelled: assumed to succeed with no output", name)
		return 0
	}
	if pkg := d.providedBy(name); pkg != "" {
		m.kind = "unknown"
		d.unknownf(m.pos, "unmodelled", "%s (from package %s) is not modelled: assumed to succeed with no output", name, pkg)
		return 0
	}
	m.kind = "unknown"
	switch v, pkgs := d.indexedCommand(name); v {
	case cmdPresent:
		d.unknownf(m.pos, "unmodelled", "%s (from package %s) is not modelled: assumed to succeed with no output", name, pkgs[0])
		return 0
	case cmdMissing:
		m.notFound("%s: command not found (provided by %s, not installed and not installed by an earlier step)", name, missingPackages(pkgs))
		return m.fail(127, "command not found")
	}
	unc := d.uncertainCommands()
	sugg := ""
	if shippedBy(name) == "" && !d.indexedAny(name) {
		// Not a misspelling when a known package has it (gpg, not gpgv).
		sugg = suggest(name)
	}
	switch {
	case sugg != "":
		// A misspelt command is a bug wherever it is.
		d.errorf(m.pos, "not-found", "%s: command not found (did you mean %s?)", name, sugg)
	case len(unc) > 0 && (!strings.Contains(name, "_") || shippedBy(name) != ""):
		// A package whose files are unknown may ship it (with what apt
		// installs with it); not a name with _, which is a shell
		// function's (msg_ok, setup_env) rather than a Debian
		// program's, unless a package has it (lsb_release).
		d.unknownf(m.pos, "unknown-command", "%s: not in the base image nor in a known package; assumed to come from one of: %s", name, strings.Join(unc, " "))
		return 0
	case shippedBy(name) != "":
		m.notFound("%s: command not found (package %s has it; no earlier step installs it)", name, shippedBy(name))
	default:
		m.notFound("%s: command not found", name)
	}
	return m.fail(127, "command not found")
}

// absent judges a command the models answer but the base does not have
// (sudo, curl, wget, python3, systemctl… on debian:bookworm): present when
// it is in the image (along $PATH in the virtual FS) or a package
// installed earlier ships it; else the real build fails with "command not
// found", an error, unless a package whose files are unknown was
// installed (then unknown). missing says the command was answered here,
// with status code.
func (m *modelCall) absent(name string, a []string) (code int, missing bool) {
	d := m.sc.d
	if baseCommands[name] || interp.IsBuiltin(name) || models[name] == nil && !noop[name] && daemons[name] == nil {
		return 0, false
	}
	d.mu.Lock()
	none := len(d.installed) == 0
	d.mu.Unlock()
	if none && m.sc.script != nil && m.sc.script.Role != RoleInstall {
		// A boot or runit script checked without the install scripts
		// that install its packages: what the image has is unknown.
		return 0, false
	}
	if _, ok := m.lookPath(name); ok || d.providedBy(name) != "" {
		return 0, false
	}
	unc := d.uncertainCommands()
	hint := ""
	switch v, pkgs := d.indexedCommand(name); {
	case v == cmdPresent:
		return 0, false
	case v == cmdMissing:
		hint = " (provided by " + missingPackages(pkgs) + ", not installed and not installed by an earlier step)"
	case shippedBy(name) != "":
		hint = " (package " + shippedBy(name) + " has it; no earlier step installs it)"
	}
	if len(unc) > 0 && hint == "" {
		d.unknownf(m.pos, "unknown-command", "%s: not in the base image; assumed to come from one of the packages installed earlier: %s", name, strings.Join(unc, " "))
		return 0, false
	}
	m.notFound("%s: command not found: the base image does not have it%s", name, hint)
	if models[name] != nil && (name == "curl" || name == "wget" || name == "git" || name == "scp" || name == "rsync") && len(urls(a)) > 0 {
		// The access the script attempts is reported all the same.
		m.fetch(name, a)
	}
	return m.fail(127, "command not found"), true
}

// notFound reports a command that is not there: a warning where the
// script goes on (no set -e, || …), the error at that command when it
// ends the script (runFile).
func (m *modelCall) notFound(format string, a ...any) {
	m.diag = "not-found"
	m.sc.d.warnf(m.pos, "not-found", format, a...)
}

// shippedBy names a package known to ship command name, or "".
func shippedBy(name string) string {
	var pkgs []string
	for p, cmds := range packageCommands {
		for _, c := range cmds {
			if c == name {
				pkgs = append(pkgs, p)
			}
		}
	}
	if len(pkgs) == 0 {
		return ""
	}
	sort.Strings(pkgs)
	for _, p := range pkgs {
		if p == name {
			return p
		}
	}
	return pkgs[0]
}

// lookPath finds an executable in the virtual FS along $PATH.
func (m *modelCall) lookPath(name string) (string, bool) {
	if strings.Contains(name, "/") {
		p := m.abs(name)
		return p, m.sc.d.vfs.Exists(p)
	}
	for _, dir := range strings.Split(m.hc.Env.Get("PATH").String(), ":") {
		if dir == "" {
			dir = "."
		}
		p := clean(m.hc.Dir, dir+"/"+name)
		if fi, err := m.sc.d.vfs.Stat(p, true); err == nil && !fi.IsDir() && fi.Mode().Perm()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// lookup answers command -v, type and which from the virtual FS.
func (m *modelCall) lookup(a []string) int {
	mode := a[0]
	m.model = mode
	code := 0
	if mode == "hash" {
		// Found or not, hash prints nothing on stdout.
		m.hc.Stdout = io.Discard
	}
	for _, n := range a[1:] {
		if strings.HasPrefix(n, "-") {
			continue
		}
		switch {
		case mode != "which" && m.sc.funcs[n]:
			if mode == "type" {
				m.out("%s is a function\n", n)
			} else {
				m.out("%s\n", n)
			}
		case mode != "which" && interp.IsBuiltin(n):
			if mode == "type" {
				m.out("%s is a shell builtin\n", n)
			} else {
				m.out("%s\n", n)
			}
		default:
			if p, ok := m.lookPath(n); ok {
				if mode == "type" {
					m.out("%s is %s\n", n, p)
				} else {
					m.out("%s\n", p)
				}
			} else if m.sc.d.vfs.lower == nil && (baseCommands[n] || m.sc.d.providedBy(n) != "") {
				p := "/usr/bin/" + n
				if mode == "type" {
					m.out("%s is %s\n", n, p)
				} else {
					m.out("%s\n", p)
				}
			} else {
				code = 1
				if mode == "type" || mode == "hash" {
					fmt.Fprintf(m.hc.Stderr, "%s: %s: not found\n", mode, n)
				}
			}
		}
	}
	return code
}

// builtin answers the builtins the interpreter lacks.
func (m *modelCall) builtin(a []string) int {
	m.model = a[0]
	m.kind = "builtin"
	switch a[0] {
	case "umask":
		if len(a) == 1 {
			m.out("0022\n")
		}
	case "ulimit":
		if len(a) == 1 || a[len(a)-1] == "-n" {
			m.out("unlimited\n")
		}
	case "kill", "jobs", "disown", "times", "caller", "history", "fc", "bind", "complete", "compgen", "compopt", "enable", "bg", "fg", "newgrp":
	default:
		return m.fail(1, "not available in a build")
	}
	return 0
}

// suggest proposes a known command one or two edits away.
func suggest(name string) string {
	best, bestD := "", 3
	try := func(c string) {
		// Ties go to the first name in byte order: the maps are
		// iterated in random order, the suggestion must not be.
		if d := editDistance(name, c); d > 0 && (d < bestD || d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	for c := range models {
		if !strings.HasPrefix(c, "__") {
			try(c)
		}
	}
	for c := range baseCommands {
		try(c)
	}
	if len(name) <= 3 && bestD > 1 {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	if abs(len(a)-len(b)) > 2 {
		return 3
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// providedBy names an installed package known to ship command name.
func (d *dryRun) providedBy(name string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var pkgs []string
	for p := range d.installed {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, p := range pkgs {
		for _, c := range packageCommands[p] {
			if c == name {
				return p
			}
		}
	}
	return ""
}

// noteHelper records the legacy helpers' package lists.
func (d *dryRun) noteHelper(name string, pkgs []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.helperPkgs == nil {
		d.helperPkgs = map[string]string{}
	}
	for _, p := range pkgs {
		if name == "install_permanent" || d.helperPkgs[p] == "" {
			d.helperPkgs[p] = name
		}
	}
}
