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
	if err := e.embeddedOffered(ctx, getenv); err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, embeddedProbeTimeout)
	defer cancel()
	c, err := e.embeddedClient(ctx)
	if err != nil {
		return nil, err
	}
	if err := e.checkEmbedded(pctx, c); err != nil {
		c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return c, nil
}

// embeddedOffered is EmbeddedBuildKit's quick part: whether getenv's
// DOCKER_BUILDKIT or the engine's ping turn the embedded BuildKit down.
func (e *Engine) embeddedOffered(ctx context.Context, getenv func(string) string) error {
	if v := getenv("DOCKER_BUILDKIT"); v != "" {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("DOCKER_BUILDKIT=%q: want a boolean (0 or 1)", v)
		}
		if !on {
			return fmt.Errorf("%w: DOCKER_BUILDKIT=%s asks for the classic builder", ErrNoEmbeddedBuildKit, v)
		}
	}
	pctx, cancel := context.WithTimeout(ctx, embeddedProbeTimeout)
	defer cancel()
	ping, err := e.c.Ping(pctx, client.PingOptions{})
	if err != nil {
		return fmt.Errorf("docker engine at %s: ping: %w", e.host, err)
	}
	if ping.BuilderVersion == build.BuilderV1 {
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
// answers as BuildKit on /grpc (it lists its workers).
func (e *Engine) checkEmbedded(ctx context.Context, c *bkclient.Client) error {
	if _, err := c.ListWorkers(ctx); err != nil {
		return fmt.Errorf("%w: the engine at %s does not answer as BuildKit on /grpc: %v", ErrNoEmbeddedBuildKit, e.host, err)
	}
	return nil
}

// UseEmbeddedBuildKit makes e's builds run on the BuildKit embedded in the
// engine (EmbeddedBuildKit says when there is none), their images written
// straight into the engine's image store (the "moby" exporter) under their
// tags. Of outs, Push, Attest and a cache export other than inline need a
// standalone builder (--builder ADDR); an embedded build is always loaded.
//
// With fallback nil, the engine's BuildKit is checked at once. Otherwise
// only what answers quickly is (getenv's DOCKER_BUILDKIT, the engine's
// ping), and the rest when the first build needs the builder: a run whose
// images are all up to date sends nothing to it. If the engine then turns
// out to offer no BuildKit, fallback gets EmbeddedBuildKit's reason and
// the builds go to the engine's classic builder, unless fallback returns
// an error, which the builds then fail with.
func (e *Engine) UseEmbeddedBuildKit(ctx context.Context, getenv func(string) string, outs Outputs, fallback func(error) error) error {
	if outs.Push {
		return errors.New("--push needs a standalone BuildKit builder (--builder ADDR): the engine's own BuildKit writes only into the engine")
	}
	for _, s := range outs.CacheTo {
		c, err := ParseCacheOption(s, true)
		if err != nil {
			return err
		}
		if c.Type != "inline" {
			return fmt.Errorf("--cache-to %s needs a standalone BuildKit builder (--builder ADDR): the engine's own BuildKit exports only type=inline", s)
		}
	}
	if len(outs.Attest) > 0 {
		return errors.New("--attest needs a standalone BuildKit builder (--builder ADDR): the engine's own BuildKit writes no attestations")
	}
	var bk *BuildKit
	if fallback == nil {
		c, err := e.EmbeddedBuildKit(ctx, getenv)
		if err != nil {
			return err
		}
		bk = NewBuildKit(c, "the engine's BuildKit at "+e.host)
	} else {
		if err := e.embeddedOffered(ctx, getenv); err != nil {
			return err
		}
		bk = NewBuildKit(nil, "the engine's BuildKit at "+e.host)
		bk.open, bk.check = e.embeddedClient, e.checkEmbedded
		e.fallback = fallback
	}
	bk.embedded = true
	outs.Load = true
	e.UseBuildKit(bk, outs)
	return nil
}

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
