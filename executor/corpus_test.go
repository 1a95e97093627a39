package executor_test

import (
	"context"
	"flag"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/internal/maketest"
)

var caseFilter = flag.String("make.case", "", "run only differential cases whose name contains this")

// TestCorpus runs every case of testdata/make (the makefile package's
// corpus) and testdata/make-exec (execution cases: implicit rules,
// timestamps, -j/-O, -k, -n, -q, -t, interrupts are in interrupt_test.go)
// through GNU make and through the whole dmake pipeline (makefile.Load,
// graph, executor: maketest.Exec). Output, exit status and the files left
// (contents, link targets, modes) must be identical, except for cases
// listed with a reason in testdata/make-exec/KNOWN_DIFFERENCES.
func TestCorpus(t *testing.T) {
	if _, err := exec.LookPath("/usr/bin/make"); err != nil {
		t.Skip("GNU make is not installed")
	}
	cases, err := maketest.LoadCorpus(filepath.Join("..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	known, err := maketest.KnownDifferences(filepath.Join("..", "testdata", "make-exec", "KNOWN_DIFFERENCES"))
	if err != nil {
		t.Fatal(err)
	}
	// The makefile package's known differences (reading, $(shell)) hold
	// for the whole pipeline too; some of them (those of its parse-only
	// runner) the executor removes, so agreeing is no error for them.
	parseKnown, err := maketest.KnownDifferences(filepath.Join("..", "testdata", "make", "KNOWN_DIFFERENCES"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range maketest.UnknownNames(cases, known) {
		t.Errorf("KNOWN_DIFFERENCES names %q, which is not a case", k)
	}
	tmp := t.TempDir()
	ctx := context.Background()
	for _, c := range cases {
		if *caseFilter != "" && !strings.Contains(c.Name, *caseFilter) {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			if !strings.HasPrefix(c.Name, "exec/jobs/") {
				// Cases are independent; the -j ones keep the machine
				// to themselves for their timing margins.
				t.Parallel()
			}
			want, err := c.Run(ctx, tmp, maketest.GNUMake)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Run(ctx, tmp, maketest.Exec)
			if err != nil {
				t.Fatal(err)
			}
			got.Stdout = maketest.Normalize(got.Stdout, "dmake")
			got.Stderr = maketest.Normalize(got.Stderr, "dmake")
			d := maketest.Diff(c, want, got)
			reason, isKnown := known[c.Name]
			_, parseKnown := parseKnown[c.Name]
			switch {
			case d != "" && !isKnown && parseKnown:
				t.Logf("differs, as listed in testdata/make/KNOWN_DIFFERENCES:\n%s", d)
			case d != "" && !isKnown:
				t.Errorf("dmake differs from GNU make (args %q):\n%s", c.CommandLine(), d)
			case d == "" && isKnown:
				t.Errorf("listed in KNOWN_DIFFERENCES (%s) but dmake now agrees with make: remove the entry", reason)
			}
		})
	}
}
