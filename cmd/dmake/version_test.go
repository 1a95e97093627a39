package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/dmake-dev/dmake/internal/buildinfo"
	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/legacyutil"
)

// recordedRevision returns the vcs.revision go build recorded in bin, ""
// if none.
func recordedRevision(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	if m := regexp.MustCompile(`(?m)^\s*build\s+vcs\.revision=(\S+)$`).FindSubmatch(out); m != nil {
		return string(m[1])
	}
	return ""
}

// --version says the version, the commit go build recorded, the Go
// version and, with no engine answering, "no engine" with exit status 0.
func TestVersion(t *testing.T) {
	bin := buildDmake(t)
	sock := filepath.Join(t.TempDir(), "no-engine.sock")
	for _, flag := range []string{"--version", "-v"} {
		stdout, stderr, status := runBinary(t, bin, []string{"DOCKER_HOST=unix://" + sock, "DOCKER_CONTEXT="}, flag)
		if status != 0 || stderr != "" {
			t.Fatalf("%s: status %d, stderr %q", flag, status, stderr)
		}
		commit := "commit: unknown"
		if rev := recordedRevision(t, bin); rev != "" {
			commit = "commit: " + rev
		}
		lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
		want := []string{"dmake " + buildinfo.Version, commit, "go: " + runtime.Version(), "engine: no engine ("}
		if len(lines) < len(want) {
			t.Fatalf("%s: %d lines, want at least %d:\n%s", flag, len(lines), len(want), stdout)
		}
		for i, w := range want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("%s: line %d is %q, want it to start with %q", flag, i+1, lines[i], w)
			}
		}
		if !strings.Contains(stdout, sock) {
			t.Errorf("%s: the engine line does not say where no engine answered:\n%s", flag, stdout)
		}
	}
}

// With an engine, --version says its version and the API version dmake
// negotiated with it.
func TestVersionEngine(t *testing.T) {
	v, err := enginetest.Require(t).Version(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, status := runBinary(t, buildDmake(t), nil, "--version")
	if status != 0 {
		t.Fatalf("status %d\n%s", status, stderr)
	}
	want := regexp.MustCompile(`(?m)^engine: Docker \S+ at \S+, API ` + regexp.QuoteMeta(v.APIVersion) + ` \(engine supports up to [0-9.]+\)$`)
	if !want.MatchString(stdout) {
		t.Errorf("--version does not match %s:\n%s", want, stdout)
	}
}

// failWriter is a standard output that cannot be written (/dev/full).
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// TestVersionWriteError: a version that cannot be written is an error, as
// for make (its close_stdout: "make -v > /dev/full" says so, status 1).
func TestVersionWriteError(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-engine.sock"))
	t.Setenv("DOCKER_CONTEXT", "")
	var errb bytes.Buffer
	st := run(t.Context(), []string{"dmake", "-v"}, legacyutil.Stdio{Out: failWriter{}, Err: &errb}, utilities)
	if st != 1 || errb.String() != "dmake: write error: stdout\n" {
		t.Errorf("status %d, stderr %q; want 1 and %q", st, errb.String(), "dmake: write error: stdout\n")
	}
}
