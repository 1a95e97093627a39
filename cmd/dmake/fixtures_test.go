package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/internal/imagecompare"
)

// legacyFixture is a copy of one of the legacy repos of testdata/ (one per
// layout seen in the wild), with the environment its builds run in.
type legacyFixture struct {
	root string   // the copy: its DOCKER_HOME
	env  []string // NAME=value added to the environment of every build
}

// newLegacyFixture copies testdata/NAME to a temporary directory.
func newLegacyFixture(t *testing.T, name string, env ...string) *legacyFixture {
	t.Helper()
	root := filepath.Join(t.TempDir(), name)
	src, err := filepath.Abs(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", src, root).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	return &legacyFixture{root: root, env: append([]string{"DOCKER_HOME=" + root}, env...)}
}

// needTool fails the test (engine tests are mandatory) or skips it when
// name is not on PATH.
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if enginetest.Required() {
			t.Fatalf("%s=1 but %s is not installed", enginetest.EnvVar, name)
		}
		t.Skipf("SKIPPED: needs %s", name)
	}
}

// run runs argv at the fixture's root with its environment. Output goes
// to a file, not a pipe: a server a legacy build leaves running keeps its
// standard error open. It returns the exit status and the output.
func (f *legacyFixture) run(t *testing.T, argv ...string) (int, string) {
	t.Helper()
	out, err := os.CreateTemp(t.TempDir(), "build-output-")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = f.root
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

// legacyBuild runs the fixture's own bin/build IMAGE the legacy way: GNU
// make, bash, the docker CLI and whatever the makefiles start.
func (f *legacyFixture) legacyBuild(t *testing.T, image string) (int, string) {
	t.Helper()
	return f.run(t, filepath.Join(f.root, "bin", "build"), image)
}

// dmake runs "dmake --progress json ARGS…" at the fixture's root and
// returns its status, its build events and its output.
func (f *legacyFixture) dmake(t *testing.T, args ...string) (int, []buildEvent, string) {
	t.Helper()
	st, out := f.run(t, append([]string{buildDmake(t), "--progress", "json"}, args...)...)
	var evs []buildEvent
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var ev buildEvent
		if l := sc.Text(); strings.HasPrefix(l, "{") && json.Unmarshal([]byte(l), &ev) == nil && ev.Event != "" {
			evs = append(evs, ev)
		}
	}
	return st, evs, out
}

// buildEvent is one line of dmake --progress=json.
type buildEvent struct {
	Image       string `json:"image"`
	Event       string `json:"event"`
	Step        int    `json:"step"`
	Instruction string `json:"instruction"`
	Script      string `json:"script"`
	Text        string `json:"text"`
}

// stepsDone returns, for image, each step's instruction and "done" text
// (cached, ran, done) by step number, and whether the image was up to date
// (nothing sent).
func stepsDone(evs []buildEvent, image string) (instr, done map[int]string, upToDate bool) {
	instr, done = map[int]string{}, map[int]string{}
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
	return instr, done, upToDate
}

// checkRerunFrom checks that the build of image took every step before the
// first that names script from the cache, and none from there on. A step
// the builder did not report (BuildKit reports no ENV, ARG or LABEL: they
// make no layer to run or take from the cache) is not judged.
func checkRerunFrom(t *testing.T, evs []buildEvent, image, script string) {
	t.Helper()
	instr, done, up := stepsDone(evs, image)
	if up || len(done) == 0 {
		t.Fatalf("%s: not built again (up to date %v)", image, up)
	}
	last := 0 // the steps are numbered from 1, with gaps where one was not reported
	for i := range instr {
		last = max(last, i)
	}
	first := 0
	for i := 1; i <= last; i++ {
		if strings.Contains(instr[i], script) {
			first = i
			break
		}
	}
	if first == 0 {
		t.Fatalf("%s: no step names %s: %v", image, script, instr)
	}
	for i := 2; i <= last; i++ { // step 1 is FROM
		if instr[i] == "" {
			continue
		}
		switch cached := done[i] == "cached"; {
		case i < first && !cached:
			t.Errorf("%s: step %d %q was %s, want cached (before %s)", image, i, instr[i], done[i], script)
		case i >= first && cached:
			t.Errorf("%s: step %d %q was cached, want re-run (%s or after it)", image, i, instr[i], script)
		}
	}
}

