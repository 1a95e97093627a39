package legacyutil

import (
	"context"
	"fmt"

	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/engine"
)

var managed = map[string]string{engine.LabelManaged: "1"}

func TestCleanRemovesOnlyStoppedContainers(t *testing.T) {
	s := newScratch(t)
	s.start("running", "busybox:latest", nil, "sleep", "600")
	s.start("running-dmake", "busybox:latest", managed, "sleep", "600")
	s.exited("exited", "busybox:latest", nil, "true")
	s.exited("failed", "busybox:latest", nil, "sh", "-c", "exit 3")
	s.create("created", "busybox:latest", nil, "true")
	s.exited("exited-dmake", "busybox:latest", managed, "true")

	all := []string{"created", "exited", "exited-dmake", "failed", "running", "running-dmake"}
	st, out, errs := utilRun(t, nil, "clean", "--dry-run")
	if st != 0 || errs != "" {
		t.Fatalf("clean --dry-run: status %d, stderr %q", st, errs)
	}
	for _, n := range []string{"created", "exited", "exited-dmake", "failed"} {
		if !strings.Contains(out, " "+n+" (busybox:latest") {
			t.Errorf("clean --dry-run does not list %s:\n%s", n, out)
		}
	}
	if strings.Contains(out, "running") || strings.Count(out, "would remove") != 4 {
		t.Errorf("clean --dry-run lists the wrong containers:\n%s", out)
	}
	if got := s.containers(); !slices.Equal(got, all) {
		t.Fatalf("clean --dry-run removed something: left %v", got)
	}

	st, out, errs = utilRun(t, nil, "clean", "--only-dmake")
	if st != 0 || errs != "" {
		t.Fatalf("clean --only-dmake: status %d, stderr %q", st, errs)
	}
	if got, want := s.containers(), []string{"created", "exited", "failed", "running", "running-dmake"}; !slices.Equal(got, want) {
		t.Fatalf("after clean --only-dmake: containers %v, want %v\noutput:\n%s", got, want, out)
	}

	st, out, errs = utilRun(t, nil, "clean")
	if st != 0 || errs != "" {
		t.Fatalf("clean: status %d, stderr %q", st, errs)
	}
	if strings.Count(out, "removed ") != 3 || !strings.Contains(out, "Exited (3)") {
		t.Errorf("clean output does not list the three it removed:\n%s", out)
	}
	if got, want := s.containers(), []string{"running", "running-dmake"}; !slices.Equal(got, want) {
		t.Fatalf("after clean: containers %v, want %v", got, want)
	}

	st, out, _ = utilRun(t, nil, "clean")
	if st != 0 || strings.TrimSpace(out) != "no stopped containers" {
		t.Errorf("clean with nothing to do: status %d, output %q", st, out)
	}
}

func TestPurgeRemovesOnlyDanglingImages(t *testing.T) {
	s := newScratch(t)
	// Each re-import under the same tag leaves the previous image dangling.
	v1 := s.importBusybox("t/dmake:1", map[string]string{"/v": "1"}, "LABEL "+engine.LabelManaged+"=1")
	s.importBusybox("t/dmake:1", map[string]string{"/v": "2"}, "LABEL "+engine.LabelManaged+"=1")
	o1 := s.importBusybox("t/other:1", map[string]string{"/v": "1"})
	s.importBusybox("t/other:1", map[string]string{"/v": "2"})
	u1 := s.importBusybox("t/used:1", map[string]string{"/v": "1"})
	s.create("user", u1, nil, "true") // keeps u1 although it dangles
	s.importBusybox("t/used:1", map[string]string{"/v": "2"})
	tagged := s.images(false)

	dangling := s.images(true)
	if want := []string{o1, u1, v1}; !sameSet(dangling, want) {
		t.Fatalf("setup: dangling images %v, want %v", dangling, want)
	}

	st, out, errs := utilRun(t, nil, "purge", "--dry-run")
	if st != 0 || errs != "" || strings.Count(out, "would remove") != 3 {
		t.Fatalf("purge --dry-run: status %d, stderr %q, output:\n%s", st, errs, out)
	}
	if got := s.images(true); !sameSet(got, dangling) {
		t.Fatalf("purge --dry-run removed images: dangling now %v", got)
	}

	st, out, errs = utilRun(t, nil, "purge", "--only-dmake")
	if st != 0 || errs != "" {
		t.Fatalf("purge --only-dmake: status %d, stderr %q", st, errs)
	}
	if !strings.Contains(out, "removed "+engine.ShortID(v1)) {
		t.Errorf("purge --only-dmake output does not name %s:\n%s", engine.ShortID(v1), out)
	}
	if got := s.images(true); !sameSet(got, []string{o1, u1}) {
		t.Fatalf("after purge --only-dmake: dangling %v, want %v", got, []string{o1, u1})
	}

	st, out, errs = utilRun(t, nil, "purge")
	if st != 0 || errs != "" {
		t.Fatalf("purge: status %d, stderr %q", st, errs)
	}
	if !strings.Contains(out, "removed "+engine.ShortID(o1)) || !strings.Contains(out, "kept "+engine.ShortID(u1)) {
		t.Errorf("purge output should remove %s and keep %s (used):\n%s", engine.ShortID(o1), engine.ShortID(u1), out)
	}
	if got := s.images(true); !sameSet(got, []string{u1}) {
		t.Errorf("after purge: dangling %v, want only the used %v", got, u1)
	}
	if got := s.images(false); !sameSet(got, tagged) {
		t.Errorf("purge touched tagged images: %v, want %v", got, tagged)
	}
	if got := s.containers(); !slices.Equal(got, []string{"user"}) {
		t.Errorf("purge touched containers: %v", got)
	}
}

