// Package symlinker runs, in Go, the file commands that legacy Makefile
// recipes use — ln, mkdir, rm, touch, chmod and cp — with the results, error
// messages and exit statuses of GNU coreutils 9.1, as an exec-handler
// middleware for mvdan.cc/sh/v3/interp. A form it does not reproduce exactly
// (an unknown flag, a name with unprintable bytes, a locale other than C,
// POSIX or C.UTF-8, a command that is not coreutils' on the PATH) goes to the
// next handler, normally the real binary.
//
// It also refuses links (symbolic or hard, made here or about to be made by
// the real ln or cp) that would pull a file from outside the repository
// root into a build directory, and offers Stage, which fills a build
// directory aside and swaps it in atomically.
package symlinker

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"

	"github.com/dmake-dev/dmake/internal/strerror"
)

// Config tells a Symlinker where the repository is and which links it may
// make.
type Config struct {
	// Root is the repository root. Symbolic links created inside a build
	// directory may not point outside it. Empty disables the check.
	Root string
	// IsBuildPath reports whether the path of a link about to be created
	// (absolute, symbolic links in its directory resolved) lies in a build
	// directory. Nil means every path under Root does. See UnderDirs.
	IsBuildPath func(path string) bool
	// AllowOutside lifts the check (dmake's --allow-outside-links).
	AllowOutside bool
}

// A Symlinker runs file commands in Go. It is safe for concurrent use.
type Symlinker struct {
	cfg  Config
	root string // Root, absolute with symbolic links resolved
	// found remembers, per command name and PATH, whether the command
	// is coreutils' (isCoreutils), as a shell's hash table remembers
	// where a command is: the PATH search costs a stat per directory.
	foundMu sync.Mutex
	found   map[[2]string]bool // name and PATH → isCoreutils
	// cwd is the process's directory when New ran: commands run there
	// use AT_FDCWD instead of opening it (dmake never changes it).
	cwd string
}

// New returns a Symlinker with the given configuration.
func New(cfg Config) *Symlinker {
	s := &Symlinker{cfg: cfg}
	s.cwd, _ = os.Getwd()
	if cfg.Root != "" {
		root, err := filepath.Abs(cfg.Root)
		if err == nil {
			if r, err := filepath.EvalSymlinks(root); err == nil {
				root = r
			}
		}
		s.root = root
	}
	return s
}

// commands maps each command name to its implementation. An implementation
// returns false when it leaves the command to the real binary; it does so
// only before it has changed anything.
var commands = map[string]func(c *cmd, args []string) bool{
	"ln":    runLn,
	"mkdir": runMkdir,
	"rm":    runRm,
	"touch": runTouch,
	"chmod": runChmod,
	"cp":    runCp,
}

// Commands returns the names of the commands the symlinker runs in Go,
// sorted.
func Commands() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Middleware returns the exec-handler middleware, for interp.ExecHandlers.
func (s *Symlinker) Middleware() func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
		return func(ctx context.Context, args []string) error {
			status, handled := s.Run(ctx, args)
			if !handled {
				return next(ctx, args)
			}
			if status != 0 {
				return interp.ExitStatus(status)
			}
			return nil
		}
	}
}

// Run runs args in Go if it can, reading the directory, environment and
// standard streams from ctx's interp.HandlerContext. handled is false when
// the command must go to the real binary instead; nothing was done then.
func (s *Symlinker) Run(ctx context.Context, args []string) (status uint8, handled bool) {
	if len(args) == 0 || commands[args[0]] == nil {
		return 0, false
	}
	hc := interp.HandlerCtx(ctx)
	return s.RunIn(Env{Dir: hc.Dir, Vars: hc.Env, Stdin: hc.Stdin, Stdout: hc.Stdout, Stderr: hc.Stderr}, args)
}

