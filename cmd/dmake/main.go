// Command dmake builds Docker images from legacy Makefile repositories, and
// is a GNU make compatible make for everything else.
//
// Every positional word is a make goal or a VAR=value assignment, so dmake
// has no subcommands: modes are long options (--watch, --graph, --check) and
// the legacy bin/ utilities are "dmake --util NAME ARGS…", or dmake invoked
// through a link named like the utility.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"

	"github.com/dmake-dev/dmake/driver"
	"github.com/dmake-dev/dmake/internal/interrupt"
	"github.com/dmake-dev/dmake/internal/makeargs"
	"github.com/dmake-dev/dmake/legacyutil"
	"github.com/dmake-dev/dmake/loadcache"
	"github.com/dmake-dev/dmake/makefile"
	"github.com/dmake-dev/dmake/shellrun/sandbox"
	"github.com/spf13/pflag"
)

func main() {
	// Re-executed by --check as the sandbox child, dmake runs that and
	// exits here.
	sandbox.Init()
	// SIGHUP, SIGINT, SIGTERM and SIGALRM end dmake as they end make:
	// recipes stopped, their targets deleted, then death by the signal.
	ctx, caught, stop := interrupt.Notify(context.Background())
	stdio := legacyutil.Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}
	stopProfile := startProfile(os.Getenv("DMAKE_CPUPROFILE"))
	lazyGC(os.Getenv)
	st := run(ctx, os.Args, stdio, utilities)
	stopProfile()
	writeHeapProfile(os.Getenv("DMAKE_MEMPROFILE"))
	stop()
	interrupt.Exit(st, caught())
}

// startProfile writes a CPU profile of the run to path when it is not
// empty (DMAKE_CPUPROFILE, for developers: go tool pprof reads it), and
// returns the function that ends it.
func startProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "dmake: DMAKE_CPUPROFILE: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "dmake: DMAKE_CPUPROFILE: %v\n", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// writeHeapProfile writes a heap profile of the run (what was allocated,
// and what is still in use at the end) to path when it is not empty
// (DMAKE_MEMPROFILE, for developers: go tool pprof -sample_index=alloc_space
// or inuse_space reads it).
func writeHeapProfile(path string) {
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("heap").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "dmake: DMAKE_MEMPROFILE: %v\n", err)
	}
}

// utilities returns the built-in legacy utilities. build and make run
// dmake itself in the image's directory, as the legacy scripts ran make,
// with the dmake flags pre (given before --util) in front of their own.
func utilities(pre ...string) legacyutil.Set {
	return legacyutil.New(legacyutil.Hooks{Make: func(ctx context.Context, stdio legacyutil.Stdio, req legacyutil.MakeRequest) int {
		flags, _, _, err := makeargs.Normalize(append(slices.Clip(pre), req.Args...))
		if err != nil {
			fmt.Fprintf(stdio.Err, "dmake: %v\n", err)
			return 2
		}
		opts, _, err := parseFlags(flags)
		if err != nil {
			fmt.Fprintf(stdio.Err, "dmake: %v\n", err)
			return 2
		}
		opts.Dir = []string{req.Dir}
		opts.DockerHome = req.Home
		return driver.Run(ctx, opts, stdio)
	}})
}

