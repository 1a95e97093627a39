package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Labels dmake puts on the images it builds. Tools that clean up after dmake
// select its images by LabelManaged; the others describe how an image was made.
const (
	// LabelManaged is "1" on every image dmake builds.
	LabelManaged = "dev.dmake.managed"
	// LabelTag is the tag an image was built for; after a rebuild moves
	// the tag, the old image keeps this label and can be found as dangling.
	LabelTag = "dev.dmake.tag"
	// LabelInputs is the digest of every input of the build (Dockerfile,
	// context files, build args, base image ids, mode); equal digests mean
	// the build can be skipped.
	LabelInputs = "dev.dmake.inputs"
	// LabelBase is the id of the FROM image the build started from.
	LabelBase = "dev.dmake.base"
	// LabelComponents lists the image's components, space separated.
	LabelComponents = "dev.dmake.components"
	// LabelScriptPrefix, followed by a script's name, holds that script's
	// content digest ("sha256:…").
	LabelScriptPrefix = "dev.dmake.script."
	// LabelMode is the build mode, "dev" or "prod".
	LabelMode = "dev.dmake.mode"
	// LabelBust records the steps built with a --bust token (JSON: step →
	// token and script digest), so that later builds keep the token.
	LabelBust = "dev.dmake.bust"
	// LabelLayout is how dmake built the image: "layered" (one layer per
	// legacy script) or "dockerfile" (the Dockerfile as given).
	LabelLayout = "dev.dmake.layout"
)

// BuildSettings are the settings of one build that the Engine API's build
// call takes: everything a "docker build" command line can ask of the
// classic builder.
type BuildSettings struct {
	// Dockerfile is the Dockerfile's path inside the context ("" means
	// "Dockerfile").
	Dockerfile string
	// Tags name the built image.
	Tags []string
	// BuildArgs are the --build-arg values (nil: unset).
	BuildArgs map[string]*string
	// Labels are added to the image.
	Labels map[string]string
	// NetworkMode is the build containers' network ("host", "none", …).
	NetworkMode string
	// NoCache disables the build cache; Pull fetches the FROM image again.
	NoCache, Pull bool
	// KeepContainers keeps the intermediate containers (--rm=false);
	// otherwise they are removed, also after a failed step.
	KeepContainers bool
	// Platform is "os/arch[/variant]"; the built image must be of it.
	Platform string
	// ExtraHosts are "name:ip" entries added to the RUN steps' /etc/hosts.
	ExtraHosts []string
	// Target is the stage of a multi-stage Dockerfile to build.
	Target string
	// CacheFrom are images whose layers the build may reuse.
	CacheFrom []string
	// Resource limits of the RUN steps' containers (0 or "": unset).
	Memory, MemorySwap, ShmSize    int64
	CPUShares, CPUPeriod, CPUQuota int64
	CPUSetCPUs, CPUSetMems         string
	CgroupParent, Isolation        string
	SecurityOpt                    []string
	Ulimits                        []*units.Ulimit
	// Squash squashes the new layers into one (an experimental daemon
	// feature).
	Squash bool
}

// BuildRequest is one image build, on the classic builder or on BuildKit
// (UseBuildKit).
type BuildRequest struct {
	// Context is the build context as a tar stream (uncompressed or gzip).
	Context io.Reader
	// DockerfileText, if set, is the Dockerfile to build, which is not the
	// context's (Settings.Dockerfile is then unused): BuildKit reads it
	// apart from the context; the classic builder gets it in the context
	// tar as DockerfileName, which an entry of the tar's .dockerignore
	// keeps out of COPY and ADD, as the docker CLI sends a Dockerfile
	// from outside the context. So a COPY . copies the context's own
	// Dockerfile, if it has one, as with the CLI.
	DockerfileText []byte
	// Bases maps the FROM references found among the local engine's
	// images to their ids: a BuildKit build takes them from the engine
	// (the classic builder finds them there itself).
	Bases map[string]string
	// Display, if set, receives BuildKit's own display of the build's
	// progress in DisplayMode ("tty" or "plain") when the build runs on
	// BuildKit; the events arrive as well.
	Display     io.Writer
	DisplayMode string
	// Prefetch, if set, is the readying of Bases on the BuildKit daemon
	// that Engine.Prefetch started: the build waits for it, showing its
	// progress first.
	Prefetch *Prefetch
	BuildSettings
}

