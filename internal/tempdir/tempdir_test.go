package tempdir

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const prefix = "dmake-test-ctx"

// TestMain is also the process TestKilledOwner kills: with
// TEMPDIR_TEST_PARENT set it makes a directory there, prints its path and
// waits for its standard input to close.
func TestMain(m *testing.M) {
	parent := os.Getenv("TEMPDIR_TEST_PARENT")
	if parent == "" {
		os.Exit(m.Run())
	}
	d, err := New(parent, prefix)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println(d.Path)
	io.Copy(io.Discard, os.Stdin)
	d.Remove()
	os.Exit(0)
}

// TestKilledOwner: a live owner's directory is never collected; once the
// owner is killed with SIGKILL (no chance to clean up), the next New
// collects it.
func TestKilledOwner(t *testing.T) {
	parent := t.TempDir()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "TEMPDIR_TEST_PARENT="+parent)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimSpace(line)
	if want := prefix + "-" + strconv.Itoa(cmd.Process.Pid) + "-"; !strings.HasPrefix(filepath.Base(path), want) {
		t.Fatalf("child made %q, want a name starting %q", path, want)
	}

	// Alive: another process's New and Collect leave it alone.
	mine, err := New(parent, prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Remove()
	if removed, err := Collect(parent, prefix); err != nil || len(removed) != 0 {
		t.Fatalf("Collect with the owner alive removed %v (%v)", removed, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the live owner's directory is gone: %v", err)
	}

	// Killed: the next New collects it, and not its own or ours.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the killed owner's directory vanished by itself: %v", err)
	}
	next, err := New(parent, prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer next.Remove()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the killed owner's directory %s was not collected (%v)", path, err)
	}
	for _, d := range []string{mine.Path, next.Path} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("a live directory was collected: %v", err)
		}
	}
}

// TestCollectSkips: names that are not PREFIX-PID-RANDOM, files, and a
// directory of a live process that holds no lock yet (between its mkdir
// and its flock) are left alone.
func TestCollectSkips(t *testing.T) {
	parent := t.TempDir()
	keep := []string{
		prefix + "-" + strconv.Itoa(os.Getpid()) + "-123", // live pid, not locked yet
		prefix + "-abc-123",
		prefix + "x-1-2",
		"other-1-2",
	}
	for _, n := range keep {
		if err := os.Mkdir(filepath.Join(parent, n), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(parent, prefix+"-1-file"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	removed, err := Collect(parent, prefix)
	if err != nil || len(removed) != 0 {
		t.Errorf("Collect removed %v (%v), want nothing", removed, err)
	}
	entries, _ := os.ReadDir(parent)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	for _, n := range keep {
		if !slices.Contains(names, n) {
			t.Errorf("%s was removed", n)
		}
	}
}
