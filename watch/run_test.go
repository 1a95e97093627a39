package watch

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// call is one call of the fake Rebuild, blocked until the test releases it
// or its context is cancelled.
type call struct {
	ctx     context.Context
	b       Batch
	release chan error
}

// runner runs Run over a temp dir with a fake clock and a fake Rebuild.
type runner struct {
	t      *testing.T
	dir    string
	p      *probe
	calls  chan call
	events chan Event
	json   bytes.Buffer
	jsonMu sync.Mutex
	cancel context.CancelFunc
	ret    chan error // receives Run's result once
	done   chan struct{}
	all    []Event // every event, once Run returned
}

func startRun(t *testing.T, files map[string]string, in func(dir string) Inputs, cfg Config) *runner {
	t.Helper()
	dir := tempDir(t)
	for name, content := range files {
		write(t, filepath.Join(dir, name), content)
	}
	p, h := newProbe(t, dir)
	r := &runner{t: t, dir: dir, p: p, calls: make(chan call), events: make(chan Event, 256), ret: make(chan error, 1), done: make(chan struct{})}
	jw := JSONWriter(lockedWriter{&r.jsonMu, &r.json})
	cfg.Inputs = in(dir)
	cfg.Clock = p.clock
	cfg.hooks = h
	cfg.OnEvent = func(e Event) {
		jw(e)
		r.events <- e
	}
	if cfg.Rebuild == nil {
		cfg.Rebuild = func(ctx context.Context, b Batch) error {
			c := call{ctx: ctx, b: b, release: make(chan error)}
			r.calls <- c
			select {
			case err := <-c.release:
				return err
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() {
		defer close(r.done)
		r.ret <- Run(ctx, cfg)
	}()
	r.event(EventStart, 0)
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(wait):
			t.Error("Run did not return after cancel")
		}
	})
	return r
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// edit writes a file and lets the debounce run out; it returns once Run has
// received the batch.
func (r *runner) edit(name, content string) {
	r.t.Helper()
	write(r.t, filepath.Join(r.dir, name), content)
	r.settled("editing " + name)
}

// settled lets the debounce run out after a change made by the caller
// (what) and returns once Run has received the batch.
func (r *runner) settled(what string) {
	r.t.Helper()
	if n := r.p.settle(DefaultDebounce); n <= 0 {
		r.t.Fatalf("%s made no change (%d)", what, n)
	}
	select {
	case <-r.p.delivered:
	case <-time.After(wait):
		r.t.Fatal("Run never received the batch")
	}
}

func (r *runner) call() call {
	r.t.Helper()
	select {
	case c := <-r.calls:
		return c
	case <-time.After(wait):
		r.t.Fatal("Rebuild was not called")
	}
	return call{}
}

// event waits for the next event of type typ (of cycle n, unless 0),
// skipping others.
func (r *runner) event(typ EventType, n int) Event {
	r.t.Helper()
	for {
		select {
		case e := <-r.events:
			r.all = append(r.all, e)
			if e.Type == typ && (n == 0 || e.Cycle == n) {
				return e
			}
		case <-time.After(wait):
			r.t.Fatalf("no %s event for cycle %d", typ, n)
		}
	}
}

// stop cancels Run, checks that it returns nil, collects the remaining
// events and checks every event against the schema.
func (r *runner) stop() []Event {
	r.t.Helper()
	r.cancel()
	select {
	case err := <-r.ret:
		if err != nil {
			r.t.Fatalf("Run returned %v", err)
		}
	case <-time.After(wait):
		r.t.Fatal("Run did not return after cancel")
	}
	for {
		select {
		case e := <-r.events:
			r.all = append(r.all, e)
			continue
		default:
		}
		break
	}
	if last := r.all[len(r.all)-1]; last.Type != EventStop {
		r.t.Errorf("last event is %s, want %s", last.Type, EventStop)
	}
	// Each cycle ends with exactly one done event, which has the cycle's
	// human line; before it, at most one line says what is rebuilt; no
	// other event of a cycle has one.
	lines := map[int]int{}
	for _, e := range r.all {
		if e.Cycle > 0 && e.Text(r.dir) != "" {
			switch e.Type {
			case EventDone:
				lines[e.Cycle]++
			case EventRebuild:
				if len(e.Images) == 0 || !strings.Contains(e.Text(r.dir), "→ rebuilding ") {
					r.t.Errorf("cycle %d: rebuild line %q", e.Cycle, e.Text(r.dir))
				}
			default:
				r.t.Errorf("cycle %d: a %s event has the line %q", e.Cycle, e.Type, e.Text(r.dir))
			}
		}
	}
	for c := 1; c <= count(r.all, EventCycle); c++ {
		if lines[c] != 1 {
			r.t.Errorf("cycle %d has %d human lines, want 1", c, lines[c])
		}
	}
	v := newValidator(r.t, EventSchema)
	r.jsonMu.Lock()
	sc := bufio.NewScanner(bytes.NewReader(r.json.Bytes()))
	var n int
	for sc.Scan() {
		validateLine(r.t, v, sc.Bytes())
		n++
	}
	r.jsonMu.Unlock()
	if n != len(r.all) {
		r.t.Errorf("JSON lines = %d, events = %d", n, len(r.all))
	}
	return r.all
}

func (r *runner) rel(b Batch) []string { return changes(r.dir, b) }

func count(evs []Event, typ EventType) int {
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}

var twoScripts = map[string]string{"a.sh": "a\n", "b.sh": "b\n", "c.sh": "c\n"}

func scripts(dir string) Inputs {
	return &Static{
		Watch:     []string{filepath.Join(dir, "a.sh"), filepath.Join(dir, "b.sh"), filepath.Join(dir, "c.sh")},
		ImageIn:   map[string][]string{"base": {filepath.Join(dir, "a.sh")}, "ssh": {filepath.Join(dir, "b.sh")}, "web": {filepath.Join(dir, "c.sh")}},
		ImageFrom: map[string][]string{"ssh": {"base"}, "web": {"ssh"}},
	}
}

func TestRunPolicyCancel(t *testing.T) {
	r := startRun(t, twoScripts, scripts, Config{Policy: Cancel})
	r.edit("b.sh", "b1\n")
	c1 := r.call()
	if got := r.rel(c1.b); !slices.Equal(got, []string{"modified b.sh"}) || !slices.Equal(c1.b.Images, []string{"ssh", "web"}) {
		t.Fatalf("first rebuild: %q for %v", got, c1.b.Images)
	}
	r.edit("a.sh", "a1\n")
	c2 := r.call()
	if c1.ctx.Err() == nil {
		t.Error("the first rebuild's context was not cancelled by the change")
	}
	if got := r.rel(c2.b); !slices.Equal(got, []string{"modified a.sh", "modified b.sh"}) {
		t.Errorf("second rebuild changes = %q, want the cancelled and the new change", got)
	}
	if !slices.Equal(c2.b.Images, []string{"base", "ssh", "web"}) {
		t.Errorf("second rebuild images = %v", c2.b.Images)
	}
	c2.release <- nil
	done := r.event(EventDone, 2)
	if done.Error != "" || done.Canceled {
		t.Errorf("done 2 = %+v", done)
	}
	evs := r.stop()
	if n := count(evs, EventCycle); n != 2 {
		t.Errorf("%d cycles, want 2", n)
	}
	for _, e := range evs {
		if e.Type == EventDone && e.Cycle == 1 && !e.Canceled {
			t.Errorf("cycle 1 done = %+v, want canceled", e)
		}
	}
}

func TestRunPolicyFinish(t *testing.T) {
	r := startRun(t, twoScripts, scripts, Config{Policy: Finish})
	r.edit("a.sh", "a1\n")
	c1 := r.call()
	r.edit("b.sh", "b1\n")
	r.edit("c.sh", "c1\n")
	if c1.ctx.Err() != nil {
		t.Fatal("policy finish cancelled the running rebuild")
	}
	c1.release <- nil
	c2 := r.call()
	if got := r.rel(c2.b); !slices.Equal(got, []string{"modified b.sh", "modified c.sh"}) {
		t.Errorf("the one more rebuild has %q, want both changes made during the first", got)
	}
	c2.release <- nil
	r.event(EventDone, 2)
	evs := r.stop()
	if n := count(evs, EventCycle); n != 2 {
		t.Errorf("%d cycles, want exactly 2", n)
	}
	if n := count(evs, EventRebuild); n != 2 {
		t.Errorf("%d rebuild requests, want exactly 2", n)
	}
}

func TestRunRebuildErrorKeepsLoopAlive(t *testing.T) {
	r := startRun(t, twoScripts, scripts, Config{})
	r.edit("c.sh", "broken\n")
	c1 := r.call()
	c1.release <- errors.New("images/web/Dockerfile:3:1: boom")
	done := r.event(EventDone, 1)
	if done.Error != "images/web/Dockerfile:3:1: boom" || done.Stage != "rebuild" || done.Canceled {
		t.Fatalf("done = %+v", done)
	}
	if line := done.Text(r.dir); line != "#1 c.sh changed → rebuild of web failed after 0s: images/web/Dockerfile:3:1: boom (the last good images stay; the next save retries)" {
		t.Errorf("line = %q", line)
	}
	// The next change retries, with the failed change included.
	r.edit("b.sh", "b1\n")
	c2 := r.call()
	if got := r.rel(c2.b); !slices.Equal(got, []string{"modified b.sh", "modified c.sh"}) {
		t.Errorf("retry changes = %q", got)
	}
	c2.release <- nil
	if done := r.event(EventDone, 2); done.Error != "" {
		t.Errorf("retry failed: %+v", done)
	}
	// And a third cycle only has what is new.
	r.edit("a.sh", "a1\n")
	c3 := r.call()
	if got := r.rel(c3.b); !slices.Equal(got, []string{"modified a.sh"}) {
		t.Errorf("third changes = %q", got)
	}
	c3.release <- nil
	r.event(EventDone, 3)
	r.stop()
}

func TestRunCancelContextStopsBuild(t *testing.T) {
	r := startRun(t, twoScripts, scripts, Config{Policy: Finish})
	r.edit("a.sh", "a1\n")
	c1 := r.call()
	evs := r.stop()
	if c1.ctx.Err() == nil {
		t.Error("the running rebuild's context was not cancelled")
	}
	var done *Event
	for i := range evs {
		if evs[i].Type == EventDone {
			done = &evs[i]
		}
	}
	if done == nil || !done.Canceled {
		t.Errorf("done event = %+v, want canceled", done)
	}
}

func TestRunReplan(t *testing.T) {
	files := map[string]string{"Makefile": "all:\n", "make/a.mk": "A=1\n", "a.sh": "a\n", "new.sh": "n\n"}
	var replans []Batch
	fail := true
	var mu sync.Mutex
	cfg := Config{
		Replan: func(ctx context.Context, b Batch) (Inputs, error) {
			mu.Lock()
			defer mu.Unlock()
			replans = append(replans, b)
			if fail {
				fail = false
				return nil, errors.New("Makefile:1: *** missing separator.  Stop.")
			}
			dir := filepath.Dir(b.Changes[0].Path)
			in := mkInputs(dir)
			in.Watch = append(in.Watch, filepath.Join(dir, "new.sh"))
			in.ImageIn["ssh"] = []string{filepath.Join(dir, "new.sh")}
			return in, nil
		},
	}
	r := startRun(t, files, func(dir string) Inputs { return mkInputs(dir) }, cfg)
	r.edit("Makefile", "all:\nbad\n")
	done := r.event(EventDone, 1)
	if done.Stage != "replan" || done.Error == "" || !done.Reparse {
		t.Fatalf("done 1 = %+v", done)
	}
	// A script edit after a failed replan re-plans again.
	r.edit("a.sh", "a1\n")
	c2 := r.call()
	if !c2.b.Reparse {
		t.Error("the batch after a failed replan is not re-planned")
	}
	if got := r.rel(c2.b); !slices.Equal(got, []string{"modified Makefile", "modified a.sh"}) {
		t.Errorf("changes = %q", got)
	}
	c2.release <- nil
	r.event(EventDone, 2)
	// The new plan's inputs are watched now.
	r.edit("new.sh", "n1\n")
	c3 := r.call()
	if c3.b.Reparse || !slices.Equal(c3.b.Images, []string{"ssh"}) {
		t.Errorf("new.sh batch: reparse %v images %v", c3.b.Reparse, c3.b.Images)
	}
	c3.release <- nil
	r.event(EventDone, 3)
	// A new included .mk re-plans.
	r.edit("make/b.mk", "B=1\n")
	c4 := r.call()
	if !c4.b.Reparse {
		t.Error("a new make/*.mk did not re-plan")
	}
	c4.release <- nil
	r.event(EventDone, 4)
	r.stop()
	if len(replans) != 3 {
		t.Errorf("%d replans, want 3 (failed, after failure, new .mk)", len(replans))
	}
}

func mkInputs(dir string) *Static {
	return &Static{
		Watch:   []string{filepath.Join(dir, "a.sh")},
		Makes:   []string{filepath.Join(dir, "Makefile")},
		Globs:   []string{filepath.Join(dir, "make/*.mk")},
		ImageIn: map[string][]string{"base": {filepath.Join(dir, "a.sh")}},
	}
}

// TestRunReplanRemovedInclude removes an included makefile that one image
// reads: the new plan no longer lists it, but the image it affected in the
// old plan is rebuilt (without it), and an image the new plan dropped is
// not.
func TestRunReplanRemovedInclude(t *testing.T) {
	files := map[string]string{"Makefile": "all:\n", "make/a.mk": "A=1\n", "a.sh": "a\n"}
	in := func(dir string) *Static {
		s := mkInputs(dir)
		s.ImageIn["base"] = append(s.ImageIn["base"], filepath.Join(dir, "make/a.mk"))
		s.ImageIn["gone"] = []string{filepath.Join(dir, "make/a.mk")}
		s.ImageIn["other"] = []string{filepath.Join(dir, "b.sh")}
		return s
	}
	cfg := Config{
		Replan: func(ctx context.Context, b Batch) (Inputs, error) {
			s := mkInputs(filepath.Dir(b.Changes[0].Path))
			s.ImageIn["other"] = []string{filepath.Join(filepath.Dir(b.Changes[0].Path), "b.sh")}
			return s, nil
		},
	}
	r := startRun(t, files, func(dir string) Inputs { return in(dir) }, cfg)
	if err := os.Remove(filepath.Join(r.dir, "make/a.mk")); err != nil {
		t.Fatal(err)
	}
	r.settled("removing make/a.mk")
	c := r.call()
	if !c.b.Reparse || !slices.Equal(c.b.Images, []string{"base"}) {
		t.Errorf("reparse %v, images %v; want a re-plan rebuilding [base]", c.b.Reparse, c.b.Images)
	}
	c.release <- nil
	r.event(EventDone, 1)
	r.stop()
}

// Inputs saved after Since (during the build that precedes the watch, before
// the watcher began) are the first batch: such a save is not lost.
func TestRunSinceChangedBeforeWatch(t *testing.T) {
	since := time.Now().Add(-time.Second)
	r := startRun(t, twoScripts, scripts, Config{Since: since})
	c1 := r.call()
	if got := r.rel(c1.b); !slices.Equal(got, []string{"modified a.sh", "modified b.sh", "modified c.sh"}) || !slices.Equal(c1.b.Images, []string{"base", "ssh", "web"}) {
		t.Errorf("first batch %q images %q, want every file written after since", got, c1.b.Images)
	}
	c1.release <- nil
	r.event(EventDone, 1)
	r.stop()
}

// Inputs not modified after Since make no batch: the first cycle is the
// first change the watcher sees.
func TestRunSinceUnchanged(t *testing.T) {
	r := startRun(t, twoScripts, scripts, Config{Since: time.Now().Add(time.Hour)})
	r.edit("b.sh", "b1\n")
	c1 := r.call()
	if got := r.rel(c1.b); !slices.Equal(got, []string{"modified b.sh"}) {
		t.Errorf("first batch %q, want the edit alone", got)
	}
	c1.release <- nil
	r.event(EventDone, 1)
	r.stop()
}

// TestRunLearn: the inputs Learn returns after a rebuild are watched from
// then on, without a makefile change (a plain make run learns the context
// of a docker build only when the build gets there), and a failed
// rebuild's are too.
func TestRunLearn(t *testing.T) {
	files := map[string]string{"Makefile": "all:\n", "make/a.mk": "A=1\n", "a.sh": "a\n", "ctx/app.go": "x\n", "ctx/more.go": "y\n"}
	var mu sync.Mutex
	var learnt []string // what the next Learn adds to the inputs
	var dir string
	cfg := Config{
		Learn: func() Inputs {
			mu.Lock()
			defer mu.Unlock()
			in := mkInputs(dir)
			for _, f := range learnt {
				in.Watch = append(in.Watch, filepath.Join(dir, f))
				in.ImageIn["ssh"] = append(in.ImageIn["ssh"], filepath.Join(dir, f))
			}
			return in
		},
	}
	r := startRun(t, files, func(d string) Inputs { dir = d; return mkInputs(d) }, cfg)
	mu.Lock()
	learnt = []string{"ctx/app.go"}
	mu.Unlock()
	r.edit("a.sh", "a1\n")
	c1 := r.call()
	c1.release <- errors.New("the build failed")
	r.event(EventDone, 1)
	r.edit("ctx/app.go", "x1\n")
	c2 := r.call()
	// The failed batch's change (a.sh, base's) is retried with it.
	if !slices.Equal(c2.b.Images, []string{"base", "ssh"}) || c2.b.Reparse {
		t.Errorf("ctx/app.go batch: images %v, reparse %v; want [base ssh], false", c2.b.Images, c2.b.Reparse)
	}
	mu.Lock()
	learnt = []string{"ctx/app.go", "ctx/more.go"}
	mu.Unlock()
	c2.release <- nil
	r.event(EventDone, 2)
	r.edit("ctx/more.go", "y1\n")
	c3 := r.call()
	if got := r.rel(c3.b); !slices.Equal(got, []string{"modified ctx/more.go"}) {
		t.Errorf("changes = %q, want the newly learnt ctx/more.go", got)
	}
	c3.release <- nil
	r.event(EventDone, 3)
	r.stop()
}
