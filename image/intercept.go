package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/stdio"
	"github.com/dmake-dev/dmake/internal/tempdir"
	"github.com/dmake-dev/dmake/shellrun"
	"github.com/docker/go-units"
	"github.com/spf13/pflag"
	"mvdan.cc/sh/v3/interp"
)

// BuildCommand is a parsed "docker build" command line.
type BuildCommand struct {
	// Settings are what the build asks of the engine
	// (Settings.Dockerfile stays empty: see Dockerfile).
	Settings   engine.BuildSettings
	Dockerfile string // -f, as given
	Quiet      bool
	IIDFile    string
	Context    string // directory, or "-" for standard input
}

// listValue is a repeatable flag whose values go through add: the CLI's
// "list" type.
type listValue struct {
	vals []string
	add  func(string) error
	typ  string
}

func (l *listValue) String() string {
	if l.typ == "ulimit" {
		return "[" + strings.Join(l.vals, " ") + "]"
	}
	return ""
}
func (l *listValue) Set(v string) error {
	if err := l.add(v); err != nil {
		return err
	}
	l.vals = append(l.vals, v)
	return nil
}
func (l *listValue) Type() string { return l.typ }

// bytesValue is a size in bytes written with a unit ("512m", "1g"); swap
// also takes -1 (unlimited).
type bytesValue struct {
	n    *int64
	swap bool
}

func (b bytesValue) String() string {
	if *b.n == 0 {
		return ""
	}
	return strconv.FormatInt(*b.n, 10)
}
func (b bytesValue) Set(v string) error {
	if b.swap && v == "-1" {
		*b.n = -1
		return nil
	}
	n, err := units.RAMInBytes(v)
	if err != nil {
		return err
	}
	*b.n = n
	return nil
}
func (b bytesValue) Type() string { return "bytes" }

// refusedBuildFlags are the docker build flags that dmake does not pass on
// to any builder; each is refused with the reason.
var refusedBuildFlags = map[string]string{
	"secret": "build secrets go through BuildKit's session, and dmake does not forward them from a recipe's docker build",
	"ssh":    "forwarding SSH keys goes through BuildKit's session, and dmake does not forward them from a recipe's docker build",
	"output": "exporting the build's files goes through BuildKit's session, and dmake writes the image into the engine only",
	"stream": "a streamed context is an experimental CLI feature; dmake sends the context itself",
}