// run is dmake's whole command line: it returns the exit status. utilities
// returns the legacy utilities, lending build and make the flags given
// before --util.
func run(ctx context.Context, argv []string, stdio legacyutil.Stdio, utilities func(pre ...string) legacyutil.Set) int {
	utils := utilities()
	prog := filepath.Base(argv[0])
	if u, ok := utils.Lookup(prog); ok && prog != "dmake" && (prog != "make" || inRepoBin(argv[0])) {
		return u.Main(ctx, stdio, argv[1:])
	}
	flagArgs, utilName, utilArgs, err := makeargs.Normalize(argv[1:])
	if err != nil {
		fmt.Fprintf(stdio.Err, "dmake: %v\nTry 'dmake --help' for more information.\n", err)
		return 2
	}
	if utilName != "" {
		u, ok := utils.Lookup(utilName)
		if !ok {
			fmt.Fprintf(stdio.Err, "dmake: unknown utility %q; the utilities are: %s\n", utilName, strings.Join(utils.Names(), ", "))
			return 2
		}
		if len(flagArgs) > 0 {
			if err := preUtilFlags(flagArgs, utilName); err != nil {
				fmt.Fprintf(stdio.Err, "dmake: %s\nTry 'dmake --help' for more information.\n", flagError(err))
				return 2
			}
			u, _ = utilities(flagArgs...).Lookup(utilName)
		}
		return u.Main(ctx, stdio, utilArgs)
	}
	opts, fs, err := parseFlags(flagArgs)
	if errors.Is(err, pflag.ErrHelp) {
		usage(stdio.Out, fs, utils)
		return 0
	}
	var stop *driver.StopError
	if errors.As(err, &stop) {
		fmt.Fprintf(stdio.Err, "dmake: *** %s.  Stop.\n", stop.Msg)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stdio.Err, "dmake: %s\nTry 'dmake --help' for more information.\n", flagError(err))
		return 2
	}
	if v, _ := fs.GetBool("version"); v {
		// As make's close_stdout: output that could not be written
		// (a full disk, /dev/full) is an error.
		var b bytes.Buffer
		printVersion(ctx, &b)
		if _, err := stdio.Out.Write(b.Bytes()); err != nil {
			fmt.Fprintln(stdio.Err, "dmake: write error: stdout")
			return 1
		}
		return 0
	}
	if sh, _ := fs.GetString("completion"); sh != "" {
		if err := writeCompletion(stdio.Out, sh, fs, utils.Names()); err != nil {
			fmt.Fprintf(stdio.Err, "dmake: %v\nTry 'dmake --help' for more information.\n", err)
			return 2
		}
		return 0
	}
	if m, _ := fs.GetBool("man"); m {
		writeMan(stdio.Out, fs, utils)
		return 0
	}
	if c, _ := fs.GetBool("clean-cache"); c {
		if err := cleanCaches(stdio.Out, os.Getenv); err != nil {
			fmt.Fprintf(stdio.Err, "dmake: --clean-cache: %v\n", err)
			return 1
		}
		return 0
	}
	opts.Argv = argv
	return driver.Run(ctx, opts, stdio)
}

// preUtilFlags checks the normalised flags given before --util NAME: build
// and make run dmake's make and honour them; every other utility has flags
// of its own only, so dmake refuses rather than ignore them. Goals and
// assignments belong after the utility's name.
func preUtilFlags(flags []string, name string) error {
	for _, f := range flags {
		if !strings.HasPrefix(f, "-") {
			return fmt.Errorf("%q before --util %s: give the utility's arguments after its name (dmake --util %s ... %s)", f, name, name, f)
		}
	}
	if name != "build" && name != "make" {
		return fmt.Errorf("%s before --util %s: only the build and make utilities take dmake's flags; %s has its own, after its name (dmake --util %s --help)", strings.Join(flags, " "), name, name, name)
	}
	opts, _, err := parseFlags(flags)
	if err != nil {
		return err
	}
	if opts.Watch || opts.Graph != "" || opts.Check || opts.CheckScripts {
		return fmt.Errorf("%s before --util %s: the modes --watch, --graph and --check apply to image goals (dmake --check IMAGE), not to the build and make utilities", strings.Join(flags, " "), name)
	}
	return nil
}

// inRepoBin reports whether argv0, a link named make, lives in the bin/ of
// a legacy repository (beside images/): there it is the legacy bin/make
// utility; anywhere else a link named make is GNU make.
func inRepoBin(argv0 string) bool {
	p := argv0
	if !strings.ContainsRune(p, filepath.Separator) {
		lp, err := exec.LookPath(p)
		if err != nil {
			return false
		}
		p = lp
	}
	p, err := filepath.Abs(p)
	if err != nil || filepath.Base(filepath.Dir(p)) != "bin" {
		return false
	}
	fi, err := os.Stat(filepath.Join(filepath.Dir(filepath.Dir(p)), "images"))
	return err == nil && fi.IsDir()
}

