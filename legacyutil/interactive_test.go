package legacyutil

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
)

func TestEnter(t *testing.T) {
	s := newScratch(t)
	s.importBusybox("t/env:1", map[string]string{"/etc/container_environment.sh": "export FOO='from init'\n"})
	first := s.start("first", "busybox:latest", nil, "sleep", "600")
	time.Sleep(10 * time.Millisecond) // distinct start times
	second := s.start("second", "busybox:latest", nil, "sleep", "600")
	envc := s.start("withenv", "t/env:1", nil, "sleep", "600")
	stopped := s.exited("stopped", "busybox:latest", nil, "true")

	tests := []struct {
		name   string
		in     string
		args   []string
		status int
		out    string // exact standard output
		errHas string // substring of standard error
	}{
		{"status and streams", "", []string{"first", "sh", "-c", "echo out; echo err >&2; exit 3"}, 3, "out\n", "err\n"},
		{"stdin passed on", "hello\n", []string{"first", "sh", "-c", "read x; echo got $x"}, 0, "got hello\n", ""},
		{"by full id", "", []string{first, "hostname"}, 0, first[:12] + "\n", ""},
		{"by id prefix", "", []string{second[:10], "hostname"}, 0, second[:12] + "\n", ""},
		{"by image: newest running", "", []string{"busybox", "hostname"}, 0, second[:12] + "\n", ""},
		{"by image id", "", []string{s.imageID("t/env:1"), "hostname"}, 0, envc[:12] + "\n", ""},
		{"container environment", "", []string{"withenv", "sh", "-c", `echo "$FOO"`}, 0, "from init\n", ""},
		{"flags after the container belong to the command", "", []string{"first", "echo", "-n", "x"}, 0, "x", ""},
		{"user and workdir", "", []string{"-u", "1:2", "-w", "/tmp", "first", "sh", "-c", "echo $(id -u):$(id -g) $PWD"}, 0, "1:2 /tmp\n", ""},
		{"env", "", []string{"-e", "A=b c", "first", "sh", "-c", "echo $A"}, 0, "b c\n", ""},
		// The engine's exec reports a command it cannot start as 126, on
		// the output stream.
		{"command not found", "", []string{"first", "no-such-command"}, 126, "OCI runtime exec failed: exec failed: unable to start container process: exec: \"no-such-command\": executable file not found in $PATH: unknown\r\n", ""},
		{"stopped container", "", []string{"stopped", "true"}, ExitFailed, "", "is not running (exited)"},
		{"unknown container", "", []string{"nosuch", "true"}, ExitFailed, "", "no such container: nosuch"},
		{"missing command", "", []string{"first"}, ExitUsage, "", "missing CMD"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, out, errs := utilRun(t, strings.NewReader(tc.in), "enter", tc.args...)
			if st != tc.status || out != tc.out || !strings.Contains(errs, tc.errHas) {
				t.Errorf("enter %q: status %d, stdout %q, stderr %q; want %d, %q, stderr with %q",
					tc.args, st, out, errs, tc.status, tc.out, tc.errHas)
			}
		})
	}

	t.Run("enter-bash", func(t *testing.T) {
		st, out, errs := utilRun(t, strings.NewReader("echo in bash; exit 6\n"), "enter-bash", "first")
		if st != 6 || out != "in bash\n" {
			t.Errorf("enter-bash: status %d, stdout %q, stderr %q; want 6, %q", st, out, errs, "in bash\n")
		}
	})

	t.Run("ambiguous id prefix", func(t *testing.T) {
		// Create containers until two ids share their first digit (at most
		// 17 by the pigeonhole principle).
		byFirst := map[byte][]string{}
		for _, id := range []string{first, second, envc, stopped} {
			byFirst[id[0]] = append(byFirst[id[0]], id)
		}
		var prefix byte
		for i := 0; prefix == 0; i++ {
			for c, ids := range byFirst {
				if len(ids) > 1 {
					prefix = c
				}
			}
			if prefix == 0 {
				id := s.create("", "busybox:latest", nil, "true")
				byFirst[id[0]] = append(byFirst[id[0]], id)
			}
		}
		st, out, errs := utilRun(t, nil, "enter", string(prefix), "true")
		if st != ExitFailed || out != "" || !strings.Contains(errs, "is ambiguous") {
			t.Fatalf("enter %c: status %d, stdout %q, stderr %q; want 1 and an ambiguity error", prefix, st, out, errs)
		}
		for _, id := range byFirst[prefix] {
			if !strings.Contains(errs, engine.ShortID(id)) {
				t.Errorf("the ambiguity error does not list candidate %s:\n%s", engine.ShortID(id), errs)
			}
		}
	})

	t.Run("interrupt", func(t *testing.T) {
		// Interrupted once its command runs: earlier, the interrupt
		// would end the lookup of the container instead.
		st, errs := interrupted(t, func() { s.waitFile(first, "/tmp/entered") },
			"enter", "first", "sh", "-c", "touch /tmp/entered; exec sleep 600")
		if st != ExitInterrupted || !strings.Contains(errs, "interrupted") {
			t.Errorf("enter interrupted: status %d, stderr %q; want %d", st, errs, ExitInterrupted)
		}
	})

	t.Run("pty", func(t *testing.T) {
		st, out := withPTY(t, "", "enter", "first", "sh", "-c", "tty; exit 4")
		if st != 4 || !strings.Contains(out, "/dev/pts/") {
			t.Errorf("enter on a terminal: status %d, output %q; want 4 and a /dev/pts tty", st, out)
		}
	})
}

