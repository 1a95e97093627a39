package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/internal/repolock"
)

// copyLegacyImages copies legacy-images/ (without build output) into a
// temporary directory, so a test can build and edit it freely.
func copyLegacyImages(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "repo")
	src, err := filepath.Abs(filepath.Join("..", "..", "legacy-images"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	for _, junk := range []string{".dmake", "images/base/build", "images/ssh/build", "images/web/build"} {
		os.RemoveAll(filepath.Join(dst, junk))
	}
	return dst
}

// runBinary runs the dmake binary with args and returns its output and
// exit status.
func runBinary(t *testing.T, bin string, env []string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		status = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("running dmake: %v", err)
	}
	return out.String(), errb.String(), status
}

// TestLegacyImagesNoBuild runs "dmake --no-build" at the root of a copy of
// legacy-images: every image's Makefile runs unchanged, and the layered
// Dockerfile written for each has one COPY and one RUN per install script,
// in the legacy order, FROM the image of the run below it.
func TestLegacyImagesNoBuild(t *testing.T) {
	bin := buildDmake(t)
	repo := copyLegacyImages(t)
	_, stderr, status := runBinary(t, bin, []string{"DOCKER_HOME="}, "-C", repo, "--no-build", "base", "ssh", "web", "IMAGE_PREFIX=nb/")
	if status != 0 {
		t.Fatalf("exit status %d\n%s", status, stderr)
	}
	want := map[string][]string{
		"base": {"FROM debian:bookworm", "' /build/script/00_init.sh '", "' /build/script/02_runit.sh '", "' /build/script/99_cleanup.sh '"},
		"ssh":  {"FROM nb/base", "COPY script/03_sshd.sh /build/script/03_sshd.sh", "' /build/script/03_sshd.sh '", "' /build/script/99_cleanup.sh '"},
		"web":  {"FROM nb/ssh", "' /build/script/03_nginx.sh '"},
	}
	for name, lines := range want {
		df, err := os.ReadFile(filepath.Join(repo, ".dmake", name, "Dockerfile"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		last := -1
		for _, l := range lines {
			i := strings.Index(string(df), l)
			if i < 0 {
				t.Errorf("%s: the Dockerfile has no %q:\n%s", name, l, df)
				continue
			}
			if i < last {
				t.Errorf("%s: %q is out of order:\n%s", name, l, df)
			}
			last = i
		}
		if strings.Contains(string(df), "install.sh") {
			t.Errorf("%s: the layered Dockerfile still runs the one-step install.sh:\n%s", name, df)
		}
	}

	// A --bust word that names nothing is a typo the user hears about, before
	// anything is built.
	_, stderr, status = runBinary(t, bin, []string{"DOCKER_HOME="}, "-C", repo, "--no-build", "--bust", "03_sshh.sh", "ssh", "IMAGE_PREFIX=nb/")
	if status != 2 || !strings.Contains(stderr, "--bust 03_sshh.sh: no script") {
		t.Errorf("--bust with a typo: status %d, want 2 and an error:\n%s", status, stderr)
	}
}

// A docker build flag the engine's classic builder cannot honour, written in
// a legacy Makefile, stops the build with an error that names the flag and
// the Makefile line; nothing is written.
func TestLegacyImagesRefusedFlag(t *testing.T) {
	bin := buildDmake(t)
	repo := copyLegacyImages(t)
	_, stderr, status := runBinary(t, bin, []string{"DOCKER_HOME="}, "-C", repo, "--no-build", "--no-check", "base", "IMAGE_PREFIX=nb/", "REVISION=1 --secret id=x")
	if status == 0 || !regexp.MustCompile(`make/common\.mk:\d+: docker build: flag --secret is not supported`).MatchString(stderr) {
		t.Errorf("status %d, stderr:\n%s", status, stderr)
	}
	if _, err := os.Stat(filepath.Join(repo, ".dmake", "base", "Dockerfile")); err == nil {
		t.Error("a refused flag still wrote the build")
	}
}

// TestGraphJSON checks "dmake --graph=json" at a legacy repository: the
// images in FROM order with their dependencies and components.
func TestGraphJSON(t *testing.T) {
	bin := buildDmake(t)
	repo := copyLegacyImages(t)
	stdout, stderr, status := runBinary(t, bin, []string{"DOCKER_HOME="}, "-C", repo, "--graph=json", "web", "base", "ssh")
	if status != 0 {
		t.Fatalf("exit status %d\n%s", status, stderr)
	}
	var doc struct {
		Images []struct {
			Name       string   `json:"name"`
			From       string   `json:"from"`
			DependsOn  []string `json:"depends_on"`
			Components []string `json:"components"`
		} `json:"images"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	var order []string
	for _, im := range doc.Images {
		order = append(order, im.Name)
	}
	if strings.Join(order, " ") != "base ssh web" {
		t.Errorf("image order %q, want base ssh web", order)
	}
	if len(doc.Images) == 3 {
		if got := doc.Images[2].DependsOn; len(got) != 1 || got[0] != "ssh" {
			t.Errorf("web depends on %q, want [ssh]", got)
		}
		if !strings.Contains(strings.Join(doc.Images[1].Components, " "), "sshd") {
			t.Errorf("ssh components %q lack sshd", doc.Images[1].Components)
		}
	}
}

// TestBuildLegacyImages builds base and ssh of a copy of legacy-images with
// dmake on the real engine, then: a second run sends no build (its inputs
// are unchanged), and after editing 03_sshd.sh only ssh is rebuilt, from
// that script's layer on.
func TestBuildLegacyImages(t *testing.T) {
	c := enginetest.Require(t)
	bin := buildDmake(t)
	repo := copyLegacyImages(t)
	// Per process: another run of this test on the engine must not move
	// these tags under it.
	prefix := fmt.Sprintf("dmaketest-cli-%d/", os.Getpid())
	t.Cleanup(func() {
		for _, tag := range []string{prefix + "ssh", prefix + "base"} {
			c.RemoveImage(context.Background(), tag, engine.RemoveImageOptions{})
		}
	})
	env := []string{"DOCKER_HOME="}
	args := []string{"-C", repo, "base", "ssh", "IMAGE_PREFIX=" + prefix, "--progress=plain"}

	_, stderr, status := runBinary(t, bin, env, args...)
	if status != 0 {
		t.Fatalf("first build: exit status %d\n%s", status, stderr)
	}
	_, stderr, status = runBinary(t, bin, env, args...)
	if status != 0 {
		t.Fatalf("second build: exit status %d\n%s", status, stderr)
	}
	for _, name := range []string{"base", "ssh"} {
		if !strings.Contains(stderr, name+": up to date") {
			t.Errorf("second run did not find %s up to date:\n%s", name, stderr)
		}
	}

	// The edits name this run (the time, not the pid: pids come round
	// again, and go test -count runs the test twice in one process): the
	// engine's build cache is shared and kept, and a layer another run made
	// of the same edit would be a cache hit, the edited script never
	// running here.
	run := fmt.Sprintf("%s%d", prefix, time.Now().UnixNano())
	script := filepath.Join(repo, "script", "03_sshd.sh")
	src, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, append(src, []byte("\necho edited by TestBuildLegacyImages "+run+"\n")...), 0o755); err != nil {
		t.Fatal(err)
	}
	_, stderr, status = runBinary(t, bin, env, args...)
	if status != 0 {
		t.Fatalf("build after the edit: exit status %d\n%s", status, stderr)
	}
	if !strings.Contains(stderr, "base: up to date") {
		t.Errorf("base was not up to date after editing an ssh script:\n%s", stderr)
	}
	if !strings.Contains(stderr, "edited by TestBuildLegacyImages") {
		t.Errorf("the edited script did not run:\n%s", stderr)
	}
	// Every step before the edited script's COPY comes from the cache.
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, "Step ") && strings.Contains(l, "COPY script/03_sshd.sh") {
			break
		}
		if strings.Contains(l, " ---> Running in ") {
			t.Errorf("a step before 03_sshd.sh ran again: %s\n%s", l, stderr)
			break
		}
	}

	// Stale parents: after editing a script of base, "dmake ssh" rebuilds
	// base first, then ssh FROM the new base, as make remakes
	// prerequisites; --no-parents leaves base alone.
	cron := filepath.Join(repo, "script", "02_cron.sh")
	src, err = os.ReadFile(cron)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cron, append(src, []byte("\necho base edited by TestBuildLegacyImages "+run+"\n")...), 0o755); err != nil {
		t.Fatal(err)
	}
	sshOnly := []string{"-C", repo, "ssh", "IMAGE_PREFIX=" + prefix, "--progress=plain"}
	_, stderr, status = runBinary(t, bin, env, append([]string{"--no-parents"}, sshOnly...)...)
	if status != 0 || !strings.Contains(stderr, "ssh: up to date") || strings.Contains(stderr, "base edited") ||
		!strings.Contains(stderr, "warning: --no-parents: "+prefix+"base is out of date (script/02_cron.sh changed since it was built)") {
		t.Errorf("--no-parents ssh: status %d, want ssh up to date, base not built, and a warning naming base and 02_cron.sh:\n%s", status, stderr)
	}
	_, stderr, status = runBinary(t, bin, env, sshOnly...)
	if status != 0 {
		t.Fatalf("ssh after editing base: exit status %d\n%s", status, stderr)
	}
	iBase := strings.Index(stderr, "base edited by")
	if iBase < 0 || strings.Contains(stderr, "ssh: up to date") {
		t.Errorf("dmake ssh did not rebuild the stale base, then ssh:\n%s", stderr)
	}
	ctx := context.Background()
	base, found, err := c.InspectImage(ctx, prefix+"base")
	if err != nil || !found {
		t.Fatalf("inspecting %sbase: found %v, %v", prefix, found, err)
	}
	ssh, found, err := c.InspectImage(ctx, prefix+"ssh")
	if err != nil || !found {
		t.Fatalf("inspecting %sssh: found %v, %v", prefix, found, err)
	}
	if got := ssh.Labels["dev.dmake.base"]; got != base.ID {
		t.Errorf("ssh is FROM %s, want the rebuilt base %s", got, base.ID)
	}
}

// TestCheckGoals runs "dmake --check" on a copy of legacy-images: the
// unchanged repository dry-runs without errors; with a misspelt command
// planted in 03_sshd.sh, --check fails naming the script and line, and a
// build stops before anything reaches the engine (--no-build writes no
// Dockerfile either).
func TestCheckGoals(t *testing.T) {
	bin := buildDmake(t)
	repo := copyLegacyImages(t)
	env := []string{"DOCKER_HOME="}
	stdout, stderr, status := runBinary(t, bin, env, "-C", repo, "--check", "ssh", "web")
	if status != 0 {
		t.Fatalf("--check of the unchanged repository: status %d\n%s\n%s", status, stdout, stderr)
	}
	for _, want := range []string{"image ssh", "openssh-server", "image web", "nginx"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("--check report lacks %q:\n%s", want, stdout)
		}
	}

	script := filepath.Join(repo, "script", "03_sshd.sh")
	src, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	// After the shebang and set -e of the script's head.
	at := 3
	lines = append(lines[:at], append([]string{"apt-gett install -y openssh-server"}, lines[at:]...)...)
	if err := os.WriteFile(script, []byte(strings.Join(lines, "\n")), 0o755); err != nil {
		t.Fatal(err)
	}
	stdout, _, status = runBinary(t, bin, env, "-C", repo, "--check", "ssh")
	if status != 1 {
		t.Errorf("--check with a planted bug: status %d, want 1\n%s", status, stdout)
	}
	if want := "script/03_sshd.sh:4:1"; !strings.Contains(stdout, want) {
		t.Errorf("--check report does not point at %s:\n%s", want, stdout)
	}
	_, stderr, status = runBinary(t, bin, env, "-C", repo, "--no-build", "ssh")
	if status == 0 {
		t.Errorf("a build with a broken script went on:\n%s", stderr)
	}
	if !strings.Contains(stderr, "nothing was sent to the engine") {
		t.Errorf("the build did not say it stopped before the engine:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(repo, ".dmake", "ssh", "Dockerfile")); err == nil {
		t.Errorf("--no-build wrote a Dockerfile although the check failed")
	}
}

// TestRepoLockWaits checks that two runs on one repository do not overlap:
// while another holder has the repository's lock, dmake waits and says who
// holds it, then goes on once it is released.
func TestRepoLockWaits(t *testing.T) {
	bin := buildDmake(t)
	repo := copyLegacyImages(t)
	lock, err := repolock.Acquire(context.Background(), repo, "the test's holder", nil)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-C", repo, "--no-build", "--no-check", "base")
	cmd.Env = append(os.Environ(), "DOCKER_HOME=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waiting := make(chan string, 1)
	var rest bytes.Buffer
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "waiting for the lock") {
				waiting <- sc.Text()
			}
			rest.WriteString(sc.Text() + "\n")
		}
		close(waiting)
	}()
	select {
	case line, ok := <-waiting:
		if !ok {
			t.Fatalf("dmake ended without waiting for the lock:\n%s", rest.String())
		}
		if !strings.Contains(line, "the test's holder") {
			t.Errorf("the waiting message does not name the holder: %s", line)
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("dmake neither waited for the lock nor ended")
	}
	if _, err := os.Stat(filepath.Join(repo, ".dmake", "base", "Dockerfile")); err == nil {
		t.Error("dmake wrote the Dockerfile while another run held the lock")
	}
	lock.Release()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("dmake after the lock was released: %v", err)
	}
	if _, err := os.Stat(filepath.Join(repo, ".dmake", "base", "Dockerfile")); err != nil {
		t.Errorf("no Dockerfile after the lock was released: %v", err)
	}
}

// Building with no engine fails with a message that says what to do, not
// a path of dmake's own source tree, and leaves nothing half done.
func TestNoEngineMessage(t *testing.T) {
	bin := buildDmake(t)
	repo := copyLegacyImages(t)
	sock := filepath.Join(t.TempDir(), "docker.sock")
	_, stderr, status := runBinary(t, bin, []string{"DOCKER_HOME=", "DOCKER_HOST=unix://" + sock}, "-C", repo, "--no-check", "base")
	if status == 0 {
		t.Fatalf("status 0 with no engine\n%s", stderr)
	}
	for _, want := range []string{"no Docker engine answers at unix://" + sock, "start the Docker daemon", "DOCKER_HOST"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, ".ci/") {
		t.Errorf("stderr points into dmake's source tree:\n%s", stderr)
	}
}

// TestStateDirIgnored: the .dmake directory a run creates in a git
// repository (its lock, --no-build's output) ignores itself, so git
// status does not show it.
func TestStateDirIgnored(t *testing.T) {
	bin := buildDmake(t)
	repo := copyLegacyImages(t)
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-qm", "legacy images")
	if _, stderr, status := runBinary(t, bin, []string{"DOCKER_HOME="}, "-C", repo, "--no-build", "--no-check", "base"); status != 0 {
		t.Fatalf("status %d\n%s", status, stderr)
	}
	if _, err := os.Stat(filepath.Join(repo, ".dmake", "base", "Dockerfile")); err != nil {
		t.Fatalf("--no-build wrote no .dmake/base/Dockerfile: %v", err)
	}
	if st := git("status", "--porcelain", "--untracked-files=all"); strings.Contains(st, ".dmake") {
		t.Errorf("git status shows dmake's state:\n%s", st)
	}
}
