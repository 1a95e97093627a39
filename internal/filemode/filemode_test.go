package filemode

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// TestModesAsChmod applies each mode to files and directories of several
// modes both with Compile and Apply and with the system's chmod (GNU
// coreutils) under umask 022, and compares the results.
func TestModesAsChmod(t *testing.T) {
	chmod, err := exec.LookPath("chmod")
	if err != nil {
		t.Skip("no chmod")
	}
	modes := []string{
		"+w", "-w", "+x", "-x", "+r", "=", "=r", "+X", "a+X", "a-x", "u+x", "g=u", "o=g", "u=rwx,g=rx,o=",
		"go-w", "ug+s", "u+s", "g+s", "+t", "o+t", "a=rwx", "u=g,o-r", "g+u-w", "=rw,+X", "u-s,g-s",
		"755", "644", "0", "4755", "2750", "1777", "0700", "00644",
	}
	olds := []uint32{0o644, 0o600, 0o755, 0o700, 0o000, 0o640, 0o4755, 0o2750, 0o1777}
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	for _, isDir := range []bool{false, true} {
		for _, o := range olds {
			for _, m := range modes {
				t.Run(fmt.Sprintf("%s/%04o/dir=%v", m, o, isDir), func(t *testing.T) {
					p := filepath.Join(dir, "f")
					os.RemoveAll(p)
					if isDir {
						if err := os.Mkdir(p, 0o700); err != nil {
							t.Fatal(err)
						}
					} else if err := os.WriteFile(p, nil, 0o600); err != nil {
						t.Fatal(err)
					}
					if err := syscall.Chmod(p, o); err != nil {
						t.Fatal(err)
					}
					var st syscall.Stat_t
					if err := syscall.Stat(p, &st); err != nil {
						t.Fatal(err)
					}
					start := st.Mode & Bits
					if out, err := exec.Command(chmod, "--", m, p).CombinedOutput(); err != nil {
						t.Fatalf("chmod %s: %v %s", m, err, out)
					}
					if err := syscall.Stat(p, &st); err != nil {
						t.Fatal(err)
					}
					want := st.Mode & Bits
					changes, ok := Compile(m)
					if !ok {
						t.Fatalf("Compile(%q) refused a mode chmod takes", m)
					}
					got, _ := changes.Apply(start, isDir, 0o022)
					if got != want {
						t.Errorf("chmod %s on %04o: got %04o, chmod gives %04o", m, start, got, want)
					}
				})
			}
		}
	}
	for _, bad := range []string{"", "x", "u+q", "8", "77777", "u=r;", "+w,", ",+w"} {
		if _, ok := Compile(bad); ok {
			t.Errorf("Compile(%q) took a mode chmod refuses", bad)
		}
	}
}
