package shellrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/dmake-dev/dmake/internal/interrupt"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"

	"github.com/dmake-dev/dmake/internal/strerror"
)

// DefaultShell is make's default SHELL.
const DefaultShell = "/bin/sh"

// Recipe runs recipe command lines the way GNU make hands them to its
// shell, but in-process through mvdan.cc/sh/v3's interpreter: only the
// external commands a line names are real processes.
//
// As make does, a line without shell metacharacters run under the default
// shell with flags -c or -ec is split into words by make's own rules and
// its command executed directly (so "echo a\\nb" is coreutils' echo); any
// other line is parsed as a script of the shell SHELL names. A POSIX sh
// (dash on Debian, whose echo interprets backslashes) and bash are
// interpreted; any other shell, flags the interpreter does not know, a
// line it cannot parse, or a builtin it lacks make the line run by the
// real shell, so error messages are the shell's own.
//
// Every external command, in either path, goes through ExecMiddlewares
// and then a real exec. The zero value plus Stdout and Stderr is usable.
//
// With RealShell set (plain make), a line that needs a shell runs in the
// real one instead, as under GNU make; only fast-path lines stay
// in-process.
type Recipe struct {
	// Shell is the value of SHELL; empty means DefaultShell.
	Shell string
	// ShellFlags is the value of .SHELLFLAGS; empty means "-c".
	ShellFlags string
	// OneShell says the script is a whole .ONESHELL recipe: it always
	// goes to the shell, newlines and all.
	OneShell bool
	// Dir is the working directory; empty means the current one.
	Dir string
	// Env is the environment of the commands, "NAME=value" pairs; nil
	// means an empty environment.
	Env []string
	// Stdin, Stdout and Stderr are the standard streams of the commands.
	// A nil Stdin reads nothing.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// ExecMiddlewares wrap the execution of every external command, first
	// outermost, as interp.ExecHandlers does. The handler after the last
	// one executes the program.
	ExecMiddlewares []func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc
	// ProgramName prefixes the messages make itself prints for a command
	// it could not execute ("make: foo: No such file or directory").
	// Empty means "make".
	ProgramName string
	// ProcessGroup puts each external command in its own process group,
	// so that cancelling the context signals the whole group.
	ProcessGroup bool
	// KillTimeout is how long a cancelled command has between the signal
	// that ended the run (SIGINT, SIGTERM…) and SIGKILL; zero means two
	// seconds.
	KillTimeout time.Duration
	// ExtraFiles are inherited by every external command as its
	// descriptors 3 and up (exec.Cmd.ExtraFiles): the jobserver's pipe
	// for the commands of a recursive line.
	ExtraFiles []*os.File
	// RealShell runs every line that needs a shell as GNU make does: the
	// program SHELL names is executed with .SHELLFLAGS and the line, so
	// that $$, $0, the shell's messages, traps, and background jobs that
	// outlive dmake are the shell's own. Lines make runs without a shell
	// (its fast path) still run in-process when the command is one
	// whose outcome and output are the same there (ExecMiddlewares, the
	// echo, true and false builtins), and are executed directly
	// otherwise. Without RealShell the interpreter stands in for the
	// shells it knows (the image layer's paths, where every command must
	// pass the middlewares).
	RealShell bool
	// ListCommands are the commands ExecMiddlewares run in Go with the
	// program's own outcome and output (the symlinker's). With
	// RealShell, a line of the default shell that is only a list of
	// them and of echo, true and false, joined by &&, || and ;, each as
	// make's fast path would run it alone, runs in-process too: the
	// shell would do nothing more than run them in turn.
	ListCommands []string
	// Claimed are commands ExecMiddlewares take over, by name (docker,
	// whose build the image layer runs). With RealShell, a line of the
	// default shell that calls one of them runs in the interpreter, as
	// sh would run it, so that the middlewares see the command; a line
	// the interpreter does not run as the shell would (NeedsRealShell)
	// still goes to the real shell, where they do not.
	Claimed []string
	// OpenHandler, when set, opens the files of the interpreter's
	// redirections (interp.OpenHandler): a dry run's sends writes
	// elsewhere. It does not reach a real shell.
	OpenHandler interp.OpenHandlerFunc
	// Direct, when set, runs the command of a line make runs without a
	// shell in Go before any interpreter is made for the line, as the
	// first of ExecMiddlewares would run it; handled false (nothing
	// done) leaves the line to the interpreter. It gets the line's
	// directory, environment (Env, with UID, EUID and GID as the
	// interpreter has them), streams and words; not the shell variables
	// the interpreter sets for itself (PWD, IFS, OPTIND, HOME when
	// unset), which a command's environment does not have either.
	Direct DirectFunc
	// Tables, when set, lends the interpreter of a line make runs
	// without a shell the variable table of an earlier one: the
	// interpreter copies the whole environment into it at the end of
	// every run, which otherwise allocates a new table per line.
	Tables *VarTables
}

