package driver

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/makefile"
)

// The parallel-image tests build repositories of the legacy-images layout
// written by parRepo, whose build recipes meet through files of a sync
// directory: a recipe that waits for a file another image's recipe writes
// ends only if the two run at once, so concurrency is proven by structure.
// The context's timeout only ends a run that deadlocked.

const parTimeout = 90 * time.Second

// parImage is one image of a parRepo: its FROM and the recipe lines its
// build goal runs before docker build ($(SYNC) is the sync directory).
type parImage struct {
	name, from string
	recipe     []string
	run        string // the RUN step's command; "" means echo IMAGE
}

// parRepo writes a repository with the images, each built from a
// Dockerfile of its FROM and one RUN, and returns its root and the sync
// directory. The build goal's last line writes the sync file IMAGE-done.
func parRepo(t *testing.T, images ...parImage) (root, sync string) {
	t.Helper()
	root = t.TempDir()
	sync = filepath.Join(root, "sync")
	for _, d := range []string{"make", "script", "sync"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	common := `IMAGE_PREFIX ?= partest/
TAG = $(IMAGE_PREFIX)$(IMAGE)
SYNC = ` + sync + `
.DEFAULT_GOAL := build
.PHONY: build
build:
	$(RECIPE)
	@mkdir -p build
	@printf 'FROM %s\nRUN %s\n' '$(FROM)' '$(RUN)' > build/Dockerfile
	docker build --network host -t $(TAG) $(DOCKER_ARGS) build
	@touch $(SYNC)/$(IMAGE)-done
`
	if err := os.WriteFile(filepath.Join(root, "make", "common.mk"), []byte(common), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, im := range images {
		dir := filepath.Join(root, "images", im.name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		from := im.from
		if from == "" {
			from = "busybox:latest"
		}
		run := im.run
		if run == "" {
			run = "echo " + im.name
		}
		mk := fmt.Sprintf("DOCKER_HOME ?= $(abspath $(CURDIR)/../..)\nIMAGE = %s\nFROM = %s\nRUN = %s\ndefine RECIPE\n%s\nendef\ninclude $(DOCKER_HOME)/make/common.mk\n",
			im.name, from, run, strings.Join(im.recipe, "\n\t"))
		if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte(mk), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root, sync
}

// waitFor is a recipe line that waits until the sync file name exists.
func waitFor(name string) string {
	return fmt.Sprintf("@until [ -e $(SYNC)/%s ]; do sleep 0.05; done", name)
}

// mark is a recipe line that writes the sync file name.
func mark(name string) string { return "touch $(SYNC)/" + name }

// runPar runs dmake --no-build with jobs and the goals at root.
func runPar(t *testing.T, root string, jobs makefile.Jobs, keepGoing bool, goals ...string) (stdout, stderr string, status int) {
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
		Jobs:      jobs,
		KeepGoing: keepGoing,
		NoBuild:   true,
		NoCheck:   true,
		Env:       append(os.Environ(), "DOCKER_HOME="),
	}
	status = Run(ctx, opts, Stdio{In: null, Out: &out, Err: &errb})
	if ctx.Err() != nil {
		t.Fatalf("dmake -j%d %v did not end within %v (a deadlock: the images did not build at once)\nstdout:\n%s\nstderr:\n%s", jobs, goals, parTimeout, out.String(), errb.String())
	}
	return out.String(), errb.String(), status
}

func exists(t *testing.T, p string) bool {
	t.Helper()
	_, err := os.Stat(p)
	return err == nil
}

// TestParallelImagesAtOnce: two independent images whose recipes each wait
// for the file the other writes build under -j2 (and -j), and every line
// of their output starts with the image's name.
func TestParallelImagesAtOnce(t *testing.T) {
	for _, jobs := range []makefile.Jobs{2, makefile.UnlimitedJobs} {
		root, _ := parRepo(t,
			parImage{name: "pa", recipe: []string{mark("pa-started"), waitFor("pb-started")}},
			parImage{name: "pb", recipe: []string{mark("pb-started"), waitFor("pa-started")}},
		)
		stdout, stderr, st := runPar(t, root, jobs, false, "pa", "pb")
		if st != 0 {
			t.Fatalf("-j%v: status %d\n%s\n%s", jobs, st, stdout, stderr)
		}
		for _, name := range []string{"pa", "pb"} {
			if !strings.Contains(stdout, name+" | touch ") || !strings.Contains(stdout, name+" | docker build") {
				t.Errorf("-j%v: %s's recipe echo is not prefixed with %q:\n%s", jobs, name, name+" | ", stdout)
			}
			if !strings.Contains(stderr, name+" | "+name+": --no-build: wrote") {
				t.Errorf("-j%v: %s's build line is not prefixed:\n%s", jobs, name, stderr)
			}
		}
		for _, l := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
			if !strings.HasPrefix(l, "pa | ") && !strings.HasPrefix(l, "pb | ") {
				t.Errorf("-j%v: a line of output names no image: %q", jobs, l)
			}
		}
	}
}

// TestParallelImagesFromOrder: under -j3 an image starts only once the
// image it is FROM is done, while an independent image builds alongside
// that base (they meet); the output of a run that cannot build two images
// at once (-j1) has no prefixes.
func TestParallelImagesFromOrder(t *testing.T) {
	root, sync := parRepo(t,
		parImage{name: "base", recipe: []string{mark("base-started"), waitFor("solo-started")}},
		parImage{name: "child", from: "$(IMAGE_PREFIX)base", recipe: []string{"test -e $(SYNC)/base-done", mark("child-started")}},
		parImage{name: "solo", recipe: []string{mark("solo-started"), waitFor("base-started")}},
	)
	stdout, stderr, st := runPar(t, root, 3, false, "child", "solo")
	if st != 0 {
		t.Fatalf("status %d (child started before base was done?)\n%s\n%s", st, stdout, stderr)
	}
	for _, f := range []string{"base-done", "child-done", "solo-done"} {
		if !exists(t, filepath.Join(sync, f)) {
			t.Errorf("%s missing: not every image was built", f)
		}
	}

	// A chain cannot build two images at once, even under -j3: no
	// prefixes.
	root, _ = parRepo(t, parImage{name: "one"}, parImage{name: "two", from: "$(IMAGE_PREFIX)one"})
	stdout, stderr, st = runPar(t, root, 3, false, "two")
	if st != 0 {
		t.Fatalf("a chain under -j3: status %d\n%s\n%s", st, stdout, stderr)
	}
	if strings.Contains(stdout, " | ") || strings.Contains(stderr, " | ") {
		t.Errorf("a chain (no two images at once) has prefixed output:\n%s\n%s", stdout, stderr)
	}
}

// TestParallelImagesFailure: without -k a failure lets the running image
// finish and starts no other (exit 2); with -k every image not built FROM
// the failed one is built, and those that are are named.
func TestParallelImagesFailure(t *testing.T) {
	images := []parImage{
		{name: "bad", recipe: []string{mark("bad-failing"), "@exit 1"}},
		{name: "good", recipe: []string{waitFor("bad-failing"), mark("good-built")}},
		{name: "child", from: "$(IMAGE_PREFIX)bad", recipe: []string{mark("child-built")}},
		{name: "later", recipe: []string{mark("later-built")}},
	}
	t.Run("stop", func(t *testing.T) {
		// good runs while bad fails (they meet first: a second image
		// may otherwise lose the race for its slot to the first's
		// failure, as under make), and finishes.
		root, sync := parRepo(t,
			parImage{name: "bad", recipe: []string{waitFor("good-started"), mark("bad-failing"), "@exit 1"}},
			parImage{name: "good", recipe: []string{mark("good-started"), waitFor("bad-failing"), mark("good-built")}},
		)
		stdout, stderr, st := runPar(t, root, 2, false, "bad", "good")
		if st != 2 {
			t.Errorf("status %d, want 2\n%s", st, stderr)
		}
		if !exists(t, filepath.Join(sync, "good-built")) {
			t.Errorf("good, running when bad failed, did not finish:\n%s\n%s", stdout, stderr)
		}
		// -j1: after bad's failure no image starts.
		root, sync = parRepo(t, images...)
		_, stderr, st = runPar(t, root, 1, false, "bad", "later")
		if st != 2 || exists(t, filepath.Join(sync, "later-built")) {
			t.Errorf("without -k: status %d, later built %v; want 2 and not built\n%s", st, exists(t, filepath.Join(sync, "later-built")), stderr)
		}
	})
	t.Run("keep-going", func(t *testing.T) {
		for _, jobs := range []makefile.Jobs{1, 3} {
			root, sync := parRepo(t, images...)
			_, stderr, st := runPar(t, root, jobs, true, "bad", "child", "good", "later")
			if st != 2 {
				t.Errorf("-k -j%d: status %d, want 2\n%s", jobs, st, stderr)
			}
			for f, want := range map[string]bool{"good-built": true, "later-built": true, "child-built": false} {
				if exists(t, filepath.Join(sync, f)) != want {
					t.Errorf("-k -j%d: %s exists %v, want %v\n%s", jobs, f, !want, want, stderr)
				}
			}
			if !strings.Contains(stderr, "dmake: image child not built because of errors: it is built FROM bad, which failed") {
				t.Errorf("-k -j%d: child's skip is not reported:\n%s", jobs, stderr)
			}
		}
	})
}

// TestParallelImagesWatch: under --watch -j2, a change to a file two
// independent images read (the make/ fragment both include) rebuilds the
// two at once: their recipes meet again, on files named after the
// change.
func TestParallelImagesWatch(t *testing.T) {
	root, sync := parRepo(t,
		parImage{name: "pa", recipe: []string{mark("pa-started$(GEN)"), waitFor("pb-started$(GEN)")}},
		parImage{name: "pb", recipe: []string{mark("pb-started$(GEN)"), waitFor("pa-started$(GEN)")}},
	)
	w := startWatchOpts(t, root, Options{
		Watch:    true,
		Debounce: 50 * time.Millisecond,
		Dir:      []string{root},
		Goals:    []string{"pa", "pb"},
		Jobs:     2,
		NoBuild:  true,
		NoCheck:  true,
		Progress: "json",
		Env:      append(os.Environ(), "DOCKER_HOME="),
	})
	w.writeFile("make/common.mk", readRepo(t, root, "make/common.mk")+"GEN = -2\n")
	cy := w.nextCycle()
	cy.expectOK(t)
	if want := []string{"pa", "pb"}; cy.reb == nil || !slices.Equal(cy.reb.Images, want) {
		t.Fatalf("rebuild event %+v, want images %v", cy.reb, want)
	}
	for _, f := range []string{"pa-started-2", "pb-started-2"} {
		if !exists(t, filepath.Join(sync, f)) {
			t.Errorf("%s missing: the rebuild did not run both recipes", f)
		}
	}
}

// TestParallelImagesJobserver: dmake run by a make -j2 (its jobserver in
// MAKEFLAGS, make 4.4's fifo form, one token for the second slot) builds
// two independent images at once on that token, without a -j of its own,
// and gives the token back.
func TestParallelImagesJobserver(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "jobserver")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write([]byte{'+'}); err != nil {
		t.Fatal(err)
	}
	for _, flags := range []string{" -j2 --jobserver-auth=fifo:" + fifo, " --jobserver-auth=fifo:" + fifo} {
		root, _ := parRepo(t,
			parImage{name: "pa", recipe: []string{mark("pa-started"), waitFor("pb-started")}},
			parImage{name: "pb", recipe: []string{mark("pb-started"), waitFor("pa-started")}},
		)
		ctx, cancel := context.WithTimeout(context.Background(), parTimeout)
		var out, errb syncBuffer
		st := Run(ctx, Options{
			Dir:     []string{root},
			Goals:   []string{"pa", "pb"},
			NoBuild: true,
			NoCheck: true,
			Env:     append(os.Environ(), "DOCKER_HOME=", "MAKEFLAGS="+flags),
		}, Stdio{Out: &out, Err: &errb})
		timedOut := ctx.Err() != nil
		cancel()
		if timedOut || st != 0 {
			t.Fatalf("MAKEFLAGS=%q: status %d, timed out %v (the images did not build at once)\n%s\n%s", flags, st, timedOut, out.String(), errb.String())
		}
		if !strings.Contains(out.String(), "pa | ") {
			t.Errorf("MAKEFLAGS=%q: output not prefixed:\n%s", flags, out.String())
		}
		// The token is back: a read finds it at once.
		f.SetReadDeadline(time.Now().Add(parTimeout))
		b := make([]byte, 1)
		if n, err := f.Read(b); n != 1 {
			t.Fatalf("MAKEFLAGS=%q: the token did not come back: %v", flags, err)
		}
		f.Write(b)
	}
}

// TestParallelImagesInterrupt: an interrupt while two images build under
// -j2 ends both (status 130) and starts no further image.
func TestParallelImagesInterrupt(t *testing.T) {
	root, syncDir := parRepo(t,
		parImage{name: "pa", recipe: []string{mark("pa-started"), waitFor("never")}},
		parImage{name: "pb", recipe: []string{mark("pb-started"), waitFor("never")}},
		parImage{name: "later", recipe: []string{mark("later-started")}},
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Both recipes echo their first line before they wait: the
	// interrupt comes once both have.
	var started sync.WaitGroup
	started.Add(2)
	out := &echoWatch{want: map[string]func(){"pa | touch": started.Done, "pb | touch": started.Done}}
	var errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, Options{
			Dir:     []string{root},
			Goals:   []string{"pa", "pb", "later"},
			Jobs:    2,
			NoBuild: true,
			NoCheck: true,
			Env:     append(os.Environ(), "DOCKER_HOME="),
		}, Stdio{Out: out, Err: &errb})
	}()
	waited := make(chan struct{})
	go func() { started.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(parTimeout):
		t.Fatalf("pa and pb did not both start within %v:\n%s", parTimeout, errb.String())
	}
	cancel()
	var st int
	select {
	case st = <-done:
	case <-time.After(parTimeout):
		t.Fatalf("dmake did not end within %v of the interrupt", parTimeout)
	}
	if st != 130 || exists(t, filepath.Join(syncDir, "later-started")) {
		t.Errorf("status %d, later started %v: want 130 and not started\n%s", st, exists(t, filepath.Join(syncDir, "later-started")), errb.String())
	}
}

