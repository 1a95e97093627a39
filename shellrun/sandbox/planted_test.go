package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const plantedDir = "../../testdata/shellrun/planted"

// TestPlanted runs each script of the planted-bug corpus as its own image
// and checks that the bug its "# expect: KIND CODE LINE" comment names is
// reported at that line; the full text reports are a golden file.
func TestPlanted(t *testing.T) {
	abs, err := filepath.Abs(plantedDir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	filepath.WalkDir(abs, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".golden") {
			rel, _ := filepath.Rel(abs, p)
			files = append(files, rel)
		}
		return nil
	})
	sort.Strings(files)
	// Git records only the run bit: a checkout under umask 002 makes the
	// files 0664 and the reports (which name modes) would differ. Give
	// them the modes git means.
	for _, f := range files {
		p := filepath.Join(abs, f)
		if fi, err := os.Stat(p); err == nil {
			mode := os.FileMode(0o644)
			if fi.Mode()&0o100 != 0 {
				mode = 0o755
			}
			os.Chmod(p, mode)
		}
	}
	t.Chdir(abs)
	var all bytes.Buffer
	for _, f := range files {
		kind, code, line := expectation(t, f)
		img, err := LooseImage(f, "", []string{f})
		if err != nil {
			t.Fatal(err)
		}
		rep := DryRunInProcess(context.Background(), img, Options{})
		rep.WriteText(&all)
		list := rep.Errors
		if kind == "warning" {
			list = rep.Warnings
		}
		found := false
		for _, d := range list {
			_, l, _ := splitPos(d.Pos)
			if d.Code == code && l == line && strings.HasPrefix(d.Pos, f) {
				found = true
			}
		}
		if !found {
			var b strings.Builder
			rep.WriteText(&b)
			t.Errorf("%s: want %s %s at line %d, got:\n%s", f, kind, code, line, b.String())
		}
	}
	t.Chdir(filepath.Dir(abs)) // back out before writing the golden file
	golden(t, filepath.Join(abs, "reports.golden"), all.Bytes())
}

func expectation(t *testing.T, file string) (kind, code string, line int) {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "# expect: "); ok {
			if _, err := fmt.Sscan(rest, &kind, &code, &line); err != nil {
				t.Fatalf("%s: bad expectation %q", file, rest)
			}
			return
		}
	}
	t.Fatalf("%s: no '# expect:' line", file)
	return
}