// DirectFunc runs a command in Go without an interpreter (Recipe.Direct):
// in directory dir, with the variables vars (the exported ones are its
// environment), the streams and the words args. handled false means it
// did nothing and the command is left to the interpreter.
type DirectFunc func(dir string, vars expand.Environ, stdin io.Reader, stdout, stderr io.Writer, args []string) (status uint8, handled bool)

// VarTables keeps the interpreters' variable tables for reuse between
// recipe lines (Recipe.Tables). The zero value is ready; it is safe for
// concurrent use.
type VarTables struct {
	pool sync.Pool

	// mu guards env and envIndex: the last environment a line run
	// directly had, and its variables by name. The recipes of a run
	// mostly share one environment (the same slice), in which a command
	// run in Go looks up a handful of names (PATH, LANG, LC_ALL…).
	mu       sync.Mutex
	env      []string
	envIndex map[string]string
}

// environ returns env as an expand.Environ for a command run directly:
// indexed by name when it is the slice of the previous call (the same
// first element and length; recipe environments are never changed in
// place), else looked up in place.
func (t *VarTables) environ(env []string) expand.Environ {
	if t == nil || len(env) == 0 {
		return pairsEnviron(env)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.env) == len(env) && &t.env[0] == &env[0] {
		if t.envIndex == nil {
			t.envIndex = make(map[string]string, len(env))
			for _, kv := range env {
				if i := strings.IndexByte(kv, '='); i > 0 {
					t.envIndex[kv[:i]] = kv[i+1:] // the last of a name wins
				}
			}
		}
		return indexEnviron{pairs: env, index: t.envIndex}
	}
	t.env, t.envIndex = env, nil
	return pairsEnviron(env)
}

// indexEnviron is pairsEnviron looked up in an index of its names.
type indexEnviron struct {
	pairs pairsEnviron
	index map[string]string
}

// Get returns the exported variable name, or an unset one.
func (e indexEnviron) Get(name string) expand.Variable {
	v, ok := e.index[name]
	if !ok {
		return expand.Variable{}
	}
	return expand.Variable{Set: true, Exported: true, Kind: expand.String, Str: v}
}

// Each calls fn for every variable, sorted by name, as ListEnviron's.
func (e indexEnviron) Each(fn func(name string, vr expand.Variable) bool) { e.pairs.Each(fn) }

// get returns an empty table.
func (t *VarTables) get() map[string]expand.Variable {
	if m, ok := t.pool.Get().(map[string]expand.Variable); ok {
		return m
	}
	return make(map[string]expand.Variable)
}

// put takes back a table nothing refers to any more.
func (t *VarTables) put(m map[string]expand.Variable) {
	clear(m)
	t.pool.Put(m)
}

// Result is how a recipe line ended, as make sees it.
type Result struct {
	// Status is the exit status of the shell (or of the command run
	// directly).
	Status int
	// Signal, when not zero, is the signal that killed the command make
	// would have run directly; make reports its name instead of a status.
	Signal syscall.Signal
}