// echoWatch calls want[prefix] once for the first line written that
// starts with prefix.
type echoWatch struct {
	mu   sync.Mutex
	want map[string]func()
}

func (e *echoWatch) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, l := range strings.Split(string(p), "\n") {
		for prefix, f := range e.want {
			if strings.HasPrefix(l, prefix) {
				delete(e.want, prefix)
				f()
			}
		}
	}
	return len(p), nil
}

// TestParallelImagesChecked: two images FROM one parent, checked and
// built (--no-build) at once under -j2: each dry run prepares the
// parent's build directory, taking turns, and finds no errors.
func TestParallelImagesChecked(t *testing.T) {
	root := copyRepo(t)
	mk := filepath.Join(root, "images", "bb3", "Makefile")
	if err := os.MkdirAll(filepath.Dir(mk), 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "images", "bb2", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mk, []byte(strings.Replace(string(b), "IMAGE = bb2", "IMAGE = bb3", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), parTimeout)
	defer cancel()
	var out, errb syncBuffer
	st := Run(ctx, Options{
		Dir:       []string{root},
		Goals:     []string{"bb2", "bb3"},
		Jobs:      2,
		NoBuild:   true,
		NoParents: true,
		Env:       append(os.Environ(), "DOCKER_HOME="),
		Variables: []string{"IMAGE_PREFIX=" + watchPrefix},
	}, Stdio{Out: &out, Err: &errb})
	if st != 0 {
		t.Fatalf("status %d\n%s\n%s", st, out.String(), errb.String())
	}
	for _, n := range []string{"bb2", "bb3"} {
		if !strings.Contains(errb.String(), n+" | "+n+": dry run of the scripts: no errors") {
			t.Errorf("%s: no clean dry run:\n%s", n, errb.String())
		}
	}
}
