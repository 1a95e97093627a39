// Package sandbox dry-runs the install, boot and runit scripts of Docker
// images through mvdan.cc/sh/v3 (v3.14.1) against a virtual filesystem, and
// reports what a build would do: commands with their expanded argv and
// position, packages installed and removed (build-only ones marked),
// files created, changed and removed, runit services, network fetches,
// warnings and errors, each at file:line:col.
//
// # Use
//
// An Image is an ordered list of Scripts (path, role, how it is run) with
// optional context files (what "ADD . /build" copies), an optional base
// rootfs (a tar or directory, read-only lower layer; see package rootfs)
// and an optional Parent image built by scripts too. Check runs images in
// a sandbox child and returns one Report each; LooseImage and
// BuildDirImage build Images from loose files and from a legacy build
// directory. Reports print as text (Report.WriteText) and JSON (WriteJSON,
// schema in testdata/report.schema.json).
//
// # The sandbox
//
// The dry run must not change the host or hang dmake whatever a script
// does. Every handler of the interpreter answers from the virtual FS and
// the command models, and none falls back to a default: ExecHandlers (a
// middleware that never calls the next handler), CallHandler (step, depth
// and fork budgets; rewrites of the builtins that would touch the host),
// OpenHandler, StatHandler, AccessHandler and ReadDirHandler2. The
// environment is synthetic (PATH, HOME, USER, UID, EUID, GID, "HOME user"
// for every ~user, no host variable), stdin is never given, and each
// script has a deadline (a script past it is failed; the next ones run).
//
// What v3.14.1 does outside the handlers, and how it is closed:
//   - redirections to $TMPDIR/sh-interp-* go to os.OpenFile: the runner's
//     TMPDIR is under /dev/null, where no path can exist (the script sees
//     TMPDIR unset);
//   - process substitution makes a FIFO on the host: replaced in the syntax
//     tree by /dev/null before running (eval, trap and sourced text are
//     hardened the same way, or refused);
//   - command -v, type, which, source and pwd -P look at the host: rewritten
//     to answer from the virtual FS (source gets a /dev/null/… path whose
//     host stat fails at once), also behind "builtin", "command --" and
//     "command -p", whose prefix the rewrite keeps (so "builtin pwd" in a
//     function pwd is no recursion); TestNoHostAccess checks under strace
//     that the child names no host path once it runs scripts;
//   - ~user looks host users up: the names are found in the syntax tree and
//     answered by the environment from the virtual /etc/passwd;
//   - $$ and $PPID show host pids: renamed to synthetic variables;
//   - background jobs outlive Run: run in the foreground;
//   - unsupported builtins (umask, ulimit, kill…) are answered by models;
//     trap keeps the EXIT and ERR handlers only;
//   - the expander and parser cannot be cancelled (${x//0/$x}, deeply
//     nested parentheses): Check re-executes this binary (ChildEnv; its
//     main calls Init, the child's entry point) and
//     runs the scripts there under RLIMIT_AS, RLIMIT_FSIZE=0, a Go stack
//     limit and a memory watchdog; the child also gets its own network,
//     pid, mount, IPC and UTS namespaces (not as root, inside a user
//     namespace; where allowed: so ${!x} with x='$' or PPID shows 1 or 0,
//     never a host pid), and as root chroots into an empty directory and
//     becomes nobody. A child that dies loses nothing: the image whose
//     script killed it is run again in a fresh child up to that script,
//     which is reported failed with what was contained (the later ones
//     not-run), and the other images in flight run again too.
//
// testdata/shellrun/hostile holds a hostile corpus; TestHostileInContainer
// runs it in a throwaway container and checks the host unchanged and
// docker diff empty.
//
// # Speed
//
// bench/shellrun.sh dry-runs 1000 generated install scripts as two
// loose-script checks at once. What it taught:
//   - the child tells the parent which script runs through a shared memory
//     page (progress.go), not an event per script, and its reports go in a
//     compact encoding (wire.go);
//   - a child with one image runs on one thread; it collects garbage only
//     near its memory limit, and asks for huge pages for its heap (page
//     faults were a fifth of its CPU);
//   - here-documents to external commands are passed to the command model
//     as an argument instead of an os.Pipe and a goroutine (heredoc.go);
//   - each script is one interpreter Run.
//
// For profiles, DMAKE_CPUPROFILE (cmd/dmake) profiles dmake and
// DMAKE_SANDBOX_CPUPROFILE the sandbox child.
package sandbox
