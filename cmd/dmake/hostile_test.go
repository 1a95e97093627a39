package main

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
)

// hostileRepos holds the hostile corpus's cases that are repositories
// rather than scripts (issue 18's findings 6 and 13).
const hostileRepos = "../../testdata/shellrun/hostile/repos"

// hostileRun is the container's command: it copies the repositories to
// /work (a FIFO cannot be committed: the fifo case is zero_functions with
// its functions.sh made a FIFO here) and runs dmake --check at each,
// under timeout(1) so that a hang ends as a failure, framing each run's
// output with "== CASE" and "== CASE exit STATUS".
const hostileRun = `set -eu
mkdir /work
cp -a /repos/zero_functions /work/zero
cp -a /repos/zero_functions /work/fifo
rm /work/fifo/script/functions.sh
mkfifo /work/fifo/script/functions.sh
cp -a /repos/planted_mk /work/planted
set +e
run() {
	name=$1; shift
	echo "== $name"
	timeout 120 /dmake "$@" 2>&1
	echo "== $name exit $?"
}
run zero -C /work/zero --check app
run zero-allowed -C /work/zero --allow-outside-links --check app
run fifo -C /work/fifo --check app
run planted -C /work/planted --check app
`

// TestHostileReposInContainer runs dmake --check at the hostile
// repositories inside a throwaway debian:bookworm container (network
// none, a memory limit; the dmake binary and the repositories mounted
// read-only) and checks its output and docker diff:
//
//   - finding 6: a committed functions.sh -> /dev/zero, and a FIFO
//     functions.sh, end in an error naming the file (status 2), neither
//     exhausting memory nor blocking;
//   - finding 13: --check runs the planted makefile code (parse-time
//     $(shell) and a prepare recipe) as the README's security section says,
//     and none of the install script's effects: docker diff shows exactly
//     the makefile's two files besides the copies under /work.
func TestHostileReposInContainer(t *testing.T) {
	c := enginetest.Require(t)
	repos, err := filepath.Abs(hostileRepos)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	run := enginetest.RunThrowaway(ctx, t, c, "dmake-hostile-repos", engine.CreateContainerOptions{
		Image:       "debian:bookworm",
		Cmd:         []string{"/bin/bash", "-c", hostileRun},
		Env:         []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "DOCKER_HOME=", "DMAKE_CACHE_DIR=/work/cache"},
		NetworkMode: "none",
		Binds:       []string{dmakeBin + ":/dmake:ro", repos + ":/repos:ro"},
		Memory:      1 << 30,
		PidsLimit:   512,
	})
	if testing.Verbose() {
		t.Log(run.Logs)
	}
	if run.ExitCode != 0 {
		t.Fatalf("the container's command failed (exit %d):\n%s", run.ExitCode, run.Logs)
	}
	cases := map[string]struct {
		status int
		out    string
	}{}
	frame := regexp.MustCompile(`(?ms)^== (\S+)\n(.*?)^== (\S+) exit (\d+)\n`)
	for _, m := range frame.FindAllStringSubmatch(run.Logs, -1) {
		if m[1] != m[3] {
			t.Fatalf("garbled output:\n%s", run.Logs)
		}
		var st int
		for _, d := range m[4] {
			st = st*10 + int(d-'0')
		}
		cases[m[1]] = struct {
			status int
			out    string
		}{st, m[2]}
	}
	for _, tc := range []struct {
		name   string
		status int
		want   []string // in the output
	}{
		// dmake's ln refuses to pull /dev/zero into a build directory.
		{"zero", 2, []string{"/work/zero/script/functions.sh", "/dev/zero", "outside the repository root"}},
		// Allowed, the link is made; the reader refuses the device.
		{"zero-allowed", 2, []string{"/work/zero/images/app/build/script/functions.sh: not a regular file", "scripts are read only from regular files"}},
		{"fifo", 2, []string{"/work/fifo/images/app/build/script/functions.sh: not a regular file (p", "scripts are read only from regular files"}},
		// The script's three effects are modelled, in the virtual
		// filesystem only.
		{"planted", 0, []string{"image app:", "install bash ok", "files: 2 created, 0 changed, 1 removed"}},
	} {
		got, ok := cases[tc.name]
		switch {
		case !ok:
			t.Errorf("%s: no output framed (a hang or a crash?):\n%s", tc.name, run.Logs)
			continue
		case got.status == 124:
			t.Errorf("%s: still running after timeout(1)'s 120 s:\n%s", tc.name, got.out)
		case got.status == 137:
			t.Errorf("%s: killed (out of memory?):\n%s", tc.name, got.out)
		case got.status != tc.status:
			t.Errorf("%s: status %d, want %d:\n%s", tc.name, got.status, tc.status, got.out)
		}
		for _, w := range tc.want {
			if !strings.Contains(got.out, w) {
				t.Errorf("%s: output lacks %q:\n%s", tc.name, w, got.out)
			}
		}
		if strings.Contains(got.out, "fatal error") || strings.Contains(got.out, "goroutine ") {
			t.Errorf("%s: dmake crashed:\n%s", tc.name, got.out)
		}
	}

	// The makefile code's effects, and nothing else outside /work.
	want := []string{"A /tmp/hostile-parse-time", "A /tmp/hostile-prepare"}
	var got []string
	for _, ch := range run.Changes {
		switch {
		case ch.Path == "/work" || strings.HasPrefix(ch.Path, "/work/"),
			(ch.Path == "/dmake" || ch.Path == "/repos") && ch.Kind == 'A',
			// The sandbox child's empty chroot jail is made and removed
			// in /tmp, where the makefile code writes too.
			ch.Path == "/tmp" && ch.Kind == 'C':
			continue
		}
		got = append(got, string(ch.Kind)+" "+ch.Path)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("docker diff outside /work:\n%s\nwant exactly (the planted makefile code's files):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
