package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	bkclient "github.com/moby/buildkit/client"
	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/client"
)

// ErrNoEmbeddedBuildKit is wrapped by EmbeddedBuildKit's error when the
// engine does not offer its BuildKit: the caller falls back to the classic
// builder and says why.
var ErrNoEmbeddedBuildKit = errors.New("the engine offers no BuildKit")

// embeddedProbeTimeout bounds the question whether the engine's BuildKit
// answers: an engine without one fails at once, one with it answers in
// milliseconds.
const embeddedProbeTimeout = 10 * time.Second

// EmbeddedOpts returns the options that make bkclient.New reach the BuildKit
// embedded in the engine, as buildx's "docker" driver reaches it: gRPC over
// the engine API's /grpc endpoint and the build session over /session, each
// an HTTP connection upgraded (hijacked) to the named protocol. The
// connections go wherever the engine's own do (unix socket, TCP with TLS,
// ssh), so the embedded builder needs no address of its own. The caller
// passes them to bkclient.New with an empty address.
func (e *Engine) EmbeddedOpts() []bkclient.ClientOpt {
	return []bkclient.ClientOpt{
		bkclient.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			conn, err := e.c.DialHijack(ctx, "/grpc", "h2c", nil)
			if err != nil {
				return nil, fmt.Errorf("docker engine at %s: /grpc: %w", e.host, err)
			}
			return conn, nil
		}),
		bkclient.WithSessionDialer(func(ctx context.Context, proto string, meta map[string][]string) (net.Conn, error) {
			conn, err := e.c.DialHijack(ctx, "/session", proto, meta)
			if err != nil {
				return nil, fmt.Errorf("docker engine at %s: /session: %w", e.host, err)
			}
			return conn, nil
		}),
	}
}

// EmbeddedBuildKit connects to the BuildKit embedded in the engine and
// checks that it answers (it lists its workers). The error wraps
// ErrNoEmbeddedBuildKit, and says why, when the engine does not offer one:
// DOCKER_BUILDKIT=0 in getenv's environment (the docker CLI's switch to the
// classic builder), an engine whose ping says its builder is the classic
// one, or an engine whose /grpc endpoint does not answer as BuildKit.
func (e *Engine) EmbeddedBuildKit(ctx context.Context, getenv func(string) string) (*bkclient.Client, error) {
	c, _, err := e.embeddedBuildKit(ctx, getenv)
	return c, err
}

// embeddedBuildKit is EmbeddedBuildKit, which also returns what the engine
// says of its BuildKit's version (checkEmbedded).
func (e *Engine) embeddedBuildKit(ctx context.Context, getenv func(string) string) (*bkclient.Client, string, error) {
	if err := e.embeddedOffered(getenv); err != nil {
		return nil, "", err
	}
	pctx, cancel := context.WithTimeout(ctx, embeddedProbeTimeout)
	defer cancel()
	c, err := e.embeddedClient(ctx)
	if err != nil {
		return nil, "", err
	}
	v, err := e.checkEmbedded(pctx, c)
	if err != nil {
		c.Close()
		if ctx.Err() != nil {
			return nil, "", ctx.Err()
		}
		return nil, "", err
	}
	return c, v, nil
}

// embeddedOffered is EmbeddedBuildKit's quick part: whether getenv's
// DOCKER_BUILDKIT or the engine's ping turn the embedded BuildKit down.
func (e *Engine) embeddedOffered(getenv func(string) string) error {
	if v := getenv("DOCKER_BUILDKIT"); v != "" {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("DOCKER_BUILDKIT=%q: want a boolean (0 or 1)", v)
		}
		if !on {
			return fmt.Errorf("%w: DOCKER_BUILDKIT=%s asks for the classic builder", ErrNoEmbeddedBuildKit, v)
		}
	}
	// The ping connect made says which builder the engine runs: asking
	// again would cost every run a round trip.
	if e.builderVersion == build.BuilderV1 {
		return fmt.Errorf("%w: the engine at %s says its builder is the classic one (Builder-Version 1; its daemon.json has \"features\": {\"buildkit\": false})", ErrNoEmbeddedBuildKit, e.host)
	}
	return nil
}

// embeddedClient makes a client for the engine's embedded BuildKit.
func (e *Engine) embeddedClient(ctx context.Context) (*bkclient.Client, error) {
	c, err := bkclient.New(ctx, "", e.EmbeddedOpts()...)
	if err != nil {
		return nil, fmt.Errorf("docker engine at %s: BuildKit client: %w", e.host, err)
	}
	return c, nil
}

// checkEmbedded is EmbeddedBuildKit's slow part: whether the engine
// answers as BuildKit on /grpc (it lists its workers). It returns what it
// says of its BuildKit's version: "v0.12.5" where BuildKit says it itself (its Info call, or its workers'
// version), else the engine's ("Docker Engine 20.10.24": BuildKit 0.8,
// embedded in engines 20.10, says neither).
func (e *Engine) checkEmbedded(ctx context.Context, c *bkclient.Client) (string, error) {
	ws, err := c.ListWorkers(ctx)
	if err != nil && ctx.Err() != nil && errors.Is(context.Cause(ctx), context.Canceled) {
		return "", ctx.Err() // the run is cancelled: no reason to fall back
	}
	if err != nil {
		return "", fmt.Errorf("%w: the engine at %s does not answer as BuildKit on /grpc: %v", ErrNoEmbeddedBuildKit, e.host, err)
	}
	if info, err := c.Info(ctx); err == nil && info.BuildkitVersion.Version != "" {
		return info.BuildkitVersion.Version, nil
	}
	for _, w := range ws {
		if v := w.BuildkitVersion.Version; v != "" {
			return v, nil
		}
	}
	if v, err := e.c.ServerVersion(ctx, client.ServerVersionOptions{}); err == nil && v.Version != "" {
		return "Docker Engine " + v.Version, nil
	}
	return "", nil
}

