package makefile_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/dmake-dev/dmake/internal/maketest"
)

var (
	genCount = flag.Int("make.gen", 1000, "number of generated Makefiles TestGenerated compares")
	genSeed  = flag.Int64("make.seed", 1, "seed of the Makefile generator")
	genSave  = flag.String("make.save", "", "directory where diverging generated cases are written")
)

// TestGenerated compares GNU make and dmake on random well-formed Makefiles
// from a fixed seed. Diverging cases are reported (and with -make.save
// written as txtar files to commit under testdata/make/generated).
func TestGenerated(t *testing.T) {
	if _, err := exec.LookPath("/usr/bin/make"); err != nil {
		t.Skip("GNU make is not installed")
	}
	n := *genCount
	if testing.Short() && n > 100 {
		n = 100
	}
	g := maketest.NewGenerator(*genSeed)
	tmp := t.TempDir()
	ctx := context.Background()
	failures := 0
	for i := 0; i < n; i++ {
		c := g.Case(fmt.Sprintf("gen-%d-%d", *genSeed, i))
		d, err := c.Compare(ctx, tmp, maketest.ParseOnly)
		if err != nil {
			t.Fatal(err)
		}
		if d != "" {
			failures++
			if failures <= 5 {
				t.Errorf("%s differs:\n%s\n%s", c.Name, c.Archive(), d)
			}
			if *genSave != "" {
				os.MkdirAll(*genSave, 0o755)
				os.WriteFile(filepath.Join(*genSave, c.Name+".txtar"), c.Archive(), 0o644)
			}
		}
	}
	if failures > 0 {
		t.Errorf("%d of %d generated cases differ", failures, n)
	}
}
