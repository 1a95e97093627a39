package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/internal/enginetest"
)

// Layout 2 (testdata/legacy-echo, 2015: flat images/NAME.mk, Dockerfile
// lines echoed by make macros, scripts fetched from a web server the build
// recipe starts with $(shell … python3 -m http.server … &), an md5 comment
// per script, the empty kill -9 $(lsof …) after the build): every image
// built the legacy way (bin/build: GNU make, bash, the docker CLI, the
// python web server) and with "dmake IMAGE" at the repo root has the same
// files (modes, owners, content), Env, Cmd, Entrypoint and tag. dmake starts
// no server and leaves no process behind, warns about the kill line naming
// it and exits 0; a second run sends nothing; after an edit of a
// mid-sequence script only it and what follows run again.
func TestEngineLegacyEcho(t *testing.T) {
	e := enginetest.Require(t)
	for _, tool := range []string{"make", "bash", "python3", "docker"} {
		needTool(t, tool)
	}
	prefix := fmt.Sprintf("dmaketest-echo-%d", os.Getpid())
	const legacyPrefix = "legacy-"
	port := freeTCPPort(t)
	names := []string{"base", "app"}
	var refs []string
	for _, n := range names {
		refs = append(refs, prefix+"/"+n+":latest")
	}
	removeOnCleanup(t, e, refs...)
	for _, r := range refs {
		removeOnCleanup(t, e, legacyPrefix+r)
	}
	f := newLegacyFixture(t, "legacy-echo", "REPO="+prefix, "PORT="+port)
	// The ifconfig shim of the fixture's README.
	f.env = append(f.env, "PATH="+filepath.Join(f.root, "shim")+":"+os.Getenv("PATH"))
	server := "http.server " + port

	// The legacy build: exit 2 after a good docker build (the empty
	// kill). The test starts the server the makefiles start, and waits
	// until it answers: in this layout the build's first fetch races the
	// server's start-up, and a fetch that fails pipes nothing into sh,
	// which succeeds (the makefiles' own server then finds the port taken
	// and exits).
	srv := exec.Command("python3", "-m", "http.server", port)
	srv.Dir = filepath.Join(f.root, "build")
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Wait()
	defer srv.Process.Kill()
	deadline := time.Now().Add(time.Minute)
	for c, err := net.Dial("tcp", "127.0.0.1:"+port); ; c, err = net.Dial("tcp", "127.0.0.1:"+port) {
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("python3 -m http.server %s does not answer: %v", port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i, n := range names {
		st, out := f.legacyBuild(t, n)
		if st != 2 || !strings.Contains(out, "Successfully tagged "+refs[i]) {
			t.Fatalf("legacy bin/build %s: status %d (want 2: the empty kill -9 after a good build)\n%s", n, st, out)
		}
	}
	srv.Process.Kill()
	srv.Wait()
	if left := stopLeftovers(f.root, server); len(left) > 0 {
		t.Logf("the legacy build left running: %s", strings.Join(left, "; "))
	}
	retagLegacy(t, e, legacyPrefix, refs...)

	for _, n := range names {
		st, evs, out := f.dmake(t, n)
		noLeftovers(t, f.root, server)
		if st != 0 {
			t.Fatalf("dmake %s: status %d\n%s", n, st, out)
		}
		if want := "build/Makefile:38: \"kill -9\" names no process to stop"; !strings.Contains(out, want) {
			t.Errorf("dmake %s does not warn %q:\n%s", n, want, out)
		}
		if strings.Contains(out, "sent as written") {
			t.Errorf("dmake %s sent the Dockerfile as written:\n%s", n, out)
		}
		// One COPY and one run per fetched script.
		instr, _, _ := stepsDone(evs, n)
		runs := 0
		for _, in := range instr {
			if strings.HasPrefix(in, "RUN sh < /.dmake-served/scripts/") {
				runs++
			}
		}
		if want := map[string]int{"base": 1, "app": 3}[n]; runs != want {
			t.Errorf("dmake %s: %d script runs, want %d: %v", n, runs, want, instr)
		}
	}
	for i := range names {
		compareImages(t, e, legacyPrefix+refs[i], refs[i])
	}

	// --check app dry-runs exactly the steps app's build runs, in order:
	// the served scripts as themselves, the other RUNs (fetching the
	// configuration and the runit script) at their lines of the
	// Dockerfile the repository generated (build/Dockerfile).
	if got, want := f.checkedScripts(t, "app"), []string{".dmake-served/scripts/01_hello.sh", ".dmake-served/scripts/02_app.sh", "build/Dockerfile", "build/Dockerfile", ".dmake-served/scripts/03_app_user.sh"}; !slices.Equal(got, want) {
		t.Errorf("dmake --check app checked %q, want %q", got, want)
	}
	noLeftovers(t, f.root, server)

	// A second run sends nothing.
	st, evs, out := f.dmake(t, names...)
	noLeftovers(t, f.root, server)
	for _, n := range names {
		if _, _, up := stepsDone(evs, n); st != 0 || !up {
			t.Errorf("dmake %s again: status %d, up to date %v\n%s", n, st, up, out)
		}
	}

	// Editing 02_app.sh (mid-sequence) re-runs it and what follows only.
	script := filepath.Join(f.root, "build", "scripts", "02_app.sh")
	data, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	// Content no build has had: BuildKit's cache outlives the images.
	os.WriteFile(script, []byte(strings.Replace(string(data), "app 1", fmt.Sprintf("app %d", time.Now().UnixNano()), 1)), 0o644)
	st, evs, out = f.dmake(t, "app")
	noLeftovers(t, f.root, server)
	if st != 0 {
		t.Fatalf("dmake app after an edit: status %d\n%s", st, out)
	}
	checkRerunFrom(t, evs, "app", "02_app.sh")
}

// dmake --watch app at the 2015 layout rebuilds after an edit of an
// HTTP-served script, re-running it and the scripts after it, and leaves
// no server running.
func TestEngineLegacyEchoWatch(t *testing.T) {
	e := enginetest.Require(t)
	for _, tool := range []string{"make", "bash"} {
		needTool(t, tool)
	}
	prefix := fmt.Sprintf("dmaketest-echowatch-%d", os.Getpid())
	removeOnCleanup(t, e, prefix+"/base:latest", prefix+"/app:latest")
	port := freeTCPPort(t)
	f := newLegacyFixture(t, "legacy-echo", "REPO="+prefix, "PORT="+port)
	f.env = append(f.env, "PATH="+filepath.Join(f.root, "shim")+":"+os.Getenv("PATH"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // a guard against a hang, not a timing assertion
	defer cancel()
	cmd := exec.CommandContext(ctx, buildDmake(t), "--watch", "--progress", "json", "app")
	cmd.Dir = f.root
	cmd.Env = append(os.Environ(), f.env...)
	w := startWatch(t, cmd)
	w.waitFor("watch.start")
	script := filepath.Join(f.root, "build", "scripts", "02_app.sh")
	data, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	// Content no build has had: BuildKit's cache outlives the images.
	os.WriteFile(script, []byte(strings.Replace(string(data), "app 1", fmt.Sprintf("app %d", time.Now().UnixNano()), 1)), 0o644)
	w.waitFor("watch.done")
	evs := w.stop()
	noLeftovers(t, f.root, "http.server "+port)
	// The first build has a step per script, run, or all taken from the
	// engine's build cache (an earlier run's, of the same content); the
	// rebuild runs the edited script and the one after it. base is built
	// once, as the parent of app.
	first := []string{"01_hello.sh", "02_app.sh", "03_app_user.sh"}
	rebuild := []string{"02_app.sh", "03_app_user.sh"}
	if steps := stepScripts(t, evs); !slices.Equal(steps["app"], append(first, first...)) || !slices.Equal(steps["base"], []string{"00_base.sh"}) {
		t.Errorf("the builds have steps for %q (app) and %q (base), want %q twice and 00_base.sh once\n%s", steps["app"], steps["base"], first, w.stderr.String())
	}
	ran, _ := stepRuns(t, evs)
	if !slices.Equal(ran["app"], append(first, rebuild...)) && !slices.Equal(ran["app"], rebuild) {
		t.Errorf("the first build and the rebuild ran %q, want %q after %q or after nothing\n%s", ran["app"], rebuild, first, w.stderr.String())
	}
	if len(ran["base"]) > 1 {
		t.Errorf("base ran %q, want 00_base.sh once at most (built once, as the parent of app)", ran["base"])
	}
}