// buildFlagSet declares the flags of Debian's docker.io 20.10 "docker
// build" (testdata/docker-build-help*.golden are its --help, with and
// without BuildKit) onto bc. The ones the classic builder's --help hides
// are hidden here too.
func buildFlagSet(bc *BuildCommand, env func(string) (string, bool)) *pflag.FlagSet {
	s := &bc.Settings
	fs := pflag.NewFlagSet("docker build", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SetInterspersed(true)
	list := func(typ string, add func(string) error) *listValue { return &listValue{typ: typ, add: add} }
	fs.Var(list("list", func(v string) error {
		name, ip, ok := strings.Cut(v, ":")
		if !ok || name == "" || (ip != "host-gateway" && net.ParseIP(ip) == nil) {
			return fmt.Errorf("invalid IP address in add-host: %q (want host:ip)", v)
		}
		s.ExtraHosts = append(s.ExtraHosts, v)
		return nil
	}), "add-host", "Add a custom host-to-IP mapping (host:ip)")
	fs.Var(list("list", func(v string) error {
		k, val, ok := strings.Cut(v, "=")
		if k == "" {
			return fmt.Errorf("invalid argument %q: a build arg needs a name", v)
		}
		if s.BuildArgs == nil {
			s.BuildArgs = map[string]*string{}
		}
		switch ev, set := env(k); {
		case ok:
			s.BuildArgs[k] = &val
		case set:
			s.BuildArgs[k] = &ev
		default:
			s.BuildArgs[k] = nil
		}
		return nil
	}), "build-arg", "Set build-time variables")
	fs.StringSliceVar(&s.CacheFrom, "cache-from", nil, "Images to consider as cache sources")
	fs.StringVar(&s.CgroupParent, "cgroup-parent", "", "Optional parent cgroup for the container")
	fs.Bool("compress", false, "Compress the build context using gzip")
	fs.Int64Var(&s.CPUPeriod, "cpu-period", 0, "Limit the CPU CFS (Completely Fair Scheduler) period")
	fs.Int64Var(&s.CPUQuota, "cpu-quota", 0, "Limit the CPU CFS (Completely Fair Scheduler) quota")
	fs.Int64VarP(&s.CPUShares, "cpu-shares", "c", 0, "CPU shares (relative weight)")
	fs.StringVar(&s.CPUSetCPUs, "cpuset-cpus", "", "CPUs in which to allow execution (0-3, 0,1)")
	fs.StringVar(&s.CPUSetMems, "cpuset-mems", "", "MEMs in which to allow execution (0-3, 0,1)")
	fs.Bool("disable-content-trust", true, "Skip image verification")
	fs.StringVarP(&bc.Dockerfile, "file", "f", "", "Name of the Dockerfile (Default is 'PATH/Dockerfile')")
	fs.Bool("force-rm", false, "Always remove intermediate containers")
	fs.StringVar(&bc.IIDFile, "iidfile", "", "Write the image ID to the file")
	fs.StringVar(&s.Isolation, "isolation", "", "Container isolation technology")
	fs.Var(list("list", func(v string) error {
		k, val, _ := strings.Cut(v, "=")
		if k == "" {
			return fmt.Errorf("invalid label %q: a label needs a name", v)
		}
		if s.Labels == nil {
			s.Labels = map[string]string{}
		}
		s.Labels[k] = val
		return nil
	}), "label", "Set metadata for an image")
	fs.VarP(bytesValue{n: &s.Memory}, "memory", "m", "Memory limit")
	fs.Var(bytesValue{n: &s.MemorySwap, swap: true}, "memory-swap", "Swap limit equal to memory plus swap: '-1' to enable unlimited swap")
	fs.StringVar(&s.NetworkMode, "network", "default", "Set the networking mode for the RUN instructions during build")
	fs.BoolVar(&s.NoCache, "no-cache", false, "Do not use cache when building the image")
	fs.StringArrayP("output", "o", nil, "Output destination (format: type=local,dest=path)")
	platform, _ := env("DOCKER_DEFAULT_PLATFORM")
	fs.StringVar(&s.Platform, "platform", platform, "Set platform if server is multi-platform capable")
	fs.String("progress", "auto", "Set type of progress output (auto, plain, tty). Use plain to show container output")
	fs.BoolVar(&s.Pull, "pull", false, "Always attempt to pull a newer version of the image")
	fs.BoolVarP(&bc.Quiet, "quiet", "q", false, "Suppress the build output and print image ID on success")
	fs.Bool("rm", true, "Remove intermediate containers after a successful build")
	fs.StringArray("secret", nil, "Secret file to expose to the build (only if BuildKit enabled): id=mysecret,src=/local/secret")
	fs.StringSliceVar(&s.SecurityOpt, "security-opt", nil, "Security options")
	fs.Var(bytesValue{n: &s.ShmSize}, "shm-size", "Size of /dev/shm")
	fs.BoolVar(&s.Squash, "squash", false, "Squash newly built layers into a single new layer")
	fs.StringArray("ssh", nil, "SSH agent socket or keys to expose to the build (only if BuildKit enabled) (format: default|<id>[=<socket>|<key>[,<key>]])")
	fs.Bool("stream", false, "Stream attaches to server to negotiate build context")
	fs.VarP(list("list", func(v string) error {
		if v == "" || strings.ContainsAny(v, " \t") {
			return fmt.Errorf("invalid reference format: %q", v)
		}
		s.Tags = append(s.Tags, v)
		return nil
	}), "tag", "t", "Name and optionally a tag in the 'name:tag' format")
	fs.StringVar(&s.Target, "target", "", "Set the target build stage to build.")
	fs.Var(list("ulimit", func(v string) error {
		u, err := units.ParseUlimit(v)
		if err != nil {
			return err
		}
		s.Ulimits = append(s.Ulimits, u)
		return nil
	}), "ulimit", "Ulimit options")
	for _, name := range []string{"output", "platform", "progress", "secret", "ssh", "squash", "stream"} {
		fs.MarkHidden(name)
	}
	return fs
}

// ParseBuildArgs parses the words after "docker build" as Debian's docker
// 20.10 CLI does (pflag: combined short flags, --flag=value, "--"). env
// answers "--build-arg NAME" without a value, as the CLI takes it from the
// environment, and DOCKER_DEFAULT_PLATFORM. Every flag is either carried in
// the result's Settings or refused with an error that names it.
func ParseBuildArgs(words []string, env func(string) (string, bool)) (BuildCommand, error) {
	var bc BuildCommand
	fs := buildFlagSet(&bc, env)
	if err := fs.Parse(words); err != nil {
		return bc, fmt.Errorf("docker build: %w", err)
	}
	var refused error
	fs.Visit(func(f *pflag.Flag) {
		if why, ok := refusedBuildFlags[f.Name]; ok && refused == nil {
			refused = &RefusedFlagError{Flag: "--" + f.Name, Why: why}
		}
	})
	if refused != nil {
		return bc, refused
	}
	if err := finishBuildArgs(fs, &bc); err != nil {
		var refused *RefusedFlagError
		if errors.As(err, &refused) {
			return bc, err
		}
		return bc, fmt.Errorf("docker build: %w", err)
	}
	return bc, nil
}

// finishBuildArgs completes bc from the parsed flags of a build command,
// docker build's or buildx's: the content trust, the containers kept,
// the network, the platform, the context.
func finishBuildArgs(fs *pflag.FlagSet, bc *BuildCommand) error {
	if v, _ := fs.GetBool("disable-content-trust"); !v {
		return &RefusedFlagError{Flag: "--disable-content-trust=false", Why: "dmake does not verify image signatures (content trust)"}
	}
	rm, _ := fs.GetBool("rm")
	forceRm, _ := fs.GetBool("force-rm")
	bc.Settings.KeepContainers = !rm && !forceRm
	if bc.Settings.NetworkMode == "default" {
		bc.Settings.NetworkMode = "" // the CLI's default: dmake's
	}
	if p := bc.Settings.Platform; p != "" {
		if _, err := engine.ParsePlatform(p); err != nil {
			return fmt.Errorf("flag --platform: %w", err)
		}
	}
	switch args := fs.Args(); len(args) {
	case 0:
		return fmt.Errorf("no context given (a directory, or - for a tar on standard input)")
	case 1:
		bc.Context = args[0]
	default:
		return fmt.Errorf("more than one context: %q", args)
	}
	return nil
}

// RefusedFlagError is ParseBuildArgs' error for a docker build flag that
// dmake understands and does not do.
type RefusedFlagError struct {
	Flag string // as written: --secret, --disable-content-trust=false
	Why  string
}

func (e *RefusedFlagError) Error() string {
	return fmt.Sprintf("docker build: flag %s is not supported: %s", e.Flag, e.Why)
}

// ParseBuildxArgs parses the words after "docker buildx build" for a build
// that dmake does as a docker build: the flags docker build has, and of
// buildx's own --load, an --output of type docker, --push=false, and
// --provenance and --sbom turned off. A build that asks for more (a push,
// another output, several platforms, a named buildx builder, a cache
// export, attestations, a remote context) is left to buildx: the error
// says why.
func ParseBuildxArgs(words []string, env func(string) (string, bool)) (BuildCommand, error) {
	var bc BuildCommand
	fs := buildFlagSet(&bc, env)
	fs.Bool("load", false, "Shorthand for --output=type=docker")
	push := fs.Bool("push", false, "Shorthand for --output=type=registry")
	builder := fs.String("builder", "", "Override the configured builder instance")
	provenance := fs.String("provenance", "", "Shorthand for --attest=type=provenance")
	sbom := fs.String("sbom", "", "Shorthand for --attest=type=sbom")
	for _, name := range []string{"attest", "cache-to", "annotation", "build-context", "allow", "metadata-file", "no-cache-filter", "call"} {
		fs.StringArray(name, nil, "")
	}
	check := fs.Bool("check", false, "Shorthand for --call=check")
	fs.Lookup("provenance").NoOptDefVal = "true"
	fs.Lookup("sbom").NoOptDefVal = "true"
	if err := fs.Parse(words); err != nil {
		return bc, fmt.Errorf("docker buildx build: %w", err)
	}
	var why string
	fs.Visit(func(f *pflag.Flag) {
		if why != "" {
			return
		}
		switch f.Name {
		case "attest", "cache-to", "annotation", "build-context", "allow", "metadata-file", "no-cache-filter", "call":
			why = "--" + f.Name + " is buildx's alone"
		case "secret", "ssh", "stream":
			why = "--" + f.Name + ": " + refusedBuildFlags[f.Name]
		}
	})
	if why != "" {
		return bc, errors.New(why)
	}
	outs, _ := fs.GetStringArray("output")
	for _, o := range outs {
		if o != "type=docker" && !strings.HasPrefix(o, "type=docker,") {
			return bc, fmt.Errorf("--output %s goes where dmake does not send images", o)
		}
	}
	switch {
	case *push:
		return bc, errors.New("--push sends the image to a registry (dmake's --push does that with --builder)")
	case *builder != "":
		return bc, fmt.Errorf("--builder %s names a buildx builder instance", *builder)
	case *check:
		return bc, errors.New("--check runs buildx's lint")
	case !off(*provenance) || !off(*sbom):
		return bc, errors.New("attestations (--provenance, --sbom) are buildx's")
	case strings.Contains(bc.Settings.Platform, ","):
		return bc, errors.New("several platforms make a manifest list, which the engine does not load")
	case len(fs.Args()) == 1 && remoteContext(fs.Args()[0]):
		return bc, errors.New("a remote context, which dmake does not build")
	}
	for _, c := range bc.Settings.CacheFrom {
		if strings.Contains(c, "=") {
			return bc, fmt.Errorf("--cache-from %s is a buildx cache source", c)
		}
	}
	if err := finishBuildArgs(fs, &bc); err != nil {
		return bc, fmt.Errorf("docker buildx build: %w", err)
	}
	return bc, nil
}

// off says whether a --provenance or --sbom value turns it off (or was
// not given).
func off(v string) bool {
	b, err := strconv.ParseBool(v)
	return v == "" || err == nil && !b
}

// docker CLI global flags that take a value.
var dockerGlobalValueFlags = map[string]bool{
	"-H": true, "--host": true, "--config": true, "-c": true, "--context": true,
	"-l": true, "--log-level": true, "--tlscacert": true, "--tlscert": true, "--tlskey": true,
}

// dockerSubcommand returns the subcommand of a docker argv and the words
// after it, or false when argv is not the docker CLI.
func dockerSubcommand(args []string) (string, []string, bool) {
	if len(args) == 0 {
		return "", nil, false
	}
	base := filepath.Base(args[0])
	if base != "docker" && base != "docker.io" {
		return "", nil, false
	}
	i := 1
	for i < len(args) && strings.HasPrefix(args[i], "-") {
		if dockerGlobalValueFlags[args[i]] {
			i++
		}
		i++
	}
	if i >= len(args) {
		return "", nil, true
	}
	sub, rest := args[i], args[i+1:]
	if (sub == "image" || sub == "builder") && len(rest) > 0 && rest[0] == "build" {
		sub, rest = "build", rest[1:]
	}
	return sub, rest, true
}

// DockerMiddleware returns the exec-handler middleware that takes over the
// docker CLI in recipes: "docker build …" (a context directory, "-f FILE",
// or a tar context on standard input) builds through the Engine API, or
// the builder the Builder's Engine has; "docker tag" tags through it;
// other docker subcommands and every other command run as they are (next).
// It is what a plain Makefile's recipes get.
func (b *Builder) DockerMiddleware() func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
		return func(ctx context.Context, args []string) error {
			hc := interp.HandlerCtx(ctx)
			sub, rest, ok := dockerSubcommand(args)
			if !ok {
				return next(ctx, args)
			}
			switch sub {
			case "build":
				if why := b.leftToCLI(hc, args, rest); why != "" {
					b.leftNote(hc, args, why)
					return next(ctx, args)
				}
				return b.runDockerBuild(ctx, hc, rest)
			case "buildx":
				if len(rest) == 0 || rest[0] != "build" && rest[0] != "b" {
					break
				}
				why := globalCLIFlags(args, rest)
				bc, err := ParseBuildxArgs(rest[1:], hcEnv(hc))
				if why == "" && err != nil {
					why = err.Error()
				}
				if why != "" {
					b.leftNote(hc, args, why)
					return next(ctx, args)
				}
				return b.runBuild(ctx, hc, bc)
			case "tag":
				if b.Engine != nil && len(rest) == 2 && !strings.HasPrefix(rest[0], "-") {
					if err := b.Engine.Tag(ctx, rest[0], rest[1]); err != nil {
						fmt.Fprintf(hc.Stderr, "docker tag: %v\n", err)
						return interp.ExitStatus(1)
					}
					return nil
				}
			}
			return next(ctx, args)
		}
	}
}