// images returns the ids of the dangling images, or of the tagged ones.
func (s *scratch) images(dangling bool) []string {
	s.t.Helper()
	eng := s.engine()
	l, err := eng.ListImages(s.t.Context(), engine.ListImagesOptions{})
	if err != nil {
		s.t.Fatal(err)
	}
	var ids []string
	for _, im := range l.Images {
		if (len(im.Tags) == 0) == dangling {
			ids = append(ids, im.ID)
		}
	}
	return ids
}

// engine connects to the scratch daemon through the engine package.
func (s *scratch) engine() *engine.Engine {
	s.t.Helper()
	eng, err := engine.New(s.t.Context())
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { eng.Close() })
	return eng
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// termTrap is a busybox sh that records SIGTERM in /tmp/term and exits 0.
var termTrap = []string{"sh", "-c", `trap 'echo TERM > /tmp/term; exit 0' TERM; echo up > /tmp/up; while :; do sleep 0.1; done`}

func TestStopallStopsGracefully(t *testing.T) {
	s := newScratch(t)
	s.importBusybox("t/other:1", nil)
	a := s.start("one", "busybox:latest", nil, termTrap...)
	b := s.start("two", "t/other:1", nil, termTrap...)
	stubborn := s.start("stubborn", "t/other:1", nil, "sh", "-c", `trap '' TERM; while :; do sleep 0.1; done`)
	s.waitFile(a, "/tmp/up")
	s.waitFile(b, "/tmp/up")

	// Only the containers of t/other:1; the stubborn one is killed after
	// 5 s, the grace b has to run its trap (on a loaded box a second was
	// not always enough: b was killed too).
	st, out, errs := utilRun(t, nil, "stopall", "-t", "5", "t/other:1")
	if st != 0 || errs != "" {
		t.Fatalf("stopall t/other:1: status %d, stderr %q", st, errs)
	}
	if !strings.Contains(out, "stopped "+engine.ShortID(b)) || !strings.Contains(out, "stopped "+engine.ShortID(stubborn)) || strings.Contains(out, engine.ShortID(a)) {
		t.Errorf("stopall t/other:1 output:\n%s", out)
	}
	if st, code := s.state(b); st != "exited" || code != 0 {
		t.Errorf("b: %s with status %d, want exited 0 (a clean exit on SIGTERM)", st, code)
	}
	if got := s.readFile(b, "/tmp/term"); got != "TERM\n" {
		t.Errorf("b's trap did not see SIGTERM: /tmp/term is %q", got)
	}
	if st, code := s.state(stubborn); st != "exited" || code != 137 {
		t.Errorf("stubborn: %s with status %d, want exited 137 (killed after the timeout)", st, code)
	}
	if st, _ := s.state(a); st != "running" {
		t.Fatalf("a (busybox:latest) is %s; stopall t/other:1 must not touch it", st)
	}

	st, out, errs = utilRun(t, nil, "stopall")
	if st != 0 || errs != "" || !strings.Contains(out, "stopped "+engine.ShortID(a)) {
		t.Fatalf("stopall: status %d, stderr %q, output:\n%s", st, errs, out)
	}
	if st, code := s.state(a); st != "exited" || code != 0 {
		t.Errorf("a: %s with status %d, want exited 0", st, code)
	}
	if got := s.readFile(a, "/tmp/term"); got != "TERM\n" {
		t.Errorf("a's trap did not see SIGTERM: /tmp/term is %q", got)
	}
	if got := s.containers(); len(got) != 3 {
		t.Errorf("stopall removed containers: %v", got)
	}
	if st, _, _ := utilRun(t, nil, "stopall", "no/such:image"); st != ExitFailed {
		t.Errorf("stopall of an unknown image: status %d, want %d", st, ExitFailed)
	}
}

