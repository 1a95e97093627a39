package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// Role says when a script runs.
type Role string

// The roles of the legacy repo's scripts.
const (
	RoleInstall Role = "install" // script/NN_x.sh, run once while building
	RoleBoot    Role = "boot"    // boot/NN_x.sh, run by my_init at container start
	RoleRunit   Role = "runit"   // runit/SERVICE/run, run (and re-run) by runit
)

// Script is one script an image runs, in the order the image runs it.
type Script struct {
	// Path is the name used in diagnostics, e.g. "script/03_ssh.sh".
	Path string `json:"path"`
	// Source is the script's text. When nil, File is read.
	Source []byte `json:"source,omitempty"`
	// File is the file on the host to read Source from.
	File string `json:"file,omitempty"`
	// Mode is the file's mode (its run bit matters for boot and runit
	// scripts); 0 means take it from File.
	Mode fs.FileMode `json:"mode,omitempty"`
	// Role is when the script runs.
	Role Role `json:"role"`
	// Shell is how the script is run: "bash" or "sh"; "" means by its
	// shebang line (no shebang: sh).
	Shell string `json:"shell,omitempty"`
	// Dest is where the script lives in the image ("" for nowhere); it
	// becomes $0 and is placed in the virtual FS if missing there.
	Dest string `json:"dest,omitempty"`
	// Service is the runit service name of a runit run script.
	Service string `json:"service,omitempty"`
	// Files are placed in the virtual FS just before the script runs
	// (what a build step's COPY and ADD put into the image before the RUN
	// of this script), unlike Image.Files, placed before every script.
	Files []ContextFile `json:"files,omitempty"`
	// Env is added to the script's environment (NAME=value, a build
	// step's ENV), and Dir is the directory it starts in (WORKDIR; ""
	// for /).
	Env []string `json:"env,omitempty"`
	Dir string   `json:"dir,omitempty"`
}

// ContextFile is a file placed in the virtual FS before the scripts run,
// such as the build context that "ADD . /build" copies.
type ContextFile struct {
	Dest string      `json:"dest"`
	Data []byte      `json:"data,omitempty"`
	Mode fs.FileMode `json:"mode"` // includes fs.ModeDir / fs.ModeSymlink
	Link string      `json:"link,omitempty"`
	// Name is the file's name in diagnostics (e.g. script/03_ssh.sh);
	// Role, if set, makes the static checks look at it as a script.
	Name string `json:"name,omitempty"`
	Role Role   `json:"role,omitempty"`
	// Src, when set, is the host file that holds a regular file's
	// contents (Data is then nil), read only when a script reads the
	// file, and Size is its size: a large build context costs the dry run
	// nothing it does not read (ContextFileAt).
	Src  string `json:"src,omitempty"`
	Size int64  `json:"size,omitempty"`
	// src is Src opened, by the child before it gives up the filesystem
	// (openSources); nil: Src is opened when read (in this process).
	src *os.File
}

// Image is what the dry run checks at once: the scripts of one image, run
// in order against one virtual filesystem.
type Image struct {
	Name string `json:"name"`
	// Rootfs is a base image's root filesystem (an uncompressed tar or a
	// directory), used read-only as the lower layer; "" for a small
	// built-in Debian-like skeleton.
	Rootfs string `json:"rootfs,omitempty"`
	// RootfsIndex, when Rootfs is a tar, is a file where Check keeps the
	// index of its headers (made when missing, or not of this tar), so
	// that a dry run over a base it has seen reads that file, not the
	// whole tar's headers; "": the tar is indexed each time.
	RootfsIndex string `json:"rootfsIndex,omitempty"`
	// From names the image Rootfs was read from, for the report: its
	// reference and platform ("debian:bookworm, linux/amd64"); "": the
	// report names Rootfs.
	From    string        `json:"from,omitempty"`
	Files   []ContextFile `json:"files,omitempty"`
	Scripts []Script      `json:"scripts"`
	// Parent is the image this one is built FROM, when it is built by
	// scripts too: its install scripts are dry-run first (unreported), so
	// that this image starts from what they left.
	Parent *Image `json:"parent,omitempty"`
	// Root is the repository the scripts' files (Script.File) come from:
	// they are not read through links out of it (ReadFile).
	Root string `json:"root,omitempty"`
	// SeedConvention says the scripts come from a repository with the
	// seed's layout (legacy-images': images/, make/, script/), whose
	// install scripts are named 00_–99_ and run in glob order: only then
	// are the naming and order warnings given (where some script of the
	// role has an NN_ prefix). Other repositories (a bin/build repo's
	// scripts/, loose scripts) number or name their scripts their own way.
	SeedConvention bool `json:"seedConvention,omitempty"`
	// Packages is what the base's package manager can install and has
	// installed (nil: unknown; a Parent's is used when this one has none).
	Packages *Packages `json:"packages,omitempty"`
}

