package driver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/image"
	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/watch"
)

// The --watch tests run dmake --watch on a copy of testdata/bb-repo (three
// busybox images: bb, bb2 FROM bb, solo) against the real engine, edit the
// copy, and count what happens through the watch loop's JSON events (stdout)
// and the image layer's JSON progress (stderr). Time limits only guard
// against hangs; nothing asserts a duration.
//
// The watch's debounce runs on a fake clock that a goroutine of the test
// moves (tick), never while the test is making a change (change): the
// watcher looks at a file when the debounce runs out, so on a real clock a
// test stalled for longer than the debounce between two steps of one
// change (the truncation and the write of os.WriteFile, a file deleted and
// re-created, a directory renamed away and back) made a cycle of the
// half-made change.

const eventTimeout = 60 * time.Second

// watchPrefix is this test process's image prefix: two runs of these tests
// at once on one engine (two checkouts) must not build each other's tags.
var watchPrefix = fmt.Sprintf("dmaketest-watch-%d/", os.Getpid())

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// watchRun is one dmake --watch running in the background.
type watchRun struct {
	t      *testing.T
	root   string
	events chan watch.Event
	stderr *syncBuffer
	stray  *syncBuffer   // stdout lines that are not watch events
	read   chan struct{} // closed when stdout is read to its end
	cancel context.CancelFunc
	done   chan int
	status int
	exited bool
	clock  *watch.FakeClock // the debounce's
	hold   sync.Mutex       // held while a change is made: the clock stands
}

// tickEvery is how often tick moves the watch's clock, by a fifth of the
// debounce: the debounce runs out some 50 ms after the last event.
const tickEvery = 10 * time.Millisecond

// tick moves the watch's clock until ctx ends.
func (w *watchRun) tick(ctx context.Context, debounce time.Duration) {
	t := time.NewTicker(tickEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.hold.Lock()
			w.clock.Advance(debounce / 5)
			w.hold.Unlock()
		}
	}
}

// change makes a change to the repository (f) that the watch must see
// whole: its debounce cannot run out while f runs.
func (w *watchRun) change(f func()) {
	w.hold.Lock()
	defer w.hold.Unlock()
	f()
}

// lineWriter passes whole lines to w, holding a line's start until its
// end, so that lines written to w from elsewhere never split one.
type lineWriter struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	if i := bytes.LastIndexByte(l.buf, '\n'); i >= 0 {
		l.w.Write(l.buf[:i+1])
		l.buf = append(l.buf[:0], l.buf[i+1:]...)
	}
	return len(p), nil
}

