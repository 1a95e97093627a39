package driver

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestMakefileFromStdin runs "-f -" with GNU make and dmake on the same
// standard input: the makefile is read from it (under a temporary name,
// $TMPDIR/GmXXXXXX, in messages and MAKEFILE_LIST), alone or with other -f
// files, and the temporary file is gone afterwards. Nothing goes into the
// load cache: the name is new each run.
func TestMakefileFromStdin(t *testing.T) {
	if _, err := exec.LookPath("/usr/bin/make"); err != nil {
		t.Skip("GNU make is not installed")
	}
	dir := t.TempDir()
	cache := t.TempDir()
	// GNU make leaves its temporary copy behind when it stops on an
	// error: both programs put theirs in a directory the test removes.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	if err := os.WriteFile(dir+"/other.mk", []byte("$(info other: $(words $(MAKEFILE_LIST)))\nall: ; @echo other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tmpName := regexp.MustCompile(regexp.QuoteMeta(tmp) + `/Gm[0-9A-Za-z]+`)
	norm := func(s string) string {
		s = tmpName.ReplaceAllString(s, "TMPDIR/GmXXXXXX")
		return strings.ReplaceAll(s, "dmake: ", "make: ")
	}
	tests := []struct {
		stdin string
		files []string
	}{
		{"all: ; @echo hi $(MAKEFILE_LIST)\n", []string{"-"}}, // names the file
		{"$(info first)\nall: ; @echo stdin\n", []string{"-", "other.mk"}},
		{"x = 1\nall: ; @echo x=$(x)\n", []string{"other.mk", "-"}},
		{"all: ; @echo hi\nfoo\n", []string{"-"}},
		{"", []string{"-"}},
	}
	for _, tt := range tests {
		var args []string
		for _, f := range tt.files {
			args = append(args, "-f", f)
		}
		cmd := exec.Command("/usr/bin/make", args...)
		cmd.Dir = dir
		cmd.Stdin = strings.NewReader(tt.stdin)
		var mout, merr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &mout, &merr
		mstatus := 0
		if err := cmd.Run(); err != nil {
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatal(err)
			}
			mstatus = ee.ExitCode()
		}
		var dout, derr bytes.Buffer
		dstatus := Run(context.Background(), Options{WorkDir: dir, Makefiles: tt.files, LoadCache: cache},
			Stdio{In: strings.NewReader(tt.stdin), Out: &dout, Err: &derr})
		if dstatus != mstatus || norm(dout.String()) != norm(mout.String()) || norm(derr.String()) != norm(merr.String()) {
			t.Errorf("stdin %q, -f %v:\nmake  %d %q %q\ndmake %d %q %q", tt.stdin, tt.files,
				mstatus, mout.String(), merr.String(), dstatus, dout.String(), derr.String())
		}
		for _, name := range tmpName.FindAllString(dout.String()+derr.String(), -1) {
			if _, err := os.Stat(name); err == nil {
				t.Errorf("stdin %q: the temporary makefile %s is left", tt.stdin, name)
			}
		}
	}
	if entries, _ := os.ReadDir(cache); len(entries) > 0 {
		t.Errorf("the load cache has %d entries after -f - runs", len(entries))
	}
}
