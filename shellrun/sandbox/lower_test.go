package sandbox

import (
	"archive/tar"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A tar lower layer is indexed from its headers (the reader seeks past
// the contents) and reads each file at the offset it noted: contents of
// sizes around the 512-byte block, after long names (PAX headers), a
// hard link's target's content, a symlink's target, a directory's entries.
func TestTarLower(t *testing.T) {
	long := "usr/share/" + strings.Repeat("long-name.", 12) + "txt"
	files := []struct {
		name, body string
		typ        byte
		link       string
	}{
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
	file := filepath.Join(t.TempDir(), "rootfs.tar")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	for _, c := range files {
		h := &tar.Header{Name: c.name, Typeflag: c.typ, Mode: 0o644, Size: int64(len(c.body)), Linkname: c.link, Format: tar.FormatPAX}
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
	l, c, err := openLower(file)
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
}
