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

	"github.com/dmake-dev/dmake/internal/ctrlc"
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

// TestInterruptPipeline interrupts GNU make and the whole dmake pipeline
// (maketest.Exec) once the recipes of each case have started (they create
// the sync files): both must stop every recipe (process groups: a
// grandchild's sleep too), delete the targets the interrupted recipes
// changed (every target of a grouped or multi-target pattern rule), print
// the same and exit 130.
func TestInterruptPipeline(t *testing.T) {
	if _, err := exec.LookPath("/usr/bin/make"); err != nil {
		t.Skip("GNU make is not installed")
	}
	tests := []struct {
		name     string
		makefile string
		args     []string
		sync     []string
	}{{
		name: "parallel",
		makefile: "all: t1 t2\n" +
			"t1:\n\techo partial > $@; sh -c 'touch started1; sleep 30'; echo never > $@\n" +
			"t2:\n\t@echo partial > $@; touch started2; sleep 30\n",
		args: []string{"-j2"},
		sync: []string{"started1", "started2"},
	}, {
		name: "grouped",
		makefile: "all: g1\n" +
			"g1 g2 &:\n\t@echo partial > g1; echo partial > g2; touch started1; sleep 30\n",
		sync: []string{"started1"},
	}, {
		name: "grouped-precious",
		makefile: "all: g1 t2\n.PRECIOUS: g2\n" +
			"g1 g2 &:\n\t@echo partial > g1; echo partial > g2; touch started1; sleep 30\n" +
			"t2:\n\t@echo partial > $@; touch started2; sleep 30\n",
		args: []string{"-j2"},
		sync: []string{"started1", "started2"},
	}, {
		name: "pattern-multi",
		makefile: "all: a.x\n" +
			"%.x %.y:\n\t@echo partial > $*.x; echo partial > $*.y; touch started1; sleep 30\n",
		sync: []string{"started1"},
	}}
	defer ctrlc.Catch()() // make must not inherit an ignored SIGINT
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setup := func() string {
				dir := t.TempDir()
				os.WriteFile(filepath.Join(dir, "Makefile"), []byte(tt.makefile), 0o644)
				return dir
			}

			gdir := setup()
			cmd := exec.Command("/usr/bin/make", tt.args...)
			cmd.Dir = gdir
			cmd.Env = maketest.Env(gdir)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			var gout bytes.Buffer
			gerr := &ctrlc.Buffer{}
			cmd.Stdout, cmd.Stderr = &gout, gerr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitFiles(t, gdir, tt.sync...)
			if err := ctrlc.Group(cmd.Process.Pid, gerr.String, 20*time.Second); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			gstatus := cmd.ProcessState.ExitCode()
			if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); ws.Signaled() {
				gstatus = 128 + int(ws.Signal())
			}

			ddir := setup()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				waitFiles(t, ddir, tt.sync...)
				cancel() // what cmd/dmake does on SIGINT
			}()
			var dout, derr bytes.Buffer
			start := time.Now()
			dstatus := maketest.Exec(ctx, ddir, tt.args, maketest.Env(ddir), &dout, &derr)
			// Recipes left running would hold dmake for their whole
			// sleep 30: that bound, not a guess of how fast a loaded
			// machine stops them, tells stopped recipes from waited ones.
			if d := time.Since(start); d >= 30*time.Second {
				t.Errorf("interrupted dmake took %v: recipes were waited for, not stopped", d)
			}
			// A grandchild sleep must be gone too: nothing writes "never".
			time.Sleep(100 * time.Millisecond)

			if gstatus != 130 {
				t.Errorf("GNU make exited %d, not 130: the oracle was not interrupted as meant", gstatus)
			}
			if gstatus != dstatus {
				t.Errorf("exit status: make %d, dmake %d", gstatus, dstatus)
			}
			if gout.String() != maketest.Normalize(dout.String(), "dmake") {
				t.Errorf("stdout:\n--- make\n%s--- dmake\n%s", gout.String(), dout.String())
			}
			// make reports the interrupted recipes in the order wait()
			// returns them, which varies: compare those lines as a set.
			if sortInterrupts(gerr.String()) != sortInterrupts(maketest.Normalize(derr.String(), "dmake")) {
				t.Errorf("stderr:\n--- make\n%s--- dmake\n%s", gerr.String(), derr.String())
			}
			g, d := dirNames(t, gdir), dirNames(t, ddir)
			t.Logf("left by make: %s", g)
			if g != d {
				t.Errorf("files left: make [%s], dmake [%s]", g, d)
			}
		})
	}
}

// dirNames lists the names in dir, sorted, space separated.
func dirNames(t *testing.T, dir string) string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
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