// Middleware returns the exec-handler middleware of a legacy repository's
// recipes: the docker CLI's build and tag are taken over as by
// DockerMiddleware. It also stands in for the legacy host helpers of echo-style repos: a
// "python -m http.server"/"SimpleHTTPServer" started to serve scripts to the
// build is not started (dmake sends those scripts in the context; the
// directory is remembered), and "ifconfig IFACE" answers with a loopback
// address in the net-tools format the legacy Makefiles parse ("inet
// addr:127.0.0.1"), so no eth0 is needed. A "kill" that names no process
// (the legacy "kill -9 $(lsof -i tcp:PORT -t)" after the build, whose $(…)
// make expands as an empty variable) is moot, as dmake starts no server
// for it to stop: it is reported as a warning naming the recipe line, and
// succeeds, so the exit status says whether the image was built.
func (b *Builder) Middleware() func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	docker := b.DockerMiddleware()
	return func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
		viaDocker := docker(next)
		return func(ctx context.Context, args []string) error {
			hc := interp.HandlerCtx(ctx)
			if _, _, ok := dockerSubcommand(args); ok {
				return viaDocker(ctx, args)
			}
			warn := b.warn(hc)
			if dir, port, ok := httpServer(args, hc.Dir); ok {
				b.AddServeRoot(dir)
				b.mu.Lock()
				b.servePort = port
				b.mu.Unlock()
				fmt.Fprintf(warn, "dmake: not starting %s: the build gets the files of %s from dmake\n", strings.Join(args, " "), dir)
				return nil
			}
			if filepath.Base(args[0]) == "ifconfig" && len(args) == 2 {
				fmt.Fprintf(hc.Stdout, "%-10sLink encap:Local Loopback\n          inet addr:127.0.0.1  Mask:255.0.0.0\n          UP LOOPBACK RUNNING  MTU:65536  Metric:1\n", args[1])
				return nil
			}
			if tc, ok := ParseTarCreate(args); ok && !toTerminal(hc.Stdout) {
				// The recipe's "tar -czh -C build . | docker build -":
				// the archive is made here, without starting tar and gzip.
				out := hc.Stdout
				if out == nil {
					out = io.Discard
				}
				err := WriteTar(out, tc, hc.Dir)
				if errors.Is(err, errTarFallback) {
					return next(ctx, args)
				}
				if err != nil {
					fmt.Fprintf(hc.Stderr, "tar: %v\n", err)
					return interp.ExitStatus(2)
				}
				return nil
			}
			if filepath.Base(args[0]) == "kill" && shellrun.KillsNothing(args[1:]) {
				where := shellrun.Source(ctx)
				if where != "" {
					where += ": "
				}
				fmt.Fprintf(warn, "dmake: warning: %s%q names no process to stop: make expanded the $(…) of that line as a make variable, which is empty (the shell's command substitution is written $$(…) in a Makefile); dmake starts no server for it to stop, so the line is skipped\n", where, strings.Join(args, " "))
				return nil
			}
			return next(ctx, args)
		}
	}
}