// UseEmbeddedBuildKit makes e's builds run on the BuildKit embedded in the
// engine (EmbeddedBuildKit says when there is none), their images written
// straight into the engine's image store (the "moby" exporter) under their
// tags. Of outs, Push, Attest and a cache export other than inline need a
// standalone builder (--builder ADDR); an embedded build is always loaded.
//
// With choose nil, the engine's BuildKit is checked at once. Otherwise
// only what answers quickly is (getenv's DOCKER_BUILDKIT, the engine's
// ping), and the rest when the first build needs the builder: a run whose
// images are all up to date sends nothing to it. Then choose learns, once,
// what the builds run on: the engine's BuildKit, checked (its Version
// known), with a nil reason; or, where the engine turns out to offer
// none, a nil BuildKit and EmbeddedBuildKit's reason, the builds going to
// the engine's classic builder. An error from choose fails the builds.
func (e *Engine) UseEmbeddedBuildKit(ctx context.Context, getenv func(string) string, outs Outputs, choose func(bk *BuildKit, reason error) error) error {
	if outs.Push {
		return errors.New("--push needs a standalone BuildKit builder (--builder ADDR or BUILDKIT_HOST): the engine's own BuildKit writes only into the engine")
	}
	for _, s := range outs.CacheTo {
		c, err := ParseCacheOption(s, true)
		if err != nil {
			return err
		}
		if c.Type != "inline" {
			return fmt.Errorf("--cache-to %s needs a standalone BuildKit builder (--builder ADDR or BUILDKIT_HOST): the engine's own BuildKit exports only type=inline", s)
		}
	}
	if len(outs.Attest) > 0 {
		return errors.New("--attest needs a standalone BuildKit builder (--builder ADDR or BUILDKIT_HOST): the engine's own BuildKit writes no attestations")
	}
	var bk *BuildKit
	if choose == nil {
		c, v, err := e.embeddedBuildKit(ctx, getenv)
		if err != nil {
			return err
		}
		bk = NewBuildKit(c, "the engine's BuildKit at "+e.host)
		bk.version = v
	} else {
		bk = NewBuildKit(nil, "the engine's BuildKit at "+e.host)
		bk.open = e.embeddedClient
		bk.check = func(ctx context.Context, c *bkclient.Client) error {
			v, err := e.checkEmbedded(ctx, c)
			bk.version = v
			return err
		}
		if err := e.embeddedOffered(getenv); errors.Is(err, ErrNoEmbeddedBuildKit) {
			// Known already; choose hears it with the first build.
			bk.open = func(context.Context) (*bkclient.Client, error) { return nil, err }
		} else if err != nil {
			return err
		}
		e.choose = choose
	}
	bk.embedded = true
	outs.Load = true
	e.UseBuildKit(bk, outs)
	return nil
}

// Version is what the engine says of the version of its embedded
// BuildKit, once checked: "v0.12.5", or, where BuildKit does not say,
// "Docker Engine 20.10.24"; "" for a standalone builder or when neither
// says.
func (bk *BuildKit) Version() string { return bk.version }

// Embedded reports whether bk is the BuildKit embedded in the engine.
func (bk *BuildKit) Embedded() bool { return bk.embedded }

// embeddedSolve adapts a build's solve options to the engine's embedded
// BuildKit: its FROM images come from the engine's image store, which it
// reads itself (no named contexts); its RUN steps use the host's network
// unless the build asks for none (an engine started with --bridge=none has
// no default network); and the image goes into the engine under its tags
// through the engine's own "moby" exporter (no docker-format load).
func embeddedSolve(opt *bkclient.SolveOpt, req BuildRequest) {
	if req.NetworkMode != "none" {
		opt.FrontendAttrs["force-network-mode"] = "host"
		opt.AllowedEntitlements = append(opt.AllowedEntitlements, "network.host")
	}
	attrs := map[string]string{}
	if len(req.Tags) > 0 {
		attrs["name"] = strings.Join(req.Tags, ",")
	}
	opt.Exports = append(opt.Exports, bkclient.ExportEntry{Type: "moby", Attrs: attrs})
}

// classicSettings names the first of req's settings that only the classic
// builder honours ("" when there is none): the RUN containers' resource
// limits, security options and ulimits, --squash, --rm=false, --pull and
// --cache-from images.
func classicSettings(req BuildRequest) string {
	s := req.BuildSettings
	for _, c := range []struct {
		set  bool
		flag string
	}{
		{s.Memory != 0, "--memory"}, {s.MemorySwap != 0, "--memory-swap"}, {s.ShmSize != 0, "--shm-size"},
		{s.CPUShares != 0, "--cpu-shares"}, {s.CPUPeriod != 0, "--cpu-period"}, {s.CPUQuota != 0, "--cpu-quota"},
		{s.CPUSetCPUs != "", "--cpuset-cpus"}, {s.CPUSetMems != "", "--cpuset-mems"},
		{s.CgroupParent != "", "--cgroup-parent"}, {s.Isolation != "", "--isolation"},
		{len(s.SecurityOpt) > 0, "--security-opt"}, {len(s.Ulimits) > 0, "--ulimit"},
		{s.Squash, "--squash"}, {s.KeepContainers, "--rm=false"}, {s.Pull, "--pull"},
		{len(s.CacheFrom) > 0, "--cache-from"},
	} {
		if c.set {
			return c.flag
		}
	}
	return ""
}
