package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/internal/ctrlc"
	"github.com/dmake-dev/dmake/internal/maketest"
)

// stopLimit is how long a program may take to end once signalled: a
// timeout on failure (the program is then killed and the test fails), not
// a measure. It stays below the recipes' sleep 30, so a program that
// waits for its recipe instead of stopping it fails, and leaves a loaded
// machine's stalls (seconds on 2 busy cores) far inside it.
const stopLimit = 20 * time.Second

// signalled is how a program ended after a signal.
type signalled struct {
	stdout, stderr string
	end            string // "signal: terminated", "exit status 2"
	files          string
}

func (s signalled) String() string {
	return fmt.Sprintf("ended: %s\nfiles: %s\nstdout:\n%sstderr:\n%s", s.end, s.files, s.stdout, s.stderr)
}

// how says where a signal goes: to the program alone (kill PID, alarm()),
// or to its whole process group as a terminal sends it (Ctrl-C, hangup),
// through ctrlc.GroupSignal.
type how int

const (
	toProcess how = iota
	toGroup
)

// runSignalled runs prog with args in dir (its own process group, its
// output in files), calls ready until it reports that the program is where
// the signal must find it (it gets what the program printed on standard
// error so far), sends sig as h says, and returns how the
// program ended. The program must end within stopLimit of the signal.
func runSignalled(t *testing.T, prog, dir string, env, args []string, stdin *os.File, ready func(stderr string) bool, sig syscall.Signal, h how) signalled {
	t.Helper()
	outDir := t.TempDir()
	stdout, _ := os.Create(filepath.Join(outDir, "stdout"))
	stderr, _ := os.Create(filepath.Join(outDir, "stderr"))
	defer stdout.Close()
	defer stderr.Close()
	cmd := exec.Command(prog, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if stdin != nil {
		cmd.Stdin = stdin
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	readErr := func() string {
		b, _ := os.ReadFile(stderr.Name())
		return string(b)
	}
	deadline := time.Now().Add(time.Minute)
	for !ready(readErr()) {
		select {
		case err := <-exited:
			t.Fatalf("%s ended (%v) before it could be signalled:\n%s", prog, err, readErr())
		default:
		}
		if time.Now().After(deadline) {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			t.Fatalf("%s never got ready to be signalled:\n%s", prog, readErr())
		}
		time.Sleep(5 * time.Millisecond)
	}
	signalledAt := make(chan struct{})
	go func() {
		defer close(signalledAt)
		if h == toGroup {
			if err := ctrlc.GroupSignal(cmd.Process.Pid, sig, readErr, 10*stopLimit); err != nil {
				t.Error(err)
			}
			return
		}
		syscall.Kill(cmd.Process.Pid, sig)
	}()
	// The limit runs from the last signal: toGroup waits for the
	// program's handler before it signals the rest of the group.
	var err error
	select {
	case err = <-exited:
	case <-signalledAt:
		select {
		case err = <-exited:
		case <-time.After(stopLimit):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
			t.Fatalf("%s outlived %v by more than %v:\n%s", prog, sig, stopLimit, readErr())
		}
	}
	<-signalledAt
	end := "exit status 0"
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		end = ee.Error()
	}
	out, _ := os.ReadFile(stdout.Name())
	return signalled{stdout: string(out), stderr: maketest.Normalize(readErr(), "dmake"), end: end, files: dirNames(t, dir)}
}

// dirNames lists the names in dir, sorted, space separated.
func dirNames(t *testing.T, dir string) string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}

// exists returns a ready func true once dir/name exists.
func exists(dir, name string) func(string) bool {
	return func(string) bool {
		_, err := os.Stat(filepath.Join(dir, name))
		return err == nil
	}
}

