package legacyutil

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDefaultHasEveryUtility(t *testing.T) {
	want := []string{"build", "clean", "enter", "enter-bash", "install-links", "killall", "make", "purge", "run-bash", "ssh", "stopall"}
	if got := Default().Names(); !slices.Equal(got, want) {
		t.Errorf("Default().Names() = %v, want %v", got, want)
	}
	for name, u := range Default() {
		if u.Name != name || u.Summary == "" || u.Main == nil {
			t.Errorf("utility %q is incomplete: %+v", name, u)
		}
	}
}

func TestHelpAndUsageErrors(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock") // usage errors come first
	for _, name := range Default().Names() {
		t.Run(name, func(t *testing.T) {
			st, out, errs := utilRun(t, nil, name, "--help")
			if st != ExitOK || errs != "" {
				t.Errorf("--help: status %d, stderr %q", st, errs)
			}
			for _, want := range []string{"Usage: dmake --util " + name, "Example", "dmake --util " + name + " ", "Exit status:"} {
				if !strings.Contains(out, want) {
					t.Errorf("--help lacks %q:\n%s", want, out)
				}
			}
			st, _, errs = utilRun(t, nil, name, "--no-such-flag")
			if st != ExitUsage || !strings.Contains(errs, "unknown flag: --no-such-flag") || !strings.Contains(errs, "--help") {
				t.Errorf("unknown flag: status %d, stderr %q; want %d and a hint", st, errs, ExitUsage)
			}
		})
	}
	for _, tc := range []struct {
		name string
		args []string
		msg  string
	}{
		{"enter", nil, "missing CONTAINER"},
		{"enter", []string{"c"}, "missing CMD"},
		{"enter-bash", []string{"c", "ls"}, "unexpected argument \"ls\""},
		{"ssh", nil, "missing CONTAINER"},
		{"run-bash", nil, "missing IMAGE"},
		// As the legacy run-bash: docker run options after IMAGE, bash's after --.
		{"run-bash", []string{"img", "-c", "true"}, "unknown shorthand flag: 'c'"},
		{"run-bash", []string{"img", "-p", "80:80"}, "unknown shorthand flag: 'p'"},
		{"run-bash", []string{"img", "other"}, `"other" after IMAGE img: only docker run options follow IMAGE`},
		{"clean", []string{"x"}, "unexpected argument \"x\""},
		{"purge", []string{"x"}, "unexpected argument \"x\""},
		{"stopall", []string{"-t", "-1"}, "--time must be 0 or more"},
		{"build", nil, "missing IMAGE"},
		{"make", []string{"ssh"}, "missing TARGET"},
		{"install-links", nil, "want exactly one DIR"},
	} {
		st, _, errs := utilRun(t, nil, tc.name, tc.args...)
		if st != ExitUsage || !strings.Contains(errs, tc.msg) {
			t.Errorf("%s %q: status %d, stderr %q; want %d and %q", tc.name, tc.args, st, errs, ExitUsage, tc.msg)
		}
	}
}

func TestNoEngine(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	for _, args := range [][]string{
		{"clean"}, {"purge"}, {"stopall"}, {"killall"},
		{"enter", "c", "true"}, {"enter-bash", "c"}, {"run-bash", "img"}, {"ssh", "c"},
	} {
		st, out, errs := utilRun(t, nil, args[0], args[1:]...)
		if st != ExitEngine || out != "" || !strings.Contains(errs, "no Docker engine answers at unix:///nonexistent/docker.sock") {
			t.Errorf("%q without an engine: status %d, stdout %q, stderr %q; want %d and a clear message", args, st, out, errs, ExitEngine)
		}
	}
}

