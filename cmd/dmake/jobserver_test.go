package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestJobserverMixedNesting runs GNU make -j3 whose sub-make is dmake,
// whose sub-make is GNU make again: each level finds the jobserver of the
// top one in MAKEFLAGS and can use it (no "jobserver unavailable", no
// "-jN forced" warning), and every level sees the same -j3.
func TestJobserverMixedNesting(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatal("GNU make is needed: it is the oracle")
	}
	dir := t.TempDir()
	files := map[string]string{
		"Makefile": "all: ; @echo \"top /$(MAKEFLAGS)/\"; $(MAKE) -f dmake.mk\n",
		"dmake.mk": "x: one two\none two: ; @echo \"$@ /$(MAKEFLAGS)/\"\n" +
			"all: ; +@make -f inner.mk\nx: all\n",
		"inner.mk": "y: p q\np q: ; @echo \"$@ /$(MAKEFLAGS)/\"\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("make", "-j3", "--no-print-directory", "MAKE="+dmakeBin)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	seen := map[string]bool{}
	for _, l := range lines {
		name, flags, _ := strings.Cut(l, " ")
		if strings.Contains(l, "warning") || !strings.Contains(flags, "-j3 --jobserver-auth=") {
			t.Errorf("line %q: want no warning and the top's -j3 with its jobserver", l)
		}
		seen[name] = true
	}
	for _, want := range []string{"top", "one", "two", "p", "q"} {
		if !seen[want] {
			t.Errorf("%s did not run:\n%s", want, out)
		}
	}
}
