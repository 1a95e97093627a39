package engine

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// With no engine at DOCKER_HOST, New says where it looked and what to do,
// in words that hold outside dmake's own source tree.
func TestNewNoEngine(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "docker.sock")
	t.Setenv("DOCKER_HOST", "unix://"+sock)
	e, err := New(context.Background())
	if err == nil {
		e.Close()
		t.Fatal("New: no error with no engine")
	}
	msg := err.Error()
	for _, want := range []string{"no Docker engine answers at unix://" + sock, "start the Docker daemon", "dockerd", "DOCKER_HOST", "DOCKER_CONTEXT", "--no-build"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not say %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, ".ci/") {
		t.Errorf("the error points into dmake's source tree:\n%s", msg)
	}
}
