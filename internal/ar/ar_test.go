package ar

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// header is one ar member header for name, date and a data size.
func header(name string, date int64, size int) string {
	return fmt.Sprintf("%-16s%-12d%-6d%-6d%-8o%-10d`\n", name, date, 0, 0, 0o644, size)
}

// member is a header and its data, padded to an even length.
func member(name string, date int64, data string) string {
	s := header(name, date, len(data)) + data
	if len(data)%2 == 1 {
		s += "\n"
	}
	return s
}

func TestRead(t *testing.T) {
	long := "1234567890123456a/\n1234567890123456b/\n"
	tests := []struct {
		name string
		data string
		want []Member
		err  error
	}{
		{"gnu", magic + member("/", 0, "\x00\x00\x00\x00") + member("//", 0, long) +
			member("a.o/", 100, "abc") + member("/0", 200, "x") + member("/19", 300, "yz"),
			[]Member{{"a.o", 100, 8 + 64 + 98}, {"1234567890123456a", 200, 8 + 64 + 98 + 64}, {"1234567890123456b", 300, 8 + 64 + 98 + 64 + 62}}, nil},
		{"bsd", magic + member("#1/20", 5, "a-rather-long-name.o"+"data") + member("b.o", 6, ""),
			[]Member{{"a-rather-long-name.o", 5, 8}, {"b.o", 6, 8 + 60 + 24}}, nil},
		{"thin", thinMagic + member("//", 0, "x/y.o/\n") + header("/0", 7, 1000) + header("z.o/", 8, 3),
			[]Member{{"x/y.o", 7, 8 + 68}, {"z.o", 8, 8 + 68 + 60}}, nil},
		{"unpadded last", magic + header("a/", 1, 1) + "x", []Member{{"a", 1, 8}}, nil},
		{"empty", magic, nil, nil},
		{"not an archive", "hello", nil, ErrFormat},
		{"bad header", magic + strings.Repeat("x", 60), nil, ErrFormat},
		{"truncated", magic + header("a/", 1, 10) + "abc", nil, ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read(strings.NewReader(tt.data))
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseName(t *testing.T) {
	tests := []struct {
		name, lib, mem string
		ok             bool
	}{
		{"lib.a(x.o)", "lib.a", "x.o", true},
		{"d/lib.a(x.o)", "d/lib.a", "x.o", true},
		{"lib(*.o)", "lib", "*.o", true},
		{"(%)", "", "", false},
		{"lib()", "", "", false},
		{"foo(bar).baz", "", "", false},
		{"plain", "", "", false},
	}
	for _, tt := range tests {
		lib, mem, ok := ParseName(tt.name)
		if lib != tt.lib || mem != tt.mem || ok != tt.ok {
			t.Errorf("ParseName(%q) = %q, %q, %v; want %q, %q, %v", tt.name, lib, mem, ok, tt.lib, tt.mem, tt.ok)
		}
	}
}

func TestGlob(t *testing.T) {
	ms := []Member{{Name: "b.o"}, {Name: "a.o"}, {Name: ".hidden.o"}, {Name: "c.x"}}
	if got, want := Glob(ms, "*.o"), []string{"a.o", "b.o"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Glob(*.o) = %q, want %q", got, want)
	}
	if got := Glob(ms, "*.z"); got != nil {
		t.Errorf("Glob(*.z) = %q, want none", got)
	}
	for p, want := range map[string]bool{"*.o": true, "a?": true, "[ab]": true, "a[": false, `\*`: false, "plain": false} {
		if HasMeta(p) != want {
			t.Errorf("HasMeta(%q) = %v, want %v", p, !want, want)
		}
	}
}

func TestDateAndTouch(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib.a")
	data := magic + member("a.o/", 100, "abc") + member("b.o/", 200, "de")
	if err := os.WriteFile(lib, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if d, ok := Date(lib, "dir/b.o"); !ok || d != 200 {
		t.Errorf("Date(b.o) = %d, %v; want 200, true", d, ok)
	}
	if _, ok := Date(lib, "c.o"); ok {
		t.Error("Date(c.o) found a member the archive lacks")
	}
	if _, ok := Date(filepath.Join(dir, "none.a"), "a.o"); ok {
		t.Error("Date found a member of a missing archive")
	}
	old := time.Unix(1000, 0)
	if err := os.Chtimes(lib, old, old); err != nil {
		t.Fatal(err)
	}
	if err := Touch(lib, "a.o"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(lib)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := Date(lib, "a.o"); !ok || d != fi.ModTime().Unix() || d == 100 {
		t.Errorf("after Touch, Date(a.o) = %d, %v; want the archive's time %d", d, ok, fi.ModTime().Unix())
	}
	if d, _ := Date(lib, "b.o"); d != 200 {
		t.Errorf("Touch(a.o) changed b.o's date to %d", d)
	}
	if err := Touch(lib, "c.o"); !errors.Is(err, ErrNoMember) {
		t.Errorf("Touch(c.o) = %v, want ErrNoMember", err)
	}
	if err := Touch(filepath.Join(dir, "none.a"), "a.o"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Touch of a missing archive = %v, want ErrNotExist", err)
	}
}
