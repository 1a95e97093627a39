package executor

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/internal/ctrlc"
)

// waitFile waits until path exists: the sync point of an interrupt test
// (a recipe that signals it has started).
func waitFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s never appeared", path)
}

// TestInterrupt interrupts GNU make and the executor once a recipe has
// started (it creates "started"): both must stop the recipe, delete the
// target it changed (but not a precious one), print the same, and exit 130.
func TestInterrupt(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("GNU make not installed")
	}
	build := func() *mk {
		return newMK().rule("all", ":", "t1 keep", "", "@echo all").
			rule("keep", ":", "", "", "@echo keep > $@").
			rule("t1", ":", "", "", "echo partial > $@; touch started; sleep 30; echo never").
			special(".PRECIOUS", "keep")
	}
	defer ctrlc.Catch()() // make must not inherit an ignored SIGINT
	m := build()

	// GNU make, in its own process group, interrupted as a terminal would.
	want := interruptMake(t, m)

	ddir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		waitFile(t, filepath.Join(ddir, "started"))
		cancel()
	}()
	var dso, dse strings.Builder
	e := newExecutor(ctx, m.db, nil, Options{Goals: []string{"keep", "all"}, Dir: ddir, Stdout: &dso, Stderr: &dse, ProgramName: "make"})
	e.ev = fakeEval{m.db}
	e.g = NewGraph(ctx, m.db, e.opts)
	start := time.Now()
	st, err := e.run()
	if err == nil {
		t.Errorf("interrupted run returned no error")
	}
	// A recipe left running would hold the run for its whole sleep 30:
	// that bound, not a guess of how fast a loaded machine stops it,
	// tells a stopped recipe from one waited for.
	if d := time.Since(start); d >= 30*time.Second {
		t.Errorf("interrupted run took %v: the recipe was waited for, not stopped", d)
	}
	got := outcome{Stdout: dso.String(), Stderr: dse.String(), Status: st, Tree: treeOf(t, ddir)}
	if got != want {
		t.Errorf("interrupted runs differ\n--- make:\n%s\n--- dmake:\n%s", show(want), show(got))
	}
}

// interruptMake runs GNU make on m's Makefile in its own process group and
// interrupts it as a terminal would once the recipe has started.
func interruptMake(t *testing.T, m *mk) outcome {
	t.Helper()
	gdir := t.TempDir()
	os.WriteFile(filepath.Join(gdir, "Makefile"), []byte(m.text.String()), 0o644)
	cmd := exec.Command("make", "-r", "-R", "keep", "all")
	cmd.Dir = gdir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var gso strings.Builder
	gse := &ctrlc.Buffer{}
	cmd.Stdout, cmd.Stderr = &gso, gse
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFile(t, filepath.Join(gdir, "started"))
	if err := ctrlc.Group(cmd.Process.Pid, gse.String, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	gstatus := 0
	if ee, ok := err.(*exec.ExitError); ok {
		ws := ee.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			gstatus = 128 + int(ws.Signal())
		} else {
			gstatus = ws.ExitStatus()
		}
	}
	return outcome{Stdout: gso.String(), Stderr: gse.String(), Status: gstatus, Tree: treeOf(t, gdir)}
}
