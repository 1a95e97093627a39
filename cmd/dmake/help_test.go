package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/dmake-dev/dmake/util"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestHelp compares "dmake --help" with testdata/help.golden: the help is
// part of the interface (run go test -update after a deliberate change).
func TestHelp(t *testing.T) {
	var out, errb bytes.Buffer
	status := run(context.Background(), []string{"dmake", "--help"}, util.Stdio{Out: &out, Err: &errb}, utilities())
	if status != 0 || errb.Len() > 0 {
		t.Fatalf("--help: status %d, stderr %q", status, errb.String())
	}
	golden := filepath.Join("testdata", "help.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("--help differs from %s (go test -update to accept):\n%s", golden, out.String())
	}
}

// TestExitCodes checks the exit statuses scripts rely on: usage errors
// are 2, as make's, and an unknown utility is a usage error too.
func TestExitCodes(t *testing.T) {
	for _, argv := range [][]string{
		{"dmake", "--no-such-flag"},
		{"dmake", "-x"},
		{"dmake", "--util", "no-such-utility"},
		{"dmake", "-C"},
	} {
		var out, errb bytes.Buffer
		if status := run(context.Background(), argv, util.Stdio{Out: &out, Err: &errb}, utilities()); status != 2 {
			t.Errorf("%q: status %d, want 2", argv, status)
		}
		if errb.Len() == 0 {
			t.Errorf("%q: no message on stderr", argv)
		}
	}
}
