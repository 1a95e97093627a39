package legacyutil

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
)

// runLegacy runs the legacy script bin/name of legacy-images with args and
// stdin, as a user would, and returns its exit status and output.
func runLegacy(t *testing.T, home, name, stdin string, args ...string) (int, string, string) {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("..", "legacy-images", "bin", name))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(script, args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOME="+home)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	st := 0
	if ee, ok := err.(*exec.ExitError); ok {
		st = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("legacy %s: %v", name, err)
	}
	return st, out.String(), errb.String()
}

// Each legacy bin/ script and its dmake counterpart, given the same
// arguments and input on a scratch engine, end with the same exit status
// and standard output: the legacy argument order (run-bash IMAGE [docker
// run options]) and environment handling (enter's container environment)
// hold.
func TestLegacyCounterparts(t *testing.T) {
	needDockerCLI(t)
	s := newScratch(t)
	s.importBusybox("t/init:1", map[string]string{
		"/sbin/my_init":                    "#!/bin/sh\n[ \"$1\" = -- ] && shift\nexec \"$@\"\n",
		"/etc/container_environment.sh":    "export FROM_ENV=loaded\n",
		"/etc/container_environment/dummy": "",
	}, `CMD ["/sbin/my_init"]`)
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "images", "init"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_HOME", home)
	s.start("legacy-c", "t/init:1", nil, "sleep", "600")
	for _, tc := range []struct {
		name   string
		args   []string
		stdin  string
		status int
		out    string
	}{
		{"run-bash", []string{"t/init:1", "-e", "X=7", "-w", "/tmp"}, "echo $X $PWD; exit 3\n", 3, "7 /tmp\n"},
		{"run-bash", []string{"t/init:1", "--env=X=8"}, "echo $X\n", 0, "8\n"},
		{"enter", []string{"legacy-c", "sh", "-c", "echo $FROM_ENV; exit 4"}, "", 4, "loaded\n"},
		{"enter-bash", []string{"legacy-c"}, "echo in $FROM_ENV bash; exit 5\n", 5, "in loaded bash\n"},
	} {
		t.Run(tc.name+" "+strings.Join(tc.args, " "), func(t *testing.T) {
			lst, lout, lerr := runLegacy(t, home, tc.name, tc.stdin, tc.args...)
			dst, dout, derr := utilRun(t, strings.NewReader(tc.stdin), tc.name, tc.args...)
			if lst != tc.status || lout != tc.out {
				t.Errorf("legacy %s: status %d stdout %q (stderr %q), want %d %q", tc.name, lst, lout, lerr, tc.status, tc.out)
			}
			if lst != dst || lout != dout {
				t.Errorf("legacy: status %d stdout %q (stderr %q)\n dmake: status %d stdout %q (stderr %q)", lst, lout, lerr, dst, dout, derr)
			}
		})
	}
}

// needDockerCLI skips without the docker CLI the legacy scripts run (or
// fails, where engine tests are mandatory: .ci/engine.sh installs it).
func needDockerCLI(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("docker"); err != nil {
		if enginetest.Required() {
			t.Fatalf("the legacy scripts need the docker CLI: %v", err)
		}
		t.Skip("SKIPPED: the legacy scripts need the docker CLI")
	}
}

// The legacy stopall, killall and clean and their dmake counterparts, from
// the same engine state, end with the same exit status and leave the same
// state (their listings differ: dmake names each container).
func TestLegacyCounterpartsEffects(t *testing.T) {
	needDockerCLI(t)
	s := newScratch(t)
	home := t.TempDir()
	type effect struct {
		status int
		state  []string
	}
	snapshot := func(st int) effect {
		e := effect{status: st}
		for _, name := range s.containers() {
			state, _ := s.state(name)
			e.state = append(e.state, name+"="+state)
		}
		return e
	}
	reset := func() {
		for _, name := range s.containers() {
			if _, err := s.c.RemoveContainer(context.Background(), name, engine.RemoveContainerOptions{Force: true}); err != nil {
				t.Fatal(err)
			}
		}
		// A main process that ends on SIGTERM: stopall need not wait.
		for _, n := range []string{"run1", "run2"} {
			s.start(n, "busybox:latest", nil, "sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait")
		}
		s.exited("done1", "busybox:latest", nil, "true")
		s.create("new1", "busybox:latest", nil, "true")
	}
	for _, name := range []string{"stopall", "killall", "clean"} {
		t.Run(name, func(t *testing.T) {
			reset()
			lst, lout, lerr := runLegacy(t, home, name, "")
			legacy := snapshot(lst)
			reset()
			dst, dout, derr := utilRun(t, nil, name)
			dmake := snapshot(dst)
			if !reflect.DeepEqual(legacy, dmake) {
				t.Errorf("legacy: %+v (stdout %q stderr %q)\n dmake: %+v (stdout %q stderr %q)", legacy, lout, lerr, dmake, dout, derr)
			}
		})
	}
}