// Run runs one recipe line (or, with OneShell, a whole recipe). The error
// is not nil only when the context was cancelled, or when the line could
// not be run at all for a reason make has no message for.
func (rc *Recipe) Run(ctx context.Context, line string) (Result, error) {
	if rc.needsSync() {
		// The stages of a pipeline write concurrently (goroutines of the
		// interpreter, os/exec's copiers): a writer that is not a file
		// gets a lock.
		c := *rc
		c.Stdout, c.Stderr = syncWriters(rc.Stdout, rc.Stderr)
		rc = &c
	}
	shell := rc.Shell
	if shell == "" {
		shell = DefaultShell
	}
	flags := rc.ShellFlags
	if flags == "" {
		flags = "-c"
	}
	if !rc.OneShell && shell == DefaultShell && (flags == "-c" || flags == "-ec") {
		argv, fast, empty := FastArgv(line)
		if empty {
			return Result{}, nil
		}
		if fast {
			if res, ok, err := rc.runDirect(ctx, argv); ok {
				return res, err
			}
			return rc.runArgv(ctx, argv, true)
		}
	}
	if strings.TrimLeft(line, " \t") == "" {
		return Result{}, nil
	}
	shellWords := strings.Fields(shell)
	real := append(shellArgv(shell, flags, rc.Env), line)
	if rc.RealShell && !rc.claims(line, shell) {
		if f, ok := rc.plainList(line, shell, flags); ok {
			return rc.runFile(ctx, f, shellKind{variant: syntax.LangPOSIX, dash: true}, DefaultShell, nil)
		}
		// make executes the shell itself: its messages are make's when
		// the shell cannot be run, and a signal that kills the shell is
		// reported by name. No middleware sees the shell.
		return rc.exec(ctx, real, true, false)
	}
	lang, ok := shellLang(shellWords)
	if !ok {
		return rc.runArgv(ctx, real, false)
	}
	opts, ok := shellOptions(flags)
	if !ok {
		return rc.runArgv(ctx, real, false)
	}
	file, err := syntax.NewParser(syntax.Variant(lang.variant)).Parse(strings.NewReader(line), "")
	if err != nil || NeedsRealShell(file) {
		return rc.runArgv(ctx, real, false)
	}
	replaceShellPID(file)
	return rc.runFile(ctx, file, lang, shellWords[0], opts)
}

// needsSync reports whether Stdout or Stderr is a writer that is neither
// a file nor already locked.
func (rc *Recipe) needsSync() bool {
	for _, w := range []io.Writer{rc.Stdout, rc.Stderr} {
		switch w.(type) {
		case nil, *os.File, *syncWriter:
		default:
			return true
		}
	}
	return false
}

// syncWriter serialises writes to a writer shared by concurrent commands.
type syncWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// syncWriters wraps out and err (one lock when they are the same writer);
// files are left alone so that commands inherit them.
func syncWriters(out, err io.Writer) (io.Writer, io.Writer) {
	wrap := func(w io.Writer, mu *sync.Mutex) io.Writer {
		switch w.(type) {
		case nil, *os.File, *syncWriter:
			return w
		}
		return &syncWriter{mu: mu, w: w}
	}
	mu := &sync.Mutex{}
	if out == err {
		w := wrap(out, mu)
		return w, w
	}
	return wrap(out, mu), wrap(err, &sync.Mutex{})
}

// shellSeq numbers the shells a process stands in for.
var shellSeq atomic.Int64

// replaceShellPID gives each line its own $$, as each line has its own
// shell under make: the interpreter's $$ is dmake's pid, the same for
// every line, so that temporary names like /tmp/x.$$ built by parallel
// recipes would collide.
func replaceShellPID(f *syntax.File) {
	pid := strconv.Itoa(os.Getpid()) + strconv.FormatInt(shellSeq.Add(1), 10)
	fix := func(parts []syntax.WordPart) {
		for i, p := range parts {
			if pe, ok := p.(*syntax.ParamExp); ok && pe.Param != nil && pe.Param.Value == "$" &&
				pe.Exp == nil && pe.Repl == nil && pe.Slice == nil && pe.Index == nil && !pe.Length && !pe.Excl && !pe.Width && !pe.IsSet {
				parts[i] = &syntax.Lit{ValuePos: pe.Pos(), ValueEnd: pe.End(), Value: pid}
			}
		}
	}
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.Word:
			fix(n.Parts)
		case *syntax.DblQuoted:
			fix(n.Parts)
		}
		return true
	})
}

// shellKind is what the interpreter must pretend to be.
type shellKind struct {
	variant syntax.LangVariant
	dash    bool // echo interprets backslashes, messages are dash's
}

// shellLang reports which shell language the words of SHELL name, and
// whether the interpreter can stand in for it.
func shellLang(words []string) (shellKind, bool) {
	if len(words) != 1 {
		return shellKind{}, false
	}
	name := filepath.Base(words[0])
	if name == "sh" {
		if target, err := filepath.EvalSymlinks(words[0]); err == nil {
			name = filepath.Base(target)
		}
	}
	switch name {
	case "dash", "sh", "ash":
		return shellKind{variant: syntax.LangPOSIX, dash: name == "dash"}, true
	case "bash":
		return shellKind{variant: syntax.LangBash}, true
	}
	return shellKind{}, false
}

// shellArgv is the command that runs a line: $(SHELL) split at blanks,
// then .SHELLFLAGS split as make splits a command line: quotes and
// backslashes removed, ~ expanded with env's HOME (.SHELLFLAGS := 'a;b'
// is one word a;b); flags that would need a shell are split at blanks.
func shellArgv(shell, flags string, env []string) []string {
	if words, ok := literalWords(flags, env); ok {
		return append(strings.Fields(shell), words...)
	}
	return append(strings.Fields(shell), strings.Fields(flags)...)
}