// copyRepo copies testdata/bb-repo to a temporary directory.
func copyRepo(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "testdata", "bb-repo")
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "build" {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// removeImages removes the test's tags (and the build cache under them).
func removeImages(t *testing.T, c *engine.Engine, names ...string) {
	t.Cleanup(func() {
		for _, n := range names {
			for _, ref := range []string{watchPrefix + n, image.LayersTag(watchPrefix + n)} {
				c.RemoveImage(context.Background(), ref, engine.RemoveImageOptions{})
			}
		}
	})
}

// startWatch runs dmake --progress=json --watch GOALS at root and waits
// until the first build is done and the watch has started.
func startWatch(t *testing.T, root, policy string, debounce time.Duration, goals ...string) *watchRun {
	t.Helper()
	return startWatchOn(t, root, "", policy, debounce, goals...)
}

// startWatchOn is startWatch on a builder (a --builder value; "" is the
// default).
func startWatchOn(t *testing.T, root, builder, policy string, debounce time.Duration, goals ...string) *watchRun {
	t.Helper()
	opts := Options{
		Builder:     builder,
		Watch:       true,
		WatchPolicy: policy,
		Debounce:    debounce,
		Dir:         []string{root},
		Goals:       goals,
		Progress:    "json",
		Variables:   []string{"IMAGE_PREFIX=" + watchPrefix, "DOCKER_ARGS=--label " + enginetest.Label + "=1"},
	}
	w := startWatchOpts(t, root, opts)
	// The first build must have made every goal, or the test proves
	// nothing about rebuilds.
	ready := map[string]bool{}
	for _, e := range progressEvents(w.stderr.String()) {
		if e.Event == "built" || e.Event == "up-to-date" {
			ready[strings.TrimPrefix(e.Image, watchPrefix)] = true
		}
	}
	for _, g := range goals {
		if !ready[g] {
			t.Fatalf("the first build did not make %s; stderr:\n%s", g, w.stderr.String())
		}
	}
	return w
}

// startWatchOpts runs dmake with opts (a --watch run) at root and waits
// until the watch has started.
func startWatchOpts(t *testing.T, root string, opts Options) *watchRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &watchRun{t: t, root: root, events: make(chan watch.Event, 4096), stderr: &syncBuffer{}, stray: &syncBuffer{}, read: make(chan struct{}), cancel: cancel, done: make(chan int, 1)}
	debounce := opts.Debounce
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	w.clock = watch.NewFakeClock(time.Now())
	opts.watchClock = w.clock
	go w.tick(ctx, debounce)
	pr, pw := io.Pipe()
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var e watch.Event
			var b image.ProgressEvent
			// stdout carries the JSON events alone: the watch's, and the
			// builds', which join stderr's log (whole lines both: see
			// lineWriter) for the tests that read the two together.
			switch {
			case json.Unmarshal(sc.Bytes(), &e) == nil && strings.HasPrefix(string(e.Type), "watch.") && e.Source == "watch":
				w.events <- e
			case json.Unmarshal(sc.Bytes(), &b) == nil && b.V == 1 && (b.Source == "build" || b.Source == "check"):
				w.stderr.Write([]byte(sc.Text() + "\n"))
			default:
				w.stray.Write([]byte(sc.Text() + "\n"))
			}
		}
		io.Copy(io.Discard, pr)
		close(w.read)
	}()
	// Standard input is a file: a strings.Reader shared by recipes that
	// run at once is a data race in the shell interpreter, which copies
	// a reader that is not a file in a goroutine of each runner.
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { null.Close() })
	go func() {
		st := Run(ctx, opts, Stdio{In: null, Out: pw, Err: &lineWriter{w: w.stderr}})
		pw.Close()
		w.done <- st
	}()
	t.Cleanup(w.stop)
	w.next(watch.EventStart)
	return w
}

// stop cancels the watch and waits for Run to return. Standard output
// must have held JSON events alone (--progress=json is for tools).
func (w *watchRun) stop() {
	if w.exited {
		return
	}
	w.cancel()
	select {
	case w.status = <-w.done:
		w.exited = true
	case <-time.After(eventTimeout):
		w.t.Errorf("dmake --watch did not return %v after its context was cancelled", eventTimeout)
		return
	}
	<-w.read
	if s := w.stray.String(); s != "" {
		w.t.Errorf("--progress=json: standard output has lines that are not JSON events:\n%s", s)
	}
}

// next returns the next event of type typ, skipping others. It fails the
// test when dmake exits or nothing comes within eventTimeout.
func (w *watchRun) next(typ watch.EventType) watch.Event {
	w.t.Helper()
	timeout := time.After(eventTimeout)
	for {
		select {
		case e := <-w.events:
			if e.Type == watch.EventError {
				w.t.Logf("watch error event: %s", e.Error)
			}
			if e.Type == typ {
				return e
			}
		case st := <-w.done:
			w.exited, w.status = true, st
			w.t.Fatalf("dmake --watch exited with status %d while waiting for %s; stderr:\n%s", st, typ, w.stderr.String())
		case <-timeout:
			w.t.Fatalf("no %s event within %v; stderr:\n%s", typ, eventTimeout, w.stderr.String())
		}
	}
}

// cycle is one watch cycle as the events tell it.
type cycle struct {
	start watch.Event  // watch.cycle
	reb   *watch.Event // watch.rebuild, if Rebuild was called
	done  watch.Event  // watch.done
	// images are the watch.image-left and watch.image-back events of the
	// cycle's replan.
	images []watch.Event
	log    string // stderr written during the cycle
	prog   []image.ProgressEvent
}

// nextCycle waits for the next cycle to end and returns it.
func (w *watchRun) nextCycle() cycle {
	w.t.Helper()
	return w.nextCycleSince(len(w.stderr.String()))
}

