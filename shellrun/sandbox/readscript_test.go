package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestScriptsReadSafely checks that scripts and functions.sh are read
// only from regular files within the size limit: a FIFO does not block,
// a link to /dev/zero does not exhaust memory, an oversized file is
// refused, each with an error naming the file.
func TestScriptsReadSafely(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "01_ok.sh")
	if err := os.WriteFile(ok, []byte("#!/bin/bash\ntrue\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo", "02_fifo.sh")
	os.Mkdir(filepath.Dir(fifo), 0o755)
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero", "03_zero.sh")
	os.Mkdir(filepath.Dir(zero), 0o755)
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	fnDir := filepath.Join(dir, "fn")
	os.Mkdir(fnDir, 0o755)
	fnScript := filepath.Join(fnDir, "01_x.sh")
	os.WriteFile(fnScript, []byte("#!/bin/bash\n. ./functions.sh\n"), 0o755)
	if err := os.Symlink("/dev/zero", filepath.Join(fnDir, "functions.sh")); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big", "04_big.sh")
	os.Mkdir(filepath.Dir(big), 0o755)
	if err := os.WriteFile(big, make([]byte, MaxScriptSize+1), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, want string }{
		{fifo, "not a regular file"},
		{zero, "not a regular file"},
		{fnScript, "not a regular file"},
		{big, "more than"},
	} {
		img, err := LooseImage("t", []string{ok, tc.file})
		if err == nil {
			_, err = Check(t.Context(), []Image{img}, Options{})
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.file, err, tc.want)
		}
	}
	if b, _, err := readScript(ok); err != nil || string(b) != "#!/bin/bash\ntrue\n" {
		t.Errorf("readScript(%s) = %q, %v", ok, b, err)
	}
}
