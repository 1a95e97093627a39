package executor_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/internal/maketest"
)

func waitFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for _, n := range names {
		for {
			if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never appeared", n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// TestInterruptParallel interrupts GNU make and the whole dmake pipeline
// (maketest.Exec) once two parallel recipes have started, one of them
// through a grandchild shell: both must stop every recipe (process groups:
// the grandchild's sleep too), delete the targets the recipes changed,
// print the same and exit 130.
func TestInterruptParallel(t *testing.T) {
	if _, err := exec.LookPath("/usr/bin/make"); err != nil {
		t.Skip("GNU make is not installed")
	}
	makefile := "all: t1 t2\n" +
		"t1:\n\techo partial > $@; sh -c 'touch started1; sleep 30'; echo never > $@\n" +
		"t2:\n\t@echo partial > $@; touch started2; sleep 30\n"
	setup := func() string {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "Makefile"), []byte(makefile), 0o644)
		return dir
	}
	args := []string{"-j2"}

	gdir := setup()
	cmd := exec.Command("/usr/bin/make", args...)
	cmd.Dir = gdir
	cmd.Env = maketest.Env(gdir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var gout, gerr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &gout, &gerr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFiles(t, gdir, "started1", "started2")
	syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) // as a terminal's Ctrl-C
	cmd.Wait()
	gstatus := cmd.ProcessState.ExitCode()
	if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); ws.Signaled() {
		gstatus = 128 + int(ws.Signal())
	}

	ddir := setup()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		waitFiles(t, ddir, "started1", "started2")
		cancel() // what cmd/dmake does on SIGINT
	}()
	var dout, derr bytes.Buffer
	start := time.Now()
	dstatus := maketest.Exec(ctx, ddir, args, maketest.Env(ddir), &dout, &derr)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("interrupted dmake took %v: recipes were not stopped", d)
	}
	// The grandchild sleep must be gone too: nothing writes "never".
	time.Sleep(100 * time.Millisecond)

	if gstatus != dstatus {
		t.Errorf("exit status: make %d, dmake %d", gstatus, dstatus)
	}
	if gout.String() != maketest.Normalize(dout.String(), "dmake") {
		t.Errorf("stdout:\n--- make\n%s--- dmake\n%s", gout.String(), dout.String())
	}
	// make reports the interrupted recipes in the order wait() returns
	// them, which varies: compare those lines as a set.
	if sortInterrupts(gerr.String()) != sortInterrupts(maketest.Normalize(derr.String(), "dmake")) {
		t.Errorf("stderr:\n--- make\n%s--- dmake\n%s", gerr.String(), derr.String())
	}
	for _, f := range []string{"t1", "t2"} {
		_, gerrStat := os.Stat(filepath.Join(gdir, f))
		_, derrStat := os.Stat(filepath.Join(ddir, f))
		if (gerrStat == nil) != (derrStat == nil) {
			t.Errorf("%s: left by make %v, by dmake %v", f, gerrStat == nil, derrStat == nil)
		}
	}
}

// sortInterrupts sorts the "] Interrupt" lines of make's stderr among
// themselves, keeping every other line in place.
func sortInterrupts(s string) string {
	lines := strings.Split(s, "\n")
	var idx []int
	var ints []string
	for i, l := range lines {
		if strings.HasSuffix(l, "] Interrupt") {
			idx = append(idx, i)
			ints = append(ints, l)
		}
	}
	sort.Strings(ints)
	for k, i := range idx {
		lines[i] = ints[k]
	}
	return strings.Join(lines, "\n")
}
