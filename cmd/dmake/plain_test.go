package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A DOCKER_HOME set for the whole system (as the 2015 layout's setup writes
// it into /etc/environment) does not stop dmake being GNU make in a
// directory outside that repository: with no makefile there, make's
// built-in rules still make foo from foo.sh.
func TestPlainMakeOutsideDockerHome(t *testing.T) {
	bin := buildDmake(t)
	repo := copyLegacyImages(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "foo.sh"), []byte("echo hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "foo")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DOCKER_HOME="+repo)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("dmake foo outside DOCKER_HOME=%s: %v\n%s", repo, err, out)
	}
	if want := "cat foo.sh >foo \nchmod a+x foo\n"; string(out) != want {
		t.Errorf("output %q, want make's %q", out, want)
	}
	if fi, err := os.Stat(filepath.Join(dir, "foo")); err != nil || fi.Mode()&0o111 == 0 {
		t.Errorf("foo was not made executable: %v", err)
	}
}

// A link named make pointing at dmake is GNU make (people put dmake on
// PATH as make); only the link in a legacy repository's bin/ is the
// legacy bin/make utility.
func TestMakeLinkIsGNUMake(t *testing.T) {
	bin := buildDmake(t)
	linkDir := t.TempDir()
	link := filepath.Join(linkDir, "make")
	if err := os.Symlink(bin, link); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mk := "all: ; @echo all made\nother: ; @echo other made\n"
	if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte(mk), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "all made\n"},
		{[]string{"other"}, "other made\n"},
		{[]string{"-n"}, "echo all made\n"},
	} {
		cmd := exec.Command(link, tt.args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "DOCKER_HOME=")
		out, err := cmd.CombinedOutput()
		if err != nil || string(out) != tt.want {
			t.Errorf("make %s through a link: %v, output %q, want %q", strings.Join(tt.args, " "), err, out, tt.want)
		}
	}
	// The same link in a repository's bin/ is the legacy utility.
	repo := copyLegacyImages(t)
	repoLink := filepath.Join(repo, "bin", "make")
	os.Remove(repoLink)
	if err := os.Symlink(bin, repoLink); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(repoLink)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DOCKER_HOME=")
	out, err := cmd.CombinedOutput()
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 2 || !strings.Contains(string(out), "missing IMAGE") {
		t.Errorf("the repository's bin/make without arguments: %v\n%s", err, out)
	}
}

// Flags before --util are honoured by build and make (they run dmake's
// make) and refused, with a clear error, by every other utility: no flag
// is silently ignored.
func TestFlagsBeforeUtil(t *testing.T) {
	bin := buildDmake(t)
	repo := copyLegacyImages(t)
	env := []string{"DOCKER_HOME=" + repo}
	_, stderr, status := runBinary(t, bin, env, "--no-build", "--util", "build", "base", "IMAGE_PREFIX=h13anb/")
	if status != 0 {
		t.Fatalf("--no-build --util build base: status %d\n%s", status, stderr)
	}
	df, err := os.ReadFile(filepath.Join(repo, ".dmake", "base", "Dockerfile"))
	if err != nil || !strings.Contains(string(df), "FROM debian:bookworm") {
		t.Errorf("--no-build --util build base wrote no Dockerfile for base: %v\n%s", err, stderr)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--no-build", "--util", "ssh", "web", "true"}, "only the build and make utilities take dmake's flags"},
		{[]string{"--watch", "--util", "build", "base"}, "the modes --watch, --graph and --check apply to image goals"},
		{[]string{"base", "--util", "build", "ssh"}, `"base" before --util build`},
		{[]string{"--no-such", "--util", "build", "base"}, "unrecognized option '--no-such'"},
	} {
		_, stderr, status := runBinary(t, bin, env, tt.args...)
		if status != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("dmake %s: status %d, want 2 and %q:\n%s", strings.Join(tt.args, " "), status, tt.want, stderr)
		}
	}
}