// Options bound a dry run.
type Options struct {
	// Timeout bounds the dry run of each script (default 10s): a script
	// that runs longer is stopped and reported failed, and the image's
	// next scripts still run.
	Timeout time.Duration `json:"timeout,omitempty"`
	// MaxSteps bounds the simple commands each script runs (default 200000).
	MaxSteps int64 `json:"maxSteps,omitempty"`
	// MaxDepth bounds nested shells (bash -c, sh file) (default 8).
	MaxDepth int `json:"maxDepth,omitempty"`
	// InProcess runs the scripts in this process. Only for trusted scripts
	// or inside the sandbox child: the interpreter's expander has no
	// cancellation and can exhaust memory or stack.
	InProcess bool `json:"-"`
	// MemoryLimit is the memory the child may use, in bytes (default 1
	// GiB); its address space is limited to 4 GiB more than that.
	MemoryLimit int64 `json:"memoryLimit,omitempty"`
	// keepHeredocs, for tests, leaves here-documents to the interpreter
	// (see inlineHeredocs).
	keepHeredocs bool
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxSteps <= 0 {
		o.MaxSteps = 200000
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = 8
	}
	if o.MemoryLimit <= 0 {
		o.MemoryLimit = 1 << 30
	}
	return o
}

// sandboxTmp is the TMPDIR the interpreter is created with. The
// interpreter sends redirections to "$TMPDIR/sh-interp-*" and its FIFOs
// straight to the host; under /dev/null nothing can ever be created, so
// those paths always fail. The script itself sees TMPDIR unset.
const sandboxTmp = "/dev/null/dmake-sandbox-tmp"

// vfsPrefix marks paths handed to the interpreter's "source" so that its
// host stat fails at once (ENOTDIR) and the open handler gets the path.
const vfsPrefix = "/dev/null/dmake-vfs"

// errBudget stops a script that ran too many commands.
var errBudget = errors.New("step budget exhausted")

// errDepth stops too deeply nested shells.
var errDepth = errors.New("shells nested too deeply")

// dryRun is the state of one image's dry run.
type dryRun struct {
	opts Options
	vfs  *VFS
	rep  *Report
	mu   sync.Mutex // guards rep and the fields below
	// helperPkgs maps packages named to the legacy helpers to the helper
	// (install_permanent or install_temporary).
	helperPkgs map[string]string
	installed  map[string]bool // packages installed so far (apt)
	// recommended are the packages of installed that apt installed with
	// their Recommends (no --no-install-recommends).
	recommended map[string]bool
	// installedGen counts the changes to installed; closure is the
	// installed packages with their dependencies at closureGen
	// (installedClosure).
	installedGen, closureGen int
	closure                  map[string]bool
	uncertain                []string // installed packages whose files are unknown
	tmpN                     int
	// destNames maps the image paths of the scripts to their names.
	destNames map[string]string
	// started says a runit script started its service.
	started atomic.Bool
	// stop cancels the running top-level script (budgets call it so that
	// pipelines and subshells end at once).
	stop context.CancelFunc
	// fromPackage maps the files package models made to the package.
	fromPackage map[string]string
	// runitLoop says the running runit script looped as a service.
	runitLoop atomic.Bool
	// accounts indexes /etc/passwd and friends.
	accounts accounts
	// h names the helpers added to the scripts' interpreters.
	h helpers
	// opaque are the directories whose contents are unknown (unknown.go).
	opaque []opaqueDir
	// pkgs is the base's package set (nil: unknown).
	pkgs *Packages
	// aptUpdated says the script ran apt-get update.
	aptUpdated bool
}

// scope is one running shell (a script, bash -c, a nested script).
type scope struct {
	d      *dryRun
	script *Script
	shell  string // "bash" or "sh"
	depth  int
	steps  *atomic.Int64
	files  []*posFile // main file first, then sourced files and evals
	funcs  map[string]bool
	// errMu orders the updates of lastErr (setLastErr).
	errMu     sync.Mutex
	mu        sync.Mutex
	last      callRec // last simple command
	lastErr   callRec // last command that failed (models)
	exitArg   *callRec
	errexit   bool
	budgetHit atomic.Bool
	// homes are the users whose ~user the environment answers.
	homes map[string]bool
	// rewritten holds sourced files served hardened, by virtual path.
	rewritten map[string][]byte
	// lineOff is added to the lines of the main file (files[0]): the
	// line its text starts after in the file it is named by (the body of
	// a here-document run by a nested shell).
	lineOff int
}

type callRec struct {
	raw  syntax.Pos // where, as the interpreter gives it (pos resolved lazily)
	pos  string
	argv []string
	code int
	msg  string
	// pending is the diagnosis of a nested shell that failed here.
	pending []Diagnostic
	// diag is the code of the diagnosis ("" for "failed").
	diag string
}

// posFile maps positions of one parsed text to its name.
type posFile struct {
	name  string
	calls map[uint]syntax.Pos // simple commands by offset; nil until hasCall
	file  *syntax.File
}