func TestBuildAndMakeCallTheHook(t *testing.T) {
	home := t.TempDir()
	for _, im := range []string{"base", "ssh"} {
		if err := os.MkdirAll(filepath.Join(home, "images", im), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("DOCKER_HOME", home)
	var got []MakeRequest
	status := 0
	set := New(Hooks{Make: func(_ context.Context, _ Stdio, r MakeRequest) int {
		got = append(got, r)
		return status
	}})
	run := func(name string, args ...string) (int, string) {
		var errb strings.Builder
		u, _ := set.Lookup(name)
		st := u.Main(context.Background(), Stdio{In: strings.NewReader(""), Out: &strings.Builder{}, Err: &errb}, args)
		return st, errb.String()
	}
	img := func(n string) string { return filepath.Join(home, "images", n) }

	tests := []struct {
		name   string
		args   []string
		fail   int // the hook's status
		status int
		want   []MakeRequest
		errHas string
	}{
		{"build", []string{"base", "ssh", "IMAGE_PREFIX=t1/"}, 0, 0, []MakeRequest{
			{home, img("base"), []string{"build", "IMAGE_PREFIX=t1/"}},
			{home, img("ssh"), []string{"build", "IMAGE_PREFIX=t1/"}},
		}, ""},
		{"build", []string{"base", "ssh"}, 2, 2, []MakeRequest{{home, img("base"), []string{"build"}}}, ""},
		{"make", []string{"ssh", "prepare", "clean", "V=1"}, 0, 0, []MakeRequest{{home, img("ssh"), []string{"prepare", "clean", "V=1"}}}, ""},
		{"build", []string{"nosuch"}, 0, ExitFailed, nil, "no image nosuch in " + home},
	}
	for _, tc := range tests {
		got, status = nil, tc.fail
		st, errs := run(tc.name, tc.args...)
		if st != tc.status || !slices.EqualFunc(got, tc.want, func(a, b MakeRequest) bool {
			return a.Home == b.Home && a.Dir == b.Dir && slices.Equal(a.Args, b.Args)
		}) || !strings.Contains(errs, tc.errHas) {
			t.Errorf("%s %q: status %d, requests %v, stderr %q; want %d, %v, %q", tc.name, tc.args, st, got, errs, tc.status, tc.want, tc.errHas)
		}
	}

	// Without a hook, no pretending.
	for _, args := range [][]string{{"build", "ssh"}, {"make", "ssh", "prepare"}} {
		st, _, errs := utilRun(t, nil, args[0], args[1:]...)
		if st != ExitFailed || !strings.Contains(errs, "this dmake cannot build: the utilities were made without a make hook") {
			t.Errorf("%q with no hook: status %d, stderr %q", args, st, errs)
		}
	}
}

func TestDockerHome(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "images", "ssh", "build"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_HOME", "")
	t.Chdir(filepath.Join(root, "images", "ssh", "build"))
	if got, err := dockerHome(); err != nil || got != root {
		t.Errorf("dockerHome() from images/ssh/build = %q, %v; want %q", got, err, root)
	}
	t.Setenv("DOCKER_HOME", "/elsewhere")
	if got, _ := dockerHome(); got != "/elsewhere" {
		t.Errorf("dockerHome() with DOCKER_HOME=/elsewhere = %q", got)
	}
}

func TestInstallLinks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bin")
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		t.Fatal(err)
	}
	st, out, errs := utilRun(t, nil, "install-links", dir)
	if st != 0 || errs != "" {
		t.Fatalf("install-links: status %d, stderr %q", st, errs)
	}
	var names []string
	for _, n := range Default().Names() {
		if n == "install-links" {
			continue
		}
		names = append(names, n)
		if target, err := os.Readlink(filepath.Join(dir, n)); err != nil || target != exe {
			t.Errorf("%s links to %q (%v), want %q", n, target, err, exe)
		}
		if !strings.Contains(out, filepath.Join(dir, n)+" -> "+exe) {
			t.Errorf("install-links does not report %s:\n%s", n, out)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(names) {
		t.Errorf("install-links wrote %d entries, want %d", len(entries), len(names))
	}

	// A legacy script is left alone unless --force; links are replaced.
	if err := os.Remove(filepath.Join(dir, "ssh")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ssh"), []byte("#!/bin/bash\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	st, _, errs = utilRun(t, nil, "install-links", dir)
	if st != ExitFailed || !strings.Contains(errs, "ssh exists and is not a link") {
		t.Errorf("install-links over a script: status %d, stderr %q", st, errs)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "ssh")); string(b) != "#!/bin/bash\n" {
		t.Errorf("install-links replaced the script without --force")
	}
	st, _, errs = utilRun(t, nil, "install-links", "--force", dir)
	if target, _ := os.Readlink(filepath.Join(dir, "ssh")); st != 0 || target != exe {
		t.Errorf("install-links --force: status %d, stderr %q, ssh -> %q", st, errs, target)
	}
}

// A utility invoked through a link named like a program finds the real
// program on PATH, not its own link (nor the repository's bin/ of links).
func TestLookPathNotSelf(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	links, bin, real := t.TempDir(), t.TempDir(), t.TempDir()
	if err := os.Symlink(self, filepath.Join(links, "ssh")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "ssh"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(real, "ssh")
	if err := os.WriteFile(want, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := strings.Join([]string{links, bin, real}, string(filepath.ListSeparator))
	if got, err := lookPathNotSelf("ssh", path, self, bin); err != nil || got != want {
		t.Errorf("lookPathNotSelf = %q, %v; want %s", got, err, want)
	}
	if _, err := lookPathNotSelf("ssh", links, self, ""); err == nil {
		t.Error("found dmake's own link")
	}
}

// run-bash IMAGE adds legacy-images' IMAGE_PREFIX (default legacy/) only in
// a repository of that layout; a repository built through its own
// bin/build tags its images by their own names, used as given.
func TestLegacyImageRef(t *testing.T) {
	ref := t.TempDir()
	for _, d := range []string{"images/ssh", "make", "script"} {
		if err := os.MkdirAll(filepath.Join(ref, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("IMAGE_PREFIX", "")
	os.Unsetenv("IMAGE_PREFIX")
	t.Setenv("DOCKER_HOME", ref)
	if got := legacyImageRef("ssh"); got != "legacy/ssh" {
		t.Errorf("in legacy-images' layout: %q, want legacy/ssh", got)
	}
	static, err := filepath.Abs(filepath.Join("..", "testdata", "legacy-static"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_HOME", static)
	if got := legacyImageRef("web"); got != "web" {
		t.Errorf("in the 2014 layout: %q, want web", got)
	}
}