// parseFlags parses normalised arguments into driver options.
func parseFlags(args []string) (driver.Options, *pflag.FlagSet, error) {
	var o driver.Options
	fs := pflag.NewFlagSet("dmake", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false

	fs.StringArrayVarP(&o.Dir, "directory", "C", nil, "change to `DIR` before doing anything")
	fs.StringArrayVarP(&o.Makefiles, "file", "f", nil, "read `FILE` as a makefile")
	fs.StringArrayVarP(&o.IncludeDirs, "include-dir", "I", nil, "search `DIR` for included makefiles")
	fs.BoolVarP(&o.DryRun, "dry-run", "n", false, "print the recipes without running them")
	fs.VarP(jobsValue{&o.Jobs}, "jobs", "j", "run `N` jobs at once (no N: no limit); at a repository root, N images")
	fs.Lookup("jobs").NoOptDefVal = unlimitedJobs
	fs.BoolVarP(&o.KeepGoing, "keep-going", "k", false, "keep going when some targets can't be made")
	noKeepGoing := fs.BoolP("no-keep-going", "S", false, "turn off -k")
	fs.BoolVarP(&o.AlwaysMake, "always-make", "B", false, "unconditionally make all targets")
	fs.BoolVarP(&o.Silent, "silent", "s", false, "don't echo recipes")
	fs.Var(noSilentValue{&o.Silent}, "no-silent", "echo recipes (turns off an earlier -s)")
	fs.Lookup("no-silent").NoOptDefVal = "true"
	fs.BoolVarP(&o.Question, "question", "q", false, "run no recipe; exit status says if up to date")
	fs.BoolVarP(&o.IgnoreErrors, "ignore-errors", "i", false, "ignore errors from recipes")
	fs.BoolVarP(&o.EnvOverrides, "environment-overrides", "e", false, "environment variables override makefiles")
	fs.BoolVarP(&o.Touch, "touch", "t", false, "touch targets instead of remaking them")
	fs.BoolVarP(&o.PrintDatabase, "print-data-base", "p", false, "print make's internal database")
	fs.BoolVarP(&o.NoBuiltinRules, "no-builtin-rules", "r", false, "disable the built-in implicit rules")
	fs.BoolVarP(&o.NoBuiltinVars, "no-builtin-variables", "R", false, "disable the built-in variable settings")
	fs.StringVarP(&o.OutputSync, "output-sync", "O", "", "synchronise output of parallel jobs by `TYPE` (none|line|target|recurse)")
	fs.Lookup("output-sync").NoOptDefVal = "target"
	fs.StringArrayVarP(&o.WhatIf, "what-if", "W", nil, "consider `FILE` infinitely new")
	fs.StringArrayVarP(&o.OldFiles, "old-file", "o", nil, "consider `FILE` very old and don't remake it")
	fs.BoolVarP(&o.PrintDirectory, "print-directory", "w", false, "print the current directory")
	fs.BoolVar(&o.NoPrintDirectory, "no-print-directory", false, "turn off -w")
	fs.StringArrayVarP(&o.Eval, "eval", "E", nil, "evaluate `STRING` as a makefile statement before reading the makefiles")
	fs.StringVarP(&o.LoadAverage, "load-average", "l", "", "don't start a job while others run and the load average is `N` or more")
	fs.Lookup("load-average").NoOptDefVal = noLoadLimit
	fs.BoolVarP(&o.CheckSymlinks, "check-symlink-times", "L", false, "use the later time of a symbolic link and its target")
	fs.BoolVar(&o.Trace, "trace", false, "say why each target is remade, and echo every recipe line")
	fs.BoolVar(&o.WarnUndefined, "warn-undefined-variables", false, "warn when an undefined variable is referenced")
	fs.StringVar(&o.DebugFlags, "debug", "", "make's debugging `FLAGS` (a, b, v, i, j, m, n): passed on to sub-makes in MAKEFLAGS; dmake prints b, v and m (not i, j)")
	fs.Lookup("debug").NoOptDefVal = "b"
	fs.BoolVarP(&o.Debug, "debug-all", "d", false, "--debug=a (dmake prints b, v and m of it)")

	fs.BoolVar(&o.Watch, "watch", false, "watch every input and rebuild what a change affects")
	fs.StringVar(&o.WatchPolicy, "watch-policy", "cancel", "what a change during a build does (`POLICY`: cancel it, or finish it and build again)")
	fs.DurationVar(&o.Debounce, "debounce", driver.DefaultDebounce, "wait `DURATION` after the last change before rebuilding")
	fs.StringVar(&o.Graph, "graph", "", "print the image and target graph as `FORMAT` (dot|json|mermaid) and exit")
	fs.Lookup("graph").NoOptDefVal = "dot"
	fs.BoolVar(&o.Check, "check", false, "dry-run the goals' install, boot and runit scripts (a plain Makefile's: the RUN lines of its docker builds) in a sandbox and report")
	fs.BoolVar(&o.CheckScripts, "check-scripts", false, "dry-run the script files named as arguments, in order")
	fs.StringVar(&o.CheckFrom, "check-from", "", "--check-scripts: dry-run the scripts over the files and packages of the local `IMAGE`")
	fs.StringVar(&o.CheckReport, "check-report", "", "write the check report as JSON (or --check-format) to `FILE`")
	fs.StringVar(&o.CheckFormat, "check-format", "", "write --check-report as `FORMAT`: json (the default) or sarif (SARIF 2.1.0, for code-scanning tools)")
	fs.BoolVar(&o.NoCheck, "no-check", false, "skip the script check before building")
	fs.BoolVar(&o.NoBuild, "no-build", false, "do everything up to the engine (recipes, Dockerfile, context) and send nothing")
	fs.BoolVar(&o.NoParents, "no-parents", false, "build only the images named, not the out-of-date images they are FROM")
	fs.StringArrayVar(&o.Bust, "bust", nil, "force `STEP` (a script, a component, or all) and every later step to run again")
	fs.StringVar(&o.Mode, "mode", "dev", "build `MODE`: dev keeps temporary build tools, prod removes them")
	fs.StringVar(&o.Progress, "progress", "auto", "progress output as `KIND`, as buildx: auto, tty, plain, json or quiet")
	fs.StringVar(&o.Network, "network", "host", "the build containers' `NETWORK`")
	fs.StringVar(&o.Platform, "platform", "", "build every image for `PLATFORMS` (os/arch[,os/arch…]) instead of what its docker build says; several need --push")
	fs.BoolVar(&o.Pull, "pull", false, "pull FROM images that are not local (never done otherwise)")
	fs.BoolVar(&o.Cache, "cache", false, "build with the engine's cache even where the repo's docker build passes --no-cache")
	fs.StringVar(&o.Builder, "builder", "", "build on the BuildKit daemon at `ADDR` (tcp://HOST:PORT, unix:///PATH), on the engine's own BuildKit (engine), on it where the engine offers one and else on its classic builder (auto), or on the classic builder (classic); default $BUILDKIT_HOST, else auto")
	fs.StringVar(&o.BuilderTLSServerName, "tlsservername", "", "--builder: the `NAME` the daemon's certificate must carry (default: the address's host)")
	fs.StringVar(&o.BuilderTLSCACert, "tlscacert", "", "--builder: the CA certificate `FILE` that signed the daemon's")
	fs.StringVar(&o.BuilderTLSCert, "tlscert", "", "--builder: the client certificate `FILE`")
	fs.StringVar(&o.BuilderTLSKey, "tlskey", "", "--builder: the client key `FILE`")
	fs.StringVar(&o.BuilderTLSDir, "tlsdir", "", "--builder: a `DIR` holding ca.pem, cert.pem and key.pem (or ca.crt, tls.crt, tls.key)")
	fs.BoolVar(&o.Load, "load", false, "--builder: load the image into the local engine (the default unless --push; always with the engine's BuildKit)")
	fs.BoolVar(&o.Push, "push", false, "--builder: push the image to its registry (credentials from the docker CLI's config)")
	fs.StringArrayVar(&o.CacheTo, "cache-to", nil, "--builder: export the build cache to `DEST` (type=local,dest=DIR; type=registry,ref=REF; type=inline)")
	fs.StringArrayVar(&o.Attest, "attest", nil, "--builder: attach the attestation `ATTR` to the pushed image (type=provenance[,mode=min|max], type=sbom[,generator=IMAGE]; a standalone builder, with --push)")
	fs.StringArrayVar(&o.CacheFrom, "cache-from", nil, "--builder: import the build cache from `SRC` (type=local,src=DIR; type=registry,ref=REF)")
	fs.BoolVar(&o.AllowOutsideLinks, "allow-outside-links", false, "allow links to files outside the repository in build directories")
	fs.BoolVar(&o.CycleError, "cycle-error", false, "make a dependency cycle an error that names the whole cycle")
	noLoadCache := fs.Bool("no-load-cache", false, "read every makefile, without the cache of loaded makefiles ($DMAKE_CACHE_DIR=off)")
	fs.Bool("clean-cache", false, "remove dmake's caches outside the repository (loaded makefiles, --check's base root filesystems) and exit")
	fs.String("completion", "", "print the completion script for `SHELL` (bash or zsh) and exit")
	fs.Bool("man", false, "print the manual page (roff, for man -l -) and exit")
	fs.String("util", "", "run the legacy utility `NAME` with the remaining arguments")
	fs.BoolP("version", "v", false, "print the version, commit, Go version and engine API version, and exit")
	fs.BoolP("help", "h", false, "print this help and exit")

	annotateFlags(fs)

	if err := fs.Parse(args); err != nil {
		return o, fs, err
	}
	if h, _ := fs.GetBool("help"); h {
		return o, fs, pflag.ErrHelp
	}
	if *noKeepGoing {
		o.KeepGoing = false
	}
	o.ParseMakeArgs = parseMakeArgs
	if o.LoadAverage == noLoadLimit {
		o.LoadAverage = ""
	}
	if *noLoadCache {
		o.LoadCache = loadcache.Off
	}
	if o.CheckReport != "" && !o.CheckScripts {
		o.Check = true // the report is the check's: asking for it asks for the check
	}
	if err := o.Validate(); err != nil {
		return o, fs, err
	}
	for _, w := range fs.Args() {
		if isAssignment(w) {
			o.Variables = append(o.Variables, w)
		} else {
			// make ./foo asks for foo (MAKECMDGOALS says "foo" too).
			o.Goals = append(o.Goals, makefile.TrimDotSlash(w))
		}
	}
	return o, fs, nil
}

// parseMakeArgs parses the arguments of a make command that a legacy
// repository's scripts run, for dmake to run that make in-process.
func parseMakeArgs(args []string) (driver.Options, error) {
	flags, utilName, _, err := makeargs.Normalize(args)
	if err == nil && utilName != "" {
		err = fmt.Errorf("--util %s in a make command", utilName)
	}
	if err != nil {
		return driver.Options{}, err
	}
	o, _, err := parseFlags(flags)
	return o, err
}

// noSilentValue is --no-silent: it turns off -s given before it, as -s
// after it turns it on again (make's flag_off).
type noSilentValue struct{ silent *bool }

func (v noSilentValue) String() string { return "false" }
func (v noSilentValue) Set(s string) error {
	on, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	if on {
		*v.silent = false
	}
	return nil
}
func (v noSilentValue) Type() string { return "bool" }

// noLoadLimit is -l without a number: no load limit.
const noLoadLimit = "none"

// unlimitedJobs is -j without a number.
const unlimitedJobs = "unlimited"

// jobsValue is -j: a positive number, or no number for no limit, as make
// takes it.
// flagError is make's words (getopt's) for a command-line error pflag
// reports in its own: the value's own complaint without pflag's
// "invalid argument … for … flag" around it, "unrecognized option",
// "option requires an argument".
func flagError(err error) string {
	var invalid *pflag.InvalidValueError
	var unknown *pflag.NotExistError
	var required *pflag.ValueRequiredError
	switch {
	case errors.As(err, &invalid) && invalid.Unwrap() != nil:
		return invalid.Unwrap().Error()
	case errors.As(err, &unknown) && unknown.GetSpecifiedShortnames() == "":
		return fmt.Sprintf("unrecognized option '--%s'", unknown.GetSpecifiedName())
	case errors.As(err, &required) && required.GetSpecifiedShortnames() == "":
		return fmt.Sprintf("option '--%s' requires an argument", required.GetSpecifiedName())
	}
	return err.Error()
}

type jobsValue struct{ n *makefile.Jobs }

func (j jobsValue) String() string {
	if j.n == nil || *j.n == makefile.DefaultJobs {
		return "1"
	}
	if *j.n == makefile.UnlimitedJobs {
		return unlimitedJobs
	}
	return strconv.Itoa(int(*j.n))
}
func (j jobsValue) Set(v string) error {
	if v == unlimitedJobs {
		*j.n = makefile.UnlimitedJobs
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return errors.New("the '-j' option requires a positive integer argument")
	}
	*j.n = makefile.Jobs(n)
	return nil
}
func (j jobsValue) Type() string { return "int" }

// isAssignment reports whether a command-line word is a make variable
// assignment (NAME=value, NAME:=value, NAME+=value…).
func isAssignment(w string) bool {
	i := strings.IndexByte(w, '=')
	if i <= 0 {
		return false
	}
	name := strings.TrimRight(w[:i], ":+?!")
	return name != "" && !strings.ContainsAny(name, " \t")
}

func usage(w io.Writer, fs *pflag.FlagSet, utils legacyutil.Set) {
	for i, l := range synopsis {
		if i == 0 {
			fmt.Fprintf(w, "Usage: %s\n", l)
		} else {
			fmt.Fprintf(w, "       %s\n", l)
		}
	}
	fmt.Fprintf(w, "\n%s\n\nExamples:\n", description)
	const col, width = 33, 79
	for _, ex := range examples {
		lines := wrap(ex.what, width-col)
		fmt.Fprintf(w, "  %-*s%s\n", col-2, ex.cmd, lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintf(w, "%*s%s\n", col, "", l)
		}
	}
	fmt.Fprint(w, "\nOptions:\n")
	fmt.Fprint(w, flagUsages(fs))
	fmt.Fprintf(w, "\nUtilities (dmake --util NAME --help for each): %s\n", strings.Join(utils.Names(), ", "))
}

// wrap splits s into lines of at most width bytes at spaces (a longer
// word gets a line of its own).
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	return append(lines, line)
}

// flagUsages lists the flags as make's --help does: short and long form,
// the value's name (in brackets when optional), what it does, and its
// default where that says something.
func flagUsages(fs *pflag.FlagSet) string {
	var left, right []string
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		name, usage := pflag.UnquoteUsage(f)
		l := "      --" + f.Name
		if f.Shorthand != "" {
			l = "  -" + f.Shorthand + ", --" + f.Name
		}
		if f.Value.Type() != "bool" {
			if f.NoOptDefVal != "" {
				l += "[=" + name + "]"
			} else {
				l += " " + name
			}
		}
		switch f.DefValue {
		case "", "false", "[]", "0", "0s":
		default:
			usage += " (default " + f.DefValue + ")"
		}
		left, right = append(left, l), append(right, usage)
		width = max(width, len(l))
	})
	var b strings.Builder
	for i := range left {
		fmt.Fprintf(&b, "%-*s  %s\n", width, left[i], right[i])
	}
	return b.String()
}
