package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
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
	if v := getenv("DOCKER_BUILDKIT"); v != "" {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("DOCKER_BUILDKIT=%q: want a boolean (0 or 1)", v)
		}
		if !on {
			return nil, fmt.Errorf("%w: DOCKER_BUILDKIT=%s asks for the classic builder", ErrNoEmbeddedBuildKit, v)
		}
	}
	pctx, cancel := context.WithTimeout(ctx, embeddedProbeTimeout)
	defer cancel()
	ping, err := e.c.Ping(pctx, client.PingOptions{})
	if err != nil {
		return nil, fmt.Errorf("docker engine at %s: ping: %w", e.host, err)
	}
	if ping.BuilderVersion == build.BuilderV1 {
		return nil, fmt.Errorf("%w: the engine at %s says its builder is the classic one (Builder-Version 1; its daemon.json has \"features\": {\"buildkit\": false})", ErrNoEmbeddedBuildKit, e.host)
	}
	c, err := bkclient.New(ctx, "", e.EmbeddedOpts()...)
	if err != nil {
		return nil, fmt.Errorf("docker engine at %s: BuildKit client: %w", e.host, err)
	}
	if _, err := c.ListWorkers(pctx); err != nil {
		c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: the engine at %s does not answer as BuildKit on /grpc: %v", ErrNoEmbeddedBuildKit, e.host, err)
	}
	return c, nil
}
