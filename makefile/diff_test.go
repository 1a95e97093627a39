package makefile_test

import (
	"context"
	"flag"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/internal/maketest"
)

var (
	caseFilter = flag.String("make.case", "", "run only differential cases whose name contains this")
	caseDir    = flag.String("make.dir", "", "read the differential cases from this directory instead of testdata/make")
)

// TestDifferential runs every case of testdata/make with GNU make and with
// dmake's makefile package (maketest.ParseOnly) and requires the same
// output, exit status and files, except for the cases listed with a reason
// in testdata/make/KNOWN_DIFFERENCES.
func TestDifferential(t *testing.T) {
	if _, err := exec.LookPath("/usr/bin/make"); err != nil {
		t.Skip("GNU make is not installed")
	}
	root := filepath.Join("..", "testdata", "make")
	if *caseDir != "" {
		root = *caseDir
	}
	cases, err := maketest.LoadCases(root)
	if err != nil {
		t.Fatal(err)
	}
	known, err := maketest.KnownDifferences(filepath.Join(root, "KNOWN_DIFFERENCES"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases")
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
			t.Parallel()
			d, err := c.Compare(ctx, tmp, maketest.ParseOnly)
			if err != nil {
				t.Fatal(err)
			}
			maketest.CheckKnown(t, c, d, known)
		})
	}
}