// DryRunInProcess checks one image's scripts in this process. Use Check
// for untrusted scripts: it runs them in a child process with limits.
func DryRunInProcess(ctx context.Context, img Image, opts Options) *Report {
	return dryRunImage(ctx, img, opts, nil, nil, -1)
}

// dryRunImage dry-runs img over lower (nil: open img.Rootfs), calling started
// at each script's start. When stopAt >= 0 the scripts from stopAt on are
// not run: script stopAt is reported failed (it killed an earlier sandbox
// child, see Check) and the later ones not-run.
func dryRunImage(ctx context.Context, img Image, opts Options, lower lowerFS, started func(int), stopAt int) *Report {
	rep, _ := dryRunFS(ctx, img, opts, lower, started, stopAt)
	return rep
}

// dryRunFS is dryRunImage that also returns the virtual FS the scripts left.
func dryRunFS(ctx context.Context, img Image, opts Options, lower lowerFS, started func(int), stopAt int) (*Report, *VFS) {
	opts = opts.withDefaults()
	rep := newReport(img.Name)
	for p := img.Parent; p != nil && img.Rootfs == ""; p = p.Parent {
		img.Rootfs, img.RootfsIndex = p.Rootfs, p.RootfsIndex
	}
	for p := img.Parent; p != nil && img.From == ""; p = p.Parent {
		if p.Rootfs == img.Rootfs {
			img.From = p.From
		}
	}
	if img.Parent != nil && img.From != "" {
		// Its FROM is an image of scripts too, dry-run first over the
		// image named.
		img.From = img.Parent.Name + ", dry-run over " + img.From
	}
	if lower != nil {
		rep.Base, rep.From = img.Rootfs, img.From
	} else if img.Rootfs != "" {
		l, c, err := openLower(img.Rootfs, img.RootfsIndex)
		if err != nil {
			rep.errorf("", "rootfs", "%v", err)
		} else {
			defer c.Close()
			lower = l
			rep.Base, rep.From = img.Rootfs, img.From
		}
	}
	d := &dryRun{opts: opts, vfs: newVFS(lower), rep: rep, installed: map[string]bool{}, destNames: map[string]string{}, h: newHelpers(), pkgs: img.Packages}
	for p := img.Parent; p != nil && d.pkgs == nil; p = p.Parent {
		d.pkgs = p.Packages
	}
	if d.pkgs != nil && d.pkgs.IndexFile != "" && d.pkgs.index == nil {
		// In this process (DryRunInProcess): read it here, on a copy.
		p := *d.pkgs
		d.pkgs = &p
		if err := loadIndexes([]Image{{Packages: d.pkgs}}); err != nil {
			rep.errorf("", "index", "%v", err)
		}
	}
	for i := range img.Scripts {
		if s := img.Scripts[i]; s.Dest != "" {
			d.destNames[clean("/", s.Dest)] = s.Path
		}
	}
	for _, f := range img.Files {
		if f.Name != "" {
			d.destNames[clean("/", f.Dest)] = f.Name
		}
	}
	img.Scripts = append([]Script(nil), img.Scripts...)
	for i := range img.Scripts {
		if err := loadScript(img.Root, &img.Scripts[i]); err != nil {
			rep.errorf(img.Scripts[i].Path, "read", "%v", err)
		}
	}
	if img.Parent != nil {
		d.runParent(ctx, img.Parent, 0)
		d.vfs.mu.Lock()
		d.vfs.script = ""
		d.vfs.settle()
		d.vfs.mu.Unlock()
	}
	d.seed(img.Files)
	d.staticChecks(img)
	for i := range img.Scripts {
		s := &img.Scripts[i]
		if s.Source == nil && s.File != "" {
			rep.Scripts = append(rep.Scripts, ScriptResult{Path: s.Path, Role: s.Role, Status: "not-run"})
			continue
		}
		if ctx.Err() != nil || stopAt >= 0 && i > stopAt {
			rep.Scripts = append(rep.Scripts, ScriptResult{Path: s.Path, Role: s.Role, Shell: shellOf(s), Status: "not-run"})
			continue
		}
		if i == stopAt {
			rep.Scripts = append(rep.Scripts, ScriptResult{Path: s.Path, Role: s.Role, Shell: shellOf(s), Status: "failed"})
			continue
		}
		if started != nil {
			started(i)
		}
		if len(s.Files) > 0 {
			d.seed(s.Files)
		}
		sctx, cancel := context.WithTimeout(ctx, opts.Timeout)
		d.mu.Lock()
		unknowns := len(rep.Unknowns)
		d.mu.Unlock()
		res := d.runTop(sctx, s)
		d.mu.Lock()
		if res.Status == "ok" && len(rep.Unknowns) > unknowns {
			res.Status = "unknown"
		}
		d.mu.Unlock()
		if errors.Is(sctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			res.Status = "failed"
			d.contain(s.Path, "timeout", "the dry run of %s did not end within %v and was stopped", s.Path, opts.Timeout)
			d.errorf(s.Path, "timeout", "dry run stopped after %v (the script loops or runs too long)", opts.Timeout)
		}
		cancel()
		rep.Scripts = append(rep.Scripts, res)
	}
	d.vfs.mu.Lock()
	d.vfs.script = ""
	d.vfs.mu.Unlock()
	rep.Files = d.vfs.Changes()
	for i := range rep.Files {
		rep.Files[i].Package = d.fromPackage[rep.Files[i].Path]
	}
	d.services(img)
	rep.Verdict = rep.verdict()
	return rep, d.vfs
}

