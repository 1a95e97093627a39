package sandbox

import (
	"archive/tar"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// sameLower says two tar lower layers index the same entries and
// directories (their files aside).
func sameLower(a, b *tarLower) bool {
	return reflect.DeepEqual(a.entries, b.entries) && reflect.DeepEqual(a.kids, b.kids)
}

// A tar lower layer read through its index file is the one indexed from
// the tar's headers; the index is made once, made again when it is of
// another tar (another size or time) or of another form, and a child
// given an index that is not right indexes the tar itself. A dry run
// over the tar reports the same with the index and without.
func TestLowerIndex(t *testing.T) {
	dir := t.TempDir()
	file, index := filepath.Join(dir, "rootfs.tar"), filepath.Join(dir, "rootfs.lower")
	writeTestTar(t, file, testTarFiles())
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want, err := indexTar(f)
	if err != nil {
		t.Fatal(err)
	}
	opened := func() *tarLower {
		t.Helper()
		l, c, err := openLower(file, index)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		return l.(*tarLower)
	}
	if err := ensureLowerIndex(file, index); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	// Read through the index, not the tar: an index whose entries were
	// changed (a mode) shows it.
	if got := opened(); !sameLower(got, want) {
		t.Errorf("through the index:\n%+v\nfrom the tar:\n%+v", got.entries, want.entries)
	}
	fi, _ := f.Stat()
	marked := *want.entries["/etc/one"]
	marked.mode = 0o600
	changed := &tarLower{entries: map[string]*tarEntry{}}
	for p, e := range want.entries {
		changed.entries[p] = e
	}
	changed.entries["/etc/one"] = &marked
	os.WriteFile(index, encodeLowerIndex(changed, fi), 0o644)
	if got := opened(); got.entries["/etc/one"].mode != 0o600 {
		t.Error("the index file was not read")
	}
	os.WriteFile(index, first, 0o644)
	// Kept while it is this tar's.
	os.Chtimes(index, time.Unix(1, 0), time.Unix(1, 0))
	if err := ensureLowerIndex(file, index); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(index); fi.ModTime().Unix() != 1 {
		t.Error("the index of this tar was made again")
	}

	// Another form, cut short, of another tar: the child indexes the
	// tar, and the index is made again.
	other := testTarFiles()
	other = append(other, testTarFile{name: "etc/new", body: "new\n", typ: tar.TypeReg})
	bad := map[string]func(){
		"another form": func() {
			os.WriteFile(index, append([]byte("dmake lower index 0\n"), first[len(lowerIndexHeader):]...), 0o644)
		},
		"cut short":   func() { os.WriteFile(index, first[:len(first)-3], 0o644) },
		"another tar": func() { writeTestTar(t, file, other) },
	}
	for _, name := range []string{"another form", "cut short", "another tar"} {
		bad[name]()
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := indexTar(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := opened(); !sameLower(got, fresh) {
			t.Errorf("%s: the child did not index the tar itself", name)
		}
		if err := ensureLowerIndex(file, index); err != nil {
			t.Fatal(err)
		}
		if got := opened(); !sameLower(got, fresh) {
			t.Errorf("%s: the index made again is not the tar's", name)
		}
		if name == "another tar" && fresh.entries["/etc/new"] == nil {
			t.Error("the new tar's entry is missing")
		}
	}
	if parts, _ := filepath.Glob(filepath.Join(dir, "*.part")); len(parts) > 0 {
		t.Errorf("left behind: %q", parts)
	}

	// A dry run reports the same through the index.
	script := Script{Path: "s.sh", Source: []byte("#!/bin/bash\nset -e\nls -la /etc\nstat -c '%s %U %Y' /etc/odd /etc/hard\ncat /etc/last\nfind /usr -name '*.txt'\ntest -f /etc/new\ntest -s /etc/hard\n! test -s /etc/empty\ntest -L /etc/soft\n"), Role: RoleInstall, Shell: "bash"}
	var reports []*Report
	for _, idx := range []string{"", index} {
		reps, err := Check(context.Background(), []Image{{Name: "t", Rootfs: file, RootfsIndex: idx, Scripts: []Script{script}}}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, reps[0])
	}
	if !reflect.DeepEqual(reports[0], reports[1]) {
		t.Errorf("through the index the report differs:\n%+v\nfrom the tar:\n%+v", reports[1], reports[0])
	}
	if !reports[0].OK() || len(reports[0].Commands) != 4 || reports[0].Scripts[0].Status != "ok" {
		t.Errorf("the dry run over the tar: %+v", reports[0])
	}
}
