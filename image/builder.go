package image

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/statedir"
)

// DefaultNetwork is the build containers' network unless told otherwise:
// with the engine's bridge disabled, host networking is the one that works
// (and reaches the package mirror).
const DefaultNetwork = "host"

// Builder builds images for intercepted "docker build" commands. The zero
// value is not usable: Engine must be set unless NoBuild is.
type Builder struct {
	Engine   *engine.Engine
	Network  string   // build containers' network; "" means DefaultNetwork
	Bust     []string // --bust words: script names, components, "all"
	Mode     string   // "dev" (default) or "prod"
	Progress string   // "auto" (default), "tty", "plain", "json", "quiet" (ProgressKinds)
	NoBuild  bool     // write the Dockerfile and context, send nothing
	// PlanOnly plans each build and calls Check, and no more: nothing of
	// the context is read beyond what planning reads, nothing written
	// or sent, no engine asked (a dry run that wants the plans alone).
	PlanOnly bool
	Pull     bool // allow pulling FROM images
	// Platform, if set, is the platforms ("os/arch", comma-separated)
	// every build is for, whatever the docker build command says.
	Platform string
	// Cache builds with the engine's cache even when the repo's docker
	// build passes --no-cache.
	Cache bool
	// Parent says the images of this Builder are built because an image
	// named on the command line is FROM them: one whose inputs are
	// unchanged is not built again, even when its build passes --no-cache.
	Parent bool
	// Out receives progress; nil means the intercepted command's stderr.
	Out io.Writer
	// Root is the repository: no file of a build context is read through
	// a symbolic link out of it (such a link is sent as a link; see
	// WriteContext); a context outside it is its own limit (ContextRoot).
	// Empty sets no limit.
	Root string
	// Warn receives what dmake says about the repository's commands it
	// stands in for (a kill naming no process, a web server not started),
	// which a redirection of the command must not hide; nil means the
	// command's stderr.
	Warn io.Writer
	// Plain says the builds are a plain Makefile's, not a legacy
	// repository's: a Dockerfile sent as written is what is expected
	// there, and not remarked on.
	Plain bool
	// Inputs are more files whose content is part of every image's input
	// digest (the image's Makefiles and included .mk files).
	Inputs []string
	// TempDir is where stdin contexts are extracted ("" means os.TempDir).
	TempDir string
	// NoBuildDir is where --no-build writes each image's Dockerfile and
	// context tar ("" means the state directory, internal/statedir, of the context's parent).
	NoBuildDir string
	// Check, if set, vets an image's build before anything is sent to the
	// engine (or written by NoBuild): the driver dry-runs the scripts
	// there. An image whose inputs are unchanged since it was built is not
	// checked again. An error stops that build.
	Check func(ctx context.Context, req Request, plan *Plan) error
	// Sending, if set, is called when a build is found out of date,
	// before it is checked and sent (the driver then shows the recipe
	// echo it held back).
	Sending func()
	// Away, if set, is called when the engine starts building from the
	// context Build has read (nothing of the repository is read until
	// the build ends), and the function it returns when the engine is
	// done: the caller lets another image's scripts run meanwhile. A
	// build whose Dockerfile fetches files dmake serves from the host
	// does not call it.
	Away func() (back func())

	mu         sync.Mutex
	serveRoots []string
	// servePort is the port of the last web server a recipe started
	// (not started: dmake serves its files itself, see Plan.HostFetches).
	servePort string
	results   []*Result
	token     string
}

// Request is one image build, as a "docker build" command line asked for it.
type Request struct {
	ContextDir string // the context directory on disk
	Dockerfile string // the Dockerfile on disk; "" means ContextDir/Dockerfile
	// Settings are the build's settings as the command line gave them:
	// Settings.Dockerfile is ignored (the plan decides it), NetworkMode ""
	// means the Builder's network, and Labels are added to dmake's own.
	Settings engine.BuildSettings
	IIDFile  string
	Quiet    bool
	// WorkDir is where the docker command ran: a directory the recipes
	// may serve to the build over HTTP (echo-style repos).
	WorkDir string
	// Source is where the docker command is written (file:line of the
	// recipe line), for messages; "" when unknown.
	Source string
	// Stderr receives progress when the Builder has no Out.
	Stderr io.Writer
	// Stdout receives the image id with Quiet.
	Stdout io.Writer
}

