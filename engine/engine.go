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
// DOCKER_CERT_PATH name (the local socket by default) and checks that it
// answers, negotiating the API version down to what it speaks.
func New(ctx context.Context) (*Engine, error) {
	c, err := client.New(client.FromEnv)
	if err != nil {
		return nil, fmt.Errorf("docker engine: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := c.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		c.Close()
		host := os.Getenv("DOCKER_HOST")
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