// runParent dry-runs the install scripts of the images this one is built
// from, oldest first, into the VFS; their findings are reported with them,
// not here.
func (d *dryRun) runParent(ctx context.Context, p *Image, depth int) {
	if depth > 16 {
		return
	}
	if p.Parent != nil {
		d.runParent(ctx, p.Parent, depth+1)
	}
	own := d.rep
	scratch := newReport(p.Name)
	d.mu.Lock()
	d.rep = scratch
	d.mu.Unlock()
	d.seed(p.Files)
	for i := range p.Scripts {
		s := p.Scripts[i]
		if s.Role != RoleInstall || loadScript(p.Root, &s) != nil {
			continue
		}
		sctx, cancel := context.WithTimeout(ctx, d.opts.Timeout)
		d.runTop(sctx, &s)
		cancel()
	}
	d.mu.Lock()
	d.rep = own
	d.mu.Unlock()
	if !scratch.OK() {
		own.warnf("", "parent", "the dry run of %s, which this image is built from, has %d errors: what this one finds may be off", p.Name, len(scratch.Errors))
	}
}

// seed places the context files in the virtual FS; they are not changes.
func (d *dryRun) seed(files []ContextFile) {
	v := d.vfs
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, f := range files {
		p := clean("/", f.Dest)
		v.mkdirAllLocked(path.Dir(p), 0o755)
		switch {
		case f.Mode.IsDir():
			v.mkdirAllLocked(p, f.Mode.Perm())
		case f.Mode&fs.ModeSymlink != 0:
			v.symlinkLocked(p, f.Link)
		case f.Src != "":
			v.placeLocked(p, f.Src, f.src, f.Size, f.Mode.Perm())
		default:
			v.writeLocked(p, f.Data, f.Mode.Perm())
		}
	}
	// The context is no change, and its removal (rm -rf /build) none
	// either.
	if v.context == nil {
		v.context = map[string]bool{}
	}
	for p := range v.changes {
		v.context[p] = true
	}
	v.settle()
}

func shellOf(s *Script) string {
	if s.Shell != "" {
		return s.Shell
	}
	line, _, _ := bytes.Cut(s.Source, []byte("\n"))
	l := string(line)
	switch {
	case !strings.HasPrefix(l, "#!"):
		return "sh"
	case strings.Contains(l, "bash"):
		return "bash"
	}
	return "sh"
}

// runTop runs one of the image's scripts.
func (d *dryRun) runTop(ctx context.Context, s *Script) ScriptResult {
	shell := shellOf(s)
	res := ScriptResult{Path: s.Path, Role: s.Role, Shell: shell}
	if s.Dest != "" && !d.vfs.Exists(s.Dest) {
		// The script is placed where the image has it; placing it is no
		// change the script makes.
		d.vfs.place(clean("/", s.Dest), s.Source, 0o755)
	}
	d.vfs.mu.Lock()
	d.vfs.script = s.Path
	d.vfs.mu.Unlock()
	steps := new(atomic.Int64)
	d.started.Store(false)
	d.runitLoop.Store(false)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d.mu.Lock()
	d.stop = cancel
	d.mu.Unlock()
	code, ok, _ := d.runText(ctx, s, shell, s.Source, s.Path, 0, nil, 0, steps, true)
	if ok && s.Role == RoleRunit && !d.started.Load() && ctx.Err() == nil {
		d.warnf(s.Path, "runit-exits", "the run script starts no known service in the foreground; if it returns, runit restarts it in a loop")
	}
	if d.runitLoop.Load() {
		ok, code = true, 0
	}
	res.Steps = int(steps.Load())
	res.Exit = code
	switch {
	case !ok:
		res.Status = "failed"
	case code != 0:
		res.Status = "failed"
	default:
		res.Status = "ok"
	}
	return res
}

