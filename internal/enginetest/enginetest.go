// Package enginetest gates tests that need a real Docker engine.
//
// Such tests call Require. Where DMAKE_ENGINE_TESTS=1 is set (as .ci/run
// does) a missing engine fails the test; elsewhere the test is skipped with a
// loud message, so a laptop without Docker can still run the rest.
package enginetest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// EnvVar is the variable that makes engine tests mandatory.
const EnvVar = "DMAKE_ENGINE_TESTS"

// Label marks every container and image a test creates, so tests touch only
// what they made and a run can prune what it left.
const Label = "dev.dmake.test"

// Required reports whether engine tests must run (and so fail without one).
func Required() bool { return os.Getenv(EnvVar) == "1" }

// Require returns a client for the engine that DOCKER_HOST (or the default
// socket) names, after checking that it answers.
func Require(t testing.TB) *client.Client {
	t.Helper()
	c, err := client.New(client.FromEnv)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = c.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
		cancel()
	}
	if err != nil {
		if Required() {
			t.Fatalf("%s=1 but no Docker engine answers: %v", EnvVar, err)
		}
		t.Skipf("SKIPPED: needs a Docker engine (%v); run .ci/engine.sh up, or set %s=1 to make this a failure", err, EnvVar)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