// literalWords splits s into words as sh does when s is one simple
// command of literal words (quotes and backslashes removed); ok is false
// for anything else: expansions, globs, operators, redirections.
func literalWords(s string, env []string) (words []string, ok bool) {
	f, err := syntax.NewParser().Parse(strings.NewReader(s), "")
	if err != nil || len(f.Stmts) != 1 {
		return nil, false
	}
	st := f.Stmts[0]
	call, isCall := st.Cmd.(*syntax.CallExpr)
	if !isCall || len(call.Assigns) > 0 || len(st.Redirs) > 0 || st.Negated || st.Background || st.Coprocess || st.Semicolon.IsValid() {
		return nil, false
	}
	for _, w := range call.Args {
		literal := true
		syntax.Walk(w, func(n syntax.Node) bool {
			switch n := n.(type) {
			case *syntax.Word, nil:
			case *syntax.Lit:
				// Globs are left to the blank split.
				literal = !strings.ContainsAny(n.Value, "*?[")
			case *syntax.SglQuoted:
				literal = literal && !n.Dollar
			case *syntax.DblQuoted:
				literal = literal && !n.Dollar
			default:
				literal = false
			}
			return literal
		})
		if !literal {
			return nil, false
		}
	}
	words, err = expand.Fields(&expand.Config{Env: expand.ListEnviron(env...)}, call.Args...)
	if err != nil {
		return nil, false
	}
	return words, len(words) > 0
}

// BourneCompatible reports whether shell (the value of $(SHELL)) names a
// Bourne-compatible shell by its file name, as make's
// is_bourne_compatible_shell: sh, bash, ksh, rksh, zsh, ash or dash.
func BourneCompatible(shell string) bool {
	name := shell
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	for _, s := range []string{"sh", "bash", "ksh", "rksh", "zsh", "ash", "dash"} {
		if strings.HasPrefix(name, s) && (len(name) == len(s) || name[len(s)] == ' ' || name[len(s)] == '\t') {
			return true
		}
	}
	return false
}

// shellOptions turns .SHELLFLAGS into interpreter options. The flags must
// end with -c (alone or as the last letter of a group) and use only
// options the interpreter has.
func shellOptions(flags string) ([]string, bool) {
	words := strings.Fields(flags)
	if len(words) == 0 {
		return nil, false
	}
	var opts []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		last := i == len(words)-1
		switch {
		case w == "-o" || w == "+o":
			if i+1 >= len(words)-1 {
				return nil, false
			}
			switch words[i+1] {
			case "errexit", "nounset", "pipefail", "xtrace", "noglob", "noexec", "allexport":
			default:
				return nil, false
			}
			opts = append(opts, w, words[i+1])
			i++
		case len(w) >= 2 && w[0] == '-':
			letters := w[1:]
			if last {
				if !strings.HasSuffix(letters, "c") {
					return nil, false
				}
				letters = letters[:len(letters)-1]
			}
			for _, c := range letters {
				if !strings.ContainsRune("euxfna", c) {
					return nil, false
				}
				opts = append(opts, "-"+string(c))
			}
		default:
			return nil, false
		}
	}
	return opts, true
}

// unsupportedBuiltins are builtins of sh and bash that the interpreter
// lacks or only half implements; a line calling one runs in the real shell.
var unsupportedBuiltins = map[string]bool{
	"umask": true, "ulimit": true, "kill": true, "jobs": true, "fg": true,
	"bg": true, "disown": true, "times": true, "suspend": true, "hash": true,
	"enable": true, "coproc": true, "compgen": true,
}

// claims reports whether line, for the shell shell, calls one of
// Claimed by name where the interpreter can stand in for the shell
// (Recipe.Claimed).
func (rc *Recipe) claims(line, shell string) bool {
	if len(rc.Claimed) == 0 || shell != DefaultShell {
		return false
	}
	named := false
	for _, c := range rc.Claimed {
		named = named || strings.Contains(line, c)
	}
	if !named {
		return false
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader(line), "")
	if err != nil || NeedsRealShell(f) {
		return false
	}
	calls := false
	syntax.Walk(f, func(n syntax.Node) bool {
		if c, ok := n.(*syntax.CallExpr); ok && len(c.Args) > 0 && slices.Contains(rc.Claimed, filepath.Base(c.Args[0].Lit())) {
			calls = true
		}
		return !calls
	})
	return calls
}