// Result is what one Build did.
type Result struct {
	Tag      string
	ImageID  string
	UpToDate bool // inputs unchanged: nothing was sent
	Built    bool
	Steps    int
	Cached   int
	Ran      int
	Size     int64
	// LayeredSize is, in prod mode, the size of the layered image before
	// it was flattened (Flattened) into the smaller one of Size.
	LayeredSize int64
	Flattened   bool
	// NotLocal says the built image is not in the local engine (it was
	// pushed to a registry only): Size is unknown.
	NotLocal bool
	Removed  []string // dangling images of earlier builds removed
	Plan     *Plan
	// Dockerfile is the Dockerfile sent: the plan's with the labels.
	Dockerfile []byte
	Digest     string
	Duration   time.Duration
	Written    string // --no-build: directory holding Dockerfile and context.tar
	ContextDir string // the build context directory of the request
}

// Results returns what the builds of this Builder did, in order.
func (b *Builder) Results() []*Result {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]*Result(nil), b.results...)
}

// AddServeRoot records a directory a legacy recipe serves over HTTP to the
// build (an intercepted "python -m http.server"); scripts the Dockerfile
// fetches from the build host are looked up there.
func (b *Builder) AddServeRoot(dir string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.serveRoots = append(b.serveRoots, dir)
}

func (b *Builder) bustToken() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.token == "" {
		var r [6]byte
		rand.Read(r[:])
		b.token = hex.EncodeToString(r[:])
	}
	return b.token
}

// name returns the short name of a tag: legacy/ssh:latest → ssh.
func shortName(tag string) string { return ShortName(tag) }

// ShortName is the name of an image reference without its registry, path
// and tag: registry:5000/legacy/base:latest → base.
func ShortName(tag string) string {
	n := tag
	if i := strings.LastIndexByte(n, '/'); i >= 0 {
		n = n[i+1:]
	}
	if i := strings.IndexByte(n, ':'); i >= 0 {
		n = n[:i]
	}
	return n
}