// BuildEventKind says what a BuildEvent reports.
type BuildEventKind int

// The kinds of build events.
const (
	// EventStep starts step Step of Steps; Text is the instruction.
	EventStep BuildEventKind = iota
	// EventCached: the current step was taken from the cache.
	EventCached
	// EventRunning: the current step runs in a container (Text is its id).
	EventRunning
	// EventDone: the current step produced a layer (Text is its short id).
	EventDone
	// EventOutput is one line of the engine's output, verbatim (Text).
	EventOutput
	// EventError: the build failed; Text is the engine's message.
	EventError
	// EventStatus is one update of BuildKit's status stream, whole, as
	// JSON in Raw (BuildKit's SolveStatus: vertexes, statuses, logs,
	// warnings); the classic builder sends none.
	EventStatus
)

// BuildEvent is one thing the engine reported during a build. Every line of
// the engine's stream arrives as an EventOutput; the lines the classic
// builder uses to mark steps arrive as well as the more specific kinds.
type BuildEvent struct {
	Kind  BuildEventKind
	Step  int // 1-based, current step (0 before the first)
	Steps int // number of steps, once known
	Text  string
	Raw   []byte // EventStatus: BuildKit's status, JSON
}

// BuildResult is the outcome of a successful build.
type BuildResult struct {
	ImageID string // "sha256:…"
	Cached  int    // steps taken from the cache
	Ran     int    // steps that ran a container
	Steps   int
	// For an image a BuildKit daemon built for the engine (--load):
	// LoadReceived is the bytes the daemon sent dmake, LoadDeclined
	// those of the blobs it did not send since dmake gave it them (the
	// FROM images'), and LoadSkipped those of the FROM images' layers
	// left out of what dmake sent the engine, which has them.
	LoadReceived, LoadDeclined, LoadSkipped int64
}

// BuildError is a build that the engine reported as failed.
type BuildError struct {
	Step        int    // 1-based step that failed (0 if unknown)
	Instruction string // that step's instruction as the engine printed it
	Message     string // the engine's message
	Code        int    // the command's exit status, when the message gives one
}

func (e *BuildError) Error() string {
	if e.Step > 0 {
		return fmt.Sprintf("step %d (%s): %s", e.Step, e.Instruction, e.Message)
	}
	return e.Message
}

var (
	stepRe = regexp.MustCompile(`^Step (\d+)/(\d+) : (.*)$`)
	codeRe = regexp.MustCompile(`returned a non-zero code: (\d+)`)
)

// Build sends req to the engine's classic builder, or to the BuildKit
// daemon of UseBuildKit, and follows its progress stream, calling events
// (if not nil) for each thing reported.
func (e *Engine) Build(ctx context.Context, req BuildRequest, events func(BuildEvent)) (BuildResult, error) {
	e.buildStarted()
	defer e.buildEnded(ctx)
	bk, err := e.builder(ctx)
	if err != nil {
		return BuildResult{}, err
	}
	if bk != nil && bk.embedded {
		if flag := classicSettings(req); flag != "" {
			// The engine's own BuildKit would drop it: the engine's
			// classic builder, which honours it, builds instead.
			if events != nil {
				events(BuildEvent{Kind: EventOutput, Text: "dmake: building on the engine's classic builder: " + flag + " is for the classic builder"})
			}
			return runBuild(ctx, e.c, req, events)
		}
	}
	if bk != nil {
		return e.buildKitBuild(ctx, bk, req, events)
	}
	return runBuild(ctx, e.c, req, events)
}