// NeedsRealShell reports whether a parsed line or script uses something
// the interpreter does not do as the shell would (umask, ulimit, job
// control, coprocesses, process substitution…).
func NeedsRealShell(f *syntax.File) bool {
	need := false
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.CallExpr:
			if len(n.Args) > 0 {
				if lit := n.Args[0].Lit(); unsupportedBuiltins[lit] && !(lit == "kill" && killsNothingLit(n.Args[1:])) {
					need = true
				}
			}
		case *syntax.CoprocClause:
			need = true
		case *syntax.ProcSubst:
			need = true
		}
		return !need
	})
	return need
}

// killsNothingLit reports whether the words after kill are literal and
// name no process (KillsNothing): the legacy "kill -9 $(lsof …)" once make
// expanded its $(…) to nothing. The interpreter hands that kill to the
// exec middlewares (the image layer reports it), whatever else the line
// holds.
func killsNothingLit(words []*syntax.Word) bool {
	args := make([]string, len(words))
	for i, w := range words {
		if args[i] = w.Lit(); args[i] == "" {
			return false
		}
	}
	return KillsNothing(args)
}

// KillsNothing reports whether the arguments of kill name no process:
// only options (a signal: -9, -KILL, -s KILL).
func KillsNothing(args []string) bool {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-s" || a == "-n" || a == "--signal":
			i++
		case a == "-l" || a == "-L" || a == "--list" || a == "--table":
			return false
		case strings.HasPrefix(a, "-") && len(a) > 1:
		default:
			return false
		}
	}
	return true
}

// echoName is what the call handler renames echo to under dash, so the
// first exec middleware runs dash's echo.
const echoName = "\x00dash-echo"

func (rc *Recipe) killTimeout() time.Duration {
	if rc.KillTimeout > 0 {
		return rc.KillTimeout
	}
	return 2 * time.Second
}

func (rc *Recipe) programName() string {
	if rc.ProgramName == "" {
		return "make"
	}
	return rc.ProgramName
}

// runner makes an interpreter with the recipe's streams and handlers.
func (rc *Recipe) runner(lang shellKind, shellName string, direct bool, params []string, res *execResult) (*interp.Runner, error) {
	var stdin io.Reader = rc.Stdin
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	mws := make([]func(interp.ExecHandlerFunc) interp.ExecHandlerFunc, 0, len(rc.ExecMiddlewares)+2)
	if lang.dash {
		mws = append(mws, dashEchoMiddleware)
	}
	mws = append(mws, execMarkMiddleware)
	mws = append(mws, rc.ExecMiddlewares...)
	mws = append(mws, func(interp.ExecHandlerFunc) interp.ExecHandlerFunc {
		return rc.execHandler(shellName, direct, res)
	})
	opts := []interp.RunnerOption{
		interp.Env(idEnviron{expand.ListEnviron(rc.Env...)}),
		interp.StdIO(stdin, rc.Stdout, rc.Stderr),
		interp.ExecHandlers(mws...),
	}
	if rc.OpenHandler != nil {
		opts = append(opts, interp.OpenHandler(rc.OpenHandler))
	}
	if len(params) > 0 {
		opts = append(opts, interp.Params(params...))
	}
	if direct {
		// make executes the command of a fast-path line itself, builtin
		// names included (/bin/echo, /bin/true, /bin/kill): hide the name
		// from the interpreter's builtins until the exec handlers.
		opts = append(opts, interp.CallHandler(func(ctx context.Context, args []string) ([]string, error) {
			if !sameAsBuiltin(args) {
				args[0] = execMark + args[0]
			}
			return args, nil
		}))
	} else {
		// A kill naming no process (NeedsRealShell let it through) goes
		// to the exec middlewares, not to the interpreter's kill.
		opts = append(opts, interp.CallHandler(func(ctx context.Context, args []string) ([]string, error) {
			switch {
			case args[0] == "echo" && lang.dash:
				args[0] = echoName
			case args[0] == "kill" && KillsNothing(args[1:]):
				args[0] = execMark + args[0]
			}
			return args, nil
		}))
	}
	// The directory is taken as it is: interp.Dir would stat it, and
	// New without it would stat "." and $PWD, for every line.
	dir := rc.Dir
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("could not get current dir: %w", err)
		}
		dir = wd
	}
	opts = append(opts, func(r *interp.Runner) error {
		r.Dir = dir
		return nil
	})
	return interp.New(opts...)
}