// Build builds one image: it plans the Dockerfile and context, skips the
// build when the image under the first tag was built from the same inputs,
// and otherwise builds through the engine with progress, then removes the
// dangling images earlier builds of the tag left.
func (b *Builder) Build(ctx context.Context, req Request) (*Result, error) {
	start := time.Now()
	out := b.Out
	if out == nil {
		out = req.Stderr
	}
	if out == nil {
		out = io.Discard
	}
	// notes are the lines for people: with the progress, except that a
	// JSON progress stream holds events alone.
	notes := out
	if b.Progress == "json" {
		notes = io.Discard
		if req.Stderr != nil {
			notes = req.Stderr
		}
	}
	df := req.Dockerfile
	if df == "" {
		df = filepath.Join(req.ContextDir, "Dockerfile")
	}
	tag := ""
	if len(req.Settings.Tags) > 0 {
		tag = req.Settings.Tags[0]
	}
	name := shortName(tag)
	if name == "" {
		name = filepath.Base(req.ContextDir)
	}
	b.mu.Lock()
	roots := append([]string(nil), b.serveRoots...)
	port := b.servePort
	b.mu.Unlock()
	if req.WorkDir != "" {
		roots = append(roots, req.WorkDir)
	}
	if req.Settings.NoCache && !b.Parent && b.Progress != "json" && b.Progress != "quiet" {
		// The repo's own choice, honoured unless the command line says
		// otherwise: it defeats the cached layer per script.
		where := ""
		if req.Source != "" {
			where = " (" + req.Source + ")"
		}
		if b.Cache {
			fmt.Fprintf(notes, "%s: --cache: building with the cache, although the repo's docker build asks for --no-cache%s\n", name, where)
		} else {
			fmt.Fprintf(notes, "%s: the repo's docker build asks for --no-cache%s: honoured, so every step runs again and no cached layer is reused, as in the legacy build; dmake --cache %s keeps the layers\n", name, where, name)
		}
	}
	if b.Cache {
		req.Settings.NoCache = false
	}
	platformFlag := "docker build --platform"
	if b.Platform != "" {
		req.Settings.Platform, platformFlag = b.Platform, "--platform"
	}
	var token string
	if len(b.Bust) > 0 {
		token = b.bustToken()
	}
	// The busts the image under the tag was built with stay, until their
	// script changes (or --no-cache starts afresh).
	var kept map[string]KeptBust
	// tagged is the image under the tag when this build began, inspected
	// once for its busts and for the up-to-date check.
	var tagged *tagState
	if b.Engine != nil && tag != "" && !req.Settings.NoCache {
		info, found, err := b.Engine.InspectImage(ctx, tag)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		tagged = &tagState{info, found}
		if v := info.Labels[engine.LabelBust]; found && v != "" {
			if err := json.Unmarshal([]byte(v), &kept); err != nil {
				return nil, fmt.Errorf("%s: label %s of %s: %w", name, engine.LabelBust, tag, err)
			}
		}
	}
	plan, err := MakePlan(req.ContextDir, df, PlanOptions{Bust: b.Bust, Token: token, Mode: b.Mode, ServeRoots: roots, Kept: kept})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	plan.Target, plan.BuildArgs, plan.Platform = req.Settings.Target, req.Settings.BuildArgs, req.Settings.Platform
	res := &Result{Tag: tag, Plan: plan, ContextDir: req.ContextDir}
	for _, h := range plan.HostFetches {
		if port != "" {
			fmt.Fprintf(notes, "%s: %s:%d: %s: sent as written; dmake serves %s over HTTP on port %s during the build, as the web server the recipe would have started\n", name, df, h.Line, h.Why, strings.Join(h.Paths, " "), port)
		} else {
			fmt.Fprintf(notes, "%s: %s:%d: %s: sent as written; no recipe started a web server for it, so the fetch goes to whatever listens there, as in the legacy build\n", name, df, h.Line, h.Why)
		}
	}
	if plan.Layout == "dockerfile" && !b.Plain && b.Progress != "json" && b.Progress != "quiet" && !servesScripts(plan) && len(plan.Scripts) == 0 {
		fmt.Fprintf(notes, "%s: %s sent as written, one layer per instruction as the legacy build: no loop over install scripts, ADD+RUN per script or host-served script that dmake splits into cached layers\n", name, filepath.Base(df))
	}

	if b.PlanOnly {
		if b.Check != nil {
			if err := b.Check(ctx, req, plan); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		b.record(res)
		return res, nil
	}

	// The FROM images must be there (or be pulled, when allowed).
	pull := req.Settings.Pull || b.Pull
	var bases []string
	for _, ref := range plan.From {
		ref = expandArgs(ref, req.Settings.BuildArgs, df)
		if b.Engine == nil {
			bases = append(bases, ref)
			continue
		}
		info, found, err := b.Engine.InspectImage(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if !found {
			if !pull {
				return nil, fmt.Errorf("%s: FROM image %q is neither a local image nor built earlier in this run: build it first (e.g. dmake %s), load it (docker load -i FILE), or pass --pull to fetch it from a registry", name, ref, shortName(ref))
			}
			bases = append(bases, ref+"@pull")
			continue
		}
		// The local image is of one platform: a build for another
		// takes its FROM image from a registry (--pull), or none.
		other := ""
		for _, p := range strings.Split(req.Settings.Platform, ",") {
			if p != "" && !engine.PlatformMatches(p, info.Platform) {
				other = p
				break
			}
		}
		if other != "" && !pull {
			return nil, fmt.Errorf("%s: %s %s: FROM image %s is %s: a build from it would not be a %s image (load a %s image under that name, or pass --pull to take the FROM image of each platform from a registry)",
				name, platformFlag, req.Settings.Platform, ref, info.Platform, other, other)
		}
		if other != "" {
			bases = append(bases, ref+"@pull")
			continue
		}
		bases = append(bases, ref+"@"+info.ID)
	}

	var tarBuf bytes.Buffer
	ctxRoot := ""
	if b.Root != "" {
		ctxRoot = ContextRoot(b.Root, req.ContextDir)
	}
	// The context as the docker CLI sends it: the repository's files,
	// its own Dockerfile among them when the context has it (a COPY . of
	// it copies that one). dmake's Dockerfile goes to the builder apart
	// (engine.BuildRequest.DockerfileText).
	// A plain Makefile's context is sent as the docker CLI sends it: links
	// as links, each file with its time.
	linksOut, contentDigest, err := WriteContext(&tarBuf, "", nil, plan.Files, ctxRoot, ContextOptions{KeepLinks: b.Plain, Times: b.Plain})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for _, l := range linksOut {
		fmt.Fprintf(notes, "%s: %s links out of %s: sent as a link, not followed (as the docker CLI sends a link)\n", name, l, ctxRoot)
	}
	labels := map[string]string{}
	for k, v := range req.Settings.Labels {
		labels[k] = v
	}
	mode := b.Mode
	if mode == "" {
		mode = "dev"
	}
	labels["org.opencontainers.image.title"] = name
	if tag != "" {
		labels["org.opencontainers.image.ref.name"] = tag
	}
	if len(plan.From) > 0 {
		labels["org.opencontainers.image.base.name"] = plan.From[len(plan.From)-1]
		if i := strings.LastIndexByte(bases[len(bases)-1], '@'); i >= 0 {
			labels[engine.LabelBase] = bases[len(bases)-1][i+1:]
			labels["org.opencontainers.image.base.digest"] = bases[len(bases)-1][i+1:]
		}
	}
	labels[engine.LabelManaged] = "1"
	labels[engine.LabelTag] = tag
	labels[engine.LabelMode] = mode
	labels[engine.LabelLayout] = plan.Layout
	labels[engine.LabelComponents] = strings.Join(plan.Components, " ")
	for s, d := range plan.Scripts {
		labels[engine.LabelScriptPrefix+s] = d
	}
	if len(plan.Busts) > 0 {
		j, err := json.Marshal(plan.Busts)
		if err != nil {
			return nil, err
		}
		labels[engine.LabelBust] = string(j)
	}
	digest, err := inputDigest(contentDigest, plan.Dockerfile, req.Settings, labels, bases, b.Inputs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	labels[engine.LabelInputs] = digest
	res.Digest = digest
	// The labels go into the Dockerfile as one last LABEL step (the
	// engine's labels parameter would add a step per label).
	res.Dockerfile, err = addLabelLine(plan.Dockerfile, req.Settings.Target, labelLine(labels))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	steps := append(append([]Step(nil), plan.Steps...), Step{Instruction: strings.TrimSpace(labelLine(labels)), Line: len(plan.Steps) + 1})

	if b.NoBuild {
		if b.Sending != nil {
			b.Sending() // it writes what it would send
		}
		if b.Check != nil {
			if err := b.Check(ctx, req, plan); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		dir := b.NoBuildDir
		if dir == "" {
			var err error
			if dir, err = statedir.Make(filepath.Dir(req.ContextDir)); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		dir = filepath.Join(dir, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), res.Dockerfile, 0o644); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "context.tar"), tarBuf.Bytes(), 0o644); err != nil {
			return nil, err
		}
		res.Written = dir
		fmt.Fprintf(notes, "%s: --no-build: wrote %s/Dockerfile and context.tar (%d steps), sent nothing\n", name, dir, len(steps))
		b.record(res)
		return res, nil
	}
	if b.Engine == nil {
		return nil, errors.New("image: Builder has no Engine")
	}

	kind := b.Progress
	if b.Plain && req.Quiet && (kind == "" || kind == "auto") {
		// A plain Makefile's docker build -q: the image ID alone, as
		// the CLI prints it (ID=$(docker build -q .)).
		kind = "quiet"
	}
	pr := newProgress(kind, out, name, steps)
	if (!req.Settings.NoCache || b.Parent) && plan.Busted == "" && tag != "" {
		if tagged == nil {
			info, found, err := b.Engine.InspectImage(ctx, tag)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			tagged = &tagState{info, found}
		}
		if info := tagged.info; tagged.found && info.Labels[engine.LabelInputs] == digest {
			res.UpToDate, res.ImageID, res.Size = true, info.ID, info.Size
			res.Duration = time.Since(start)
			pr.upToDate(res)
			if err := finishOutputs(req, res); err != nil {
				return nil, err
			}
			b.record(res)
			return res, nil
		}
	}
	if b.Sending != nil {
		b.Sending()
	}
	settings := req.Settings
	settings.Dockerfile = ""
	settings.Labels = nil // in the Dockerfile's last LABEL step
	settings.Pull = pull
	if settings.NetworkMode == "" {
		settings.NetworkMode = b.Network
	}
	if settings.NetworkMode == "" {
		settings.NetworkMode = DefaultNetwork
	}
	if len(settings.BuildArgs) == 0 {
		settings.BuildArgs = nil
	}
	breq := engine.BuildRequest{Context: &tarBuf, DockerfileText: res.Dockerfile, BuildSettings: settings, Bases: map[string]string{}}
	for _, base := range bases {
		if i := strings.LastIndexByte(base, '@'); i >= 0 && base[i+1:] != "pull" {
			breq.Bases[base[:i]] = base[i+1:]
		}
	}
	if b.Check != nil {
		// A builder without the FROM images and the cached layers (a
		// remote one with an empty state) fetches them while the
		// scripts are checked: the steps before the first RUN run
		// ahead.
		ahead := breq
		ahead.Context = bytes.NewReader(tarBuf.Bytes())
		breq.Prefetch = b.Engine.Prefetch(ctx, ahead, aheadSteps(res.Dockerfile))
		defer breq.Prefetch.Stop()
		if err := b.Check(ctx, req, plan); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if len(plan.HostFetches) > 0 && port != "" {
		stop, err := serveFiles(port, roots)
		if err != nil {
			fmt.Fprintf(notes, "%s: not serving the files the build fetches on port %s (%v): the fetches go to what listens there\n", name, port, err)
		} else {
			defer stop()
		}
	}
	if b.Engine.BuildKit() != nil {
		// BuildKit's own display shows the steps; dmake's progress
		// keeps its summary lines and JSON events.
		breq.Display, breq.DisplayMode = pr.buildKitDisplay()
	}
	back := func() {}
	if b.Away != nil && len(plan.HostFetches) == 0 {
		back = b.Away()
	}
	br, err := b.Engine.Build(ctx, breq, pr.event)
	back()
	res.Steps, res.Cached, res.Ran, res.ImageID = br.Steps, br.Cached, br.Ran, br.ImageID
	res.Duration = time.Since(start)
	if err != nil && ctx.Err() != nil {
		pr.cancelled()
		return nil, fmt.Errorf("%s: build cancelled: %w", name, ctx.Err())
	}
	if err != nil {
		ferr := b.describeFailure(name, steps, req.ContextDir, req.WorkDir, err, pr.stepOutput())
		pr.failed(ferr)
		return nil, ferr
	}
	res.Built = true
	if info, found, err := b.Engine.InspectImage(ctx, br.ImageID); err == nil && found {
		res.Size = info.Size
	} else if err == nil {
		res.NotLocal = true
	}
	if mode == "prod" && tag != "" {
		// The build-only packages were removed in a later layer than
		// the one that installed them: only a flattened image is
		// smaller. The layered image stays, tagged, as the build cache.
		res.LayeredSize = res.Size
		flat, err := b.Engine.Flatten(ctx, br.ImageID, tag)
		if err != nil {
			return nil, fmt.Errorf("%s: --mode prod: %w", name, err)
		}
		if err := b.Engine.Tag(ctx, br.ImageID, LayersTag(tag)); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		res.ImageID, res.Flattened = flat, true
		if info, found, err := b.Engine.InspectImage(ctx, flat); err == nil && found {
			res.Size = info.Size
		}
	}
	if tag != "" {
		res.Removed, _ = b.Engine.RemoveDangling(ctx, tag, res.ImageID)
	}
	pr.done(res)
	if err := finishOutputs(req, res); err != nil {
		return nil, err
	}
	b.record(res)
	return res, nil
}

func (b *Builder) record(r *Result) {
	b.mu.Lock()
	b.results = append(b.results, r)
	b.mu.Unlock()
}

func finishOutputs(req Request, res *Result) error {
	if req.IIDFile != "" {
		if err := os.WriteFile(req.IIDFile, []byte(res.ImageID), 0o644); err != nil {
			return err
		}
	}
	if req.Quiet && req.Stdout != nil {
		fmt.Fprintln(req.Stdout, res.ImageID)
	}
	return nil
}

// inputDigest hashes everything a build depends on: the context, the build
// args, the labels, the base images, the more input files, and the settings
// that change what the build makes (each written only when set, so that a
// build without them keeps its digest).
func inputDigest(context string, dockerfile []byte, s engine.BuildSettings, labels map[string]string, bases, inputs []string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "dmake-inputs v3\ncontext %s\ndockerfile %x\n", context, sha256.Sum256(dockerfile))
	args := s.BuildArgs
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if args[k] == nil {
			fmt.Fprintf(h, "arg %q unset\n", k)
		} else {
			fmt.Fprintf(h, "arg %q=%q\n", k, *args[k])
		}
	}
	keys = keys[:0]
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "label %q=%q\n", k, labels[k])
	}
	for _, b := range bases {
		fmt.Fprintf(h, "base %s\n", b)
	}
	for _, kv := range [][2]string{{"platform", s.Platform}, {"target", s.Target}, {"add-host", strings.Join(s.ExtraHosts, " ")}, {"security-opt", strings.Join(s.SecurityOpt, " ")}} {
		if kv[1] != "" {
			fmt.Fprintf(h, "%s %q\n", kv[0], kv[1])
		}
	}
	if s.Squash {
		fmt.Fprintf(h, "squash\n")
	}
	for _, in := range inputs {
		c, err := os.ReadFile(in)
		if err != nil {
			return "", fmt.Errorf("input %s: %w", in, err)
		}
		// The content only: a makefile's path may be a temporary
		// file's, new on every run (a bin/make's mktemp).
		fmt.Fprintf(h, "input %x\n", sha256.Sum256(c))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// addLabelLine adds the LABEL instruction line to the Dockerfile df: at the
// end, or, when a --target stage is built, at the end of that stage.
func addLabelLine(df []byte, target, line string) ([]byte, error) {
	if target == "" {
		return append(append([]byte(nil), df...), line...), nil
	}
	ins, err := ParseDockerfile("Dockerfile", df)
	if err != nil {
		return nil, err
	}
	found, end := false, 0
	for _, in := range ins {
		if in.Cmd != "FROM" {
			continue
		}
		if found {
			end = in.Line
			break
		}
		if _, stage := fromImage(in); strings.EqualFold(stage, target) {
			found = true
		}
	}
	if !found {
		return nil, fmt.Errorf("--target %s: the Dockerfile has no stage named %s (FROM … AS %s)", target, target, target)
	}
	if end == 0 {
		return append(append([]byte(nil), df...), line...), nil
	}
	lines := strings.SplitAfter(string(df), "\n")
	out := strings.Join(lines[:end-1], "") + line + strings.Join(lines[end-1:], "")
	return []byte(out), nil
}

var argRefRe = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`)

// expandArgs substitutes build args (and the ARG defaults before the first
// FROM) in a FROM reference.
func expandArgs(ref string, args map[string]*string, df string) string {
	if !strings.Contains(ref, "$") {
		return ref
	}
	defaults := map[string]string{}
	if src, err := os.ReadFile(df); err == nil {
		if ins, err := ParseDockerfile(df, src); err == nil {
			for _, in := range ins {
				if in.Cmd == "FROM" {
					break
				}
				if in.Cmd == "ARG" {
					k, v, _ := strings.Cut(in.Args, "=")
					defaults[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"`)
				}
			}
		}
	}
	return argRefRe.ReplaceAllStringFunc(ref, func(m string) string {
		k := argRefRe.FindStringSubmatch(m)[1]
		if v, ok := args[k]; ok && v != nil {
			return *v
		}
		return defaults[k]
	})
}

