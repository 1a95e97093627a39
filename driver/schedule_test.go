package driver

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/graph"
)

// schedTimeout only ends a schedule that deadlocked; nothing measures time.
const schedTimeout = 30 * time.Second

func img(name string, deps ...string) graph.DocImage {
	return graph.DocImage{Name: name, DependsOn: deps}
}

// barrier is a rendezvous of n builds: wait returns true once n have
// arrived, false when ctx ends first (the builds did not run at once).
type barrier struct {
	mu      sync.Mutex
	n       int
	arrived int
	all     chan struct{}
}

func newBarrier(n int) *barrier { return &barrier{n: n, all: make(chan struct{})} }

func (b *barrier) wait(ctx context.Context) bool {
	b.mu.Lock()
	b.arrived++
	if b.arrived == b.n {
		close(b.all)
	}
	b.mu.Unlock()
	select {
	case <-b.all:
		return true
	case <-ctx.Done():
		return false
	}
}

// Two independent images each wait inside their build for the other's
// build to have started: the schedule ends only if both build at once.
func TestScheduleIndependentAtOnce(t *testing.T) {
	for _, slots := range []int{2, 0} {
		ctx, cancel := context.WithTimeout(context.Background(), schedTimeout)
		b := newBarrier(2)
		s := scheduleImages(ctx, []graph.DocImage{img("a"), img("b")}, slots, nil, false, func(ctx context.Context, name string) int {
			if !b.wait(ctx) {
				return 1
			}
			return 0
		}, nil, nil)
		cancel()
		if s.Status != 0 || s.Outcome["a"] != imageBuilt || s.Outcome["b"] != imageBuilt {
			t.Errorf("slots %d: a and b did not build at once (deadlock until the timeout): %+v", slots, s)
		}
	}
}

// An image starts only after the image it is FROM has been built, also
// with free slots; at most slots builds run at once.
func TestScheduleFromOrderAndSlots(t *testing.T) {
	order := []graph.DocImage{img("base"), img("solo"), img("mid", "base"), img("top", "mid"), img("other", "base")}
	for _, slots := range []int{1, 2, 0} {
		var mu sync.Mutex
		built := map[string]bool{}
		running, most := 0, 0 // by the scheduler's own callbacks
		var violations []string
		s := scheduleImages(context.Background(), order, slots, nil, false, func(ctx context.Context, name string) int {
			mu.Lock()
			defer mu.Unlock()
			for _, im := range order {
				if im.Name == name {
					for _, d := range im.DependsOn {
						if !built[d] {
							violations = append(violations, name+" started before "+d+" was built")
						}
					}
				}
			}
			built[name] = true
			return 0
		}, func(string) {
			running++
			most = max(most, running)
		}, func(string, int) { running-- })
		if len(violations) > 0 {
			t.Errorf("slots %d: %v", slots, violations)
		}
		if slots > 0 && most > slots {
			t.Errorf("slots %d: %d builds ran at once", slots, most)
		}
		for _, im := range order {
			if s.Outcome[im.Name] != imageBuilt {
				t.Errorf("slots %d: %s: outcome %v, want built", slots, im.Name, s.Outcome[im.Name])
			}
		}
	}
}

// Without -k, a failure stops the start of new images, the builds running
// finish (good is released only once the failure is taken in), and the
// status is the failed build's.
func TestScheduleStopsAtFailure(t *testing.T) {
	order := []graph.DocImage{img("bad"), img("good"), img("later"), img("child", "bad")}
	release := make(chan struct{})
	ctx, cancel := context.WithTimeout(context.Background(), schedTimeout)
	defer cancel()
	var started []string
	s := scheduleImages(ctx, order, 2, nil, false, func(ctx context.Context, name string) int {
		switch name {
		case "bad":
			return 7
		case "good":
			select {
			case <-release:
			case <-ctx.Done():
				return 1
			}
		}
		return 0
	}, func(name string) { started = append(started, name) }, func(name string, st int) {
		if name == "bad" {
			close(release)
		}
	})
	if s.Status != 7 {
		t.Errorf("status %d, want 7 (the failed build's)", s.Status)
	}
	want := map[string]imageOutcome{"bad": imageFailed, "good": imageBuilt, "later": notStarted, "child": notStarted}
	for n, o := range want {
		if s.Outcome[n] != o {
			t.Errorf("%s: outcome %v, want %v (started %v)", n, s.Outcome[n], o, started)
		}
	}
}

