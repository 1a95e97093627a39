package executor_test

import (
	"bytes"
	"context"
	"flag"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dmake-dev/dmake/internal/maketest"
	"github.com/dmake-dev/dmake/loadcache"
)

var (
	caseFilter = flag.String("make.case", "", "run only differential cases whose name contains this")
	cachedAll  = flag.Bool("make.cachedall", false, "TestCorpusCached: run every case of testdata/make, not every fourth")
)

// loadCorpus returns the differential cases with the known differences of
// the execution corpus and of the makefile package's (reading, $(shell):
// they hold for the whole pipeline too; some of them, those of its
// parse-only runner, the executor removes, so agreeing is no error for
// them). It skips the test when GNU make is not installed.
func loadCorpus(t *testing.T) (cases []*maketest.Case, known, parseKnown map[string]string) {
	t.Helper()
	if _, err := exec.LookPath("/usr/bin/make"); err != nil {
		t.Skip("GNU make is not installed")
	}
	cases, err := maketest.LoadCorpus(filepath.Join("..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	known, err = maketest.KnownDifferences(filepath.Join("..", "testdata", "make-exec", "KNOWN_DIFFERENCES"))
	if err != nil {
		t.Fatal(err)
	}
	parseKnown, err = maketest.KnownDifferences(filepath.Join("..", "testdata", "make", "KNOWN_DIFFERENCES"))
	if err != nil {
		t.Fatal(err)
	}
	return cases, known, parseKnown
}

// TestCorpus runs every case of testdata/make (the makefile package's
// corpus) and testdata/make-exec (execution cases: implicit rules,
// timestamps, -j/-O, -k, -n, -q, -t, interrupts are in interrupt_test.go)
// through GNU make and through the whole dmake pipeline (makefile.Load,
// graph, executor: maketest.Exec). Output, exit status and the files left
// (contents, link targets, modes) must be identical, except for cases
// listed with a reason in testdata/make-exec/KNOWN_DIFFERENCES.
func TestCorpus(t *testing.T) {
	cases, known, parseKnown := loadCorpus(t)
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
			d, err := c.Compare(ctx, tmp, maketest.Exec)
			if err != nil {
				t.Fatal(err)
			}
			_, isKnown := known[c.Name]
			if _, ok := parseKnown[c.Name]; ok && d != "" && !isKnown {
				t.Logf("differs, as listed in testdata/make/KNOWN_DIFFERENCES:\n%s", d)
				return
			}
			maketest.CheckKnown(t, c, d, known)
		})
	}
}

// TestCorpusCached runs the cases of TestCorpus once more than they ask
// (a case of one run becomes two), GNU make against dmake with a cache of
// loaded makefiles of its own: the later runs of a case find its load in
// the cache (unless an input changed), and every run must still agree
// with make. The -j cases (timing) and the interrupt cases stay with
// TestCorpus; of testdata/make's cases (reading makefiles, which the
// round trip test of package makefile covers too) every fourth runs, all
// with -make.cachedall: the whole corpus takes some 15 s on two cores.
func TestCorpusCached(t *testing.T) {
	cases, known, parseKnown := loadCorpus(t)
	tmp := t.TempDir()
	ctx := context.Background()
	var hits, ran atomic.Int32
	t.Run("cases", func(t *testing.T) {
		for i, c := range cases {
			if *caseFilter != "" && !strings.Contains(c.Name, *caseFilter) {
				continue
			}
			if !strings.HasPrefix(c.Name, "exec/") && i%4 != 0 && !*cachedAll && *caseFilter == "" {
				continue
			}
			if strings.HasPrefix(c.Name, "exec/jobs/") || strings.Contains(c.Name, "interrupt") {
				continue
			}
			if _, ok := known[c.Name]; ok {
				continue
			}
			if _, ok := parseKnown[c.Name]; ok {
				continue
			}
			c2 := *c
			c2.Runs = max(c.Runs, 1) + 1
			t.Run(c.Name, func(t *testing.T) {
				t.Parallel()
				want, err := c2.Run(ctx, tmp, maketest.GNUMake)
				if err != nil {
					t.Fatal(err)
				}
				var log bytes.Buffer
				got, err := c2.Run(ctx, tmp, maketest.ExecCached(filepath.Join(t.TempDir(), "cache"), &log))
				if err != nil {
					t.Fatal(err)
				}
				ran.Add(1)
				hits.Add(int32(strings.Count(log.String(), "load cache: hit")))
				got.Normalize("dmake")
				d := maketest.Diff(&c2, want, got)
				if d == "" {
					return
				}
				// Say whose doing it is: dmake without the cache may differ
				// alike on a case run more often than it asks.
				plain, err := c2.Run(ctx, tmp, maketest.ExecCached(loadcache.Off, nil))
				if err != nil {
					t.Fatal(err)
				}
				plain.Normalize("dmake")
				if maketest.Diff(&c2, plain, got) == "" {
					t.Errorf("dmake differs from GNU make after %d runs, with the cache as without it:\n%s", c2.Runs, d)
					return
				}
				t.Errorf("dmake with the load cache differs from GNU make (args %q, %d runs):\n%s\ncache log:\n%s", c.CommandLine(), c2.Runs, d, log.String())
			})
		}
	})
	// Most cases read the same makefiles again on their later runs.
	if n, h := ran.Load(), hits.Load(); h < n/2 {
		t.Errorf("%d cases ran, only %d loads came from the cache", n, h)
	} else {
		t.Logf("%d cases ran, %d loads came from the cache", n, h)
	}
}