var scriptLineRe = regexp.MustCompile(`(?:^|\s)(/?[^\s:]*?([^/\s:]+\.sh)): line (\d+): (.*)$`)

// FailedStep is a build failure explained in the legacy repo's terms.
type FailedStep struct {
	Image       string
	Step, Steps int
	Instruction string
	Script      string // install script of the failing step, if any
	ScriptFile  string // the script on disk
	Line        int    // failing line of the script, when the output tells
	LineText    string // that line
	Detail      string // the shell's message for that line
	Engine      string // the engine's message
	Output      []string
}

func (f *FailedStep) Error() string {
	var sb strings.Builder
	if f.Step == 0 {
		// Before any step: the Dockerfile, the context, the frontend.
		fmt.Fprintf(&sb, "%s: the build failed before its first step", f.Image)
	} else {
		fmt.Fprintf(&sb, "%s: step %d/%d failed: %s", f.Image, f.Step, f.Steps, f.Instruction)
	}
	if f.Script != "" {
		loc := f.Script
		if f.ScriptFile != "" {
			loc = f.ScriptFile
		}
		if f.Line > 0 {
			fmt.Fprintf(&sb, "\n%s:%d: %s", loc, f.Line, f.Detail)
			if f.LineText != "" {
				fmt.Fprintf(&sb, "\n\t%s", strings.TrimSpace(f.LineText))
			}
		} else {
			fmt.Fprintf(&sb, "\n%s: the script failed", loc)
		}
	}
	fmt.Fprintf(&sb, "\nengine: %s", f.Engine)
	return sb.String()
}

