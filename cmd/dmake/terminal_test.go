package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// runOnTerminal runs prog with args in dir, its standard streams a fresh
// pseudo-terminal, and returns the lines the terminal showed, sorted (the
// jobs of -j print in any order).
func runOnTerminal(t *testing.T, dir, prog string, args ...string) []string {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	cmd := exec.Command(prog, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", "HOME=" + dir}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	var buf bytes.Buffer
	// The read ends (EIO) once every holder of the terminal is gone.
	io.Copy(&buf, ptmx)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%s %q: %v\n%s", prog, args, err, buf.String())
	}
	text := strings.ReplaceAll(buf.String(), "\r\n", "\n")
	lines := strings.Split(strings.TrimSpace(text), "\n")
	slices.Sort(lines)
	return lines
}

// TestRecipeTerminal runs recipes with make's streams on a terminal, one
// job at a time, several (-j) and with output synchronised (-O): the
// commands see a terminal exactly when GNU make's see one (their
// standard output and error are make's own unless -O collects them), so
// isatty, colours and progress bars are alike (issue 19). Standard input
// is left out: under -j make lends the terminal to one running job at a
// time, whichever the timing makes it.
func TestRecipeTerminal(t *testing.T) {
	if _, err := os.Stat("/usr/bin/make"); err != nil {
		t.Fatal("GNU make (/usr/bin/make) is needed: it is the oracle")
	}
	bin := buildDmake(t)
	dir := t.TempDir()
	mk := `all: a b c
a b c:
	@test -t 1 && echo $@ out:tty || echo $@ out:other
	@test -t 2 && echo $@ err:tty >&2 || echo $@ err:other >&2
	@if test -t 1; then echo $@ shell-line:tty; else echo $@ shell-line:other; fi
`
	if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte(mk), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-s"}, {"-s", "-j3"}, {"-s", "-j3", "-Otarget"}, {"-s", "-j3", "-Oline"}} {
		want := runOnTerminal(t, dir, "/usr/bin/make", args...)
		got := runOnTerminal(t, dir, bin, args...)
		if !slices.Equal(want, got) {
			t.Errorf("args %q: the terminal shows\n%s\nunder dmake, under make\n%s", args, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if len(want) != 9 {
			t.Errorf("args %q: make printed %d lines, want 9:\n%s", args, len(want), strings.Join(want, "\n"))
		}
	}
}