// ids are the shell's UID, EUID and GID, asked of the system once.
var ids = sync.OnceValue(func() [3]string {
	return [3]string{strconv.Itoa(os.Getuid()), strconv.Itoa(os.Geteuid()), strconv.Itoa(os.Getgid())}
})

// idEnviron is an environment where UID, EUID and GID are set as the
// interpreter sets them (read-only, not exported) unless the environment
// has them: the interpreter would otherwise ask the system for them at
// every line it runs.
type idEnviron struct{ expand.Environ }

// Get returns the variable name, UID, EUID and GID included.
func (e idEnviron) Get(name string) expand.Variable {
	v := e.Environ.Get(name)
	if v.IsSet() {
		return v
	}
	i := -1
	switch name {
	case "UID":
		i = 0
	case "EUID":
		i = 1
	case "GID":
		i = 2
	}
	if i < 0 {
		return v
	}
	return expand.Variable{Set: true, Kind: expand.String, ReadOnly: true, Str: ids()[i]}
}

// execResult records how the last directly executed command ended.
type execResult struct {
	mu     sync.Mutex
	signal syscall.Signal
}

// runFile interprets a parsed line.
func (rc *Recipe) runFile(ctx context.Context, file *syntax.File, lang shellKind, shellName string, opts []string) (Result, error) {
	var res execResult
	r, err := rc.runner(lang, shellName, false, opts, &res)
	if err != nil {
		return Result{}, err
	}
	err = r.Run(ctx, file)
	return statusOf(ctx, err, nil)
}

// runDirect runs the command of a fast-path line through rc.Direct, if it
// takes it: ok is false when it did not (nothing was done). The error is
// an interruption's, as Run's.
func (rc *Recipe) runDirect(ctx context.Context, argv []string) (res Result, ok bool, err error) {
	if rc.Direct == nil || sameAsBuiltin(argv) {
		// echo, true and false: the interpreter's builtins run them.
		return Result{}, false, nil
	}
	dir := rc.Dir
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return Result{}, false, nil
		}
		dir = wd
	}
	var stdin io.Reader = rc.Stdin
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	st, handled := rc.Direct(dir, idEnviron{rc.Tables.environ(rc.Env)}, stdin, rc.Stdout, rc.Stderr, argv)
	if !handled {
		return Result{}, false, nil
	}
	if st != 0 {
		err = interp.ExitStatus(st)
	}
	res, err = statusOf(ctx, err, nil)
	return res, true, err
}

// pairsEnviron is an environment of "NAME=value" pairs, the last of a
// name winning, as expand.ListEnviron's but looked up in place: a
// command run directly asks for a few variables, and ListEnviron sorts a
// copy of the whole list.
type pairsEnviron []string

// Get returns the exported variable name, or an unset one.
func (p pairsEnviron) Get(name string) expand.Variable {
	for i := len(p) - 1; i >= 0; i-- {
		kv := p[i]
		if len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name {
			return expand.Variable{Set: true, Exported: true, Kind: expand.String, Str: kv[len(name)+1:]}
		}
	}
	return expand.Variable{}
}

// Each calls fn for every variable, sorted by name, as ListEnviron's.
func (p pairsEnviron) Each(fn func(name string, vr expand.Variable) bool) {
	expand.ListEnviron(p...).Each(fn)
}

// runArgv runs one command given as words, through the exec handlers.
// direct says make would have executed it itself (the fast path), so its
// errors are make's and a signal that kills it is reported as such.
func (rc *Recipe) runArgv(ctx context.Context, argv []string, direct bool) (Result, error) {
	return rc.exec(ctx, argv, direct, true)
}

// exec runs one command given as words, through the exec middlewares when
// mws is set, as runArgv says.
func (rc *Recipe) exec(ctx context.Context, argv []string, direct, mws bool) (Result, error) {
	var res execResult
	sub := rc
	if !mws && len(rc.ExecMiddlewares) > 0 {
		c := *rc
		c.ExecMiddlewares = nil
		sub = &c
	}
	r, err := sub.runner(shellKind{variant: syntax.LangPOSIX}, "", direct, nil, &res)
	if err != nil {
		return Result{}, err
	}
	if rc.Tables != nil {
		// One command, nothing left running after it: the table is
		// free again once Run returns.
		vars := rc.Tables.get()
		r.Vars = vars
		defer rc.Tables.put(vars)
	}
	call := &syntax.CallExpr{}
	for _, a := range argv {
		// A single-quoted part is taken as it is: no expansion, no glob.
		call.Args = append(call.Args, &syntax.Word{Parts: []syntax.WordPart{&syntax.SglQuoted{Value: a}}})
	}
	err = r.Run(ctx, &syntax.File{Stmts: []*syntax.Stmt{{Cmd: call}}})
	return statusOf(ctx, err, &res)
}