// nextCycleSince is nextCycle with the cycle's log taken from stderr
// offset mark on (taken before the change that starts the cycle).
func (w *watchRun) nextCycleSince(mark int) cycle {
	w.t.Helper()
	var c cycle
	c.start = w.next(watch.EventCycle)
	timeout := time.After(eventTimeout)
	for c.done.Type == "" {
		select {
		case e := <-w.events:
			switch {
			case e.Type == watch.EventRebuild && e.Cycle == c.start.Cycle:
				c.reb = &e
			case e.Type == watch.EventDone && e.Cycle == c.start.Cycle:
				c.done = e
			case e.Type == watch.EventImageLeft || e.Type == watch.EventImageBack:
				c.images = append(c.images, e)
			case e.Type == watch.EventError:
				w.t.Logf("watch error event: %s", e.Error)
			}
		case st := <-w.done:
			w.exited, w.status = true, st
			w.t.Fatalf("dmake --watch exited with status %d during cycle %d; stderr:\n%s", st, c.start.Cycle, w.stderr.String())
		case <-timeout:
			w.t.Fatalf("cycle %d did not end within %v; stderr:\n%s", c.start.Cycle, eventTimeout, w.stderr.String())
		}
	}
	c.log = w.stderr.String()[mark:]
	c.prog = progressEvents(c.log)
	return c
}

// progressEvents parses the image layer's JSON progress lines of log.
func progressEvents(log string) []image.ProgressEvent {
	var out []image.ProgressEvent
	for _, line := range strings.Split(log, "\n") {
		var e image.ProgressEvent
		if strings.HasPrefix(line, "{") && json.Unmarshal([]byte(line), &e) == nil && e.V == 1 {
			out = append(out, e)
		}
	}
	return out
}

// built returns the images the cycle built (not those found up to date),
// sorted.
func (c cycle) built() []string {
	var names []string
	for _, e := range c.prog {
		if e.Event == "built" {
			names = append(names, strings.TrimPrefix(e.Image, watchPrefix))
		}
	}
	slices.Sort(names)
	return names
}

// steps returns, for image name, each step's instruction and how it ended
// (cached, ran or FAILED), in step order.
func (c cycle) steps(name string) (instr []string, how []string) {
	byStep := map[int]int{}
	for _, e := range c.prog {
		if strings.TrimPrefix(e.Image, watchPrefix) != name || e.Step == 0 {
			continue
		}
		i, ok := byStep[e.Step]
		if !ok {
			i = len(instr)
			byStep[e.Step] = i
			instr = append(instr, "")
			how = append(how, "")
		}
		if e.Instruction != "" {
			instr[i] = e.Instruction
		}
		if e.Event == "done" {
			how[i] = e.Text
		}
	}
	return instr, how
}

// writeFile writes content to the repository file rel, as one change.
func (w *watchRun) writeFile(rel, content string) {
	w.t.Helper()
	w.change(func() {
		if err := os.WriteFile(filepath.Join(w.root, rel), []byte(content), 0o644); err != nil {
			w.t.Fatal(err)
		}
	})
}

// unique returns a shell line that makes a script's content (and so its
// layer) new to the build cache.
func unique(tag string) string {
	return fmt.Sprintf("echo %s-%d > /dev/null\n", tag, time.Now().UnixNano())
}

