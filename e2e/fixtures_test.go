package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/dmake-dev/dmake/driver"
	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/internal/imagecompare"
	"github.com/dmake-dev/dmake/internal/legacybuild"
)

// legacyFixture is a copy of one of the legacy repos of testdata/ (one per
// layout seen in the wild), with the environment its bin/build runs in.
type legacyFixture struct {
	root string   // the copy: its DOCKER_HOME
	env  []string // NAME=value added to the environment of both builds
}

// newLegacyFixture copies testdata/NAME to a temporary directory.
func newLegacyFixture(t *testing.T, name string, env ...string) *legacyFixture {
	t.Helper()
	root := filepath.Join(t.TempDir(), name)
	if err := legacybuild.CopyTree(filepath.Join("..", "testdata", name), root); err != nil {
		t.Fatal(err)
	}
	return &legacyFixture{root: root, env: append([]string{"DOCKER_HOME=" + root}, env...)}
}

// legacyBuild runs the fixture's own bin/build IMAGE the legacy way: GNU
// make, the shell, the docker CLI and whatever the makefiles start. Its
// output goes to a file (a server the makefiles leave running keeps its
// standard error open). It returns the exit status and the output.
func (f *legacyFixture) legacyBuild(t *testing.T, image string) (int, string) {
	t.Helper()
	out, err := os.CreateTemp(t.TempDir(), "legacy-build-")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(filepath.Join(f.root, "bin", "build"), image)
	cmd.Env = append(os.Environ(), f.env...)
	cmd.Stdout, cmd.Stderr = out, out
	err = cmd.Run()
	status := 0
	if ee, ok := err.(*exec.ExitError); ok {
		status = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out.Name())
	return status, string(data)
}

// buildEvent is one line of dmake --progress=json.
type buildEvent struct {
	Image       string `json:"image"`
	Event       string `json:"event"`
	Step        int    `json:"step"`
	Instruction string `json:"instruction"`
	Text        string `json:"text"`
}

// dmakeBuild runs dmake (the driver, in this process) as the fixture's
// bin/build runs make: make -f images/IMAGE.mk build at the repo root,
// with --progress=json. It returns the status, the events and the whole
// output.
func (f *legacyFixture) dmakeBuild(t *testing.T, makefile string, goals ...string) (int, []buildEvent, string) {
	t.Helper()
	for _, kv := range f.env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	var out, errOut bytes.Buffer
	st := driver.Run(context.Background(), driver.Options{
		WorkDir:   f.root,
		Makefiles: []string{makefile},
		Goals:     goals,
		Mode:      "dev",
		Progress:  "json",
		Network:   "host",
	}, driver.Stdio{In: &bytes.Buffer{}, Out: &out, Err: &errOut})
	var evs []buildEvent
	var text strings.Builder
	text.WriteString(out.String())
	sc := bufio.NewScanner(&errOut)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev buildEvent
		if l := sc.Text(); strings.HasPrefix(l, "{") && json.Unmarshal([]byte(l), &ev) == nil && ev.Event != "" {
			evs = append(evs, ev)
		} else {
			text.WriteString(l + "\n")
		}
	}
	return st, evs, text.String()
}

// stepsDone returns, for image, the "done" text of each step (cached, ran,
// done) by step number, and whether the image was up to date.
func stepsDone(evs []buildEvent, image string) (map[int]string, map[int]string, bool) {
	done, instr := map[int]string{}, map[int]string{}
	upToDate := false
	for _, ev := range evs {
		if ev.Image != image {
			continue
		}
		switch ev.Event {
		case "step":
			instr[ev.Step] = ev.Instruction
		case "done":
			done[ev.Step] = ev.Text
		case "up-to-date":
			upToDate = true
		}
	}
	return done, instr, upToDate
}

// procsUnder returns the processes (pid and command line) whose working
// directory is dir or below it, or whose command line mentions one of
// words: what a build of the fixture in dir may have left running.
func procsUnder(dir string, words ...string) map[int]string {
	out := map[int]string{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || len(cmd) == 0 {
			continue
		}
		line := strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))
		cwd, _ := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		hit := cwd == dir || strings.HasPrefix(cwd, dir+"/")
		for _, w := range words {
			hit = hit || strings.Contains(line, w)
		}
		if hit {
			out[pid] = line
		}
	}
	return out
}

// stopLeftovers ends the processes the legacy build of the fixture left
// running (its web server), by pid, and returns their command lines.
func stopLeftovers(dir string, words ...string) []string {
	var lines []string
	for pid, line := range procsUnder(dir, words...) {
		syscall.Kill(pid, syscall.SIGKILL)
		lines = append(lines, fmt.Sprintf("%d %s", pid, line))
	}
	return lines
}

// noLeftovers fails the test when a process a dmake build of the fixture
// in dir started is still running.
func noLeftovers(t *testing.T, dir string, words ...string) {
	t.Helper()
	if left := procsUnder(dir, words...); len(left) > 0 {
		t.Errorf("processes left running after dmake: %v", left)
		for pid := range left {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// fixtureEngine is the engine for the fixture tests, which must answer when
// engine tests are required.
func fixtureEngine(t *testing.T) *engine.Engine {
	t.Helper()
	enginetest.Require(t)
	e, err := engine.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// removeOnCleanup removes the images refs when the test ends (children
// first: list them in build order).
func removeOnCleanup(t *testing.T, e *engine.Engine, refs ...string) {
	t.Cleanup(func() {
		for i := len(refs) - 1; i >= 0; i-- {
			e.RemoveImage(context.Background(), refs[i], engine.RemoveImageOptions{Force: true})
		}
	})
}

// compareImages compares dmake's image got with the legacy build's image
// want: file list with modes, Env, Cmd, Entrypoint (imagecompare).
func compareImages(t *testing.T, e *engine.Engine, want, got string) {
	t.Helper()
	res := imagecompare.Compare(t, e, want, got, nil)
	if res.Want < 100 || res.Got < 100 {
		t.Fatalf("file trees of %d and %d entries: the export did not work", res.Want, res.Got)
	}
	t.Logf("%s and %s: %d paths compared", want, got, res.Paths)
}