// parse parses a script as the shell that runs it would, reporting syntax
// errors and bash-only syntax under sh.
func (d *dryRun) parse(src []byte, name, shell string, report bool) (*syntax.File, bool) {
	if shell == "sh" {
		f, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(bytes.NewReader(src), name)
		if err == nil {
			if d.posixChecks(f, name, report) {
				// The POSIX parser leaves export, readonly and local
				// plain commands, which the interpreter runs only as
				// declarations (it answers "export: unsupported
				// builtin"): run the bash parse, which has them so.
				if fb, errb := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(bytes.NewReader(src), name); errb == nil {
					return fb, true
				}
			}
			return f, true
		}
		fb, errb := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(bytes.NewReader(src), name)
		if errb == nil {
			if report {
				pos, msg := splitErr(err, name)
				d.warnf(pos, "bash-only", "bash-only syntax, but the script runs under /bin/sh: %s", msg)
			}
			return fb, true
		}
		err = errb
		if report {
			pos, msg := splitErr(err, name)
			d.errorf(pos, "syntax", "%s%s", msg, bashWording(msg))
		}
		return nil, false
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(bytes.NewReader(src), name)
	if err != nil {
		if report {
			pos, msg := splitErr(err, name)
			d.errorf(pos, "syntax", "%s%s", msg, bashWording(msg))
		}
		return nil, false
	}
	return f, true
}

// bashCommands are bash builtins that dash, Debian's /bin/sh, lacks.
var bashCommands = map[string]string{
	"[[": "[[ ]]", "source": "source (use .)", "declare": "declare", "typeset": "typeset", "shopt": "shopt",
	"pushd": "pushd", "popd": "popd", "let": "let", "mapfile": "mapfile", "readarray": "readarray",
}

// posixChecks finds bash-only commands in a script parsed as POSIX (the
// parser takes them for ordinary command names), reporting them if
// report is set. It returns whether the script has declaration builtins
// (export, readonly, local), which the POSIX parser also leaves plain
// commands.
func (d *dryRun) posixChecks(f *syntax.File, name string, report bool) (decl bool) {
	syntax.Walk(f, func(n syntax.Node) bool {
		c, ok := n.(*syntax.CallExpr)
		if !ok || len(c.Args) == 0 {
			return true
		}
		w := c.Args[0].Lit()
		if w == "export" || w == "readonly" || w == "local" {
			decl = true
		}
		if !report {
			return true
		}
		pos := fmt.Sprintf("%s:%d:%d", name, c.Args[0].Pos().Line(), c.Args[0].Pos().Col())
		if what, ok := bashCommands[w]; ok {
			d.warnf(pos, "bash-only", "%s is bash-only, but the script runs under /bin/sh (dash)", what)
		}
		if w == "[" || w == "test" {
			for _, a := range c.Args[1:] {
				if a.Lit() == "==" {
					d.warnf(pos, "bash-only", "'==' in [ ] is bash-only; /bin/sh (dash) fails with 'unexpected operator'")
				}
			}
		}
		return true
	})
	return decl
}

// splitErr splits a parse error into its position and its message.
func splitErr(err error, name string) (string, string) {
	var pe syntax.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%s:%d:%d", name, pe.Pos.Line(), pe.Pos.Col()), pe.Text
	}
	var le syntax.LangError
	if errors.As(err, &le) {
		msg := strings.TrimPrefix(le.Error(), fmt.Sprintf("%s:%s: ", name, le.Pos))
		return fmt.Sprintf("%s:%d:%d", name, le.Pos.Line(), le.Pos.Col()), msg
	}
	return name, err.Error()
}

// bashWording adds what bash says for the common unterminated constructs.
func bashWording(msg string) string {
	if strings.Contains(msg, "must be followed by") || strings.Contains(msg, "must end with") || strings.Contains(msg, "without matching") || strings.Contains(msg, "reached EOF") {
		return " (bash: syntax error: unexpected end of file)"
	}
	return ""
}

func (d *dryRun) warnf(pos, code, format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.rep.warnf(pos, code, format, args...)
}

func (d *dryRun) errorf(pos, code, format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.rep.errorf(pos, code, format, args...)
}

// unknownf reports an outcome the dry run cannot tell (Report.Unknowns).
func (d *dryRun) unknownf(pos, code, format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.rep.unknownf(pos, code, format, args...)
}

func (d *dryRun) contain(pos, what, format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.rep.contain(pos, what, format, args...)
}

// maxCommands is how many commands a report records.
const maxCommands = 20000

func (d *dryRun) record(c Command) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.rep.Commands) < maxCommands {
		d.rep.Commands = append(d.rep.Commands, c)
	}
}