func readRepo(t *testing.T, root, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// expectOK fails unless the cycle ended without error or cancellation.
func (c cycle) expectOK(t *testing.T) {
	t.Helper()
	if c.done.Error != "" || c.done.Canceled {
		t.Fatalf("cycle %d: error %q (stage %s), canceled %v; stderr:\n%s", c.start.Cycle, c.done.Error, c.done.Stage, c.done.Canceled, c.log)
	}
}

// sentinel proves that no cycle is pending after cycle last: it changes
// rel and checks that the very next cycle is last+1 and holds that change
// alone.
func (w *watchRun) sentinel(last int, rel string) cycle {
	w.t.Helper()
	w.writeFile(rel, readRepo(w.t, w.root, rel)+unique("sentinel"))
	c := w.nextCycle()
	want := filepath.Join(w.root, rel)
	if c.start.Cycle != last+1 || len(c.start.Changes) != 1 || c.start.Changes[0].Path != want {
		w.t.Errorf("after cycle %d the next cycle is %d with changes %v, want %d with %s alone (a cycle too many)", last, c.start.Cycle, c.start.Changes, last+1, want)
	}
	return c
}

// TestWatchScriptEdit edits one install script: exactly the images whose
// build reads it (bb) and the images FROM them (bb2) rebuild, solo does
// not, and bb rebuilds from that script's layer on: every step before its
// COPY comes from the cache.
func TestWatchScriptEdit(t *testing.T) {
	c := enginetest.Require(t)
	root := copyRepo(t)
	removeImages(t, c, "bb", "bb2", "solo")
	w := startWatch(t, root, "", 50*time.Millisecond, "bb", "bb2", "solo")

	w.writeFile("script/03_app.sh", readRepo(t, root, "script/03_app.sh")+unique("app"))
	cy := w.nextCycle()
	cy.expectOK(t)
	if cy.start.Reparse {
		t.Errorf("a script edit re-read the Makefiles")
	}
	if want := []string{"bb", "bb2"}; cy.reb == nil || !slices.Equal(cy.reb.Images, want) {
		t.Fatalf("rebuild event %+v, want images %v", cy.reb, want)
	}
	if got, want := cy.built(), []string{"bb", "bb2"}; !slices.Equal(got, want) {
		t.Errorf("built %v, want %v", got, want)
	}
	instr, how := cy.steps("bb")
	at := slices.IndexFunc(instr, func(s string) bool { return strings.HasPrefix(s, "COPY script/03_app.sh") })
	if at < 0 {
		t.Fatalf("bb has no COPY step for 03_app.sh: %q", instr)
	}
	for i := 1; i < len(instr); i++ { // step 1 is FROM
		if i < at && how[i] != "cached" || i >= at && (how[i] == "cached" || how[i] == "") {
			t.Errorf("bb step %d %q: %s (the change is at step %d)", i+1, instr[i], how[i], at+1)
		}
	}
	// bb2 is built FROM the new bb: it cannot reuse its cache.
	_, how2 := cy.steps("bb2")
	if len(how2) == 0 || slices.Contains(how2[1:], "cached") {
		t.Errorf("bb2 steps %v: want all run after its FROM changed", how2)
	}

	// A script only bb2 reads rebuilds bb2 alone.
	w.writeFile("script/05_extra.sh", readRepo(t, root, "script/05_extra.sh")+unique("extra"))
	cy = w.nextCycle()
	cy.expectOK(t)
	if want := []string{"bb2"}; cy.reb == nil || !slices.Equal(cy.reb.Images, want) || !slices.Equal(cy.built(), want) {
		t.Errorf("05_extra.sh edit: rebuild %+v built %v, want %v", cy.reb, cy.built(), want)
	}
}

// TestWatchParents watches bb2 alone: bb, the image it is FROM, is built
// first and watched too, so an edit of a script only bb reads rebuilds bb
// and then bb2.
func TestWatchParents(t *testing.T) {
	c := enginetest.Require(t)
	root := copyRepo(t)
	removeImages(t, c, "bb", "bb2")
	w := startWatch(t, root, "", 50*time.Millisecond, "bb2")

	w.writeFile("script/03_app.sh", readRepo(t, root, "script/03_app.sh")+unique("app"))
	cy := w.nextCycle()
	cy.expectOK(t)
	if want := []string{"bb", "bb2"}; cy.reb == nil || !slices.Equal(cy.reb.Images, want) || !slices.Equal(cy.built(), want) {
		t.Errorf("editing bb's script while watching bb2: rebuild %+v built %v, want %v", cy.reb, cy.built(), want)
	}
}

// TestWatchNewComponent adds a component .mk file under make/ and
// references it from solo's Makefile: the Makefiles are read again, solo
// builds the new script, and the new script is watched from then on.
func TestWatchNewComponent(t *testing.T) {
	c := enginetest.Require(t)
	root := copyRepo(t)
	removeImages(t, c, "solo")
	w := startWatch(t, root, "", 50*time.Millisecond, "solo")

	mk := readRepo(t, root, "images/solo/Makefile")
	w.change(func() {
		for _, f := range [][2]string{
			{"script/06_more.sh", ". /build/script/functions.sh\n" + unique("more")},
			{"make/more.mk", ".PHONY: more\nmore:\n\t$(call link,$@,script,06)\n"},
			{"images/solo/Makefile", strings.Replace(mk, "prepare: init solo", "prepare: init solo more", 1)},
		} {
			if err := os.WriteFile(filepath.Join(root, f[0]), []byte(f[1]), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	})
	// The three writes are one change, but the watcher may take their
	// last events in after the debounce ran out: wait for the cycle that
	// builds the new script.
	var cy cycle
	for range 3 {
		cy = w.nextCycle()
		if _, ok := stepFor(cy, "solo", "06_more.sh"); ok {
			break
		}
	}
	cy.expectOK(t)
	if !cy.start.Reparse {
		t.Errorf("cycle %d built the new component without re-reading the Makefiles", cy.start.Cycle)
	}
	if _, ok := stepFor(cy, "solo", "06_more.sh"); !ok {
		t.Fatalf("solo never built 06_more.sh; last cycle's stderr:\n%s", cy.log)
	}

	// The new script is an input now.
	w.writeFile("script/06_more.sh", readRepo(t, root, "script/06_more.sh")+unique("more2"))
	cy = w.nextCycle()
	cy.expectOK(t)
	if cy.start.Reparse || cy.reb == nil || !slices.Equal(cy.reb.Images, []string{"solo"}) || !slices.Equal(cy.built(), []string{"solo"}) {
		t.Errorf("editing the new script: reparse %v, rebuild %+v, built %v; want solo rebuilt without re-reading", cy.start.Reparse, cy.reb, cy.built())
	}
}

// stepFor reports how image name's step for script ended in cy.
func stepFor(cy cycle, name, script string) (string, bool) {
	instr, how := cy.steps(name)
	for i, s := range instr {
		if strings.HasPrefix(s, "RUN") && strings.Contains(s, script) {
			return how[i], true
		}
	}
	return "", false
}

// TestWatchAtomicSave saves a script as editors do (write a temporary file,
// rename it over the script): one rebuild, of the image that reads it.
// Then editor noise that changes no content makes no cycle at all, and a
// directory renamed away and back is still watched.
func TestWatchAtomicSave(t *testing.T) {
	c := enginetest.Require(t)
	root := copyRepo(t)
	removeImages(t, c, "solo")
	w := startWatch(t, root, "", 50*time.Millisecond, "solo")

	p := filepath.Join(root, "script", "04_solo.sh")
	tmp := filepath.Join(root, "script", ".04_solo.sh.tmp")
	w.change(func() {
		if err := os.WriteFile(tmp, []byte(readRepo(t, root, "script/04_solo.sh")+unique("atomic")), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, p); err != nil {
			t.Fatal(err)
		}
	})
	cy := w.nextCycle()
	cy.expectOK(t)
	if len(cy.start.Changes) != 1 || cy.start.Changes[0].Path != p || cy.start.Changes[0].Kind != "modified" {
		t.Errorf("changes %+v, want %s modified", cy.start.Changes, p)
	}
	if got := cy.built(); !slices.Equal(got, []string{"solo"}) {
		t.Errorf("built %v, want [solo]", got)
	}
	if how, _ := stepFor(cy, "solo", "04_solo.sh"); how != "ran" {
		t.Errorf("04_solo.sh step %q, want ran", how)
	}

	// What editors and tools do without changing anything makes no
	// cycle: touch, chmod 600, the same content saved again, a vim swap
	// file and backup, a file deleted and re-created as it was.
	now := time.Now().Add(time.Minute)
	content := readRepo(t, root, "script/04_solo.sh")
	noise := []func() error{
		func() error { return os.Chtimes(p, now, now) },
		func() error { return os.Chmod(p, 0o600) },
		func() error { return os.WriteFile(p, []byte(content), 0o600) },
		func() error {
			return os.WriteFile(filepath.Join(root, "script", ".04_solo.sh.swp"), []byte("swap"), 0o600)
		},
		func() error { return os.WriteFile(p+"~", []byte(content), 0o600) },
		func() error { return os.Remove(p) },
		func() error { return os.WriteFile(p, []byte(content), 0o644) },
	}
	w.change(func() {
		for _, f := range noise {
			if err := f(); err != nil {
				t.Fatal(err)
			}
		}
	})
	last := w.sentinel(cy.start.Cycle, "script/04_solo.sh").start.Cycle

	// A watched directory renamed away and back is still watched.
	dir := filepath.Join(root, "init")
	w.change(func() {
		if err := os.Rename(dir, dir+".old"); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(dir+".old", dir); err != nil {
			t.Fatal(err)
		}
	})
	w.sentinel(last, "init/my_init")
}

// TestWatchBurst writes a script 1000 times in a burst (one change): one
// rebuild.
func TestWatchBurst(t *testing.T) {
	c := enginetest.Require(t)
	root := copyRepo(t)
	removeImages(t, c, "solo")
	w := startWatch(t, root, "", 50*time.Millisecond, "solo")

	base := readRepo(t, root, "script/04_solo.sh")
	p := filepath.Join(root, "script", "04_solo.sh")
	w.change(func() {
		for i := range 1000 {
			if err := os.WriteFile(p, []byte(base+fmt.Sprintf("# write %d\n", i)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(p, []byte(base+unique("burst")), 0o644); err != nil {
			t.Fatal(err)
		}
	})
	cy := w.nextCycle()
	cy.expectOK(t)
	if got := cy.built(); !slices.Equal(got, []string{"solo"}) {
		t.Errorf("built %v, want [solo]", got)
	}
	w.sentinel(cy.start.Cycle, "script/04_solo.sh")
}

// slowScript is 04_solo.sh made to take a while in its build step.
func slowScript(base, tag string) string {
	return base + "sleep 4\n" + unique(tag)
}

// imageID returns the id of the local image ref; a missing image is an
// error.
func imageID(c *engine.Engine, ref string) (string, error) {
	info, found, err := c.InspectImage(context.Background(), ref)
	if err == nil && !found {
		err = fmt.Errorf("no image %s", ref)
	}
	return info.ID, err
}

// buildContainers returns the containers (all, stopped too) whose command
// runs one of the fixture's scripts, by id.
func buildContainers(t *testing.T, c *engine.Engine) map[string]string {
	t.Helper()
	res, err := c.ListContainers(context.Background(), engine.ListContainersOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, ct := range res.Containers {
		if strings.Contains(ct.Command, "04_solo.sh") || strings.Contains(ct.Command, "05_extra.sh") || strings.HasPrefix(ct.Image, watchPrefix) {
			out[ct.ID] = ct.Command + " (" + ct.State + ")"
		}
	}
	return out
}

// noLeftovers checks that no build container of the fixture exists that
// did not before. The engine removes a cancelled build's container after
// it answered, later on a loaded box, so it looks again for up to a
// minute (a safety net) before failing.
func noLeftovers(t *testing.T, c *engine.Engine, before map[string]string) {
	t.Helper()
	var left []string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		left = left[:0]
		for id, what := range buildContainers(t, c) {
			if _, ok := before[id]; !ok {
				left = append(left, id[:12]+" "+what)
			}
		}
		if len(left) == 0 {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Errorf("containers left after the watch: %v", left)
}

// danglingImages returns the untagged images a build of the fixture
// left (labelled with one of its tags), by id.
func danglingImages(t *testing.T, c *engine.Engine) map[string]string {
	t.Helper()
	res, err := c.ListImages(context.Background(), engine.ListImagesOptions{Dangling: true, Labels: []string{engine.LabelTag}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, im := range res.Images {
		if tag := im.Labels[engine.LabelTag]; strings.HasPrefix(tag, watchPrefix) {
			out[im.ID] = tag
		}
	}
	return out
}

// TestWatchEditDuringBuild changes a script while its image builds, under
// both policies and on both of the engine's builders (the classic one, and
// its own BuildKit, the default): cancel stops the build and runs one more
// with both changes; finish lets it end and runs exactly one more. Either
// way no build container and no dangling image of the fixture is left
// behind (BuildKit's build cache may stay).
func TestWatchEditDuringBuild(t *testing.T) {
	c := enginetest.Require(t)
	for _, builder := range []string{BuilderClassic, BuilderAuto} {
		for _, policy := range []string{"cancel", "finish"} {
			t.Run(builder+"/"+policy, func(t *testing.T) {
				root := copyRepo(t)
				removeImages(t, c, "solo")
				before, dangling := buildContainers(t, c), danglingImages(t, c)
				w := startWatchOn(t, root, builder, policy, 50*time.Millisecond, "solo")
				got := slices.ContainsFunc(progressEvents(w.stderr.String()), func(e image.ProgressEvent) bool { return e.Event == "status" })
				if got != (builder == BuilderAuto) {
					t.Fatalf("BuildKit status events: %v on --builder %s; stderr:\n%s", got, builder, w.stderr.String())
				}
				base := readRepo(t, root, "script/04_solo.sh")

				old, err := imageID(c, watchPrefix+"solo")
				if err != nil {
					t.Fatal(err)
				}
				mark := len(w.stderr.String())
				w.writeFile("script/04_solo.sh", slowScript(base, "slow"))
				first := w.next(watch.EventCycle)
				// Wait until the slow step runs (in a build container
				// of the classic builder, in BuildKit's own otherwise).
				deadline := time.Now().Add(eventTimeout)
				for {
					if _, ok := runningStep(w.stderr.String()[mark:], "04_solo.sh"); ok {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("the slow step never ran; stderr:\n%s", w.stderr.String())
					}
					time.Sleep(20 * time.Millisecond)
				}
				if builder == BuilderClassic {
					// The check below is not blind: the running step's
					// container is one it sees.
					running := 0
					for id := range buildContainers(t, c) {
						if _, ok := before[id]; !ok {
							running++
						}
					}
					if running == 0 {
						t.Errorf("no build container of the slow step is listed while it runs")
					}
				}
				w.writeFile("script/04_solo.sh", base+unique("fast"))
				done := w.next(watch.EventDone)
				firstBuilt := cycle{prog: progressEvents(w.stderr.String()[mark:])}.built()
				if done.Cycle != first.Cycle {
					t.Fatalf("done event of cycle %d, want %d", done.Cycle, first.Cycle)
				}
				switch policy {
				case "cancel":
					if !done.Canceled || len(firstBuilt) != 0 {
						t.Errorf("cancel: the first cycle was not cancelled: %+v, built %v", done, firstBuilt)
					}
					if now, err := imageID(c, watchPrefix+"solo"); err != nil || now != old {
						t.Errorf("cancel: the tag moved from %s (%v) with the cancelled build", old, err)
					}
				case "finish":
					if done.Canceled || done.Error != "" || !slices.Equal(firstBuilt, []string{"solo"}) {
						t.Errorf("finish: the first cycle did not finish cleanly: %+v, built %v", done, firstBuilt)
					}
				}
				cy := w.nextCycle()
				cy.expectOK(t)
				if cy.start.Cycle != first.Cycle+1 || !slices.Equal(cy.built(), []string{"solo"}) {
					t.Errorf("second cycle %d built %v, want cycle %d building solo; stderr:\n%s", cy.start.Cycle, cy.built(), first.Cycle+1, w.stderr.String())
				}
				if how, _ := stepFor(cy, "solo", "04_solo.sh"); how != "ran" {
					t.Errorf("second cycle's 04_solo.sh step %q, want ran", how)
				}
				w.sentinel(cy.start.Cycle, "script/04_solo.sh")
				w.stop()
				noLeftovers(t, c, before)
				for id, tag := range danglingImages(t, c) {
					if _, ok := dangling[id]; !ok {
						t.Errorf("dangling image %s (built for %s) left after the watch", engine.ShortID(id), tag)
					}
				}
			})
		}
	}
}

// runningStep reports whether the progress in log shows the RUN step of
// script running.
func runningStep(log, script string) (int, bool) {
	steps := map[int]bool{}
	for _, e := range progressEvents(log) {
		if e.Event == "step" && strings.HasPrefix(e.Instruction, "RUN") && strings.Contains(e.Instruction, script) {
			steps[e.Step] = true
		}
		if e.Event == "running" && steps[e.Step] {
			return e.Step, true
		}
	}
	return 0, false
}

// TestWatchSyntaxError saves a script with a syntax error: the dry run
// reports it with its position, nothing is built, the watch goes on, the
// last good image keeps its tag, and the next good save builds.
func TestWatchSyntaxError(t *testing.T) {
	c := enginetest.Require(t)
	root := copyRepo(t)
	removeImages(t, c, "solo")
	w := startWatch(t, root, "", 50*time.Millisecond, "solo")
	good, err := imageID(c, watchPrefix+"solo")
	if err != nil {
		t.Fatal(err)
	}

	base := readRepo(t, root, "script/04_solo.sh")
	w.writeFile("script/04_solo.sh", base+"if then fi\n")
	cy := w.nextCycle()
	if cy.done.Error == "" {
		t.Fatalf("a syntax error built; stderr:\n%s", cy.log)
	}
	line := strings.Count(base, "\n") + 1
	if want := fmt.Sprintf("04_solo.sh:%d:1:", line); !strings.Contains(cy.log, want) {
		t.Errorf("the error does not name %s; stderr:\n%s", want, cy.log)
	}
	if got := cy.built(); len(got) != 0 {
		t.Errorf("built %v after a syntax error", got)
	}
	after, err := imageID(c, watchPrefix+"solo")
	if err != nil || after != good {
		t.Errorf("the tag moved from %s to %s (%v) after a failed cycle", good, after, err)
	}

	w.writeFile("script/04_solo.sh", base+unique("fixed"))
	cy = w.nextCycle()
	cy.expectOK(t)
	if got := cy.built(); !slices.Equal(got, []string{"solo"}) {
		t.Errorf("the good save built %v, want [solo]", got)
	}
	fixed, err := imageID(c, watchPrefix+"solo")
	if err != nil || fixed == good {
		t.Errorf("the tag did not move after the good save (%v)", err)
	}
	w.stop()
	if w.status != 130 {
		t.Errorf("dmake --watch returned %d when cancelled, want 130", w.status)
	}
}

// TestWatchMakefileDeletedAndRestored deletes an image's Makefile and
// restores it (as git checkout and git stash do, and some editors), then
// deletes and restores a whole image directory: the watch says the image
// left and came back, writes it again on its return, and keeps rebuilding
// it on later edits. It needs no engine (--no-build) and waits for the
// watch's own events, never for time.
func TestWatchMakefileDeletedAndRestored(t *testing.T) {
	root := copyRepo(t)
	w := startWatchOpts(t, root, Options{Watch: true, NoBuild: true, Debounce: 50 * time.Millisecond,
		Dir: []string{root}, Progress: "json", LoadCache: "off"})
	mk := filepath.Join(root, "images", "solo", "Makefile")
	orig := readRepo(t, root, "images/solo/Makefile")
	wrote := func(c cycle, name string) bool {
		return strings.Contains(c.log, name+": --no-build: wrote ")
	}
	// step makes a change and checks the cycle it starts: the image
	// events it gives and whether solo is rebuilt (written again).
	step := func(what string, change func() error, event watch.EventType, rebuilt bool) {
		t.Helper()
		mark := len(w.stderr.String())
		w.change(func() {
			if err := change(); err != nil {
				t.Fatal(err)
			}
		})
		c := w.nextCycleSince(mark)
		c.expectOK(t)
		var got []string
		for _, e := range c.images {
			got = append(got, string(e.Type)+" "+strings.Join(e.Images, ","))
		}
		var want []string
		if event != "" {
			want = []string{string(event) + " solo"}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: image events %q, want %q", what, got, want)
		}
		wantImages := []string(nil)
		if rebuilt {
			wantImages = []string{"solo"}
		}
		if !slices.Equal(c.done.Images, wantImages) || wrote(c, "solo") != rebuilt {
			t.Errorf("%s: cycle %d rebuilt %v, want %v; log:\n%s", what, c.start.Cycle, c.done.Images, wantImages, c.log)
		}
	}
	write := func(text string) func() error {
		return func() error { return os.WriteFile(mk, []byte(text), 0o644) }
	}
	dir := filepath.Join(root, "images", "solo")
	away := filepath.Join(root, "solo.away")

	step("Makefile removed", func() error { return os.Remove(mk) }, watch.EventImageLeft, false)
	step("Makefile restored", write(orig), watch.EventImageBack, true)
	step("Makefile edited", write(orig+"# edited\n"), "", true)
	step("directory moved away", func() error { return os.Rename(dir, away) }, watch.EventImageLeft, false)
	step("directory back", func() error { return os.Rename(away, dir) }, watch.EventImageBack, true)
	step("edited again", write(orig+"# edited again\n"), "", true)
}