// procsUnder returns the processes (pid → command line) whose working
// directory is dir or below it, or whose command line has one of words:
// what a build of the fixture in dir may have left running.
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

// stopLeftovers ends, by pid, the processes the legacy build of the
// fixture in dir left running (its web server) and returns them.
func stopLeftovers(dir string, words ...string) []string {
	var lines []string
	for pid, line := range procsUnder(dir, words...) {
		syscall.Kill(pid, syscall.SIGKILL)
		lines = append(lines, fmt.Sprintf("%d %s", pid, line))
	}
	return lines
}

// noLeftovers fails the test when a process that a dmake build of the
// fixture in dir started is still running (and ends it).
func noLeftovers(t *testing.T, dir string, words ...string) {
	t.Helper()
	if left := procsUnder(dir, words...); len(left) > 0 {
		t.Errorf("processes left running after dmake: %v", left)
		for pid := range left {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// freeTCPPort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freeTCPPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// retagLegacy moves the legacy build's images from their tags (refs) to
// the same tags under legacyPrefix, so that dmake builds the same tags from
// scratch and the two can be compared.
func retagLegacy(t *testing.T, e *engine.Engine, legacyPrefix string, refs ...string) {
	t.Helper()
	ctx := context.Background()
	for _, r := range refs {
		if err := e.Tag(ctx, r, legacyPrefix+r); err != nil {
			t.Fatal(err)
		}
	}
	for i := len(refs) - 1; i >= 0; i-- {
		if _, err := e.RemoveImage(ctx, refs[i], engine.RemoveImageOptions{KeepParents: true}); err != nil {
			t.Fatal(err)
		}
	}
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
// want: file list with modes, owners and content, Env, Cmd, Entrypoint.
func compareImages(t *testing.T, e *engine.Engine, want, got string) {
	t.Helper()
	res := imagecompare.Compare(t, e, want, got, nil)
	if res.Want < 100 || res.Got < 100 {
		t.Fatalf("file trees of %d and %d entries: the export did not work", res.Want, res.Got)
	}
	t.Logf("%s and %s: %d paths compared", want, got, res.Paths)
}

// checkedScripts runs "dmake --check IMAGE" at the fixture's root and
// returns the scripts its report lists for image, in order.
func (f *legacyFixture) checkedScripts(t *testing.T, image string) []string {
	t.Helper()
	st, out := f.run(t, buildDmake(t), "--check", image)
	if st != 0 {
		t.Fatalf("dmake --check %s: status %d\n%s", image, st, out)
	}
	var scripts []string
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "image "):
			in = strings.HasPrefix(l, "image "+image+" ") || strings.HasPrefix(l, "image "+image+":")
		case in && strings.HasPrefix(l, "  script "):
			if fs := strings.Fields(l); len(fs) > 1 {
				scripts = append(scripts, fs[1])
			}
		}
	}
	return scripts
}

// watchRun is a running "dmake --watch --progress json" whose standard
// output (the JSON events of the watch and its builds) the test reads as
// it waits for events.
type watchRun struct {
	t      *testing.T
	cmd    *exec.Cmd
	events *bufio.Scanner
	evs    strings.Builder // every event line read so far
	stderr strings.Builder
}

// startWatch starts cmd (a dmake --watch with --progress json) and kills it
// when the test ends, if it still runs.
func startWatch(t *testing.T, cmd *exec.Cmd) *watchRun {
	t.Helper()
	w := &watchRun{t: t, cmd: cmd}
	cmd.Stderr = &w.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	w.events = bufio.NewScanner(out)
	return w
}

// waitFor reads events until one of type typ; the watch ending first fails
// the test.
func (w *watchRun) waitFor(typ string) {
	w.t.Helper()
	for w.events.Scan() {
		w.evs.WriteString(w.events.Text() + "\n")
		var ev struct{ Type string }
		if json.Unmarshal(w.events.Bytes(), &ev) == nil && ev.Type == typ {
			return
		}
	}
	w.t.Fatalf("the watch ended before a %s event:\n%s", typ, w.stderr.String())
}

// stop interrupts the watch, waits for it to end and returns every event
// line it printed.
func (w *watchRun) stop() string {
	w.cmd.Process.Signal(os.Interrupt)
	for w.events.Scan() {
		w.evs.WriteString(w.events.Text() + "\n")
	}
	w.cmd.Wait()
	return w.evs.String()
}
