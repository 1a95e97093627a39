// Package engine is dmake's thin adapter over the Docker Engine API: image
// builds with their progress stream, containers, exec and pruning. It knows
// nothing of Makefiles; callers hand it plain requests.
package engine

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/moby/moby/client"
)

// Engine is a connection to one Docker engine.
type Engine struct {
	c *client.Client
}

// New connects to the engine that DOCKER_HOST, DOCKER_TLS_VERIFY and
// DOCKER_CERT_PATH name, or else the docker CLI context in use
// (DOCKER_CONTEXT, or the current context of the CLI's config), or the
// local socket, and checks that it answers, negotiating the API version
// down to what it speaks.
func New(ctx context.Context) (*Engine, error) {
	opts := []client.Opt{client.FromEnv}
	host, err := contextHost(os.Getenv)
	if err != nil {
		return nil, err
	}
	if host != "" {
		opts = append(opts, client.WithHost(host))
	}
	c, err := client.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("docker engine: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := c.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		c.Close()
		if host == "" {
			host = os.Getenv("DOCKER_HOST")
		}
		if host == "" {
			host = client.DefaultDockerHost
		}
		return nil, fmt.Errorf("no Docker engine answers at %s: %w (start one, e.g. .ci/engine.sh up, or set DOCKER_HOST)", host, err)
	}
	return &Engine{c: c}, nil
}

// Client returns the underlying Engine API client.
func (e *Engine) Client() *client.Client { return e.c }

// Close releases the connection.
func (e *Engine) Close() error { return e.c.Close() }