// runText parses and runs src as a script of s; top says it is the
// image's script itself (rather than bash -c or a nested file). name is
// the file src comes from and lineOff the line it starts after there (a
// here-document's body), for positions. It returns the exit status and
// whether it ran at all.
func (d *dryRun) runText(ctx context.Context, s *Script, shell string, src []byte, name string, lineOff int, params []string, depth int, steps *atomic.Int64, top bool) (int, bool, []Diagnostic) {
	if depth > d.opts.MaxDepth {
		d.contain(name, "depth", "shells nested more than %d deep were not run", d.opts.MaxDepth)
		return 2, false, nil
	}
	f, ok := d.parse(src, name, shell, true)
	if !ok {
		return 2, false, nil
	}
	sc := &scope{d: d, script: s, shell: shell, depth: depth, steps: steps, funcs: map[string]bool{}, lineOff: lineOff}
	homes := map[string]bool{}
	if hz := harden(f, &d.h, true, sc.funcs, homes, false); len(hz) > 0 {
		for _, h := range hz {
			d.contain(fmt.Sprintf("%s:%s", name, h.pos), h.what, "%s", h.msg)
			if h.fatal {
				d.errorf(fmt.Sprintf("%s:%s", name, h.pos), h.what, "%s", h.msg)
			}
		}
		for _, h := range hz {
			if h.fatal {
				return 2, false, nil
			}
		}
	}
	if !d.opts.keepHeredocs {
		inlineHeredocs(f, sc.funcs, &d.h)
	}
	sc.files = append(sc.files, indexFile(f, name))
	sc.homes = homes
	d.devNetRedirects(f, name)
	var stderr boundedBuffer
	stderr.max = 64 << 10
	r, err := interp.New(
		interp.Env(d.environ(homes, scriptEnv(s))),
		func(r *interp.Runner) error {
			r.Dir = "/"
			if top && s != nil && s.Dir != "" {
				r.Dir = clean("/", s.Dir)
				d.vfs.Mkdir(r.Dir, 0o755, true)
			}
			return nil
		},
		interp.StdIO(nil, io.Discard, &stderr),
		interp.Params(append([]string{"--"}, params...)...),
		interp.CallHandler(sc.call),
		interp.ExecHandlers(func(interp.ExecHandlerFunc) interp.ExecHandlerFunc { return sc.exec }),
		interp.OpenHandler(sc.open),
		interp.StatHandler(sc.stat),
		interp.AccessHandler(sc.access),
		interp.ReadDirHandler2(sc.readDir),
	)
	if err != nil {
		d.errorf(name, "internal", "cannot set up the interpreter: %v", err)
		return 2, false, nil
	}
	return sc.runFile(ctx, r, f, name, &stderr, top)
}

// runFile runs a parsed file in r and reports how it ended.
//
// The diagnosis of a failure is reported at once for the image's own
// scripts; a nested shell returns it to its caller, which reports it only
// if it fails at that call in turn (port-pids || true is no error).
func (sc *scope) runFile(ctx context.Context, r *interp.Runner, f *syntax.File, name string, stderr *boundedBuffer, top bool) (int, bool, []Diagnostic) {
	d := sc.d
	var out []Diagnostic
	emit := func(pos, code, format string, args ...any) {
		out = append(out, Diagnostic{Pos: pos, Code: code, Msg: fmt.Sprintf(format, args...)})
	}
	defer func() {
		if top {
			for _, e := range out {
				d.errorf(e.Pos, e.Code, "%s", e.Msg)
			}
		}
	}()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.Reset()
	// One Run, not two: each Run ends by copying every variable.
	run := &syntax.File{Name: f.Name, Stmts: make([]*syntax.Stmt, 0, len(f.Stmts)+1)}
	run.Stmts = append(append(run.Stmts, unsetTMPDIR().Stmts...), f.Stmts...)
	err := r.Run(ctx, run)
	code := 0
	var es interp.ExitStatus
	switch {
	case err == nil:
	case errors.As(err, &es):
		code = int(es)
	case errors.Is(err, errBudget):
		return 124, false, nil
	case errors.Is(err, errDepth):
		return 124, false, nil
	case ctx.Err() != nil:
		return 124, false, nil
	default:
		code = 1
		sc.mu.Lock()
		raw := sc.last.raw
		sc.mu.Unlock()
		pos := sc.where(raw)
		emit(pos, "runtime", "%v", err)
	}
	if code == 0 {
		return 0, true, nil
	}
	sc.mu.Lock()
	last, lastErr, exitArg := sc.last, sc.lastErr, sc.exitArg
	errexit := sc.errexit
	sc.mu.Unlock()
	if last.pos == "" && last.raw.IsValid() {
		last.pos = sc.where(last.raw)
	}
	msg := strings.TrimSpace(stderr.String())
	if i := strings.LastIndex(msg, "\n"); i >= 0 {
		msg = msg[i+1:]
	}
	if d.hasErrorAt(last.pos) {
		return code, true, nil
	}
	if lastErr.pos != "" && lastErr.pos != last.pos && lastErr.code == code && sc.inOnePipeline(last.pos, lastErr.pos) {
		// The commands of a pipeline run at once: the last one started
		// need not be the one whose status the pipeline has.
		last = lastErr
	}
	if lastErr.pos != "" && lastErr.pos == last.pos {
		out = append(out, lastErr.pending...)
	}
	where := "the script"
	switch {
	case !top && sc.lineOff > 0:
		where = "the shell reading the here-document"
	case !top:
		where = name
	}
	switch {
	case strings.HasSuffix(msg, ": unbound variable"):
		v := strings.TrimSuffix(msg, ": unbound variable")
		pos := sc.unsetPos(v, last.pos)
		emit(pos, "unset-variable", "%s: unbound variable (set -u stops %s here)", v, where)
	case exitArg != nil && exitArg.pos == last.pos:
		emit(exitArg.pos, "exit", "%s exits with status %d", where, code)
	case lastErr.pos != "" && lastErr.pos == last.pos && lastErr.diag != "":
		// A command not found, a package apt cannot install…: a
		// warning while the script went on, the error where it ends.
		if w := d.warningAt(last.pos, lastErr.diag); w != "" {
			if errexit {
				emit(last.pos, lastErr.diag, "%s; set -e stops %s here", w, where)
			} else {
				emit(last.pos, lastErr.diag, "%s; %s ends with it", w, where)
			}
			break
		}
		fallthrough
	case lastErr.pos != "" && lastErr.pos == last.pos:
		detail := ""
		if lastErr.msg != "" {
			detail = ": " + lastErr.msg
		}
		if errexit {
			emit(last.pos, "failed", "%s failed with status %d%s; set -e stops %s here", shellQuote(last.argv), lastErr.code, detail, where)
		} else {
			emit(last.pos, "failed", "%s failed with status %d%s; %s ends with it", shellQuote(last.argv), lastErr.code, detail, where)
		}
	case errexit && len(last.argv) > 0 && (last.argv[0] == "set" || last.argv[0] == "unset") && sc.testAfter(last.pos) != "":
		// set and unset do not fail: a test or arithmetic command after
		// them, which the call handler never sees, did.
		pos := sc.testAfter(last.pos)
		emit(pos, "failed", "the test failed with status %d; set -e stops %s here", code, where)
	case last.pos != "":
		detail := ""
		if msg != "" {
			detail = " (" + msg + ")"
		}
		if errexit {
			emit(last.pos, "failed", "%s failed with status %d%s; set -e stops %s here", shellQuote(last.argv), code, detail, where)
		} else {
			emit(last.pos, "failed", "%s ends with status %d: %s failed%s", where, code, shellQuote(last.argv), detail)
		}
	default:
		emit(name, "failed", "%s ends with status %d %s", where, code, msg)
	}
	if !top {
		return code, true, out
	}
	return code, true, nil
}

