package driver

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/image"
	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/makefile"
)

// TestEngineParallelImages builds with -j3 and --progress=json, on the
// engine: base and solo, independent, meet in their RUN steps (deadlock
// unless the engine builds them at once); child, FROM base under a tag
// this test alone uses (nothing can be pulled), is built after base (its
// FROM resolves, and its first event follows base's built event). Every
// line of standard output is a versioned build event naming its image.
// Then, with -k, a failing RUN leaves its child unbuilt and an independent
// image built, exit 2.
func TestEngineParallelImages(t *testing.T) {
	eng := enginetest.Require(t)
	prefix := fmt.Sprintf("dmaketest-par-%d/", os.Getpid())
	names := []string{"base", "child", "solo", "bad", "badchild", "fine", "t1", "t2"}
	t.Cleanup(func() {
		for _, n := range names {
			eng.RemoveImage(context.Background(), prefix+n, engine.RemoveImageOptions{})
		}
	})
	for _, n := range names {
		eng.RemoveImage(context.Background(), prefix+n, engine.RemoveImageOptions{})
	}
	m := enginetest.StartMeet(t)
	nonce := fmt.Sprint(time.Now().UnixNano())
	root, _ := parRepo(t,
		parImage{name: "base", run: m.Cmd("g", 2, "base", nonce)},
		parImage{name: "child", from: "$(IMAGE_PREFIX)base", run: "echo child " + nonce},
		parImage{name: "solo", run: m.Cmd("g", 2, "solo", nonce)},
		parImage{name: "bad", run: "echo bad " + nonce + "; exit 3"},
		parImage{name: "badchild", from: "$(IMAGE_PREFIX)bad", run: "echo badchild " + nonce},
		parImage{name: "fine", run: "echo fine " + nonce},
		parImage{name: "t1", run: "echo t1 " + nonce},
		parImage{name: "t2", run: "echo t2 " + nonce},
	)
	run := func(keepGoing bool, progress string, goals ...string) (stdout, stderr string, status int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), parTimeout)
		defer cancel()
		null, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		defer null.Close()
		var out, errb syncBuffer
		opts := Options{
			Dir:       []string{root},
			Goals:     goals,
			Jobs:      makefile.Jobs(3),
			KeepGoing: keepGoing,
			NoCheck:   true,
			Progress:  progress,
			Env:       append(os.Environ(), "DOCKER_HOME="),
			Variables: []string{"IMAGE_PREFIX=" + prefix, "DOCKER_ARGS=--label " + enginetest.Label + "=1"},
		}
		status = Run(ctx, opts, Stdio{In: null, Out: &out, Err: &errb})
		if ctx.Err() != nil {
			t.Fatalf("dmake -j3 %v did not end within %v (a deadlock: base and solo did not build at once; at the meeting: %v)\nstdout:\n%s\nstderr:\n%s",
				goals, parTimeout, m.Who("g"), out.String(), errb.String())
		}
		return out.String(), errb.String(), status
	}
	events := func(stdout string) []image.ProgressEvent {
		t.Helper()
		var evs []image.ProgressEvent
		for _, l := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
			var e image.ProgressEvent
			if err := json.Unmarshal([]byte(l), &e); err != nil || e.V != 1 || e.Source != "build" || e.Image == "" || e.Event == "" || e.Time == "" {
				t.Errorf("standard output has a line that is no versioned build event naming its image: %q", l)
				continue
			}
			evs = append(evs, e)
		}
		return evs
	}

	stdout, stderr, st := run(false, "json", "child", "solo")
	if st != 0 {
		t.Fatalf("status %d\n%s\n%s", st, stdout, stderr)
	}
	if got := m.Who("g"); len(got) != 2 {
		t.Errorf("at the meeting: %v, want base and solo (their RUN steps did not run?)", got)
	}
	first := map[string]int{}
	built := map[string]int{}
	for i, e := range events(stdout) {
		n := strings.TrimPrefix(e.Image, prefix)
		if _, ok := first[n]; !ok {
			first[n] = i
		}
		if e.Event == "built" {
			built[n] = i
		}
	}
	for _, n := range []string{"base", "child", "solo"} {
		if _, ok := built[n]; !ok {
			t.Errorf("no built event for %s:\n%s", n, stdout)
		}
	}
	if first["child"] < built["base"] {
		t.Errorf("child's first event (#%d) comes before base's built event (#%d): child started before its FROM was built", first["child"], built["base"])
	}
	if !strings.Contains(stderr, "base | ") || !strings.Contains(stderr, "solo | ") {
		t.Errorf("make's output (standard error under json) is not prefixed by image:\n%s", stderr)
	}

	// --progress=tty redraws an image's line in place: with images at
	// once it shows lines, each prefixed.
	_, stderr, st = run(false, "tty", "t1", "t2")
	if st != 0 || strings.Contains(stderr, "\033[") || !strings.Contains(stderr, "t1 | t1 [2/3] ran RUN echo t1") || !strings.Contains(stderr, "t2 | t2: built") {
		t.Errorf("--progress=tty -j3: status %d, want lines without terminal control, prefixed:\n%q", st, stderr)
	}

	stdout, stderr, st = run(true, "json", "bad", "badchild", "fine")
	if st != 2 {
		t.Errorf("-k with a failing RUN: status %d, want 2\n%s", st, stderr)
	}
	byImage := map[string][]string{}
	for _, e := range events(stdout) {
		n := strings.TrimPrefix(e.Image, prefix)
		byImage[n] = append(byImage[n], e.Event)
	}
	if !strings.Contains(strings.Join(byImage["bad"], " "), "error") || !strings.Contains(strings.Join(byImage["fine"], " "), "built") || len(byImage["badchild"]) > 0 {
		t.Errorf("-k: events by image %v: want bad's error, fine built, nothing of badchild", byImage)
	}
	if !strings.Contains(stderr, "image badchild not built because of errors: it is built FROM bad, which failed") {
		t.Errorf("-k: badchild's skip is not reported:\n%s", stderr)
	}
}
