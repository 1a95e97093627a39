package makefile_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/internal/maketest"
	"github.com/dmake-dev/dmake/makefile"
)

// roundTrip encodes db, decodes it for cfg and requires the same database:
// every field (Dump: values, unexported state, which objects are shared),
// the -p printout and the default goal.
func roundTrip(t *testing.T, db *makefile.Database, cfg makefile.Config) {
	t.Helper()
	enc, err := db.AppendEncoding(nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := makefile.DecodeDatabase(context.Background(), enc, cfg)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if w, g := makefile.Dump(db), makefile.Dump(got); w != g {
		t.Fatalf("decoded database differs:\n%s", lineDiff(w, g))
	}
	var pw, pg bytes.Buffer
	db.PrintDatabase(&pw)
	got.PrintDatabase(&pg)
	if pw.String() != pg.String() {
		t.Fatalf("-p printout of the decoded database differs:\n%s", lineDiff(pw.String(), pg.String()))
	}
	if w, g := db.DefaultGoal(), got.DefaultGoal(); w != g {
		t.Fatalf("default goal %q, decoded %q", w, g)
	}
	// A truncated encoding is an error, never a panic or a database.
	for _, n := range []int{len(enc) / 3, len(enc) - 1} {
		if _, err := makefile.DecodeDatabase(context.Background(), enc[:n], cfg); err == nil {
			t.Fatalf("decoding %d of %d bytes succeeded", n, len(enc))
		}
	}
}

func lineDiff(a, b string) string {
	al, bl := bytes.Split([]byte(a), []byte("\n")), bytes.Split([]byte(b), []byte("\n"))
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y []byte
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if !bytes.Equal(x, y) {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, x, y)
		}
	}
	return ""
}

// TestEncodingRoundTrip loads every case of the differential corpora
// (testdata/make, testdata/make-exec) and the legacy-images Makefiles with
// input recording on, and requires the decoded encoding to equal the
// database read (roundTrip). Cases whose load fails have no database to
// encode.
func TestEncodingRoundTrip(t *testing.T) {
	cases, err := maketest.LoadCorpus(filepath.Join("..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	ctx := context.Background()
	var loaded atomic.Int32
	t.Run("corpus", func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.Name, func(t *testing.T) {
				t.Parallel()
				dir, err := os.MkdirTemp(tmp, "case")
				if err != nil {
					t.Fatal(err)
				}
				if err := c.Setup(dir); err != nil {
					t.Fatal(err)
				}
				if c.SetupCmd != "" {
					cmd := exec.Command("/bin/sh", "-c", c.SetupCmd)
					cmd.Dir = dir
					if out, err := cmd.CombinedOutput(); err != nil {
						t.Fatalf("setup: %v: %s", err, out)
					}
				}
				inv := maketest.ParseArgs(dir, c.CommandLine())
				if inv.Err != "" {
					return // a command line make refuses: nothing is loaded
				}
				cfg := inv.Config
				cfg.Dir = inv.Dir
				cfg.Env = append(maketest.Env(dir), c.ExtraEnv...)
				cfg.ProgramName = "dmake"
				cfg.MakePath = "/usr/bin/dmake"
				cfg.Shell = maketest.ShellCapture
				cfg.RecordInputs = true
				cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				db, err := makefile.Load(cctx, cfg)
				cancel()
				if err != nil {
					return // an error case: no database to encode (counted below)
				}
				loaded.Add(1)
				roundTrip(t, db, cfg)
			})
		}
	})
	if n := int(loaded.Load()); n < len(cases)/2 {
		t.Errorf("only %d of %d cases loaded", n, len(cases))
	} else {
		t.Logf("%d of %d cases round-tripped", n, len(cases))
	}

	dirs, _ := filepath.Glob(filepath.Join("..", "legacy-images", "images", "*"))
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "Makefile")); err != nil {
			continue
		}
		dir, _ := filepath.Abs(dir)
		cfg := makefile.Config{Dir: dir, Goals: []string{"prepare"}, Env: maketest.Env(dir), ProgramName: "dmake",
			MakePath: "/usr/bin/dmake", Shell: maketest.ShellCapture, RecordInputs: true}
		db, err := makefile.Load(ctx, cfg)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		t.Run("legacy-images/"+filepath.Base(dir), func(t *testing.T) { roundTrip(t, db, cfg) })
	}
}