// Env is what a command runs in: the shell's directory, its variables
// (the exported ones are the command's environment) and the standard
// streams.
type Env struct {
	Dir            string
	Vars           expand.Environ
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// RunIn is Run for a command run in env without an interpreter (a recipe
// line make runs without a shell).
func (s *Symlinker) RunIn(env Env, args []string) (status uint8, handled bool) {
	if len(args) == 0 {
		return 0, false
	}
	impl := commands[args[0]]
	if impl == nil {
		return 0, false
	}
	for _, a := range args {
		if !printable(a) {
			return 0, false
		}
	}
	utf8, ok := localeUTF8(env.Vars)
	if !ok || !s.isCoreutils(env.Dir, env.Vars, args[0]) {
		return 0, false
	}
	dirfd := unix.AT_FDCWD
	if env.Dir != s.cwd || s.cwd == "" {
		fd, err := unix.Open(env.Dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return 0, false
		}
		defer unix.Close(fd)
		dirfd = fd
	}
	c := &cmd{
		s:      s,
		name:   args[0],
		dir:    env.Dir,
		dirfd:  dirfd,
		stdin:  env.Stdin,
		stdout: env.Stdout,
		stderr: env.Stderr,
		utf8:   utf8,
	}
	if !impl(c, args[1:]) {
		return 0, false
	}
	return c.status, true
}

// cmd is one command being run.
type cmd struct {
	s              *Symlinker
	name           string
	dir            string // the shell's directory, for messages about absolute paths
	dirfd          int    // the shell's directory, for the *at system calls
	stdin          io.Reader
	stdout, stderr io.Writer
	utf8           bool // the locale's charset is UTF-8
	status         uint8
}

// errorf prints a diagnostic as coreutils' error() does and marks failure.
func (c *cmd) errorf(format string, a ...any) {
	fmt.Fprintf(c.stderr, "%s: %s\n", c.name, fmt.Sprintf(format, a...))
	c.status = 1
}

// errnof is errorf followed by ": " and err's system message.
func (c *cmd) errnof(err error, format string, a ...any) {
	fmt.Fprintf(c.stderr, "%s: %s: %s\n", c.name, fmt.Sprintf(format, a...), strerror.Text(err))
	c.status = 1
}

// usageError prints a usage diagnostic and the --help hint, status 1.
func (c *cmd) usageError(format string, a ...any) {
	c.errorf(format, a...)
	fmt.Fprintf(c.stderr, "Try '%s --help' for more information.\n", c.name)
}

// quote quotes s in the locale style (‘s’ under UTF-8).
func (c *cmd) quote(s string) string { return quoteLocale(s, c.utf8) }

// abs returns name as an absolute path, relative names taken from the
// shell's directory.
func (c *cmd) abs(name string) string {
	if filepath.IsAbs(name) {
		return filepath.Clean(name)
	}
	return filepath.Join(c.dir, name)
}

// localeUTF8 reports whether the locale that coreutils would set from env
// uses UTF-8; ok is false for locales whose messages or quoting this package
// does not reproduce (anything but C, POSIX and C.UTF-8), and when
// POSIXLY_CORRECT changes the commands' behaviour.
func localeUTF8(env expand.Environ) (utf8, ok bool) {
	get := func(name string) (string, bool) {
		v := env.Get(name)
		if !v.Exported || v.Kind != expand.String {
			return "", false
		}
		return v.Str, true
	}
	if _, set := get("POSIXLY_CORRECT"); set {
		return false, false
	}
	pick := func(category string) string {
		for _, name := range []string{"LC_ALL", category, "LANG"} {
			if v, _ := get(name); v != "" {
				return v
			}
		}
		return ""
	}
	class := func(name string) (utf8, ok bool) {
		switch name {
		case "", "C", "POSIX":
			return false, true
		case "C.UTF-8", "C.utf8":
			return true, true
		}
		return false, false
	}
	utf8, ok = class(pick("LC_CTYPE"))
	msgs := pick("LC_MESSAGES")
	mutf8, mok := class(msgs)
	if !ok || !mok {
		return false, false
	}
	if language, _ := get("LANGUAGE"); language != "" && mutf8 {
		return false, false // gettext honours LANGUAGE outside the plain C locale
	}
	return utf8, true
}

// isCoreutils reports whether name, looked up in env's PATH from dir, is
// the coreutils binary this package stands in for. The answer is
// remembered for a PATH of absolute directories only (a relative one
// depends on dir).
func (s *Symlinker) isCoreutils(dir string, env expand.Environ, name string) bool {
	path := env.Get("PATH").String()
	key := [2]string{name, path}
	// Only answers for a PATH of absolute directories are kept: a hit
	// needs no look at the PATH.
	s.foundMu.Lock()
	yes, ok := s.found[key]
	s.foundMu.Unlock()
	if ok {
		return yes
	}
	cacheable := true
	for _, d := range filepath.SplitList(path) {
		if !filepath.IsAbs(d) {
			cacheable = false
			break
		}
	}
	found, err := interp.LookPathDir(dir, env, name)
	yes = err == nil && (found == "/usr/bin/"+name || found == "/bin/"+name)
	if cacheable {
		s.foundMu.Lock()
		if s.found == nil {
			s.found = make(map[[2]string]bool)
		}
		s.found[key] = yes
		s.foundMu.Unlock()
	}
	return yes
}

// checkLink refuses a symbolic link at path (relative to the shell's
// directory) to target when the link lands in a build directory and the
// target resolves outside the repository root. It prints the refusal and
// returns false. what names the link in the refusal ("symbolic link").
func (c *cmd) checkLink(target, path, what string) bool {
	s := c.s
	linkDir, inBuild := c.inBuildDir(path)
	if !inBuild {
		return true
	}
	dest := target
	if !filepath.IsAbs(dest) {
		dest = linkDir + "/" + dest
	}
	dest = canonicalize(dest)
	if within(dest, s.root) {
		return true
	}
	c.errorf("refusing to create %s %s -> %s: it pulls %s, outside the repository root %s, into a build directory; use --allow-outside-links to allow it",
		what, quoteaf(path), quoteaf(target), quoteaf(dest), quoteaf(s.root))
	return false
}

// checking reports whether links are checked at all (checkLink).
func (c *cmd) checking() bool { return c.s.root != "" && !c.s.cfg.AllowOutside }

// inBuildDir reports whether a link at path would be checked: the check is
// on, and the link lands in a build directory. linkDir is the directory the
// link would be in, resolved.
func (c *cmd) inBuildDir(path string) (linkDir string, inBuild bool) {
	s := c.s
	if !c.checking() {
		return "", false
	}
	base := strings.TrimRight(lastComponent(path), "/")
	linkDir = canonicalize(c.rawAbs(dirName(path) + "."))
	link := filepath.Join(linkDir, base)
	if !within(link, s.root) {
		return "", false
	}
	if s.cfg.IsBuildPath != nil && !s.cfg.IsBuildPath(link) {
		return "", false
	}
	return linkDir, true
}

// rawAbs returns name made absolute from the shell's directory without
// cleaning it: "a/../b" must go through a's link, if a is one.
func (c *cmd) rawAbs(name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return c.dir + "/" + name
}

// within reports whether path is root or lies under it.
func within(path, root string) bool {
	return path == root || root == "/" || strings.HasPrefix(path, root+"/")
}

// canonicalize resolves the absolute name p as gnulib's
// canonicalize_filename_mode does with CAN_MISSING: component by component,
// following symbolic links where they exist, keeping missing components
// as they are.
func canonicalize(p string) string {
	out := "/"
	rest := strings.Split(p, "/")
	links := 0
	for len(rest) > 0 {
		comp := rest[0]
		rest = rest[1:]
		switch comp {
		case "", ".":
			continue
		case "..":
			out = filepath.Dir(out)
			continue
		}
		next := filepath.Join(out, comp)
		if fi, err := os.Lstat(next); err == nil && fi.Mode()&os.ModeSymlink != 0 && links < 40 {
			if target, err := os.Readlink(next); err == nil {
				links++
				if filepath.IsAbs(target) {
					out = "/"
				}
				rest = append(strings.Split(target, "/"), rest...)
				continue
			}
		}
		out = next
	}
	return out
}

// isTerminal reports whether r is a terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// UnderDirs returns a Config.IsBuildPath function that reports paths inside
// any of dirs (made absolute, symbolic links in them resolved).
func UnderDirs(dirs ...string) func(path string) bool {
	resolved := make([]string, 0, len(dirs))
	for _, d := range dirs {
		if abs, err := filepath.Abs(d); err == nil {
			resolved = append(resolved, canonicalize(abs))
		}
	}
	return func(path string) bool {
		for _, d := range resolved {
			if within(path, d) {
				return true
			}
		}
		return false
	}
}
