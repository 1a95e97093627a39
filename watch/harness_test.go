package watch

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// wait is how long a test waits for something the watcher goroutine does
// before it fails. It is a safety net only: no outcome depends on it.
const wait = 20 * time.Second

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// probe observes a watcher through its test hooks, so a test can know that
// every event it caused has been handled before it moves the fake clock.
type probe struct {
	t         testing.TB
	dir       string // a watched directory where sync files are made
	clock     *FakeClock
	raw       chan string
	flushed   chan int
	delivered chan struct{}
	n         int
}

func newProbe(t testing.TB, dir string) (*probe, *hooks) {
	p := &probe{
		t:         t,
		dir:       dir,
		clock:     NewFakeClock(epoch),
		raw:       make(chan string, 64),
		flushed:   make(chan int, 64),
		delivered: make(chan struct{}, 64),
	}
	h := &hooks{
		raw: func(name string) {
			if b := filepath.Base(name); strings.HasPrefix(b, "sync-") && strings.HasSuffix(b, ".swp") {
				select {
				case p.raw <- name:
				default:
				}
			}
		},
		flushed:   func(n int) { p.flushed <- n },
		delivered: func() { p.delivered <- struct{}{} },
	}
	return p, h
}

// sync makes an ignored file in the probe's directory and waits until the
// watcher has seen its event: the kernel queues events in order, so every
// event caused before has been handled by then.
func (p *probe) sync() {
	p.t.Helper()
	p.n++
	name := filepath.Join(p.dir, fmt.Sprintf("sync-%d.swp", p.n))
	if err := os.WriteFile(name, nil, 0o644); err != nil {
		p.t.Fatal(err)
	}
	deadline := time.After(wait)
	for {
		select {
		case got := <-p.raw:
			if got == name {
				return
			}
		case <-deadline:
			p.t.Fatalf("watcher never saw %s", name)
		}
	}
}

// settle syncs, then, if the debounce timer is set, runs the clock past it
// and returns how many changes the flush found (-1 when no timer was set).
func (p *probe) settle(debounce time.Duration) int {
	p.t.Helper()
	p.sync()
	if p.clock.Active() == 0 {
		return -1
	}
	p.clock.Advance(debounce)
	select {
	case n := <-p.flushed:
		return n
	case <-time.After(wait):
		p.t.Fatal("the debounce timer fired but the watcher never flushed")
	}
	return 0
}

// batches settles the watcher and returns the batches it made: none or one.
func (p *probe) batches(w *Watcher) []Batch {
	p.t.Helper()
	n := p.settle(w.debounce)
	if n <= 0 {
		select {
		case b := <-w.Batches():
			p.t.Fatalf("a flush of %d changes delivered a batch: %v", n, b.Changes)
		default:
		}
		return nil
	}
	select {
	case b := <-w.Batches():
		<-p.delivered
		// Nothing else may be pending.
		if p.clock.Active() != 0 {
			p.t.Fatal("the debounce timer is set again after the batch")
		}
		return []Batch{b}
	case <-time.After(wait):
		p.t.Fatal("a flush found changes but no batch came")
	}
	return nil
}

// tempDir returns a test directory with symlinks resolved, since the
// watcher reports the paths the kernel names.
func tempDir(t testing.TB) string {
	t.Helper()
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// changes renders a batch's changes relative to dir, for comparisons.
func changes(dir string, b Batch) []string {
	var out []string
	for _, c := range b.Changes {
		rel, _ := filepath.Rel(dir, c.Path)
		out = append(out, c.Kind.String()+" "+rel)
	}
	return out
}
