package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
)

func TestParseTarCreate(t *testing.T) {
	for _, tc := range []struct {
		line string
		want TarCreate
		ok   bool
	}{
		{"tar -czh -C build .", TarCreate{Dir: "build", Gzip: true, Dereference: true}, true},
		{"tar czh -C build .", TarCreate{Dir: "build", Gzip: true, Dereference: true}, true},
		{"/bin/tar -hcz -C /x/build .", TarCreate{Dir: "/x/build", Gzip: true, Dereference: true}, true},
		{"tar -c -C build .", TarCreate{Dir: "build"}, true},
		{"tar -ch -C build .", TarCreate{Dir: "build", Dereference: true}, true},
		{"tar -czvh -C build .", TarCreate{}, false}, // v lists on stderr
		{"tar -czhf - -C build .", TarCreate{}, false},
		{"tar -xzh -C build .", TarCreate{}, false},
		{"tar -zh -C build .", TarCreate{}, false},
		{"tar -ccz -C build .", TarCreate{}, false},
		{"tar -czh -C build . extra", TarCreate{}, false},
		{"tar -czh -C build sub", TarCreate{}, false},
		{"tar -czh build .", TarCreate{}, false},
		{"gtar -czh -C build .", TarCreate{}, false},
	} {
		got, ok := ParseTarCreate(strings.Fields(tc.line))
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseTarCreate(%q) = %+v, %v; want %+v, %v", tc.line, got, ok, tc.want, tc.ok)
		}
	}
}

// tarTree makes a build directory as the symlinker leaves it: links to
// files outside, nested directories, modes, a file with two links.
func tarTree(t *testing.T) (cwd string) {
	t.Helper()
	cwd = t.TempDir()
	src := filepath.Join(cwd, "src")
	for name, mode := range map[string]os.FileMode{"a.sh": 0o755, "b.conf": 0o644, "run": 0o700} {
		if err := os.MkdirAll(src, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, name), []byte("content of "+name+"\n"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(src, name), mode); err != nil {
			t.Fatal(err)
		}
	}
	b := filepath.Join(cwd, "build")
	for _, d := range []string{"script", "runit/sshd", "empty"} {
		if err := os.MkdirAll(filepath.Join(b, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for link, to := range map[string]string{"script/03_a.sh": "src/a.sh", "runit/sshd/run": "src/run", "script/again.sh": "src/a.sh"} {
		if err := os.Symlink(filepath.Join(cwd, to), filepath.Join(b, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(b, "Dockerfile"), []byte("FROM x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(b, "Dockerfile"), filepath.Join(b, "script", "hard")); err != nil {
		t.Fatal(err)
	}
	return cwd
}

// tarMembers describes an archive member by member, sorted by name: what
// a docker build context takes from it (not the order, owner names,
// format, or whether a second name of a file is a hard link).
func tarMembers(t *testing.T, r io.Reader, gz bool) string {
	t.Helper()
	if gz {
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	tr := tar.NewReader(r)
	var lines []string
	bodies := map[string][]byte{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		bodies[hdr.Name] = body
		typ, link := string(hdr.Typeflag), hdr.Linkname
		if hdr.Typeflag == tar.TypeLink || hdr.Typeflag == tar.TypeReg {
			// Which of a file's names is the first is the order of the
			// directory's entries: compare contents.
			typ, link = "file", ""
			if hdr.Typeflag == tar.TypeLink {
				body = bodies[hdr.Linkname]
			}
		}
		lines = append(lines, fmt.Sprintf("%s type=%s mode=%o uid=%d gid=%d mtime=%d link=%q body=%q",
			hdr.Name, typ, hdr.Mode, hdr.Uid, hdr.Gid, hdr.ModTime.Unix(), link, body))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestWriteTarMatchesGNUTar compares WriteTar's archive with GNU tar's for
// the same command line, member by member (GNU tar is the oracle).
func TestWriteTarMatchesGNUTar(t *testing.T) {
	if _, err := exec.LookPath("tar"); err != nil {
		t.Skip("no tar")
	}
	cwd := tarTree(t)
	for _, line := range []string{"tar -czh -C build .", "tar -c -C build .", "tar -ch -C build ."} {
		t.Run(line, func(t *testing.T) {
			args := strings.Fields(line)
			tc, ok := ParseTarCreate(args)
			if !ok {
				t.Fatalf("not a TarCreate")
			}
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Dir = cwd
			want, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := WriteTar(&got, tc, cwd); err != nil {
				t.Fatal(err)
			}
			w, g := tarMembers(t, bytes.NewReader(want), tc.Gzip), tarMembers(t, &got, tc.Gzip)
			if w != g {
				t.Errorf("members differ\nGNU tar:\n%s\nWriteTar:\n%s", w, g)
			}
		})
	}
}

// TestWriteTarFallback: what WriteTar leaves to tar itself, writing
// nothing.
func TestWriteTarFallback(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, build string)
		dir   string
	}{
		{"dangling link", func(t *testing.T, b string) {
			if err := os.Symlink(filepath.Join(b, "nowhere"), filepath.Join(b, "x")); err != nil {
				t.Fatal(err)
			}
		}, "build"},
		{"link to a directory", func(t *testing.T, b string) {
			if err := os.Symlink(filepath.Dir(b), filepath.Join(b, "up")); err != nil {
				t.Fatal(err)
			}
		}, "build"},
		{"fifo", func(t *testing.T, b string) {
			if err := mkfifo(filepath.Join(b, "p")); err != nil {
				t.Skip(err)
			}
		}, "build"},
		{"no directory", func(*testing.T, string) {}, "missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cwd := t.TempDir()
			b := filepath.Join(cwd, "build")
			if err := os.MkdirAll(b, 0o755); err != nil {
				t.Fatal(err)
			}
			tc.setup(t, b)
			var out bytes.Buffer
			err := WriteTar(&out, TarCreate{Dir: tc.dir, Gzip: true, Dereference: true}, cwd)
			if !errors.Is(err, errTarFallback) {
				t.Errorf("err = %v, want errTarFallback", err)
			}
			if out.Len() != 0 {
				t.Errorf("wrote %d bytes before falling back", out.Len())
			}
		})
	}
}

func mkfifo(path string) error { return syscall.Mkfifo(path, 0o644) }
