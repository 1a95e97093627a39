// Package driver runs one dmake invocation end to end: it reads the
// Makefiles, plans the goals, checks the scripts, runs the recipes and builds
// the images. cmd/dmake parses the command line into Options and hands them
// here; the watch loop calls Run again for each change.
package driver

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/graph"
	"github.com/dmake-dev/dmake/image"
	"github.com/dmake-dev/dmake/makefile"
	"github.com/dmake-dev/dmake/watch"
)

// Options is everything a dmake run is told by its command line. The zero
// value is a plain make run of the default goal in the current directory.
type Options struct {
	// Make's own flags, with make's meanings.
	Dir              []string      // -C, applied in order
	Makefiles        []string      // -f
	IncludeDirs      []string      // -I
	DryRun           bool          // -n
	Jobs             makefile.Jobs // -j (see makefile.Jobs)
	KeepGoing        bool          // -k (cleared again by -S)
	AlwaysMake       bool          // -B
	Silent           bool          // -s
	Question         bool          // -q
	IgnoreErrors     bool          // -i
	EnvOverrides     bool          // -e
	Touch            bool          // -t
	PrintDatabase    bool          // -p
	NoBuiltinRules   bool          // -r
	NoBuiltinVars    bool          // -R
	OutputSync       string        // -O: none, line, target, recurse
	WhatIf           []string      // -W
	OldFiles         []string      // -o
	PrintDirectory   bool          // -w
	NoPrintDirectory bool          // --no-print-directory
	Debug            bool          // -d
	DebugFlags       string        // --debug=FLAGS
	LoadAverage      string        // -l N; empty: no limit
	CheckSymlinks    bool          // -L
	Trace            bool          // --trace
	WarnUndefined    bool          // --warn-undefined-variables
	Eval             []string      // --eval, -E

	// Variables are the VAR=value words of the command line, in order.
	Variables []string
	// Goals are the other positional words.
	Goals []string

	// WorkDir is the directory dmake starts in, to which -C directories
	// are relative; empty means the process's working directory.
	WorkDir string
	// Env is the environment of the run (recipes, $(shell), MAKEFLAGS);
	// nil means the process's.
	Env []string
	// Argv is the command line as given, its program first: what -d's
	// "Re-executing" line shows. Nil shows none.
	Argv []string
	// MakePath is the value of $(MAKE); empty means this executable.
	MakePath string
	// LoadCache is the directory of the cache of loaded makefiles: empty
	// means $DMAKE_CACHE_DIR, else dmake/load in the user's cache
	// directory; "off" disables the cache (--no-load-cache).
	LoadCache string
	// LoadCacheLog receives a line for each lookup and store of the
	// load cache (hit, or why not); nil means Stdio.Err when
	// $DMAKE_LOADCACHE_DEBUG is set, else nowhere.
	LoadCacheLog io.Writer

	// DockerHome is the legacy repository root when the caller knows it
	// (the build and make utilities); empty means find it as the legacy
	// scripts do ($DOCKER_HOME, else the nearest ancestor with the layout).
	DockerHome string

	// ParseMakeArgs parses the arguments of a make command a legacy
	// repository's own scripts run (its bin/build calling "make -f
	// images/x.mk build"), as cmd/dmake parses dmake's command line, so
	// that dmake runs that make in-process; nil means such a make is
	// refused.
	ParseMakeArgs func(args []string) (Options, error)

	// dmake's modes and settings.
	Watch        bool
	WatchPolicy  string        // "cancel" or "finish"
	Debounce     time.Duration // watch debounce
	Graph        string        // "", "dot", "json", "mermaid"
	Check        bool
	CheckScripts bool // positional words are script files
	// CheckFrom is the image the scripts of CheckScripts run on: the dry
	// run sees its files and its package set (read from the engine).
	CheckFrom   string
	CheckReport string
	CheckFormat string // of CheckReport: "json" (default) or "sarif"

	// events is where --progress=json writes its events (build, check,
	// watch) when Run has made standard output theirs alone
	// (jsonStreams); nil otherwise.
	events io.Writer
	// prepares, set by a run that builds images at once, makes the
	// preparations of one image's build directory for dry runs (the
	// parent of two images checked at once) take turns; nil: no turns.
	prepares *dirTurns
	// watchClock is the clock of the watch's debounce; nil means the real
	// one. Tests move a fake one only while no change they make is half
	// made.
	watchClock watch.Clock
	NoCheck    bool
	NoBuild    bool
	Bust       []string
	NoParents  bool   // build only the images named, not the images they are FROM
	Mode       string // "dev" or "prod"
	Progress   string // "auto", "tty", "plain", "json"
	Network    string
	Pull       bool
	Cache      bool // use the build cache even where the repo's docker build says --no-cache
	// Platform is the platforms every image is built for ("os/arch",
	// comma-separated), in place of what each docker build says.
	Platform          string
	AllowOutsideLinks bool
	CycleError        bool

	// Builder is the address of a BuildKit daemon to build on
	// (tcp://HOST:PORT, unix:///PATH), as buildctl's --addr, or
	// BuilderAuto, BuilderEngine, BuilderClassic; "" means
	// $BUILDKIT_HOST of Env, and without it BuilderAuto.
	Builder string
	// BuilderTLS are buildctl's TLS settings for Builder: server name,
	// CA, client certificate and key files, or a directory of them.
	BuilderTLSServerName, BuilderTLSCACert, BuilderTLSCert, BuilderTLSKey, BuilderTLSDir string
	// Load and Push say where a BuildKit build's image goes: into the
	// local engine, to its registry. Without either, it is loaded.
	Load, Push bool
	// CacheTo and CacheFrom are BuildKit cache exports and imports, as
	// buildx's --cache-to / --cache-from (type=local,dest=DIR;
	// type=local,src=DIR; type=registry,ref=REF; type=inline).
	CacheTo, CacheFrom []string
	// Attest are the attestations a BuildKit build attaches to a pushed
	// image, as buildx's --attest (type=provenance[,mode=min|max],
	// type=sbom[,generator=IMAGE]); they need Push.
	Attest []string
}

