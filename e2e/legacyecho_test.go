package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLegacyEcho builds the images of testdata/legacy-echo (the 2015
// layout: flat images/NAME.mk, Dockerfile lines echoed by make macros,
// scripts fetched from a web server the build recipe starts with
// $(shell … python3 -m http.server … &), an md5 comment per script, and the
// empty kill -9 $(lsof …) after the build) the legacy way and with dmake,
// and compares the images. dmake starts no server, leaves no process
// behind, warns about the kill line and exits 0; a second run sends
// nothing; an edit of a mid-sequence script re-runs it and what follows.
func TestLegacyEcho(t *testing.T) {
	e := fixtureEngine(t)
	needCommand(t, "make")
	needCommand(t, "python3")
	needCommand(t, "docker")
	prefix := fmt.Sprintf("dmaketest-h13b-echo-%d", os.Getpid())
	port := freePort(t)
	names := []string{"base", "app"}
	var legacyRefs, dmakeRefs []string
	for _, n := range names {
		legacyRefs = append(legacyRefs, prefix+"-legacy/"+n+":latest")
		dmakeRefs = append(dmakeRefs, prefix+"/"+n+":latest")
	}
	removeOnCleanup(t, e, append(legacyRefs, dmakeRefs...)...)

	f := newLegacyFixture(t, "legacy-echo", "REPO="+prefix, "PORT="+port)
	// The ifconfig shim of the fixture's README.
	f.env = append(f.env, "PATH="+filepath.Join(f.root, "shim")+":"+os.Getenv("PATH"))

	// The legacy build: exit 2 after a good docker build (the empty kill),
	// and the web server left running.
	for _, n := range names {
		st, out := f.legacyBuild(t, n)
		if st != 2 || !strings.Contains(out, "Successfully tagged "+prefix+"/"+n+":latest") {
			t.Fatalf("legacy bin/build %s: status %d (want 2: the empty kill -9 after a good build)\n%s", n, st, out)
		}
	}
	left := stopLeftovers(f.root, "http.server "+port)
	if len(left) == 0 {
		t.Errorf("the legacy build left no web server running: is the fixture still the 2015 layout?")
	}
	t.Logf("the legacy build left running: %s", strings.Join(left, "; "))
	for i := range names {
		if err := e.Tag(t.Context(), dmakeRefs[i], legacyRefs[i]); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range dmakeRefs {
		mustDocker(t, "rmi", r)
	}

	// dmake, as bin/build runs make.
	for _, n := range names {
		st, evs, out := f.dmakeBuild(t, "images/"+n+".mk", "build")
		noLeftovers(t, f.root, "http.server "+port)
		if st != 0 {
			t.Fatalf("dmake -f images/%s.mk build: status %d\n%s", n, st, out)
		}
		if want := "build/Makefile:38: \"kill -9\" names no process to stop"; !strings.Contains(out, want) {
			t.Errorf("dmake -f images/%s.mk build does not warn %q:\n%s", n, want, out)
		}
		if _, _, up := stepsDone(evs, n); up {
			t.Errorf("%s: up to date on its first build", n)
		}
	}
	for i := range names {
		compareImages(t, e, legacyRefs[i], dmakeRefs[i])
	}

	// A second run sends nothing.
	for _, n := range names {
		st, evs, out := f.dmakeBuild(t, "images/"+n+".mk", "build")
		noLeftovers(t, f.root, "http.server "+port)
		if _, _, up := stepsDone(evs, n); st != 0 || !up {
			t.Errorf("dmake -f images/%s.mk build again: status %d, up to date %v\n%s", n, st, up, out)
		}
	}

	// Editing 02_app.sh (mid-sequence) re-runs it and what follows only.
	script := filepath.Join(f.root, "build", "scripts", "02_app.sh")
	data, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(script, []byte(strings.Replace(string(data), "app 1", "app 2", 1)), 0o644)
	st, evs, out := f.dmakeBuild(t, "images/app.mk", "build")
	noLeftovers(t, f.root, "http.server "+port)
	if st != 0 {
		t.Fatalf("dmake -f images/app.mk build after an edit: status %d\n%s", st, out)
	}
	checkRerunFrom(t, evs, "app", "02_app.sh")
}

// checkRerunFrom checks that the build of image took every step before the
// first that names script from the cache, and none from there on.
func checkRerunFrom(t *testing.T, evs []buildEvent, image, script string) {
	t.Helper()
	done, instr, up := stepsDone(evs, image)
	if up || len(done) == 0 {
		t.Fatalf("%s: not built again (up to date %v)", image, up)
	}
	first := 0
	for i := 1; i <= len(instr); i++ {
		if strings.Contains(instr[i], script) {
			first = i
			break
		}
	}
	if first == 0 {
		t.Fatalf("%s: no step names %s: %v", image, script, instr)
	}
	for i := 2; i <= len(instr); i++ { // step 1 is FROM
		switch cached := done[i] == "cached"; {
		case i < first && !cached:
			t.Errorf("%s: step %d %q was %s, want cached (before %s)", image, i, instr[i], done[i], script)
		case i >= first && cached:
			t.Errorf("%s: step %d %q was cached, want re-run (%s or after it)", image, i, instr[i], script)
		}
	}
}
