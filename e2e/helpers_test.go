package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/internal/legacybuild"
)

// containerLabel marks the containers these tests run.
const containerLabel = enginetest.Label + "=e2e"

// docker runs the docker CLI with args and returns its trimmed stdout; on
// failure the error includes stderr.
func docker(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, legacybuild.Docker(), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("docker %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// mustDocker is docker that fails the test on error.
func mustDocker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := docker(args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// runContainer starts a detached container with host networking from image,
// labelled, and removes it when the test ends. It returns its name.
func runContainer(t *testing.T, what, image string, opts ...string) string {
	t.Helper()
	name := fmt.Sprintf("dmake-e2e-%d-%s", os.Getpid(), what)
	docker("rm", "-f", name) // a leftover of an interrupted run with the same pid
	args := append([]string{"run", "-d", "--name", name, "--label", containerLabel, "--network", "host"}, opts...)
	args = append(args, image)
	mustDocker(t, args...)
	t.Cleanup(func() {
		if t.Failed() {
			if logs, err := exec.Command(legacybuild.Docker(), "logs", name).CombinedOutput(); err == nil {
				t.Logf("docker logs %s:\n%s", name, logs)
			}
		}
		docker("rm", "-f", name)
	})
	return name
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// waitPort waits until something accepts connections on 127.0.0.1:port.
func waitPort(t *testing.T, port string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on 127.0.0.1:%s after %s: %v", port, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// needCommand fails (engine tests mandatory) or skips when name is not on PATH.
func needCommand(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if enginetest.Required() {
			t.Fatalf("%s=1 but %s is not installed (.ci/engine.sh up installs it)", enginetest.EnvVar, name)
		}
		t.Skipf("SKIPPED: needs %s", name)
	}
	return path
}

// stopContainer runs docker stop with a 10 s grace period and returns how
// long it took and the container's exit code.
func stopContainer(t *testing.T, name string) (time.Duration, int) {
	t.Helper()
	start := time.Now()
	mustDocker(t, "stop", "-t", "10", name)
	took := time.Since(start)
	code, err := strconv.Atoi(mustDocker(t, "inspect", "-f", "{{.State.ExitCode}}", name))
	if err != nil {
		t.Fatal(err)
	}
	return took, code
}

// copyOut copies a file out of a (possibly stopped) container into dir and
// returns its content.
func copyOut(t *testing.T, name, path, dir string) string {
	t.Helper()
	dst := filepath.Join(dir, filepath.Base(path))
	mustDocker(t, "cp", name+":"+path, dst)
	data, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// defaultInterface is the interface of the default route in the host's
// routing table ("lo" without one), which a host-networked container sees too.
func defaultInterface(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("/proc/net/route")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) > 1 && f[1] == "00000000" {
			return f[0]
		}
	}
	return "lo"
}

// envFile parses `env` output (NAME=value lines).
func envFile(s string) map[string]string {
	env := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			env[k] = v
		}
	}
	return env
}

// waitEvent waits until the file at path (a sigtrap events file) has a
// line starting with word. The time limit only ends a wait for a service
// that never started.
func waitEvent(t *testing.T, path, word string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		data, _ := os.ReadFile(path)
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, word+" ") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has no %q line after 60s:\n%s", path, word, data)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
