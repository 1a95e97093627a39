package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/internal/imagecompare"
)

// copyStatic copies testdata/legacy-static (layout 1) into a temporary
// directory, with each image's NAME prefixed, so that its tags are the
// test's own on a shared engine.
func copyStatic(t *testing.T, prefix string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "docker")
	src, err := filepath.Abs(filepath.Join("..", "..", "testdata", "legacy-static"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	mks, _ := filepath.Glob(filepath.Join(dst, "images", "*", "Makefile"))
	for _, mk := range mks {
		b, err := os.ReadFile(mk)
		if err != nil {
			t.Fatal(err)
		}
		b = regexp.MustCompile(`(?m)^NAME = `).ReplaceAll(b, []byte("NAME = "+prefix))
		if err := os.WriteFile(mk, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// atOptDocker runs argv in a private mount namespace where repo is mounted
// at /opt/docker (on a tmpfs over /opt: the host's /opt is never touched),
// from /opt/docker, and returns its output and exit status.
func atOptDocker(t *testing.T, repo string, env []string, argv ...string) (stdout, stderr string, status int) {
	t.Helper()
	script := `mount -t tmpfs dmake-test /opt && mkdir /opt/docker && mount --bind "$0" /opt/docker && cd /opt/docker && exec "$@"`
	cmd := exec.Command("unshare", append([]string{"-m", "--propagation", "private", "sh", "-c", script, repo}, argv...)...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		status = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s at /opt/docker: %v", strings.Join(argv, " "), err)
	}
	return out.String(), errb.String(), status
}

// needUnshare fails (under DMAKE_ENGINE_TESTS=1) or skips the test when
// this process cannot make a private mount namespace (it needs root).
func needUnshare(t *testing.T) {
	t.Helper()
	out, err := exec.Command("unshare", "-m", "--propagation", "private", "mount", "-t", "tmpfs", "dmake-test", "/opt").CombinedOutput()
	if err != nil {
		if enginetest.Required() {
			t.Fatalf("%s=1 but no private mount namespace for /opt/docker (needs root): %v\n%s", enginetest.EnvVar, err, out)
		}
		t.Skipf("SKIPPED: needs a private mount namespace (root) to put the fixture at /opt/docker: %v", err)
	}
}

// stepRuns reads dmake's --progress json events and returns, per image,
// the scripts whose RUN step ran (not cached), and the images reported up
// to date.
func stepRuns(t *testing.T, events string) (ran map[string][]string, upToDate []string) {
	t.Helper()
	ran = map[string][]string{}
	sc := bufio.NewScanner(strings.NewReader(events))
	for sc.Scan() {
		l := sc.Text()
		if !strings.HasPrefix(l, "{") {
			continue
		}
		var ev struct {
			Image, Event, Instruction, Script string
		}
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("bad progress event %q: %v", l, err)
		}
		switch {
		case ev.Event == "running" && strings.HasPrefix(ev.Instruction, "RUN ") && ev.Script != "":
			ran[ev.Image] = append(ran[ev.Image], ev.Script)
		case ev.Event == "up-to-date":
			upToDate = append(upToDate, ev.Image)
		}
	}
	return ran, upToDate
}

// stepScripts reads dmake's --progress json events and returns, per image,
// the scripts that have a RUN step, run or taken from the build cache (on
// BuildKit, the cache outlives the images: a first build may run nothing).
func stepScripts(t *testing.T, events string) map[string][]string {
	t.Helper()
	steps := map[string][]string{}
	sc := bufio.NewScanner(strings.NewReader(events))
	for sc.Scan() {
		var ev struct {
			Image, Event, Instruction, Script string
		}
		if l := sc.Bytes(); len(l) == 0 || l[0] != '{' {
			continue
		} else if err := json.Unmarshal(l, &ev); err != nil {
			t.Fatalf("bad progress event %q: %v", l, err)
		}
		if ev.Event == "step" && strings.HasPrefix(ev.Instruction, "RUN ") && ev.Script != "" {
			steps[ev.Image] = append(steps[ev.Image], ev.Script)
		}
	}
	return steps
}

// Layout 1 (static Dockerfile, hard links, absolute /opt/docker paths):
// every image built the legacy way (bin/build: GNU make, bash, the docker
// CLI) and with "dmake IMAGE" at the repo root has the same files (modes,
// owners, content), Env, Cmd, Entrypoint and tag; dmake runs one step per
// script. A second run sends nothing; after an edit of a mid-sequence
// script only that script and those after it run again.
func TestEngineLegacyStatic(t *testing.T) {
	eng := enginetest.Require(t)
	needUnshare(t)
	bin := buildDmake(t)
	ctx := context.Background()
	// Per process: another run of the test on a shared engine must not
	// move these tags under it.
	legacyPrefix, dmakePrefix := fmt.Sprintf("dmakestatic-legacy-%d/", os.Getpid()), fmt.Sprintf("dmakestatic-%d/", os.Getpid())
	names := []string{"base", "web"}
	t.Cleanup(func() {
		for _, p := range []string{dmakePrefix, legacyPrefix} {
			for _, n := range names {
				eng.RemoveImage(ctx, p+n+":latest", engine.RemoveImageOptions{})
			}
		}
	})
	legacyRepo := copyStatic(t, legacyPrefix)
	repo := copyStatic(t, dmakePrefix)
	env := []string{"DOCKER_HOME="}
	for _, n := range names {
		if out, errs, st := atOptDocker(t, legacyRepo, env, "/opt/docker/bin/build", n); st != 0 {
			t.Fatalf("legacy bin/build %s: status %d\n%s%s", n, st, out, errs)
		}
		evs, errs, st := atOptDocker(t, repo, env, bin, "--progress", "json", n)
		if st != 0 {
			t.Fatalf("dmake %s: status %d\n%s", n, st, errs)
		}
		steps := stepScripts(t, evs)
		want := []string{"00_init.sh", "99_cleanup.sh"}
		if n == "web" {
			want = []string{"00_init.sh", "20_cron.sh", "30_web.sh", "99_cleanup.sh"}
		}
		if !slices.Equal(steps[n], want) {
			t.Errorf("dmake %s has steps for the scripts %q, want one step each for %q (40_webconf.sh is not executable)\n%s", n, steps[n], want, errs)
		}
	}
	for _, n := range names {
		res := imagecompare.Compare(t, eng, legacyPrefix+n+":latest", dmakePrefix+n+":latest", nil)
		if res.Want < 100 || res.Got < 100 {
			t.Fatalf("%s: file trees of %d and %d entries: the export did not work", n, res.Want, res.Got)
		}
		if got := res.GotInfo.Labels[engine.LabelTag]; got != dmakePrefix+n+":latest" {
			t.Errorf("%s: dmake tagged %q, want the Makefile's $(NAME):$(VERSION) %q", n, got, dmakePrefix+n+":latest")
		}
		t.Logf("%s: compared %d paths", n, res.Paths)
	}

	// Nothing changed: nothing is sent.
	evs, errs, st := atOptDocker(t, repo, env, bin, "--progress", "json", "base", "web")
	if ran, up := stepRuns(t, evs); st != 0 || len(ran) != 0 || !slices.Equal(up, names) {
		t.Errorf("no-op run: status %d, ran %q, up to date %q; want 0, nothing, %q\n%s", st, ran, up, names, errs)
	}

	// An edit of 20_cron.sh (in place: the image's build/ has a hard link
	// to it) re-runs it and the scripts after it, not 00_init.sh. Its
	// content is new, so that no build cache answers it.
	script := filepath.Join(repo, "build", "scripts", "20_cron.sh")
	f, err := os.OpenFile(script, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "echo edited %d >> /etc/stages\n", time.Now().UnixNano())
	f.Close()
	evs, errs, st = atOptDocker(t, repo, env, bin, "--progress", "json", "web")
	ran, _ := stepRuns(t, evs)
	if want := []string{"20_cron.sh", "30_web.sh", "99_cleanup.sh"}; st != 0 || !slices.Equal(ran["web"], want) {
		t.Errorf("after editing 20_cron.sh: status %d, ran %q, want %q\n%s", st, ran["web"], want, errs)
	}
}

// At the layout-1 repo, --graph=json shows the images, their tags and FROM
// (from the Dockerfile the repo generates) and components (the
// prerequisites of build), and --check IMAGE dry-runs exactly the scripts
// the build runs: the executable ones, in the loop's order.
func TestLegacyStaticGraphCheck(t *testing.T) {
	needUnshare(t)
	bin := buildDmake(t)
	repo := copyStatic(t, "dmakestatic-graph/")
	env := []string{"DOCKER_HOME="}
	stdout, stderr, st := atOptDocker(t, repo, env, bin, "--graph=json")
	var doc struct {
		Images []struct {
			Name, Tag, From string
			DependsOn       []string `json:"depends_on"`
			Components      []string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); st != 0 || err != nil {
		t.Fatalf("--graph=json: status %d, %v\n%s%s", st, err, stdout, stderr)
	}
	want := "[{base dmakestatic-graph/base:latest busybox:latest [] [base]} {web dmakestatic-graph/web:latest busybox:latest [] [base cron web]}]"
	if got := fmt.Sprint(doc.Images); got != want {
		t.Errorf("--graph=json images:\n got %s\nwant %s", got, want)
	}
	stdout, stderr, st = atOptDocker(t, repo, env, bin, "--check", "web")
	if st != 0 {
		t.Fatalf("--check web: status %d\n%s%s", st, stdout, stderr)
	}
	var checked []string
	for _, l := range strings.Split(stdout, "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "script" {
			checked = append(checked, f[1])
		}
	}
	if want := []string{"build/scripts/00_init.sh", "build/scripts/20_cron.sh", "build/scripts/30_web.sh", "build/scripts/99_cleanup.sh"}; !slices.Equal(checked, want) {
		t.Errorf("--check web checked %q, want %q\n%s", checked, want, stdout)
	}
	// The seed's naming (00_–99_) and order warnings are legacy-images'
	// convention, not this repository's (its 20_cron.sh is fine).
	if strings.Contains(stdout+stderr, "should start with") || strings.Contains(stdout+stderr, "name order") {
		t.Errorf("--check web gives the seed's naming or order warnings to a repository without its layout:\n%s%s", stdout, stderr)
	}
}

// --watch at the layout-1 repo: after the first build, an edit of a
// hard-linked script (its source under build/scripts, saved in place)
// rebuilds the image, re-running that script and those after it only.
func TestEngineLegacyStaticWatch(t *testing.T) {
	eng := enginetest.Require(t)
	needUnshare(t)
	bin := buildDmake(t)
	prefix := fmt.Sprintf("dmakestatic-watch-%d/", os.Getpid())
	repo := copyStatic(t, prefix)
	t.Cleanup(func() {
		eng.RemoveImage(context.Background(), prefix+"web:latest", engine.RemoveImageOptions{})
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // a guard against a hang, not a timing assertion
	defer cancel()
	script := `mount -t tmpfs dmake-test /opt && mkdir /opt/docker && mount --bind "$0" /opt/docker && cd /opt/docker && exec "$@"`
	cmd := exec.CommandContext(ctx, "unshare", "-m", "--propagation", "private", "sh", "-c", script, repo, bin, "--watch", "--progress", "json", "web")
	cmd.Env = append(os.Environ(), "DOCKER_HOME=")
	w := startWatch(t, cmd)
	w.waitFor("watch.start")
	f, err := os.OpenFile(filepath.Join(repo, "build", "scripts", "30_web.sh"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "echo watched %d >> /etc/stages\n", time.Now().UnixNano()) // new: no build cache answers it
	f.Close()
	w.waitFor("watch.done")
	evs := w.stop()
	// The first build has a step per script, run, or all taken from the
	// build cache of an earlier run on BuildKit (the default builder);
	// the rebuild runs the edited script and the one after it.
	all := []string{"00_init.sh", "20_cron.sh", "30_web.sh", "99_cleanup.sh"}
	rebuild := []string{"30_web.sh", "99_cleanup.sh"}
	if steps := stepScripts(t, evs); !slices.Equal(steps["web"], append(all, all...)) {
		t.Errorf("the first build and the rebuild have steps for %q, want %q twice\n%s", steps["web"], all, w.stderr.String())
	}
	if ran, _ := stepRuns(t, evs); !slices.Equal(ran["web"], append(all, rebuild...)) && !slices.Equal(ran["web"], rebuild) {
		t.Errorf("the first build and the rebuild ran %q, want %q after %q or after nothing\n%s", ran["web"], rebuild, all, w.stderr.String())
	}
}