// toTerminal says whether w is a character device (a terminal, /dev/null),
// where tar writes, or refuses to write, its archive itself.
func toTerminal(w io.Writer) bool {
	f, ok := stdio.File(w)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err != nil || fi.Mode()&os.ModeCharDevice != 0
}

// httpServer recognises the one-line web servers legacy Makefiles start to
// serve files to a build, and returns the directory they would serve and
// the port (python's default 8000 unless given).
func httpServer(args []string, cwd string) (dir, port string, ok bool) {
	if len(args) < 3 || !strings.HasPrefix(filepath.Base(args[0]), "python") || args[1] != "-m" {
		return "", "", false
	}
	if args[2] != "http.server" && args[2] != "SimpleHTTPServer" {
		return "", "", false
	}
	dir, port = cwd, "8000"
	for i := 3; i < len(args); i++ {
		switch {
		case (args[i] == "-d" || args[i] == "--directory" || args[i] == "-b" || args[i] == "--bind") && i+1 < len(args):
			if args[i] == "-d" || args[i] == "--directory" {
				dir = args[i+1]
			}
			i++
		case strings.HasPrefix(args[i], "--directory="):
			dir = strings.TrimPrefix(args[i], "--directory=")
		case !strings.HasPrefix(args[i], "-"):
			port = args[i]
		}
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(cwd, dir)
	}
	return dir, port, true
}

