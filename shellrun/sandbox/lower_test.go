package sandbox

import (
	"archive/tar"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// A tar lower layer is indexed from its headers (the reader seeks past
// the contents) and reads each file at the offset it noted: contents of
// sizes around the 512-byte block, after long names (PAX headers), a
// hard link's target's content, a symlink's target, a directory's entries.
func TestTarLower(t *testing.T) {
	files := testTarFiles()
	file := filepath.Join(t.TempDir(), "rootfs.tar")
	writeTestTar(t, file, files)
	l, c, err := openLower(file, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, c := range files {
		want := c.body
		switch c.typ {
		case tar.TypeDir, tar.TypeSymlink:
			continue
		case tar.TypeLink:
			want = strings.Repeat("o", 513)
		}
		if got, err := l.read(c.name); err != nil || string(got) != want {
			t.Errorf("read %s = %d bytes %.20q, %v; want %d bytes %.20q", c.name, len(got), got, err, len(want), want)
		}
	}
	if e, ok := l.stat("etc/soft"); !ok || e.target != "one" {
		t.Errorf("etc/soft: %+v, %v", e, ok)
	}
	var names []string
	for _, e := range l.list("/etc") {
		names = append(names, e.name)
	}
	if want := []string{"block", "empty", "hard", "last", "odd", "one", "soft"}; !slices.Equal(names, want) {
		t.Errorf("/etc lists %q, want %q", names, want)
	}
	if _, ok := l.stat("/usr/share"); !ok {
		t.Error("/usr/share, the parent the tar leaves out, is not there")
	}
	checkLowerSizes(t, l)

	// The same tree as a directory lower layer.
	root := t.TempDir()
	for _, c := range files {
		p := filepath.Join(root, c.name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		switch c.typ {
		case tar.TypeReg:
			err = os.WriteFile(p, []byte(c.body), 0o644)
		case tar.TypeLink:
			err = os.Link(filepath.Join(root, c.link), p)
		case tar.TypeSymlink:
			err = os.Symlink(c.link, p)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	dl, dc, err := openLower(root, "")
	if err != nil {
		t.Fatal(err)
	}
	defer dc.Close()
	checkLowerSizes(t, dl)
}

// testTarFile is a member of a test's tar.
type testTarFile struct {
	name, body string
	typ        byte
	link       string
}

// testTarFiles are the members of TestTarLower's tar.
func testTarFiles() []testTarFile {
	long := "usr/share/" + strings.Repeat("long-name.", 12) + "txt"
	return []testTarFile{
		{name: "etc/", typ: tar.TypeDir},
		{name: "etc/empty", typ: tar.TypeReg},
		{name: "etc/one", body: "1", typ: tar.TypeReg},
		{name: "etc/block", body: strings.Repeat("b", 512), typ: tar.TypeReg},
		{name: "etc/odd", body: strings.Repeat("o", 513), typ: tar.TypeReg},
		{name: long, body: strings.Repeat("l", 10000), typ: tar.TypeReg},
		{name: "etc/hard", typ: tar.TypeLink, link: "etc/odd"},
		{name: "etc/soft", typ: tar.TypeSymlink, link: "one"},
		{name: "etc/last", body: "the end\n", typ: tar.TypeReg},
	}
}

// writeTestTar writes files to the tar file, each with its own owner and
// time (some with nanoseconds, which PAX keeps).
func writeTestTar(t *testing.T, file string, files []testTarFile) {
	t.Helper()
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	for i, c := range files {
		h := &tar.Header{Name: c.name, Typeflag: c.typ, Mode: 0o644, Size: int64(len(c.body)), Linkname: c.link, Format: tar.FormatPAX,
			Uid: i, Gid: 100 + i, ModTime: time.Unix(1700000000+int64(i), int64(i%2)*123456789)}
		if c.typ == tar.TypeDir {
			h.Mode = 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(c.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// countingLower counts the reads of a lower layer.
type countingLower struct {
	lowerFS
	reads int
}

func (c *countingLower) read(p string) ([]byte, error) {
	c.reads++
	return c.lowerFS.read(p)
}

// checkLowerSizes: over lower, a VFS says the size of every file of
// /etc, whether stat or a directory listing asks, without reading one,
// and the size is that of the content read afterwards.
func checkLowerSizes(t *testing.T, lower lowerFS) {
	t.Helper()
	cl := &countingLower{lowerFS: lower}
	v := newVFS(cl)
	ents, err := v.ReadDir("/etc")
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[string]int64{}
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		sizes[e.Name()] = fi.Size()
		st, err := v.Stat("/etc/"+e.Name(), false)
		if err != nil || st.Size() != fi.Size() {
			t.Errorf("stat /etc/%s: %v, %v; the listing says %d bytes", e.Name(), st, err, fi.Size())
		}
	}
	if cl.reads != 0 {
		t.Errorf("listing /etc read %d files", cl.reads)
	}
	for name, size := range sizes {
		if name == "soft" {
			if size != int64(len("one")) {
				t.Errorf("/etc/soft: size %d, want the target's length", size)
			}
			continue
		}
		b, err := v.ReadFile("/etc/" + name)
		if err != nil || int64(len(b)) != size {
			t.Errorf("/etc/%s: listed with %d bytes, read %d (%v)", name, size, len(b), err)
		}
	}
}