func (b *Builder) describeFailure(name string, steps []Step, dir, workDir string, err error, output []string) error {
	var be *engine.BuildError
	if !errors.As(err, &be) {
		return fmt.Errorf("%s: %w", name, err)
	}
	f := &FailedStep{Image: name, Step: be.Step, Instruction: displayInstruction(be.Instruction), Engine: be.Message, Output: output}
	f.Steps = len(steps)
	if be.Step >= 1 && be.Step <= len(steps) {
		f.Script = steps[be.Step-1].Script
	}
	if f.Script != "" {
		// The script on disk: in the build directory the recipes made
		// (a context read from stdin is only a temporary copy), else in
		// the context.
		var cands []string
		if workDir != "" {
			cands = append(cands, filepath.Join(workDir, "build", "script", f.Script), filepath.Join(workDir, "script", f.Script))
			m, _ := filepath.Glob(filepath.Join(workDir, "*", "script", f.Script))
			cands = append(cands, m...)
		}
		cands = append(cands, filepath.Join(dir, "script", f.Script), filepath.Join(dir, f.Script))
		for _, cand := range cands {
			if _, err := os.Stat(cand); err == nil {
				f.ScriptFile = cand
				if real, err := filepath.EvalSymlinks(cand); err == nil {
					f.ScriptFile = real
				}
				break
			}
		}
		for i := len(output) - 1; i >= 0; i-- {
			m := scriptLineRe.FindStringSubmatch(output[i])
			if m == nil {
				continue
			}
			if m[2] == f.Script {
				fmt.Sscan(m[3], &f.Line)
				f.Detail = m[4]
				break
			}
			if strings.HasPrefix(output[i], "dmake: ") && strings.HasPrefix(m[1], "/build/script/") {
				// errTrap's report of a failure in a helper
				// the script sources (script/functions.sh).
				fmt.Sscan(m[3], &f.Line)
				f.Detail = m[4]
				f.Script = m[2]
				if f.ScriptFile != "" {
					f.ScriptFile = filepath.Join(filepath.Dir(f.ScriptFile), m[2])
				}
				break
			}
		}
		if f.Line > 0 && f.ScriptFile != "" {
			if src, err := os.ReadFile(f.ScriptFile); err == nil {
				lines := strings.Split(string(src), "\n")
				if f.Line <= len(lines) {
					f.LineText = lines[f.Line-1]
				}
			}
		}
	}
	return f
}

// labelLine returns a LABEL instruction setting labels, sorted.
func labelLine(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	sb.WriteString("LABEL")
	for _, k := range keys {
		fmt.Fprintf(&sb, " %s=%s", strconv.Quote(k), strconv.Quote(labels[k]))
	}
	sb.WriteString("\n")
	return sb.String()
}

// servesScripts reports whether a Dockerfile-as-given plan runs scripts
// the build host served, which dmake sends as a layer each.
func servesScripts(p *Plan) bool {
	for _, f := range p.Files {
		if strings.HasPrefix(f.Name, ".dmake-served/") {
			return true
		}
	}
	return false
}

// LayersTag is the tag that keeps, in prod mode, the layered image (the
// build cache) of the flattened image tagged tag: legacy/ssh →
// legacy/ssh:latest-layers.
func LayersTag(tag string) string {
	repo, t := tag, "latest"
	if i := strings.LastIndexByte(tag, ':'); i > strings.LastIndexByte(tag, '/') {
		repo, t = tag[:i], tag[i+1:]
	}
	return repo + ":" + t + "-layers"
}

// tagState is what the engine said of an image reference.
type tagState struct {
	info  engine.ImageInfo
	found bool
}