// TestSignalsMidBuild signals GNU make and dmake while a recipe runs, as
// each signal comes in practice: Ctrl-C and a hangup to the terminal's
// whole group, SIGTERM (kill) and SIGALRM to the program alone. Both must
// end alike: dead of the signal (what a shell sees as 128+N), the
// interrupted recipe's target deleted and reported with the signal's
// name. Make does not catch SIGALRM: it dies at once and leaves the
// recipe running and its half-made target behind; dmake dies of it too,
// but stops the recipe and deletes the target first.
func TestSignalsMidBuild(t *testing.T) {
	if _, err := os.Stat("/usr/bin/make"); err != nil {
		t.Fatal("GNU make (/usr/bin/make) is needed: it is the oracle")
	}
	defer ctrlc.Catch()() // make must not inherit an ignored SIGINT
	const makefile = "all: t1\n\t@echo all\nt1:\n\techo partial > $@; touch started; sleep 30; echo never > $@\n"
	for _, tc := range []struct {
		sig syscall.Signal
		how how
	}{
		{syscall.SIGINT, toGroup},
		{syscall.SIGHUP, toGroup},
		{syscall.SIGQUIT, toGroup},
		{syscall.SIGTERM, toProcess},
		{syscall.SIGALRM, toProcess},
	} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			run := func(prog string) signalled {
				dir := t.TempDir()
				os.WriteFile(filepath.Join(dir, "Makefile"), []byte(makefile), 0o644)
				return runSignalled(t, prog, dir, maketest.Env(dir), nil, nil, exists(dir, "started"), tc.sig, tc.how)
			}
			want, got := run("/usr/bin/make"), run(dmakeBin)
			if tc.sig == syscall.SIGQUIT {
				// make's handler deletes t1, reaps the recipe
				// (reporting it), and exits with status 1 rather
				// than dump core. Its main loop may be waiting for
				// that recipe too, and then fails its wait ("wait:
				// No child processes", status 2) first: a race of
				// make's own, so only a run that ended as the
				// handler ends is compared whole.
				const deleting = "*** Deleting file 't1'\n"
				if want.end != "exit status 1" && want.end != "exit status 2" || !strings.Contains(want.stderr, deleting) {
					t.Fatalf("GNU make: %s, want exit status 1 and t1 deleted: the oracle was not signalled as meant\n%s", want.end, want)
				}
				if want.end == "exit status 1" && got != want ||
					got.end != "exit status 1" || got.files != want.files || got.stdout != want.stdout || !strings.Contains(got.stderr, deleting) {
					t.Errorf("GNU make:\n%s\ndmake:\n%s", want, got)
				}
				return
			}
			if wantEnd := "signal: " + tc.sig.String(); want.end != wantEnd {
				t.Fatalf("GNU make: %s, want %s: the oracle was not signalled as meant\n%s", want.end, wantEnd, want)
			}
			if tc.sig == syscall.SIGALRM {
				if got.end != want.end || strings.Contains(got.files, "t1") || !strings.Contains(got.stderr, "*** Deleting file 't1'") {
					t.Errorf("dmake:\n%s\nwant: %s, t1 deleted", got, want.end)
				}
				return
			}
			if got != want {
				t.Errorf("GNU make:\n%s\ndmake:\n%s", want, got)
			}
		})
	}
}

// writerOpens returns a ready func true once a reader has the FIFO at
// path open, or is blocked opening it: a writer's non-blocking open then
// succeeds. The writer stays open (closed at the test's end) and writes
// nothing, so the reader is left blocked in its read.
func writerOpens(t *testing.T, path string) func(string) bool {
	return func(string) bool {
		fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		if err != nil {
			return false
		}
		t.Cleanup(func() { syscall.Close(fd) })
		return true
	}
}

// TestSignalWhileReadingFIFO: a makefile included from a FIFO nobody
// writes blocks make and dmake alike (make reads what a FIFO gives), but
// SIGTERM ends both there, at once and silently, dead of the signal.
func TestSignalWhileReadingFIFO(t *testing.T) {
	if _, err := os.Stat("/usr/bin/make"); err != nil {
		t.Fatal("GNU make (/usr/bin/make) is needed: it is the oracle")
	}
	run := func(prog string) signalled {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "Makefile"), []byte("include fifo\nall: ; @echo done\n"), 0o644)
		if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
			t.Fatal(err)
		}
		return runSignalled(t, prog, dir, maketest.Env(dir), nil, nil, writerOpens(t, filepath.Join(dir, "fifo")), syscall.SIGTERM, toProcess)
	}
	want, got := run("/usr/bin/make"), run(dmakeBin)
	if want.end != "signal: terminated" {
		t.Fatalf("GNU make: %s\n%s", want.end, want)
	}
	if got != want {
		t.Errorf("GNU make:\n%s\ndmake:\n%s", want, got)
	}
}

