package image

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
)

const echoRepo = "../testdata/echo-repo"

// runRecipes runs the build goal's recipe lines of a plain Makefile repo
// (as make -n prints them) in dir through the middleware.
func runRecipes(t *testing.T, b *Builder, dir string, vars ...string) error {
	t.Helper()
	needMake(t)
	args := append([]string{"-n", "-s", "-C", dir, "build"}, vars...)
	out, err := execOutput("make", args...)
	if err != nil {
		t.Fatalf("make -n build: %v", err)
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if o, err := runRecipe(t, b, dir, l); err != nil {
			return errors.New(l + ": " + err.Error() + "\n" + o)
		}
	}
	return nil
}

// The echo-style repo's Dockerfile, as dmake sends it: each fetch of a
// host-served script is a COPY of that script and a RUN of it.
func TestEchoRepoPlan(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, echoRepo, dir)
	b := &Builder{NoBuild: true, NoBuildDir: t.TempDir(), TempDir: t.TempDir()}
	var progress bytes.Buffer
	b.Out = &progress
	if err := runRecipes(t, b, dir, "IMAGE_PREFIX=t/"); err != nil {
		t.Fatal(err)
	}
	rs := b.Results()
	if len(rs) != 1 || rs[0].Plan.Layout != "dockerfile" {
		t.Fatalf("results %+v", rs)
	}
	golden(t, "echo-repo.Dockerfile", rs[0].Plan.Dockerfile)
	// The context is the files alone: dmake's Dockerfile goes to the
	// builder apart, and is written beside it.
	f, err := os.Open(filepath.Join(rs[0].Written, "context.tar"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := strings.Join(tarListing(t, f), "\n")
	want := "" +
		".dmake-served/ 755 dir\n" +
		".dmake-served/scripts/ 755 dir\n" +
		".dmake-served/scripts/00_base.sh 644 reg\n" +
		".dmake-served/scripts/01_hello.sh 644 reg\n" +
		".dmake-served/scripts/03_app.sh 644 reg"
	if got != want {
		t.Errorf("context:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(progress.String(), "--no-build") {
		t.Errorf("progress does not say nothing was sent: %q", progress.String())
	}
}

// The echo-style repo builds unchanged: no python, no eth0, and an edited
// script rebuilds from its own step.
func TestEngineEchoRepo(t *testing.T) {
	e, _ := testEngine(t)
	ctx := context.Background()
	prefix := uniquePrefix(t)
	removeTagged(t, e, prefix)
	dir := t.TempDir()
	copyTree(t, echoRepo, dir)
	vars := []string{"IMAGE_PREFIX=" + prefix, "DOCKER_ARGS=--label " + enginetest.Label + "=1"}
	b := &Builder{Engine: e, TempDir: t.TempDir()}
	if err := runRecipes(t, b, dir, vars...); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res, err := e.Run(ctx, engine.RunOptions{Image: prefix + "echo", Labels: map[string]string{enginetest.Label: "1"}, Streams: engine.Streams{Out: &out, Err: &out}})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("running the image: %v %+v %s", err, res, out.String())
	}
	if got, want := out.String(), "hello from the echo repo\napp installed\n"; got != want {
		t.Errorf("image output %q, want %q", got, want)
	}
	// Edit the last script: only its steps run again.
	app := filepath.Join(dir, "scripts", "03_app.sh")
	os.WriteFile(app, []byte(strings.Replace(readFile(t, app), "app 1", "app 2", 1)), 0o644)
	b = &Builder{Engine: e, TempDir: t.TempDir()}
	if err := runRecipes(t, b, dir, vars...); err != nil {
		t.Fatal(err)
	}
	r := lastResult(t, b)
	k := stepOf(t, r.Plan, "COPY .dmake-served/scripts/03_app.sh /.dmake-served/scripts/03_app.sh")
	if r.Cached != k-2 || !r.Built {
		t.Errorf("after editing 03_app.sh: %d cached, want %d", r.Cached, k-2)
	}
}

// A failing step names the script, its failing line and the engine's message.
func TestEngineFailingStep(t *testing.T) {
	e, _ := testEngine(t)
	needMake(t)
	prefix := uniquePrefix(t)
	removeTagged(t, e, prefix)
	root := t.TempDir()
	copyTree(t, bbRepo, root)
	app := filepath.Join(root, "script", "03_app.sh")
	// "before" goes to stderr like the error: the engine reads a step's
	// stdout and stderr through two pipes and interleaves them as they
	// arrive, so output on stdout could land inside the shell's message
	// ("line 4: " before "nosuchcommand: not found"), which busybox writes
	// in pieces. One stream keeps the order the script wrote.
	os.WriteFile(app, []byte(". /build/script/functions.sh\necho before >&2\n\nnosuchcommand --flag\necho after\n"), 0o644)
	b := &Builder{Engine: e, TempDir: t.TempDir()}
	var progress bytes.Buffer
	b.Out = &progress
	var failed error
	var recipeOut strings.Builder
	for _, l := range recipeLines(t, root, "bb", "IMAGE_PREFIX="+prefix, "DOCKER_ARGS=--label "+enginetest.Label+"=1") {
		if o, err := runRecipe(t, b, filepath.Join(root, "images", "bb"), l); err != nil {
			failed = err
			recipeOut.WriteString(o)
		}
	}
	if failed == nil {
		t.Fatal("the build did not fail")
	}
	msg := progress.String() + recipeOut.String()
	for _, want := range []string{
		"RUN /bin/sh /build/script/03_app.sh",
		app + ":4: nosuchcommand: not found",
		"nosuchcommand --flag",
		"engine: The command '/bin/sh -c /bin/sh /build/script/03_app.sh' returned a non-zero code: 127",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure report lacks %q:\n%s", want, msg)
		}
	}
}
