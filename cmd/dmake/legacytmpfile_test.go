package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/internal/enginetest"
)

// Layout 3 (testdata/legacy-tmpfile, 2023: bin/build through bin/make and
// its temporary makefile, a mktemp Dockerfile removed afterwards, ADD+RUN
// per script part cut by a python3 helper, ARG with --build-arg,
// config.mk, ARGS = --no-cache): every image built the legacy way and with
// "dmake IMAGE" at the repo root has the same files, Env, Cmd, Entrypoint
// and tag, and each script part is a step of its own. The repo's
// --no-cache is honoured and said, and dmake --cache overrides it: then a
// second run sends nothing, and after an edit of a script's middle part
// only that part and what follows run again. No temporary file and no
// process is left.
func TestEngineLegacyTmpfile(t *testing.T) {
	e := enginetest.Require(t)
	for _, tool := range []string{"make", "bash", "python3", "docker"} {
		needTool(t, tool)
	}
	prefix := fmt.Sprintf("dmaketest-tmpfile-%d", os.Getpid())
	const legacyPrefix = "legacy-"
	names := []string{"base", "app"}
	var refs []string
	for _, n := range names {
		refs = append(refs, prefix+"/"+n+":latest")
	}
	removeOnCleanup(t, e, refs...)
	for _, r := range refs {
		removeOnCleanup(t, e, legacyPrefix+r)
	}
	f := newLegacyFixture(t, "legacy-tmpfile")
	cfg := filepath.Join(f.root, "config.mk")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(cfg, append(data, "REGISTRY = "+prefix+"/\n"...), 0o644)
	noTemp := func(when string) {
		t.Helper()
		if m, _ := filepath.Glob(filepath.Join(f.root, "build", "tmp.*")); len(m) > 0 {
			t.Errorf("%s: temporary Dockerfiles left: %q", when, m)
		}
	}

	for i, n := range names {
		st, out := f.legacyBuild(t, n)
		if st != 0 || !strings.Contains(out, "Successfully tagged "+refs[i]) {
			t.Fatalf("legacy bin/build %s: status %d\n%s", n, st, out)
		}
	}
	noTemp("legacy build")
	stopLeftovers(f.root)
	retagLegacy(t, e, legacyPrefix, refs...)

	wantParts := map[string][]string{
		"base": {"parts/base/00.sh", "parts/base/01.sh"},
		"app":  {"parts/hello/00.sh", "parts/app/00.sh", "parts/app/01.sh", "parts/app/02.sh"},
	}
	for _, n := range names {
		st, out := f.run(t, buildDmake(t), "--progress", "plain", n)
		noLeftovers(t, f.root)
		noTemp("dmake " + n)
		if st != 0 {
			t.Fatalf("dmake %s: status %d\n%s", n, st, out)
		}
		if want := n + ": the repo's docker build asks for --no-cache (" + filepath.Join(f.root, "build", "Makefile") + ":30): honoured"; !strings.Contains(out, want) {
			t.Errorf("dmake %s does not say %q:\n%s", n, want, out)
		}
		if n == "app" && !strings.Contains(out, "base: up to date") {
			t.Errorf("dmake app rebuilt base, which it is FROM, although base is unchanged (a parent is built only when its inputs changed, whatever --no-cache says):\n%s", out)
		}
		if strings.Contains(out, "sent as written") {
			t.Errorf("dmake %s says its Dockerfile is sent as written: the ADD+RUN per script part was not recognised\n%s", n, out)
		}
	}
	for i := range names {
		compareImages(t, e, legacyPrefix+refs[i], refs[i])
	}

	// The images are those of images/ and those they are FROM that
	// bin/build builds (base, through bin/make's temporary makefile).
	stdout, stderr, st := runBinary(t, buildDmake(t), f.env, "-C", f.root, "--graph=json")
	var doc struct {
		Images []struct {
			Name, Tag, From string
			DependsOn       []string `json:"depends_on"`
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); st != 0 || err != nil {
		t.Fatalf("--graph=json: status %d, %v\n%s%s", st, err, stdout, stderr)
	}
	if got, want := fmt.Sprint(doc.Images), fmt.Sprintf("[{base %s busybox:latest []} {app %s %s [base]}]", refs[0], refs[1], refs[0]); got != want {
		t.Errorf("--graph=json images %s, want %s", got, want)
	}
	noTemp("dmake --graph=json")
	// --check app dry-runs exactly the script parts app's build runs.
	if got, want := f.checkedScripts(t, "app"), []string{"build/parts/hello/00.sh", "build/parts/app/00.sh", "build/parts/app/01.sh", "build/parts/app/02.sh"}; !slices.Equal(got, want) {
		t.Errorf("dmake --check app checked %q, want %q", got, want)
	}
	noTemp("dmake --check app")

	// --no-cache honoured: everything runs again, a step per script part.
	st, evs, out := f.dmake(t, names...)
	if st != 0 {
		t.Fatalf("dmake base app again: status %d\n%s", st, out)
	}
	for _, n := range names {
		if got := scriptRuns(evs, n); !slices.Equal(got, wantParts[n]) {
			t.Errorf("dmake %s ran the script steps %q, want %q", n, got, wantParts[n])
		}
		_, done, up := stepsDone(evs, n)
		for step, d := range done {
			if up || d == "cached" {
				t.Errorf("dmake %s under the repo's --no-cache: step %d %s (up to date %v)", n, step, d, up)
			}
		}
	}

	// dmake --cache: the first run takes every step from the cache, the
	// second sends nothing.
	st, out = f.run(t, append([]string{buildDmake(t), "--progress", "plain", "--cache"}, names...)...)
	if st != 0 || !strings.Contains(out, "--cache: building with the cache") {
		t.Fatalf("dmake --cache base app: status %d\n%s", st, out)
	}
	st, evs, out = f.dmake(t, append([]string{"--cache"}, names...)...)
	for _, n := range names {
		if _, _, up := stepsDone(evs, n); st != 0 || !up {
			t.Errorf("dmake --cache %s again: status %d, up to date %v\n%s", n, st, up, out)
		}
	}

	// Editing the middle part of app.sh re-runs it and what follows only.
	script := filepath.Join(f.root, "build", "scripts", "app.sh")
	data, err = os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	// Content no build has had: BuildKit's cache outlives the images.
	os.WriteFile(script, []byte(strings.Replace(string(data), "app 1", fmt.Sprintf("app %d", time.Now().UnixNano()), 1)), 0o644)
	st, evs, out = f.dmake(t, "--cache", "app")
	noLeftovers(t, f.root)
	noTemp("dmake --cache app after an edit")
	if st != 0 {
		t.Fatalf("dmake --cache app after an edit: status %d\n%s", st, out)
	}
	checkRerunFrom(t, evs, "app", "parts/app/01.sh")

	// The legacy build utility builds base too, though no images/ file
	// names it (bin/make's temporary makefile does).
	if _, stderr, st := runBinary(t, buildDmake(t), f.env, "-C", f.root, "--no-build", "--util", "build", "base"); st != 0 || !strings.Contains(stderr, "base: --no-build: wrote") {
		t.Errorf("dmake --no-build --util build base: status %d\n%s", st, stderr)
	}
	noTemp("dmake --util build base")
}

// scriptRuns returns the scripts of the RUN steps of image's build, in
// order.
func scriptRuns(evs []buildEvent, image string) []string {
	var out []string
	for _, ev := range evs {
		if ev.Image == image && ev.Event == "step" && strings.HasPrefix(ev.Instruction, "RUN ") && ev.Script != "" {
			out = append(out, ev.Script)
		}
	}
	return out
}

// dmake --cache --watch app at the 2023 layout rebuilds after an edit of
// the script a recipe splits into the parts the Dockerfile ADDs, re-running
// the changed part and what follows; the parts and temporary files the
// build itself writes trigger nothing.
func TestEngineLegacyTmpfileWatch(t *testing.T) {
	e := enginetest.Require(t)
	for _, tool := range []string{"make", "bash", "python3"} {
		needTool(t, tool)
	}
	prefix := fmt.Sprintf("dmaketest-tmpfilewatch-%d", os.Getpid())
	removeOnCleanup(t, e, prefix+"/base:latest", prefix+"/app:latest")
	f := newLegacyFixture(t, "legacy-tmpfile")
	cfg := filepath.Join(f.root, "config.mk")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(cfg, append(data, "REGISTRY = "+prefix+"/\n"...), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // a guard against a hang, not a timing assertion
	defer cancel()
	cmd := exec.CommandContext(ctx, buildDmake(t), "--cache", "--watch", "--progress", "json", "app")
	cmd.Dir = f.root
	cmd.Env = append(os.Environ(), f.env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	events := bufio.NewScanner(out)
	canceled := false
	var lines strings.Builder // build progress comes on standard output too
	waitFor := func(typ string) {
		t.Helper()
		for events.Scan() {
			lines.Write(events.Bytes())
			lines.WriteByte('\n')
			var ev struct {
				Type     string
				Canceled bool
			}
			if json.Unmarshal(events.Bytes(), &ev) == nil && ev.Type == typ {
				canceled = ev.Canceled
				return
			}
		}
		t.Fatalf("the watch ended before a %s event:\n%s", typ, stderr.String())
	}
	waitFor("watch.start")
	script := filepath.Join(f.root, "build", "scripts", "app.sh")
	data, err = os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	// Content no build has had: the engine's cache cannot answer it.
	os.WriteFile(script, []byte(strings.Replace(string(data), "app 1", fmt.Sprintf("app %d", time.Now().UnixNano()), 1)), 0o644)
	waitFor("watch.done")
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	if canceled {
		t.Errorf("the rebuild after the edit was cancelled (by the build's own writes?)\n%s", stderr.String())
	}
	// The first build may take every step from the engine's cache (the
	// fixture's parts are those of other tests); the rebuild runs the
	// edited part and the one after it.
	ran, _ := stepRuns(t, lines.String()+stderr.String())
	first := []string{"parts/hello/00.sh", "parts/app/00.sh", "parts/app/01.sh", "parts/app/02.sh"}
	rebuild := []string{"parts/app/01.sh", "parts/app/02.sh"}
	if got := ran["app"]; !slices.Equal(got, rebuild) && !slices.Equal(got, append(first, rebuild...)) {
		t.Errorf("the first build and the rebuild ran %q, want %q after %q or nothing\n%s", got, rebuild, first, stderr.String())
	}
	if m, _ := filepath.Glob(filepath.Join(f.root, "build", "tmp.*")); len(m) > 0 {
		t.Errorf("temporary Dockerfiles left: %q", m)
	}
}
