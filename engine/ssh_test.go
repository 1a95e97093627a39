package engine

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSSHArgs(t *testing.T) {
	for _, tt := range []struct {
		host, want string
		err        bool
	}{
		{"ssh://example.com", "-- example.com docker system dial-stdio", false},
		{"ssh://me@example.com:2222", "-l me -p 2222 -- example.com docker system dial-stdio", false},
		{"ssh://me@[2001:db8::1]:22/", "-l me -p 22 -- 2001:db8::1 docker system dial-stdio", false},
		{"ssh://me:secret@example.com", "", true},
		{"ssh://example.com/var/run/docker.sock", "", true},
		{"ssh://", "", true},
		{"tcp://example.com", "", true},
	} {
		args, err := sshArgs(tt.host)
		if got := strings.Join(args, " "); (err != nil) != tt.err || got != tt.want {
			t.Errorf("sshArgs(%q) = %q, %v; want %q, error %v", tt.host, got, err, tt.want, tt.err)
		}
	}
}

// DOCKER_HOST=ssh://… reaches the engine through ssh running "docker
// system dial-stdio" there, as the docker CLI does. Without a remote
// host, an ssh on PATH that records its arguments and runs the local
// docker CLI's dial-stdio stands in for the ssh connection: the engine
// answers through it.
func TestSSHHost(t *testing.T) {
	docker, err := exec.LookPath("docker")
	if err == nil {
		err = exec.Command(docker, "version").Run() // a local engine answers the CLI
	}
	if err != nil {
		if os.Getenv("DMAKE_ENGINE_TESTS") == "1" {
			t.Fatalf("DMAKE_ENGINE_TESTS=1 but the docker CLI cannot reach an engine: %v", err)
		}
		t.Skipf("SKIPPED: needs the docker CLI and an engine: %v", err)
	}
	bin := t.TempDir()
	argsFile := filepath.Join(t.TempDir(), "ssh-args")
	script := "#!/bin/sh\nprintf '%s\\n' \"$*\" >>" + argsFile + "\nwhile [ \"$1\" != -- ]; do shift; done\nshift 3\nunset DOCKER_HOST\nexec " + docker + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "ssh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("DOCKER_HOST", "ssh://builder@engine.example:2222")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e, err := New(ctx)
	if err != nil {
		t.Fatalf("New through ssh: %v", err)
	}
	defer e.Close()
	v, err := e.Version(ctx)
	if err != nil || v.Server == "" || v.Host != "ssh://builder@engine.example:2222" {
		t.Errorf("Version through ssh = %+v, %v", v, err)
	}
	got, _ := os.ReadFile(argsFile)
	if first, _, _ := strings.Cut(string(got), "\n"); first != "-l builder -p 2222 -- engine.example docker system dial-stdio" {
		t.Errorf("ssh ran with %q", got)
	}
}