// leftNote says that the docker build args is left to the docker CLI, and
// why; under PlanOnly (a dry run) that it is not checked either.
func (b *Builder) leftNote(hc interp.HandlerContext, args []string, why string) {
	what := "the docker CLI builds it"
	if b.PlanOnly {
		what = "not checked: the docker CLI would build it"
	}
	fmt.Fprintf(b.warn(hc), "dmake: %s: %s; %s\n", strings.Join(args, " "), why, what)
}

// warn is where the notes of the middleware go (Builder.Warn).
func (b *Builder) warn(hc interp.HandlerContext) io.Writer {
	if b.Warn != nil {
		return b.Warn
	}
	return hc.Stderr
}

// leftToCLI says why a plain Makefile's docker build, args whose build
// arguments are words, is left to the docker CLI ("" when it is not): a
// daemon or configuration of the CLI's own (-H, --context, --config),
// flags dmake refuses (BuildKit's session features) and remote contexts,
// which a legacy repository gets as errors, and which a plain Makefile's
// build had working before dmake.
func (b *Builder) leftToCLI(hc interp.HandlerContext, args, words []string) string {
	if !b.Plain {
		return ""
	}
	if why := globalCLIFlags(args, words); why != "" {
		return why
	}
	bc, err := ParseBuildArgs(words, hcEnv(hc))
	var refused *RefusedFlagError
	switch {
	case errors.As(err, &refused):
		return err.Error()
	case err == nil && remoteContext(bc.Context):
		return "a remote context, which dmake does not build"
	}
	return ""
}