// statusOf turns the interpreter's error into a Result.
func statusOf(ctx context.Context, err error, res *execResult) (Result, error) {
	if ctx.Err() != nil {
		sig := interrupt.Signal(ctx)
		return Result{Status: 128 + int(sig), Signal: sig}, ctx.Err()
	}
	var out Result
	if res != nil {
		res.mu.Lock()
		out.Signal = res.signal
		res.mu.Unlock()
	}
	if err == nil {
		return out, nil
	}
	var st interp.ExitStatus
	if errors.As(err, &st) {
		out.Status = int(st)
		return out, nil
	}
	return Result{Status: 2}, err
}

// execHandler is the last exec handler: it runs the program for real, in
// its own process group if asked, and answers a missing program with the
// message make (direct) or the shell would print.
func (rc *Recipe) execHandler(shellName string, direct bool, res *execResult) interp.ExecHandlerFunc {
	return func(ctx context.Context, args []string) error {
		hc := interp.HandlerCtx(ctx)
		path, err := lookPath(hc.Dir, hc.Env, args[0])
		if err != nil {
			return rc.notRunnable(hc, shellName, direct, args[0], err)
		}
		st, sig, err := runProcess(ctx, path, args, hc, rc.ProcessGroup, rc.killTimeout(), rc.ExtraFiles)
		if err != nil {
			if errors.Is(err, syscall.ENOEXEC) {
				// execvp and sh both run such a file with /bin/sh.
				return rc.runNoShebang(ctx, hc, path, args)
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return rc.notRunnable(hc, shellName, direct, args[0], err)
		}
		if sig != 0 {
			if direct {
				res.mu.Lock()
				res.signal = sig
				res.mu.Unlock()
			}
			return interp.ExitStatus(128 + int(sig))
		}
		if st == 0 {
			return nil
		}
		return interp.ExitStatus(st)
	}
}

// notRunnable prints why a program could not be run and returns the
// status a shell (127 not found, 126 not executable) or make returns.
func (rc *Recipe) notRunnable(hc interp.HandlerContext, shellName string, direct bool, name string, err error) error {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		errno = syscall.ENOENT
	}
	status := uint8(127)
	if errno == syscall.EACCES || errno == syscall.ENOEXEC {
		status = 126
	}
	switch {
	case direct:
		fmt.Fprintf(hc.Stderr, "%s: %s: %s\n", rc.programName(), name, strerror.Text(errno))
		return interp.ExitStatus(127)
	case filepath.Base(shellName) == "bash":
		line := hc.Pos.Line()
		if line == 0 {
			line = 1
		}
		if errno == syscall.ENOENT && !strings.Contains(name, "/") {
			fmt.Fprintf(hc.Stderr, "%s: line %d: %s: command not found\n", shellName, line, name)
		} else {
			fmt.Fprintf(hc.Stderr, "%s: line %d: %s: %s\n", shellName, line, name, strerror.Text(errno))
		}
	default:
		line := hc.Pos.Line()
		if line == 0 {
			line = 1
		}
		if errno == syscall.ENOENT {
			fmt.Fprintf(hc.Stderr, "%s: %d: %s: not found\n", shellName, line, name)
		} else {
			fmt.Fprintf(hc.Stderr, "%s: %d: %s: %s\n", shellName, line, name, strerror.Text(errno))
		}
	}
	return interp.ExitStatus(status)
}