// inOnePipeline says whether positions a and b (file:line:col) are
// commands of one pipeline.
func (sc *scope) inOnePipeline(a, b string) bool {
	fa, la, ca := splitPos(a)
	fb, lb, cb := splitPos(b)
	if fa != fb {
		return false
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for i, pf := range sc.files {
		if pf.name != fa {
			continue
		}
		off := 0
		if i == 0 {
			off = sc.lineOff
		}
		within := func(n syntax.Node, l, c int) bool {
			s, e := n.Pos(), n.End()
			l -= off
			after := l > int(s.Line()) || l == int(s.Line()) && c >= int(s.Col())
			before := l < int(e.Line()) || l == int(e.Line()) && c < int(e.Col())
			return after && before
		}
		found := false
		syntax.Walk(pf.file, func(n syntax.Node) bool {
			if found {
				return false
			}
			if bc, ok := n.(*syntax.BinaryCmd); ok && (bc.Op == syntax.Pipe || bc.Op == syntax.PipeAll) && within(bc, la, ca) && within(bc, lb, cb) {
				found = true
			}
			return true
		})
		if found {
			return true
		}
	}
	return false
}

// unsetTMPDIR is the statement that hides the runner's TMPDIR from the
// script, run before its first (parsed once; the interpreter does not
// modify it).
var unsetTMPDIR = sync.OnceValue(func() *syntax.File {
	f, err := syntax.NewParser().Parse(strings.NewReader("unset TMPDIR"), "")
	if err != nil {
		panic(err)
	}
	return f
})

// testAfter finds the first [[ ]], (( )) or let statement of the main file
// after pos (its file:line:col), or "".
func (sc *scope) testAfter(pos string) string {
	if len(sc.files) == 0 {
		return ""
	}
	name, al, ac := splitPos(pos)
	al -= sc.lineOff
	if name != sc.files[0].name {
		al, ac = 0, 0
	}
	pf := sc.files[0]
	found := ""
	syntax.Walk(pf.file, func(n syntax.Node) bool {
		if found != "" {
			return false
		}
		st, ok := n.(*syntax.Stmt)
		if !ok {
			return true
		}
		switch st.Cmd.(type) {
		case *syntax.TestClause, *syntax.ArithmCmd, *syntax.LetClause:
			l, c := int(st.Pos().Line()), int(st.Pos().Col())
			if l > al || l == al && c > ac {
				found = fmt.Sprintf("%s:%d:%d", pf.name, l+sc.lineOff, c)
			}
		}
		return true
	})
	return found
}

// warningAt returns the message of the warning of code at pos, and drops
// the warning (an error at pos replaces it); "" if there is none.
func (d *dryRun) warningAt(pos, code string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, w := range d.rep.Warnings {
		if w.Pos == pos && w.Code == code {
			d.rep.Warnings = append(d.rep.Warnings[:i], d.rep.Warnings[i+1:]...)
			return w.Msg
		}
	}
	return ""
}

// hasErrorAt says whether an error was already reported at pos.
func (d *dryRun) hasErrorAt(pos string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, e := range d.rep.Errors {
		if e.Pos == pos {
			return true
		}
	}
	return false
}

// unsetPos finds where variable v is expanded without a default, at or
// after the last command run.
func (sc *scope) unsetPos(v, after string) string {
	_, al, ac := splitPos(after)
	var best, first string
	for _, pf := range sc.files {
		syntax.Walk(pf.file, func(n syntax.Node) bool {
			pe, ok := n.(*syntax.ParamExp)
			if !ok || pe.Param == nil || pe.Param.Value != v {
				return true
			}
			if pe.Exp != nil {
				return true
			}
			p := fmt.Sprintf("%s:%d:%d", pf.name, pe.Pos().Line(), pe.Pos().Col())
			if first == "" {
				first = p
			}
			l, c := int(pe.Pos().Line()), int(pe.Pos().Col())
			if best == "" && (l > al || l == al && c >= ac) {
				best = p
			}
			return true
		})
		if best != "" {
			return best
		}
	}
	if first != "" {
		return first
	}
	return after
}

// environ is the synthetic environment of the image's build: root in a
// Debian container, nothing from the host.
func (d *dryRun) environ(homes map[string]bool, extra []string) expand.Environ {
	env := []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=/root", "USER=root", "LOGNAME=root", "HOSTNAME=" + containerHostname, "SHELL=/bin/bash",
		"UID=0", "EUID=0", "GID=0", "PWD=/", "TMPDIR=" + sandboxTmp,
		"HOME root=/root", d.h.pid + "=4242", d.h.ppid + "=1",
	}
	for u := range homes {
		if u == "root" || u == "" {
			continue
		}
		env = append(env, "HOME "+u+"="+d.homeOf(u))
	}
	for _, e := range extra {
		if k, _, ok := strings.Cut(e, "="); ok && syntax.ValidName(k) && k != "TMPDIR" {
			env = append(env, e)
		}
	}
	return expand.ListEnviron(env...)
}