// globalCLIFlags says why the docker CLI's own flags in args, before the
// subcommand's words, leave the command to the CLI: a daemon or
// configuration of its own (-H, --context, --config). "" when none does.
func globalCLIFlags(args, words []string) string {
	for _, a := range args[1 : len(args)-len(words)] {
		name, _, _ := strings.Cut(a, "=")
		if name == "--host" || name == "--context" || name == "--config" || strings.HasPrefix(name, "-H") || strings.HasPrefix(name, "-c") && !strings.HasPrefix(name, "--") {
			return "the docker CLI's " + a + " names a daemon or configuration of its own"
		}
	}
	return ""
}

// remoteContext says whether a build context is a URL or a git remote.
func remoteContext(c string) bool {
	return strings.Contains(c, "://") || strings.HasPrefix(c, "git@")
}

// hcEnv looks a variable up in the environment of a command.
func hcEnv(hc interp.HandlerContext) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v := hc.Env.Get(k)
		return v.String(), v.IsSet()
	}
}

// runDockerBuild builds what "docker build WORDS…" asks.
func (b *Builder) runDockerBuild(ctx context.Context, hc interp.HandlerContext, words []string) error {
	bc, err := ParseBuildArgs(words, hcEnv(hc))
	if err != nil {
		if where := shellrun.Source(ctx); where != "" {
			err = fmt.Errorf("%s: %w", where, err)
		}
		fmt.Fprintf(hc.Stderr, "dmake: %v\n", err)
		return interp.ExitStatus(125)
	}
	return b.runBuild(ctx, hc, bc)
}