// TestStopallStopsInParallel: stopall stops its containers side by side.
// Each of two containers ends on SIGTERM only once the other has seen one
// too (a marker in a directory both mount): stopped one after the other,
// the first would wait for a TERM sent only after it ends and be killed at
// the timeout (137); stopped in parallel, both exit 0.
func TestStopallStopsInParallel(t *testing.T) {
	s := newScratch(t)
	shared := t.TempDir()
	start := func(me, other string) string {
		t.Helper()
		id, err := s.c.CreateContainer(context.Background(), engine.CreateContainerOptions{
			Name: me, Image: "busybox:latest", NetworkMode: "none",
			Binds: []string{shared + ":/shared"},
			Cmd:   []string{"sh", "-c", fmt.Sprintf(`trap 'touch /shared/%s; while [ ! -e /shared/%s ]; do sleep 0.1; done; exit 0' TERM; echo up > /tmp/up; while :; do sleep 0.1; done`, me, other)},
		})
		if err != nil {
			t.Fatalf("creating %s: %v", me, err)
		}
		if err := s.c.StartContainer(context.Background(), id); err != nil {
			t.Fatalf("starting %s: %v", me, err)
		}
		return id
	}
	a, b := start("one", "two"), start("two", "one")
	s.waitFile(a, "/tmp/up")
	s.waitFile(b, "/tmp/up")
	// 10 s: time enough for both traps on a loaded machine, and what the
	// first of a serial stop would wait for before it is killed.
	st, out, errs := utilRun(t, nil, "stopall", "-t", "10")
	if st != 0 || errs != "" {
		t.Fatalf("stopall: status %d, stderr %q, output:\n%s", st, errs, out)
	}
	for name, id := range map[string]string{"one": a, "two": b} {
		if st, code := s.state(id); st != "exited" || code != 0 {
			t.Errorf("%s: %s with status %d, want exited 0 (both stopped at once, each trap seeing the other's TERM)", name, st, code)
		}
	}
}

func TestKillallKills(t *testing.T) {
	s := newScratch(t)
	a := s.start("one", "busybox:latest", nil, termTrap...)
	b := s.start("two", "busybox:latest", nil, "sh", "-c", `trap '' TERM; while :; do sleep 0.1; done`)
	done := s.exited("done", "busybox:latest", nil, "true")
	s.waitFile(a, "/tmp/up")

	// --signal TERM: a's trap runs and it exits 0; b ignores it.
	st, out, errs := utilRun(t, nil, "killall", "--signal", "TERM")
	if st != 0 || errs != "" || !strings.Contains(out, "signalled (TERM) "+engine.ShortID(a)) {
		t.Fatalf("killall --signal TERM: status %d, stderr %q, output:\n%s", st, errs, out)
	}
	if code := s.wait(a); code != 0 || s.readFile(a, "/tmp/term") != "TERM\n" {
		t.Errorf("a after SIGTERM: status %d, /tmp/term %q", code, s.readFile(a, "/tmp/term"))
	}
	time.Sleep(200 * time.Millisecond)
	if st, _ := s.state(b); st != "running" {
		t.Fatalf("b ignores SIGTERM but is %s", st)
	}

	st, out, errs = utilRun(t, nil, "killall")
	if st != 0 || errs != "" || !strings.Contains(out, "killed "+engine.ShortID(b)) || strings.Contains(out, engine.ShortID(a)) {
		t.Fatalf("killall: status %d, stderr %q, output:\n%s", st, errs, out)
	}
	if code := s.wait(b); code != 137 {
		t.Errorf("b after killall: status %d, want 137 (SIGKILL)", code)
	}
	if st, _ := s.state(done); st != "exited" {
		t.Errorf("the stopped container is %s", st)
	}
	st, out, _ = utilRun(t, nil, "killall")
	if st != 0 || strings.TrimSpace(out) != "no running containers" {
		t.Errorf("killall with nothing running: status %d, output %q", st, out)
	}
}

// waitFile waits until path exists in a container (its process started).
// The time limit only ends a wait for a process that never started.
func (s *scratch) waitFile(id, path string) {
	s.t.Helper()
	eng := s.engine()
	deadline := time.Now().Add(time.Minute)
	for {
		_, err := eng.ReadFile(s.t.Context(), id, path, engine.ReadFileOptions{})
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s never appeared in %s: %v", path, engine.ShortID(id), err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// runningWith waits until a container labelled label (KEY=VALUE) runs and
// returns its id. The time limit only ends a wait for one never started.
func (s *scratch) runningWith(label string) string {
	s.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		l, err := s.c.ListContainers(s.t.Context(), engine.ListContainersOptions{States: []string{"running"}, Labels: []string{label}})
		if err != nil {
			s.t.Fatal(err)
		}
		if len(l.Containers) > 0 {
			return l.Containers[0].ID
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no container labelled %s runs after a minute", label)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// readFile returns a file's content in a container, or the error text.
func (s *scratch) readFile(id, path string) string {
	s.t.Helper()
	f, err := s.engine().ReadFile(s.t.Context(), id, path, engine.ReadFileOptions{})
	if err != nil {
		return fmt.Sprint("error: ", err)
	}
	return string(f.Data)
}