func runBuild(ctx context.Context, c *client.Client, req BuildRequest, events func(BuildEvent)) (BuildResult, error) {
	if events == nil {
		events = func(BuildEvent) {}
	}
	opts := client.ImageBuildOptions{
		Tags:         req.Tags,
		Dockerfile:   req.Dockerfile,
		BuildArgs:    req.BuildArgs,
		Labels:       req.Labels,
		NetworkMode:  req.NetworkMode,
		NoCache:      req.NoCache,
		PullParent:   req.Pull,
		Remove:       !req.KeepContainers,
		ForceRemove:  !req.KeepContainers,
		ExtraHosts:   req.ExtraHosts,
		Target:       req.Target,
		CacheFrom:    req.CacheFrom,
		Memory:       req.Memory,
		MemorySwap:   req.MemorySwap,
		ShmSize:      req.ShmSize,
		CPUShares:    req.CPUShares,
		CPUPeriod:    req.CPUPeriod,
		CPUQuota:     req.CPUQuota,
		CPUSetCPUs:   req.CPUSetCPUs,
		CPUSetMems:   req.CPUSetMems,
		CgroupParent: req.CgroupParent,
		Isolation:    container.Isolation(req.Isolation),
		SecurityOpt:  req.SecurityOpt,
		Ulimits:      req.Ulimits,
		Squash:       req.Squash,
		Version:      build.BuilderV1,
	}
	var want ocispec.Platform
	if req.Platform != "" {
		var err error
		if want, err = ParsePlatform(req.Platform); err != nil {
			return BuildResult{}, fmt.Errorf("docker build: %w", err)
		}
		opts.Platforms = []ocispec.Platform{want}
		// Tagged only once the image is known to be of that platform.
		opts.Tags = nil
	}
	body := req.Context
	if req.DockerfileText != nil {
		body, opts.Dockerfile = withDockerfile(req.Context, req.DockerfileText), DockerfileName
	}
	resp, err := c.ImageBuild(ctx, body, opts)
	if err != nil {
		return BuildResult{}, fmt.Errorf("docker build: %w", err)
	}
	defer resp.Body.Close()
	res, err := followBuild(resp.Body, events)
	if err != nil || req.Platform == "" {
		return res, err
	}
	ins, err := c.ImageInspect(ctx, res.ImageID)
	if err != nil {
		return res, fmt.Errorf("inspecting the built image: %w", err)
	}
	got := ocispec.Platform{OS: ins.Os, Architecture: ins.Architecture, Variant: ins.Variant}
	if !samePlatform(want, got) {
		c.ImageRemove(ctx, res.ImageID, client.ImageRemoveOptions{})
		return res, fmt.Errorf("docker build --platform %s: the builder made a %s image instead; it cannot build for %s here (no image was tagged)",
			req.Platform, FormatPlatform(got), req.Platform)
	}
	for _, t := range req.Tags {
		if _, err := c.ImageTag(ctx, client.ImageTagOptions{Source: res.ImageID, Target: t}); err != nil {
			return res, fmt.Errorf("tagging %s as %s: %w", res.ImageID, t, err)
		}
	}
	return res, nil
}

// ParsePlatform parses "os/arch[/variant]" (or "arch", meaning linux).
func ParsePlatform(s string) (ocispec.Platform, error) {
	parts := strings.Split(strings.ToLower(s), "/")
	var p ocispec.Platform
	switch len(parts) {
	case 1:
		p = ocispec.Platform{OS: "linux", Architecture: parts[0]}
	case 2:
		p = ocispec.Platform{OS: parts[0], Architecture: parts[1]}
	case 3:
		p = ocispec.Platform{OS: parts[0], Architecture: parts[1], Variant: parts[2]}
	}
	for _, part := range parts {
		if part == "" || len(parts) > 3 {
			return p, fmt.Errorf("invalid platform %q: want os/arch[/variant], e.g. linux/arm64", s)
		}
	}
	return p, nil
}

