// Package engine is dmake's thin adapter over the Docker Engine API: image
// builds with their progress stream, containers, exec and pruning. It knows
// nothing of Makefiles; callers hand it plain requests.
package engine

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/client"
)

// noEngineHint says what to do when no engine answers.
const noEngineHint = "  start the Docker daemon (sudo systemctl start docker, or run dockerd), or set DOCKER_HOST\n" +
	"  (or DOCKER_CONTEXT) to an engine that runs; --no-build does everything up to the engine without one"

// Engine is a connection to one Docker engine.
type Engine struct {
	c    *client.Client
	host string // as the user named it (an ssh:// host stays one)
	// builderVersion is the builder the engine's ping named when dmake
	// connected ("1" classic, "2" BuildKit, "" an engine that says none).
	builderVersion build.BuilderVersion
	// bk, when set, builds instead of the classic builder (UseBuildKit),
	// its results going where outs say.
	bk   *BuildKit
	outs Outputs
	// choose, when set, is UseEmbeddedBuildKit's: bk is the engine's
	// BuildKit, not yet checked; the first build checks it (once), falls
	// back to the classic builder where the engine offers none, and tells
	// choose which it is (chooseErr, choose's error, failing the builds).
	choose    func(bk *BuildKit, reason error) error
	once      sync.Once
	chooseErr error
	// prune orders RemoveDangling after the builds in flight.
	prune pruneState
}

// New connects to the engine that DOCKER_HOST, DOCKER_TLS_VERIFY and
// DOCKER_CERT_PATH name, or else the docker CLI context in use
// (DOCKER_CONTEXT, or the current context of the CLI's config, with its
// TLS files and "skip TLS verify"), or the local socket, and checks that
// it answers, negotiating the API version down to what it speaks. An
// ssh://[USER@]HOST[:PORT] host is reached as the docker CLI reaches it:
// through ssh, running "docker system dial-stdio" there.
func New(ctx context.Context) (*Engine, error) {
	opts := []client.Opt{client.FromEnv}
	ep, err := contextEndpoint(os.Getenv)
	if err != nil {
		return nil, err
	}
	host := ep.Host
	if host != "" {
		opts = append(opts, client.WithHost(host))
		if ep.hasTLS() {
			hc, err := ep.httpClient()
			if err != nil {
				return nil, err
			}
			opts = append(opts, client.WithHTTPClient(hc))
		}
	}
	shown := host
	if shown == "" {
		shown = os.Getenv("DOCKER_HOST")
	}
	if strings.HasPrefix(shown, "ssh://") {
		args, err := sshArgs(shown)
		if err != nil {
			return nil, err
		}
		// The host is a placeholder: every connection is ssh's.
		opts = append(opts, client.WithHost("http://docker.example.com"), client.WithDialContext(sshDialer(args)))
	}
	return connect(ctx, shown, opts...)
}

// Dial connects to the engine at host ("unix:///run/docker.sock",
// "tcp://…"), ignoring the environment, and checks that it answers within
// ctx's deadline (at most 10s).
func Dial(ctx context.Context, host string) (*Engine, error) {
	return connect(ctx, host, client.WithHost(host))
}

func connect(ctx context.Context, host string, opts ...client.Opt) (*Engine, error) {
	c, err := client.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("docker engine: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ping, err := c.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true})
	if err != nil {
		c.Close()
		if host == "" {
			host = os.Getenv("DOCKER_HOST")
		}
		if host == "" {
			host = client.DefaultDockerHost
		}
		return nil, fmt.Errorf("no Docker engine answers at %s: %w\n%s", host, err, noEngineHint)
	}
	if host == "" {
		host = c.DaemonHost()
	}
	return &Engine{c: c, host: host, builderVersion: ping.BuilderVersion}, nil
}

// Close releases the connection, and the BuildKit daemon's of UseBuildKit.
func (e *Engine) Close() error {
	if e.bk != nil {
		e.bk.Close()
	}
	return e.c.Close()
}

// Version is what an engine says of itself.
type Version struct {
	// Host is the address the engine was reached at.
	Host string
	// Server is the engine's own version (e.g. "28.1.1").
	Server string
	// APIVersion is the Engine API version dmake speaks with it, after
	// negotiation.
	APIVersion string
	// MaxAPIVersion is the highest API version the engine supports.
	MaxAPIVersion string
}

// Version asks the engine for its version and API versions.
func (e *Engine) Version(ctx context.Context) (Version, error) {
	v, err := e.c.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return Version{}, fmt.Errorf("docker engine at %s: version: %w", e.host, err)
	}
	return Version{Host: e.host, Server: v.Version, APIVersion: e.c.ClientVersion(), MaxAPIVersion: v.APIVersion}, nil
}
