package image

import (
	"archive/tar"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestStdinContextDirCollected: the directory a tar context on standard
// input is extracted to is named dmake-context-PID-RANDOM; one left by a
// run that was killed (its process gone, its lock dropped) is removed by
// the next run that extracts a context, and Remove removes the new one.
func TestStdinContextDirCollected(t *testing.T) {
	parent := t.TempDir()
	// A process that has exited: its PID names the abandoned directory.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	left := filepath.Join(parent, contextDirPrefix+"-"+strconv.Itoa(cmd.Process.Pid)+"-123")
	if err := os.MkdirAll(filepath.Join(left, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: 15, Typeflag: tar.TypeReg})
	tw.Write([]byte("FROM busybox\n\n\n"))
	tw.Close()
	sc, err := ReadStdinContext(&buf, parent)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("the killed run's %s was not collected (%v)", left, err)
	}
	if want := contextDirPrefix + "-" + strconv.Itoa(os.Getpid()) + "-"; !strings.HasPrefix(filepath.Base(sc.Dir), want) {
		t.Errorf("context extracted to %s, want a name starting %s", sc.Dir, want)
	}
	if _, err := os.Stat(filepath.Join(sc.Dir, "Dockerfile")); err != nil {
		t.Error(err)
	}
	if err := sc.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sc.Dir); !os.IsNotExist(err) {
		t.Errorf("Remove left %s", sc.Dir)
	}
}