// FormatPlatform writes p as "os/arch[/variant]".
func FormatPlatform(p ocispec.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// PlatformMatches reports whether an image of platform got ("os/arch[/variant]")
// answers a request for platform want.
func PlatformMatches(want, got string) bool {
	w, err1 := ParsePlatform(want)
	g, err2 := ParsePlatform(got)
	return err1 == nil && err2 == nil && samePlatform(w, g)
}

// samePlatform reports whether an image of platform got answers a request
// for want (a variant not asked for, and arm64's default v8, match).
func samePlatform(want, got ocispec.Platform) bool {
	norm := func(a string) string {
		switch a {
		case "x86_64", "x86-64":
			return "amd64"
		case "aarch64":
			return "arm64"
		}
		return a
	}
	if want.OS != got.OS || norm(want.Architecture) != norm(got.Architecture) {
		return false
	}
	if want.Variant == "" || want.Variant == got.Variant {
		return true
	}
	return norm(want.Architecture) == "arm64" && want.Variant == "v8" && got.Variant == ""
}

// followBuild reads a classic builder's JSON message stream.
func followBuild(r io.Reader, events func(BuildEvent)) (BuildResult, error) {
	var (
		res         BuildResult
		step        int
		instruction string
		partial     string
	)
	line := func(l string) {
		events(BuildEvent{Kind: EventOutput, Step: step, Steps: res.Steps, Text: l})
		switch {
		case stepRe.MatchString(l):
			m := stepRe.FindStringSubmatch(l)
			step, _ = strconv.Atoi(m[1])
			res.Steps, _ = strconv.Atoi(m[2])
			instruction = m[3]
			events(BuildEvent{Kind: EventStep, Step: step, Steps: res.Steps, Text: instruction})
		case l == " ---> Using cache":
			res.Cached++
			events(BuildEvent{Kind: EventCached, Step: step, Steps: res.Steps})
		case strings.HasPrefix(l, " ---> Running in "):
			res.Ran++
			events(BuildEvent{Kind: EventRunning, Step: step, Steps: res.Steps, Text: strings.TrimPrefix(l, " ---> Running in ")})
		case strings.HasPrefix(l, " ---> ") && !strings.Contains(l[6:], " "):
			events(BuildEvent{Kind: EventDone, Step: step, Steps: res.Steps, Text: l[6:]})
		}
	}
	dec := json.NewDecoder(bufio.NewReader(r))
	for {
		var m jsonstream.Message
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return res, fmt.Errorf("reading the engine's build stream: %w", err)
		}
		if m.Stream != "" {
			text := partial + m.Stream
			parts := strings.Split(text, "\n")
			partial = parts[len(parts)-1]
			for _, l := range parts[:len(parts)-1] {
				line(strings.TrimSuffix(l, "\r"))
			}
		}
		if m.Aux != nil {
			var aux struct{ ID string }
			if json.Unmarshal(*m.Aux, &aux) == nil && aux.ID != "" {
				res.ImageID = aux.ID
			}
		}
		if m.Error != nil {
			if partial != "" {
				line(partial)
				partial = ""
			}
			be := &BuildError{Step: step, Instruction: instruction, Message: m.Error.Message}
			if mm := codeRe.FindStringSubmatch(m.Error.Message); mm != nil {
				be.Code, _ = strconv.Atoi(mm[1])
			}
			events(BuildEvent{Kind: EventError, Step: step, Steps: res.Steps, Text: m.Error.Message})
			return res, be
		}
	}
	if partial != "" {
		line(partial)
	}
	if res.ImageID == "" {
		return res, errors.New("the engine's build stream ended without an image id")
	}
	return res, nil
}

// ImageInfo is what dmake needs to know about a local image.
type ImageInfo struct {
	ID string
	// Platform is "os/arch[/variant]".
	Platform string
	// Layers are the diff IDs of the image's layers, bottom first.
	Layers []string
	Labels map[string]string
	Size   int64
	Env    []string
	Cmd    []string
	Entry  []string
	Ports  []string
}

// InspectImage returns what the engine knows of ref; found is false when no
// local image has that name or id.
func (e *Engine) InspectImage(ctx context.Context, ref string) (info ImageInfo, found bool, err error) {
	r, err := e.c.ImageInspect(ctx, ref)
	if err != nil {
		if IsNotFound(err) {
			return ImageInfo{}, false, nil
		}
		return ImageInfo{}, false, fmt.Errorf("inspecting image %s: %w", ref, err)
	}
	info = ImageInfo{ID: r.ID, Size: r.Size, Platform: FormatPlatform(ocispec.Platform{OS: r.Os, Architecture: r.Architecture, Variant: r.Variant}), Layers: r.RootFS.Layers}
	if r.Config != nil {
		info.Labels = r.Config.Labels
		info.Env = r.Config.Env
		info.Cmd = r.Config.Cmd
		info.Entry = r.Config.Entrypoint
		for p := range r.Config.ExposedPorts {
			info.Ports = append(info.Ports, p)
		}
	}
	return info, true, nil
}

// Tag gives the image src (a name or id) the name dst.
func (e *Engine) Tag(ctx context.Context, src, dst string) error {
	if _, err := e.c.ImageTag(ctx, client.ImageTagOptions{Source: src, Target: dst}); err != nil {
		return fmt.Errorf("tagging %s as %s: %w", src, dst, err)
	}
	return nil
}