// With -k, every image not depending on a failure is built; those built
// FROM a failed image (directly or not) are not started and name it.
func TestScheduleKeepGoing(t *testing.T) {
	order := []graph.DocImage{img("bad"), img("child", "bad"), img("grandchild", "child"), img("good"), img("next", "good")}
	for _, slots := range []int{1, 3} {
		var mu sync.Mutex
		var ran []string
		s := scheduleImages(context.Background(), order, slots, nil, true, func(ctx context.Context, name string) int {
			mu.Lock()
			ran = append(ran, name)
			mu.Unlock()
			if name == "bad" {
				return 2
			}
			return 0
		}, nil, nil)
		if s.Status != 2 {
			t.Errorf("slots %d: status %d, want 2", slots, s.Status)
		}
		want := map[string]imageOutcome{"bad": imageFailed, "child": depFailed, "grandchild": depFailed, "good": imageBuilt, "next": imageBuilt}
		for n, o := range want {
			if s.Outcome[n] != o {
				t.Errorf("slots %d: %s: outcome %v, want %v (ran %v)", slots, n, s.Outcome[n], o, ran)
			}
		}
		if s.Blocked["child"] != "bad" || s.Blocked["grandchild"] != "bad" {
			t.Errorf("slots %d: blocked %v, want child and grandchild blocked by bad", slots, s.Blocked)
		}
		if got := s.names(order, depFailed); len(got) != 2 || got[0] != "child" || got[1] != "grandchild" {
			t.Errorf("slots %d: not built because of errors: %v", slots, got)
		}
	}
}

// An interrupt (ctx ending) stops the start of new images; the running
// one finishes.
func TestScheduleInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := scheduleImages(ctx, []graph.DocImage{img("a"), img("b")}, 1, nil, true, func(ctx context.Context, name string) int {
		cancel()
		return 0
	}, nil, nil)
	if s.Outcome["a"] != imageBuilt || s.Outcome["b"] != notStarted {
		t.Errorf("outcomes %v: want a built, b not started after the interrupt", s.Outcome)
	}
}

func TestMaxParallel(t *testing.T) {
	order := []graph.DocImage{img("base"), img("a", "base"), img("b", "base"), img("c", "base"), img("d", "a")}
	for _, tt := range []struct{ slots, want int }{{1, 1}, {2, 2}, {0, 3}, {8, 3}} {
		if got := maxParallel(order, tt.slots); got != tt.want {
			t.Errorf("maxParallel(slots %d) = %d, want %d", tt.slots, got, tt.want)
		}
	}
	if got := maxParallel([]graph.DocImage{img("base"), img("ssh", "base")}, 0); got != 1 {
		t.Errorf("a chain: maxParallel = %d, want 1", got)
	}
}

// chanTokens is a jobserver whose tokens are a channel's values.
type chanTokens chan byte

