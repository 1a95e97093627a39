package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/internal/maketest"
	"github.com/dmake-dev/dmake/shellrun/sandbox"
)

// dmakeBin is the dmake binary TestMain builds, so that tests run the
// program users run: argv handling, exit codes and $(MAKE) recursion
// included.
var dmakeBin string

func TestMain(m *testing.M) {
	sandbox.Init() // the binary is also the sandbox child of in-process --check runs
	dir, err := os.MkdirTemp("", "dmake-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dmakeBin = filepath.Join(dir, "dmake")
	if out, err := exec.Command("go", "build", "-o", dmakeBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildDmake returns the dmake binary built for the tests.
func buildDmake(t *testing.T) string {
	t.Helper()
	return dmakeBin
}

// binaryRunner runs the dmake binary as a maketest.Runner. The binary's
// $(MAKE) is its own path: its output names it as make's.
func binaryRunner(bin string) maketest.Runner {
	return func(ctx context.Context, dir string, args, env []string, stdout, stderr io.Writer) int {
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Dir = dir
		cmd.Env = env
		var out, errb strings.Builder
		cmd.Stdout = &out
		cmd.Stderr = &errb
		err := cmd.Run()
		io.WriteString(stdout, strings.ReplaceAll(out.String(), bin, "/usr/bin/make"))
		io.WriteString(stderr, strings.ReplaceAll(errb.String(), bin, "/usr/bin/make"))
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			return -1
		}
		return 0
	}
}

// TestCorpusThroughBinary runs the whole differential corpus (testdata/make
// and testdata/make-exec, and testdata/make-recursive, whose cases run real
// sub-makes) through GNU make and through the dmake binary:
// stdout, stderr (program name replaced), exit status and the files left
// must be identical. Cases listed in testdata/make-exec/KNOWN_DIFFERENCES
// and testdata/make/KNOWN_DIFFERENCES are allowed to differ, each for its stated reason.
func TestCorpusThroughBinary(t *testing.T) {
	if _, err := os.Stat("/usr/bin/make"); err != nil {
		t.Fatal("GNU make (/usr/bin/make) is needed: it is the oracle")
	}
	bin := buildDmake(t)
	// A case either list names may differ: both name the pipeline's
	// deliberate differences, each with its reason.
	known := map[string]string{}
	for _, list := range []string{"make", "make-exec"} {
		k, err := maketest.KnownDifferences(filepath.Join("..", "..", "testdata", list, "KNOWN_DIFFERENCES"))
		if err != nil {
			t.Fatal(err)
		}
		maps.Copy(known, k)
	}
	cases, err := maketest.LoadCorpus(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 100 {
		t.Fatalf("only %d cases found: the corpus is missing", len(cases))
	}
	// Recursive cases run real sub-makes ($(MAKE) is the binary under
	// test), which only this runner has.
	rec, err := maketest.LoadCases(filepath.Join("..", "..", "testdata", "make-recursive"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rec) == 0 {
		t.Fatal("no case in testdata/make-recursive")
	}
	for _, c := range rec {
		c.Name = "recursive/" + c.Name
	}
	cases = append(cases, rec...)
	tmp := t.TempDir()
	run := binaryRunner(bin)
	differ := 0
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			d, err := c.Compare(context.Background(), tmp, run)
			if err != nil {
				t.Fatal(err)
			}
			if d != "" {
				if _, ok := known[c.Name]; !ok {
					differ++
					t.Errorf("dmake differs from GNU make (args %q):\n%s", c.CommandLine(), d)
				}
			}
		})
	}
	t.Logf("%d cases, %d unexpected differences", len(cases), differ)
}
