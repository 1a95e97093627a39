// Package enginetest gates tests that need a real Docker engine.
//
// Such tests call Require. Where DMAKE_ENGINE_TESTS=1 is set (as .ci/run
// does) a missing engine fails the test; elsewhere the test is skipped with a
// loud message, so a laptop without Docker can still run the rest.
package enginetest

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/engine"
)

// EnvVar is the variable that makes engine tests mandatory.
const EnvVar = "DMAKE_ENGINE_TESTS"

// Label marks every container and image a test creates, so tests touch only
// what they made and a run can prune what it left.
const Label = "dev.dmake.test"

// Required reports whether engine tests must run (and so fail without one).
func Required() bool { return os.Getenv(EnvVar) == "1" }

// Var returns the environment variable name that .ci/engine.sh env sets
// for the engine tests (DMAKE_BUILDKIT_ADDR, DMAKE_REGISTRY…). Unset, the
// test fails when engine tests are required and is skipped otherwise.
func Var(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if Required() {
			t.Fatalf("%s=1 but %s is not set: run .ci/engine.sh up and eval \"$(.ci/engine.sh env)\"", EnvVar, name)
		}
		t.Skipf("SKIPPED: needs %s (.ci/engine.sh env sets it)", name)
	}
	return v
}

// Require returns a connection to the engine that DOCKER_HOST (or the
// docker context, or the default socket) names, after checking that it
// answers. The connection is closed at the end of the test.
func Require(t testing.TB) *engine.Engine {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	e, err := engine.New(ctx)
	cancel()
	if err != nil {
		if Required() {
			t.Fatalf("%s=1 but no Docker engine answers: %v", EnvVar, err)
		}
		t.Skipf("SKIPPED: needs a Docker engine (%v); run .ci/engine.sh up, or set %s=1 to make this a failure", err, EnvVar)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// Throwaway is what a command left behind in a throwaway container.
type Throwaway struct {
	// Logs are the command's standard output and error, interleaved.
	Logs string
	// ExitCode is the command's exit status.
	ExitCode int
	// Changes is docker diff of the container against its image.
	Changes []engine.FileChange
}

// RunThrowaway creates a container with opts (labelled as the test's,
// Label set to name), runs it to its end, and returns its output, exit
// status and docker diff; the container is removed before it returns.
// ctx bounds the run: a command still running when it ends fails the test.
func RunThrowaway(ctx context.Context, t testing.TB, c *engine.Engine, name string, opts engine.CreateContainerOptions) Throwaway {
	t.Helper()
	if opts.Labels == nil {
		opts.Labels = map[string]string{}
	}
	opts.Labels[Label] = name
	id, err := c.CreateContainer(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.RemoveContainer(context.Background(), id, engine.RemoveContainerOptions{Force: true})
	if err := c.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	w, err := c.WaitContainer(ctx, id, engine.WaitContainerOptions{})
	if err != nil {
		t.Fatalf("waiting for the throwaway container %s: %v", name, err)
	}
	var out bytes.Buffer
	if err := c.ContainerLogs(context.Background(), id, &out, &out); err != nil {
		t.Fatal(err)
	}
	changes, err := c.ContainerChanges(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return Throwaway{Logs: out.String(), ExitCode: int(w.ExitCode), Changes: changes}
}