// runBuild builds what the build command bc asks, with the streams and
// directory of the command.
func (b *Builder) runBuild(ctx context.Context, hc interp.HandlerContext, bc BuildCommand) error {
	req := Request{Settings: bc.Settings, Quiet: bc.Quiet, Stdout: hc.Stdout, Stderr: hc.Stderr, WorkDir: hc.Dir, Source: shellrun.Source(ctx)}
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(hc.Dir, p)
	}
	if bc.IIDFile != "" {
		req.IIDFile = abs(bc.IIDFile)
	}
	if bc.Context == "-" && bc.Dockerfile == "-" {
		fmt.Fprintf(hc.Stderr, "dmake: docker build: invalid argument: can't use stdin for both build context and dockerfile\n")
		return interp.ExitStatus(125)
	}
	if bc.Context == "-" {
		sc, err := ReadStdinContext(hc.Stdin, b.TempDir)
		if err != nil {
			fmt.Fprintf(hc.Stderr, "dmake: %v\n", err)
			return interp.ExitStatus(125)
		}
		if sc.Dir == "" {
			// "docker build - < Dockerfile": no context.
			tmp, err := tempdir.New(b.TempDir, contextDirPrefix)
			if err != nil {
				return err
			}
			defer tmp.Remove()
			if err := os.WriteFile(filepath.Join(tmp.Path, "Dockerfile"), sc.Dockerfile, 0o644); err != nil {
				return err
			}
			req.ContextDir = tmp.Path
		} else {
			defer sc.Remove()
			req.ContextDir = sc.Dir
			if bc.Dockerfile != "" {
				req.Dockerfile = filepath.Join(sc.Dir, filepath.FromSlash(bc.Dockerfile))
			}
		}
	} else {
		if remoteContext(bc.Context) {
			fmt.Fprintf(hc.Stderr, "dmake: docker build %s: remote contexts are not supported\n", bc.Context)
			return interp.ExitStatus(125)
		}
		req.ContextDir, req.Dockerfile = buildPaths(bc, hc.Dir)
		switch bc.Dockerfile {
		case "":
			req.Dockerfile = ""
		case "-": // "-f -": the Dockerfile is standard input
			f, err := os.CreateTemp(b.TempDir, "dmake-Dockerfile-")
			if err != nil {
				return err
			}
			defer os.Remove(f.Name())
			if hc.Stdin != nil {
				_, err = io.Copy(f, hc.Stdin)
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				fmt.Fprintf(hc.Stderr, "dmake: docker build -f -: reading the Dockerfile from standard input: %v\n", err)
				return interp.ExitStatus(125)
			}
			req.Dockerfile = f.Name()
		}
	}
	if _, err := b.Build(ctx, req); err != nil {
		if ctx.Err() != nil {
			// The progress said "cancelled": no failure to report.
			return interp.ExitStatus(130)
		}
		fmt.Fprintf(hc.Stderr, "dmake: %v\n", err)
		return interp.ExitStatus(1)
	}
	return nil
}

// buildPaths are the context directory and the Dockerfile of the build
// command bc run in directory dir, the Dockerfile the context's when -f
// names none (a context and -f of files, not "-").
func buildPaths(bc BuildCommand, dir string) (contextDir, dockerfile string) {
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	contextDir = abs(bc.Context)
	if bc.Dockerfile == "" {
		return contextDir, filepath.Join(contextDir, "Dockerfile")
	}
	return contextDir, abs(bc.Dockerfile)
}

// BuildFiles parses the command args, run in directory dir with the
// variables env, as bc, and says which context directory and Dockerfile
// it builds from, when it is a docker build (or buildx build) that
// DockerMiddleware takes over with both on disk, not read from standard
// input, nor remote; ok is false otherwise. It lets a caller tell, before
// the build, that they are not there yet.
func BuildFiles(args []string, dir string, env func(string) (string, bool)) (bc BuildCommand, contextDir, dockerfile string, ok bool) {
	sub, rest, ok := dockerSubcommand(args)
	if !ok {
		return bc, "", "", false
	}
	var err error
	switch {
	case sub == "build":
		bc, err = ParseBuildArgs(rest, env)
	case sub == "buildx" && len(rest) > 0 && (rest[0] == "build" || rest[0] == "b"):
		bc, err = ParseBuildxArgs(rest[1:], env)
	default:
		return bc, "", "", false
	}
	if err != nil || globalCLIFlags(args, rest) != "" || bc.Context == "-" || bc.Dockerfile == "-" || remoteContext(bc.Context) {
		return bc, "", "", false
	}
	contextDir, dockerfile = buildPaths(bc, dir)
	return bc, contextDir, dockerfile, true
}