// TestFIFOCacheEntrySignal: a FIFO planted at the path of the load
// cache's entry for a run does not stop the run (the entry is a miss),
// which goes on to its recipe; SIGTERM there ends dmake at once, dead of
// the signal, the recipe's target deleted.
func TestFIFOCacheEntrySignal(t *testing.T) {
	dir := t.TempDir()
	cache := t.TempDir()
	env := append(maketest.Env(dir), "DMAKE_CACHE_DIR="+cache)
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte("t1:\n\techo partial > $@; touch started; sleep 30\n"), 0o644)
	// A first run, answered at once (-q), writes the entry.
	cmd := exec.Command(dmakeBin, "-q")
	cmd.Dir, cmd.Env = dir, env
	cmd.Run()
	entries, _ := filepath.Glob(filepath.Join(cache, "dmake-load-cache", strings.Repeat("[0-9a-f]", 32)))
	if len(entries) != 1 {
		t.Fatalf("the first run left entries %q, want one", entries)
	}
	os.Remove(entries[0])
	if err := syscall.Mkfifo(entries[0], 0o600); err != nil {
		t.Fatal(err)
	}
	got := runSignalled(t, dmakeBin, dir, env, nil, nil, exists(dir, "started"), syscall.SIGTERM, toProcess)
	want := "echo partial > t1; touch started; sleep 30\nmake: *** Deleting file 't1'\nmake: *** [Makefile:2: t1] Terminated\n"
	if got.end != "signal: terminated" || got.stdout+got.stderr != want || strings.Contains(got.files, "t1") {
		t.Errorf("dmake:\n%s\nwant: dead of SIGTERM, t1 deleted, output\n%s", got, want)
	}
	if fi, err := os.Lstat(entries[0]); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO at the entry's path was replaced or removed: %v", err)
	}
}

// TestFIFOFunctionsSh: --check-scripts beside a FIFO functions.sh ends by
// itself with an error naming the file, without waiting for a writer;
// should it block, SIGTERM must end it within stopLimit.
func TestFIFOFunctionsSh(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "03_app.sh"), []byte("#!/bin/bash\necho hi\n"), 0o755)
	if err := syscall.Mkfifo(filepath.Join(dir, "functions.sh"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(dmakeBin, "--check-scripts", "03_app.sh")
	cmd.Dir, cmd.Env = dir, maketest.Env(dir)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-time.After(time.Minute):
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
			t.Fatalf("--check-scripts blocked on a FIFO functions.sh (SIGTERM ended it):\n%s", out.String())
		case <-time.After(stopLimit):
			cmd.Process.Kill()
			<-exited
			t.Fatalf("--check-scripts blocked on a FIFO functions.sh and outlived SIGTERM:\n%s", out.String())
		}
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(out.String(), "functions.sh: not a regular file") {
		t.Errorf("--check-scripts beside a FIFO functions.sh: %v\n%s", err, out.String())
	}
}

// TestSignalWhileWatching: --watch (here at a copy of legacy-images, with
// --no-build: no engine needed) waiting for changes ends at once on
// SIGTERM and SIGHUP, dead of the signal.
func TestSignalWhileWatching(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			repo := filepath.Join(t.TempDir(), "repo")
			if out, err := exec.Command("cp", "-a", "../../legacy-images", repo).CombinedOutput(); err != nil {
				t.Fatalf("cp: %v\n%s", err, out)
			}
			watching := func(stderr string) bool { return strings.Contains(stderr, "dmake --watch: watching") }
			got := runSignalled(t, dmakeBin, repo, append(maketest.Env(repo), "DOCKER_HOME="), []string{"--watch", "--no-build", "--no-check", "base"}, nil, watching, sig, toProcess)
			if got.end != "signal: "+sig.String() {
				t.Errorf("dmake --watch after %v:\n%s", sig, got)
			}
		})
	}
}

// TestSignalWhileReadingStdin: make -f - waiting for a makefile on a pipe
// nobody writes ends on SIGTERM, silently and dead of the signal, in
// dmake as in GNU make. Both store standard input in a temporary file
// (GmXXXXXX) before they read: its appearing is the sync point.
func TestSignalWhileReadingStdin(t *testing.T) {
	if _, err := os.Stat("/usr/bin/make"); err != nil {
		t.Fatal("GNU make (/usr/bin/make) is needed: it is the oracle")
	}
	run := func(prog string) signalled {
		dir, tmp := t.TempDir(), t.TempDir()
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		defer w.Close() // open, and silent, until the program has ended
		tmpFile := func(string) bool {
			m, _ := filepath.Glob(filepath.Join(tmp, "Gm*"))
			return len(m) > 0
		}
		return runSignalled(t, prog, dir, append(maketest.Env(dir), "TMPDIR="+tmp), []string{"-f", "-"}, r, tmpFile, syscall.SIGTERM, toProcess)
	}
	want, got := run("/usr/bin/make"), run(dmakeBin)
	if want.end != "signal: terminated" {
		t.Fatalf("GNU make: %s", want)
	}
	if got != want {
		t.Errorf("GNU make:\n%s\ndmake:\n%s", want, got)
	}
}