// interrupted runs a utility whose context is cancelled once running
// returns (its command runs), as dmake's is on SIGINT, and returns its
// status and standard error.
func interrupted(t *testing.T, running func(), name string, args ...string) (int, string) {
	t.Helper()
	u, _ := Default().Lookup(name)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var errb bytes.Buffer // read once Main has returned
	res := make(chan int, 1)
	go func() { res <- u.Main(ctx, Stdio{In: strings.NewReader(""), Out: io.Discard, Err: &errb}, args) }()
	running()
	cancel()
	select {
	case st := <-res:
		return st, errb.String()
	case <-time.After(time.Minute):
		t.Fatalf("%s %q did not end within a minute of its interrupt", name, args)
	}
	return 0, ""
}

// withPTY runs a utility with a pseudo-terminal as its standard streams,
// typing input into it, and returns its status and what the terminal showed.
func withPTY(t *testing.T, input, name string, args ...string) (int, string) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 30, Cols: 100}); err != nil {
		t.Fatal(err)
	}
	var (
		mu  sync.Mutex
		buf bytes.Buffer
	)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		b := make([]byte, 4096)
		for {
			n, err := ptmx.Read(b)
			mu.Lock()
			buf.Write(b[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	if input != "" {
		if _, err := io.WriteString(ptmx, input); err != nil {
			t.Fatal(err)
		}
	}
	u, _ := Default().Lookup(name)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res := make(chan int, 1)
	go func() { res <- u.Main(ctx, Stdio{In: tty, Out: tty, Err: tty}, args) }()
	var st int
	select {
	case st = <-res:
	case <-time.After(90 * time.Second):
		t.Fatalf("%s on a terminal did not finish", name)
	}
	// The utility's stdin copier may still wait in a read of the tty (a
	// real dmake exits instead): one more line releases it.
	_, _ = io.WriteString(ptmx, "\n")
	time.Sleep(100 * time.Millisecond) // let the reader drain
	tty.Close()
	select {
	case <-readDone:
	case <-time.After(5 * time.Second):
	}
	mu.Lock()
	defer mu.Unlock()
	return st, buf.String()
}

func TestRunBash(t *testing.T) {
	s := newScratch(t)
	s.importBusybox("t/init:1", map[string]string{
		"/sbin/my_init": "#!/bin/sh\n[ \"$1\" = -- ] && shift\necho booted\nexec \"$@\"\n",
	}, `CMD ["/sbin/my_init"]`)
	lbl := "--label=" + enginetest.Label + "=util"

	t.Run("pty", func(t *testing.T) {
		st, out := withPTY(t, "echo $((6*7))\nexit 7\n", "run-bash", lbl, "busybox:latest")
		if st != 7 || !strings.Contains(out, "42") {
			t.Errorf("run-bash on a terminal: status %d, output %q; want 7 and 42", st, out)
		}
		if got := s.containers(); len(got) != 0 {
			t.Errorf("run-bash left containers: %v", got)
		}
	})
	t.Run("no terminal", func(t *testing.T) {
		st, out, errs := utilRun(t, strings.NewReader("echo hi; exit 5\n"), "run-bash", lbl, "busybox:latest")
		if st != 5 || out != "hi\n" {
			t.Errorf("run-bash: status %d, stdout %q, stderr %q; want 5, %q", st, out, errs, "hi\n")
		}
		if got := s.containers(); len(got) != 0 {
			t.Errorf("run-bash left containers: %v", got)
		}
	})
	t.Run("interrupt", func(t *testing.T) {
		// Interrupted once its container runs the command: earlier,
		// the interrupt would end the image's lookup or the probe.
		st, errs := interrupted(t, func() { s.waitFile(s.runningWith(enginetest.Label+"=util"), "/tmp/ran") },
			"run-bash", lbl, "busybox:latest", "--", "-c", "touch /tmp/ran; exec sleep 600")
		if st != ExitInterrupted || !strings.Contains(errs, "interrupted; container") {
			t.Errorf("run-bash interrupted: status %d, stderr %q; want %d", st, errs, ExitInterrupted)
		}
		if got := s.containers(); len(got) != 0 {
			t.Errorf("run-bash left containers after an interrupt: %v", got)
		}
	})
	t.Run("under my_init, legacy name", func(t *testing.T) {
		// A repository of legacy-images' layout (images/, make/,
		// script/), where run-bash adds IMAGE_PREFIX.
		home := t.TempDir()
		for _, d := range []string{"images/init", "make", "script"} {
			if err := os.MkdirAll(filepath.Join(home, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		t.Setenv("DOCKER_HOME", home)
		t.Setenv("IMAGE_PREFIX", "t/")
		st, _, errs := utilRun(t, nil, "run-bash", lbl, "init:1", "--", "-c", "echo in bash; exit 9")
		if st != ExitEngine || !strings.Contains(errs, "no such image: init:1") {
			t.Errorf("run-bash init:1 (not an images/ name): status %d, stderr %q", st, errs)
		}
		// "init" names images/init, so it is t/init (:latest, absent) …
		st, _, errs = utilRun(t, nil, "run-bash", lbl, "init", "--", "-c", "true")
		if st != ExitEngine || !strings.Contains(errs, "no such image: t/init") {
			t.Errorf("run-bash init: status %d, stderr %q; want t/init looked up", st, errs)
		}
		// … and with a tag given explicitly, it runs under my_init.
		st, out, errs := utilRun(t, nil, "run-bash", lbl, "t/init:1", "--", "-c", "echo in bash; exit 9")
		if st != 9 || out != "booted\nin bash\n" {
			t.Errorf("run-bash t/init:1: status %d, stdout %q, stderr %q; want 9 and my_init's then bash's output", st, out, errs)
		}
		// The legacy order: IMAGE, then docker run options (seen by the
		// boot scripts under my_init too), with the options before IMAGE
		// as well.
		st, out, errs = utilRun(t, nil, "run-bash", "t/init:1", "-e", "SSH_PORT=2222", lbl, "-w", "/tmp", "--", "-c", "echo $SSH_PORT $PWD")
		if st != 0 || out != "booted\n2222 /tmp\n" {
			t.Errorf("run-bash t/init:1 -e SSH_PORT=2222 -w /tmp: status %d, stdout %q, stderr %q", st, out, errs)
		}
	})
}
