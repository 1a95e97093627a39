package util

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("SKIPPED: the legacy scripts need the docker CLI")
	}
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
