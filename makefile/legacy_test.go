package makefile_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/dmake-dev/dmake/internal/maketest"
	"github.com/dmake-dev/dmake/makefile"
)

// TestLegacyImagesDB reads the Makefiles of legacy-images/images/* with
// GNU make ("make -p -q prepare", nothing runs) and with Load, and compares
// the data bases semantically: every variable's origin, flavor and value,
// every rule's prerequisites and recipe.
func TestLegacyImagesDB(t *testing.T) {
	if _, err := exec.LookPath("/usr/bin/make"); err != nil {
		t.Skip("GNU make is not installed")
	}
	root, err := filepath.Abs(filepath.Join("..", "legacy-images"))
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob(filepath.Join(root, "images", "*"))
	if len(dirs) == 0 {
		t.Skip("no legacy-images/images yet")
	}
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "Makefile")); err != nil {
			continue
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			env := maketest.Env(dir)
			args := []string{"-p", "-q", "prepare"}
			var out, errb bytes.Buffer
			maketest.GNUMake(context.Background(), dir, args, env, &out, &errb)
			want := maketest.ParseDB(out.String())

			var dout, derr bytes.Buffer
			db, err := makefile.Load(context.Background(), makefile.Config{
				Dir: dir, Goals: []string{"prepare"}, Env: env, ProgramName: "make", MakePath: "/usr/bin/make",
				Flags: makefile.Flags{PrintDatabase: true, Question: true}, Stdout: &dout, Stderr: &derr, Shell: maketest.ShellCapture,
			})
			if err != nil {
				t.Fatal(err)
			}
			db.PrintDatabase(&dout)
			got := maketest.ParseDB(dout.String())
			if len(want.Vars) < 50 || len(want.Rules) < 3 {
				t.Fatalf("make -p printed too little (%d variables, %d rules): %s", len(want.Vars), len(want.Rules), errb.String())
			}
			t.Logf("%d variables, %d rules, %d implicit rules compared", len(want.Vars), len(want.Rules), len(want.Impl))
			// Automatic variables of targets make considered are printed
			// by make only; the data base proper must agree.
			if d := want.Diff(got); d != "" {
				t.Errorf("data base of %s differs:\n%s", dir, d)
			}
		})
	}
}