// runNoShebang runs an executable file without a #! line as a shell
// script, as sh does, with this recipe's handlers.
func (rc *Recipe) runNoShebang(ctx context.Context, hc interp.HandlerContext, path string, args []string) error {
	if rc.RealShell {
		// make runs it with its default shell: /bin/sh FILE ARGS.
		st, sig, err := runProcess(ctx, DefaultShell, append([]string{DefaultShell, path}, args[1:]...), hc, rc.ProcessGroup, rc.killTimeout(), rc.ExtraFiles)
		switch {
		case err != nil && ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			fmt.Fprintf(hc.Stderr, "%s: %s: %v\n", rc.programName(), DefaultShell, err)
			return interp.ExitStatus(127)
		case sig != 0:
			return interp.ExitStatus(128 + int(sig))
		case st != 0:
			return interp.ExitStatus(st)
		}
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(hc.Stderr, err)
		return interp.ExitStatus(126)
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(strings.NewReader(string(b)), args[0])
	if err != nil {
		fmt.Fprintln(hc.Stderr, err)
		return interp.ExitStatus(2)
	}
	var res execResult
	sub := *rc
	sub.Dir = hc.Dir
	sub.Env = execEnv(hc.Env)
	sub.Stdin, sub.Stdout, sub.Stderr = hc.Stdin, hc.Stdout, hc.Stderr
	kind, ok := shellLang([]string{DefaultShell})
	if !ok {
		kind = shellKind{variant: syntax.LangPOSIX}
	}
	r, err := sub.runner(kind, DefaultShell, false, nil, &res)
	if err != nil {
		return err
	}
	r.Params = args[1:]
	return r.Run(ctx, f)
}

// execEnv lists the exported variables of an environment.
func execEnv(env expand.Environ) []string {
	var list []string
	env.Each(func(name string, vr expand.Variable) bool {
		if vr.Exported && vr.IsSet() {
			list = append(list, name+"="+vr.String())
		}
		return true
	})
	return list
}

// lookPath finds a program as execvp does: a name with a slash is used as
// it is (relative to dir), any other is searched in PATH.
func lookPath(dir string, env expand.Environ, name string) (string, error) {
	if strings.Contains(name, "/") {
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		fi, err := os.Stat(p)
		if err != nil {
			return "", err
		}
		if fi.IsDir() {
			return "", syscall.EACCES
		}
		return p, nil
	}
	path := env.Get("PATH").String()
	var denied error
	for _, d := range filepath.SplitList(path) {
		if d == "" {
			d = "."
		}
		p := filepath.Join(d, name)
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		fi, err := os.Stat(p)
		if err != nil || fi.IsDir() {
			continue
		}
		if fi.Mode()&0o111 == 0 {
			denied = syscall.EACCES
			continue
		}
		return p, nil
	}
	if denied != nil {
		return "", denied
	}
	return "", syscall.ENOENT
}

// sameAsBuiltin reports whether the interpreter's builtin prints and
// returns exactly what the coreutils program would for args, so a
// fast-path line can skip the fork: true, false, and echo without options.
func sameAsBuiltin(args []string) bool {
	switch args[0] {
	case "true", "false":
		return true
	case "echo":
		for _, a := range args[1:] {
			if strings.HasPrefix(a, "-") || strings.Contains(a, "\\") {
				return false
			}
		}
		return true
	}
	return false
}

// execMark prefixes the command name of a fast-path line so that the
// interpreter runs no builtin for it; execMarkMiddleware removes it.
const execMark = "\x00exec\x00"

func execMarkMiddleware(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(ctx context.Context, args []string) error {
		if strings.HasPrefix(args[0], execMark) {
			args = append([]string{strings.TrimPrefix(args[0], execMark)}, args[1:]...)
		}
		return next(ctx, args)
	}
}

// dashEchoMiddleware runs dash's echo for the renamed echo calls.
func dashEchoMiddleware(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(ctx context.Context, args []string) error {
		if args[0] != echoName {
			return next(ctx, args)
		}
		hc := interp.HandlerCtx(ctx)
		_, err := io.WriteString(hc.Stdout, DashEcho(args[1:]))
		if err != nil {
			return interp.ExitStatus(1)
		}
		return nil
	}
}

// DashEcho returns what dash's echo builtin prints for args: only -n is an
// option, and backslash escapes are always interpreted (\c ends the
// output).
func DashEcho(args []string) string {
	var b strings.Builder
	newline := true
	if len(args) > 0 && args[0] == "-n" {
		newline = false
		args = args[1:]
	}
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		for j := 0; j < len(a); j++ {
			c := a[j]
			if c != '\\' || j+1 >= len(a) {
				b.WriteByte(c)
				continue
			}
			j++
			switch a[j] {
			case 'a':
				b.WriteByte('\a')
			case 'b':
				b.WriteByte('\b')
			case 'c':
				return b.String()
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'v':
				b.WriteByte('\v')
			case '\\':
				b.WriteByte('\\')
			case '0':
				n, k := 0, 0
				for k < 3 && j+1 < len(a) && a[j+1] >= '0' && a[j+1] <= '7' {
					j++
					n = n*8 + int(a[j]-'0')
					k++
				}
				b.WriteByte(byte(n))
			default:
				b.WriteByte('\\')
				b.WriteByte(a[j])
			}
		}
	}
	if newline {
		b.WriteByte('\n')
	}
	return b.String()
}
