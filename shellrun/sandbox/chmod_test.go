package sandbox

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestChmodModelAsChmod dry-runs chmod on a file (0644) and a directory
// (0755) for each mode and compares the modes the report gives with what
// the system's chmod (GNU coreutils) makes of them under umask 022.
func TestChmodModelAsChmod(t *testing.T) {
	chmod, err := exec.LookPath("chmod")
	if err != nil {
		t.Skip("no chmod")
	}
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	for _, m := range []string{"+w", "g=u", "a+X", "+x", "-r", "u+s,g+s", "+t", "o=u,g-r", "=", "=rw,+X", "4755", "750"} {
		t.Run(m, func(t *testing.T) {
			want := map[string]string{}
			for name, start := range map[string]uint32{"f": 0o644, "d": 0o755} {
				p := filepath.Join(dir, name)
				os.RemoveAll(p)
				if name == "d" {
					err = os.Mkdir(p, 0o755)
				} else {
					err = os.WriteFile(p, nil, 0o644)
				}
				if err != nil {
					t.Fatal(err)
				}
				syscall.Chmod(p, start)
				if out, err := exec.Command(chmod, "--", m, p).CombinedOutput(); err != nil {
					t.Fatalf("chmod: %v %s", err, out)
				}
				var st syscall.Stat_t
				syscall.Stat(p, &st)
				want["/opt/"+name] = fmt.Sprintf("%04o", st.Mode&0o7777)
			}
			src := fmt.Sprintf("#!/bin/bash\nset -e\nmkdir -p /opt/d\ntouch /opt/f\nchmod 644 /opt/f\nchmod 755 /opt/d\nchmod -- '%s' /opt/f /opt/d\n", m)
			rep := DryRunInProcess(context.Background(), Image{Name: "t", Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 10 * time.Second})
			if !rep.OK() {
				t.Fatalf("%+v", rep.Errors)
			}
			for _, f := range rep.Files {
				if w, ok := want[f.Path]; ok && f.Mode != w {
					t.Errorf("chmod %s %s: %s, chmod gives %s", m, f.Path, f.Mode, w)
				}
				delete(want, f.Path)
			}
			if len(want) > 0 {
				t.Errorf("not in the report: %v", want)
			}
		})
	}
}

// TestChmodModesOfIssue21 checks, without the system's chmod, the modes
// the second copy of chmod got wrong (issue 21): on a file of mode 0644
// under umask 022, +w gives 0644, g=u 0664 and a+X 0644 (a plain file
// with no x bit gets none). The dry run has one chmod implementation,
// internal/filemode, shared with the symlinker.
func TestChmodModesOfIssue21(t *testing.T) {
	for mode, want := range map[string]string{"+w": "0644", "g=u": "0664", "a+X": "0644", "u+x,g=u": "0774", "o=u,+X": "0646"} {
		src := fmt.Sprintf("#!/bin/bash\nset -e\ntouch /opt/f\nchmod 644 /opt/f\nchmod '%s' /opt/f\n", mode)
		rep := DryRunInProcess(context.Background(), Image{Name: "t", Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 10 * time.Second})
		got := ""
		for _, f := range rep.Files {
			if f.Path == "/opt/f" {
				got = f.Mode
			}
		}
		if got != want || !rep.OK() {
			t.Errorf("chmod %s on 0644: %s, want %s\n%s", mode, got, want, render(rep))
		}
	}
}