// Modes are the build modes (--mode).
var Modes = []string{"dev", "prod"}

// CheckFormats are the formats of the check report (--check-format).
var CheckFormats = []string{"json", "sarif"}

// OutputSyncTypes are make's -O types.
var OutputSyncTypes = []string{"none", "line", "target", "recurse"}

// A StopError is a bad option value that make stops on with its fatal
// message ("make: *** unknown output-sync type 'x'.  Stop."), rather than
// one it answers with its usage.
type StopError struct{ Msg string }

func (e *StopError) Error() string { return e.Msg }

// Validate checks the option values that need no repository, so that a bad
// one stops the run before any work; each error lists the valid values.
// (--bust words are checked against the repository's scripts by Run.)
func (o Options) Validate() error {
	oneOf := func(flag, v string, valid []string) error {
		if slices.Contains(valid, v) {
			return nil
		}
		return fmt.Errorf("%s %q: want one of %s", flag, v, strings.Join(valid, ", "))
	}
	if o.Jobs < makefile.UnlimitedJobs {
		return errors.New("the '-j' option requires a positive integer argument")
	}
	if o.Mode != "" {
		if err := oneOf("--mode", o.Mode, Modes); err != nil {
			return err
		}
	}
	if o.Progress != "" {
		if err := oneOf("--progress", o.Progress, image.ProgressKinds); err != nil {
			return err
		}
	}
	for _, c := range o.CacheTo {
		if _, err := engine.ParseCacheOption(c, true); err != nil {
			return fmt.Errorf("--cache-to: %w", err)
		}
	}
	for _, c := range o.CacheFrom {
		if _, err := engine.ParseCacheOption(c, false); err != nil {
			return fmt.Errorf("--cache-from: %w", err)
		}
	}
	for _, a := range o.Attest {
		if _, _, err := engine.ParseAttest(a); err != nil {
			return fmt.Errorf("--attest: %w", err)
		}
	}
	if len(o.Attest) > 0 && !o.Push {
		// docker load keeps an image's platforms, not its attestation
		// manifests: a loaded image would have none, silently.
		return fmt.Errorf("--attest %s needs --push: attestations travel with the image to its registry, and an image loaded into the engine keeps none", o.Attest[0])
	}
	if o.Platform != "" {
		ps := strings.Split(o.Platform, ",")
		for _, p := range ps {
			if _, err := engine.ParsePlatform(p); err != nil {
				return fmt.Errorf("--platform %s: %w", o.Platform, err)
			}
		}
		// Only a build makes images: --check, --check-scripts, --graph,
		// --no-build and -n send nothing.
		builds := !o.Check && !o.CheckScripts && o.Graph == "" && !o.NoBuild && !o.DryRun
		if len(ps) > 1 && !o.Push && builds {
			return fmt.Errorf("--platform %s: several platforms make one image of each under a manifest list, which only a registry holds (the engine's image store keeps one image per tag): add --push (with --builder ADDR)", o.Platform)
		}
	}
	if o.CheckFrom != "" && !o.CheckScripts {
		return fmt.Errorf("--check-from %s: the image the files of --check-scripts run on (--check takes each image's FROM from the repository)", o.CheckFrom)
	}
	if o.CheckFormat != "" {
		if err := oneOf("--check-format", o.CheckFormat, CheckFormats); err != nil {
			return err
		}
		if o.CheckReport == "" {
			return fmt.Errorf("--check-format %s: the format of --check-report FILE, which is not given", o.CheckFormat)
		}
	}
	if o.Graph != "" {
		if err := oneOf("--graph", o.Graph, graph.Formats); err != nil {
			return err
		}
	}
	if o.OutputSync != "" && !slices.Contains(OutputSyncTypes, o.OutputSync) {
		return &StopError{Msg: fmt.Sprintf("unknown output-sync type '%s'", o.OutputSync)}
	}
	if _, err := watch.ParsePolicy(o.WatchPolicy); err != nil {
		return fmt.Errorf("--watch-policy: %w", err)
	}
	if o.Debounce < 0 {
		return fmt.Errorf("--debounce %v: want a duration of zero or more", o.Debounce)
	}
	for _, w := range o.Bust {
		if w == "" {
			return fmt.Errorf("--bust %q: want a script name (03_sshd.sh), its component (sshd) or all", w)
		}
	}
	return nil
}