// scriptEnv is the environment s adds (none for no script).
func scriptEnv(s *Script) []string {
	if s == nil {
		return nil
	}
	return s.Env
}

// homeOf looks a user's home up in the virtual /etc/passwd.
func (d *dryRun) homeOf(user string) string {
	b, err := d.vfs.ReadFile("/etc/passwd")
	if err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Split(line, ":")
			if len(f) >= 6 && f[0] == user {
				return f[5]
			}
		}
	}
	return "/home/" + user
}

// indexFile makes the posFile of f; the positions of its simple commands
// are indexed on first use (most scripts enter no second file, and then
// where needs no index).
func indexFile(f *syntax.File, name string) *posFile {
	return &posFile{name: name, file: f}
}

// hasCall says whether a simple command of the file starts at p (its
// offset, line and column: two files may have commands at one offset).
// The caller holds the scope's lock.
func (pf *posFile) hasCall(p syntax.Pos) bool {
	if pf.calls == nil {
		pf.calls = map[uint]syntax.Pos{}
		syntax.Walk(pf.file, func(n syntax.Node) bool {
			if c, ok := n.(*syntax.CallExpr); ok && len(c.Args) > 0 {
				pf.calls[c.Args[0].Pos().Offset()] = c.Args[0].Pos()
			}
			return true
		})
	}
	q, ok := pf.calls[p.Offset()]
	return ok && q.Line() == p.Line() && q.Col() == p.Col()
}

// where names a position the interpreter reports (which carries no file
// name): the last entered file that has a command there, else the main
// file.
func (sc *scope) where(p syntax.Pos) string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	name := ""
	line := uint64(p.Line()) + uint64(sc.lineOff)
	if len(sc.files) > 0 {
		name = sc.files[0].name
	}
	for i := len(sc.files) - 1; i > 0; i-- {
		if sc.files[i].hasCall(p) {
			name, line = sc.files[i].name, uint64(p.Line())
			break
		}
	}
	return name + ":" + strconv.FormatUint(line, 10) + ":" + strconv.FormatUint(uint64(p.Col()), 10)
}

// boundedBuffer keeps the first max bytes written to it.
type boundedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); room > 0 {
		if len(p) > room {
			b.buf.Write(p[:room])
		} else {
			b.buf.Write(p)
		}
	}
	return len(p), nil
}

func (b *boundedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func shellQuote(argv []string) string {
	var sb strings.Builder
	for i, a := range argv {
		if i > 0 {
			sb.WriteByte(' ')
		}
		if a != "" && !strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~") {
			sb.WriteString(a)
			continue
		}
		sb.WriteString(strconv.Quote(a))
	}
	if sb.Len() > 200 {
		return sb.String()[:200] + "…"
	}
	return sb.String()
}