func (c chanTokens) Acquire(ctx context.Context) (byte, error) {
	select {
	case b := <-c:
		return b, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (c chanTokens) Release(b byte) error {
	c <- b
	return nil
}

// With a jobserver, the first build runs on the run's own slot and each
// further one on a token: one token lets two images meet, never three run
// at once, and every token is back at the end.
func TestScheduleJobserver(t *testing.T) {
	for _, n := range []int{0, 1, 2} {
		tokens := make(chanTokens, n)
		for i := 0; i < n; i++ {
			tokens <- '+'
		}
		ctx, cancel := context.WithTimeout(context.Background(), schedTimeout)
		b := newBarrier(min(n+1, 2))
		running, most := 0, 0
		order := []graph.DocImage{img("a"), img("b"), img("c"), img("d", "a")}
		s := scheduleImages(ctx, order, 0, tokens, false, func(ctx context.Context, name string) int {
			if (name == "a" || name == "b") && !b.wait(ctx) {
				return 1
			}
			return 0
		}, func(string) {
			running++
			most = max(most, running)
		}, func(string, int) { running-- })
		cancel()
		for _, im := range order {
			if s.Outcome[im.Name] != imageBuilt {
				t.Errorf("%d tokens: %s: outcome %v, want built (a and b did not meet?)", n, im.Name, s.Outcome[im.Name])
			}
		}
		if most > n+1 {
			t.Errorf("%d tokens: %d builds at once", n, most)
		}
		if len(tokens) != n {
			t.Errorf("%d tokens: %d back at the end", n, len(tokens))
		}
	}
}

// notifyWriter closes seen once what it was written holds want.
type notifyWriter struct {
	mu   sync.Mutex
	buf  []byte
	want string
	seen chan struct{}
}

func (n *notifyWriter) Write(p []byte) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	had := strings.Contains(string(n.buf), n.want)
	n.buf = append(n.buf, p...)
	if !had && strings.Contains(string(n.buf), n.want) {
		close(n.seen)
	}
	return len(p), nil
}

func (n *notifyWriter) String() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return string(n.buf)
}

// Without -k, a failure while another image builds says, as make does,
// that it is waited for (good ends only once that is said); each image's
// lines carry its name.
func TestBuildInParallelWaits(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), schedTimeout)
	defer cancel()
	errw := &notifyWriter{want: "dmake: *** Waiting for unfinished images....\n", seen: make(chan struct{})}
	var out syncBuffer
	s := buildInParallel(ctx, Options{}, &jobSlots{jobs: 2}, []graph.DocImage{img("bad"), img("good"), img("later")}, Stdio{Out: &out, Err: errw},
		func(ctx context.Context, name string, opts Options, stdio Stdio) int {
			fmt.Fprintf(stdio.Out, "building %s\n", name)
			if name == "bad" {
				fmt.Fprintln(stdio.Err, "it broke")
				return 2
			}
			select {
			case <-errw.seen:
				return 0
			case <-ctx.Done():
				return 1
			}
		})
	if s.Status != 2 || s.Outcome["good"] != imageBuilt || s.Outcome["later"] != notStarted {
		t.Errorf("status %d, outcomes %v: want 2, good built (it waited for the message), later not started\n%s", s.Status, s.Outcome, errw.String())
	}
	if !strings.Contains(errw.String(), "bad | it broke\n") || !strings.Contains(out.String(), "good | building good\n") {
		t.Errorf("lines not prefixed:\n%s\n%s", out.String(), errw.String())
	}
}

// Under -Otarget each image's output is written whole, unprefixed, once
// the image is done, though the two images wrote at once (they meet
// between their two lines).
func TestBuildInParallelGrouped(t *testing.T) {
	for _, sync := range []string{"target", "recurse"} {
		ctx, cancel := context.WithTimeout(context.Background(), schedTimeout)
		b := newBarrier(2)
		var out syncBuffer
		s := buildInParallel(ctx, Options{OutputSync: sync}, &jobSlots{jobs: 2}, []graph.DocImage{img("a"), img("b")}, Stdio{Out: &out, Err: &out},
			func(ctx context.Context, name string, opts Options, stdio Stdio) int {
				fmt.Fprintf(stdio.Out, "%s one\n", name)
				if !b.wait(ctx) {
					return 1
				}
				fmt.Fprintf(stdio.Err, "%s two\n", name)
				return 0
			})
		cancel()
		got := out.String()
		if s.Status != 0 || (got != "a one\na two\nb one\nb two\n" && got != "b one\nb two\na one\na two\n") {
			t.Errorf("-O%s: status %d, output not grouped by image:\n%s", sync, s.Status, got)
		}
	}
}
