package debindex

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden index")

// testdata is the sandbox's: the hand-written Contents file and package
// list its tests judge commands by.
const testdata = "../testdata/contents"

func readTestIndex(t *testing.T) *Index {
	t.Helper()
	idx := New()
	for name, read := range map[string]func(*os.File, *Index) error{
		"Contents-amd64": func(f *os.File, idx *Index) error { return ReadContents(f, idx) },
		"Packages":       func(f *os.File, idx *Index) error { return ReadPackages(f, idx) },
	} {
		f, err := os.Open(filepath.Join(testdata, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := read(f, idx); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f.Close()
	}
	return idx
}

// The index of the hand-written Contents file and package list, written
// as the cache keeps it, is the golden index.golden; read back, it answers
// as the index it was written from.
func TestIndexGolden(t *testing.T) {
	idx := readTestIndex(t)
	var buf bytes.Buffer
	if err := idx.Write(&buf); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join(testdata, "index.golden")
	if *update {
		os.WriteFile(golden, buf.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(want) {
		t.Errorf("index:\n%s\nwant (%s):\n%s", buf.String(), golden, want)
	}
	read, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	mapped, err := mapText(t, buf.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		kind, name string
		want       string // comma-separated; "-" unknown (Depends)
	}{
		{"c", "sudo", "sudo,sudo-ldap"},
		{"c", "visudo", "sudo,sudo-ldap"},
		{"c", "lsb_release", "lsb-release"},
		{"c", "cowsay", "cowsay"},
		{"c", "sudoers", ""},    // etc/, not a directory of $PATH
		{"c", "tool", ""},       // deeper than a bin directory
		{"c", "with space", ""}, // the package list is the last field; no command has a space
		{"c", "python3", ""},
		{"a", "nc", "netcat-openbsd,netcat-traditional"}, // nc.openbsd, nc.traditional
		{"a", "python3", "python3.11-minimal"},
		{"a", "vi", "vim"}, // the table of known alternatives: vim.basic
		{"a", "java", "openjdk-17-jre-headless"},
		{"d", "lsb-release", "dpkg,python3"},
		{"d", "gnupg", "dirmngr,gpg,gpg-agent"}, // its Recommends apart:
		{"r", "gnupg", "gnupg-l10n"},            // installed unless --no-install-recommends
		{"r", "lsb-release", ""},
		{"d", "openjdk-17-jre-headless", "ca-certificates-java|ca-certificates,java-common"}, // alternatives kept together, in order
		{"d", "banner-user", "figlet|cowsay"},
		{"p", "sudo-virtual", "sudo,sudo-ldap"}, // a virtual package: its providers
		{"d", "sudo-virtual", ""},               // known, no dependencies of its own
		{"p", "netcat", "netcat-traditional"},
		{"d", "sudo-ldap", ""},
		{"d", "no-such-package", "-"},
	} {
		for which, x := range map[string]*Index{"built": idx, "read": read, "mapped": mapped} {
			var got []string
			known := true
			switch tc.kind {
			case "c":
				got = x.Commands(tc.name)
			case "a":
				got = x.Alternatives(tc.name)
			case "d":
				got, known = x.Depends(tc.name)
			case "p":
				got = x.Providers(tc.name)
			case "r":
				got = x.Recommends(tc.name)
			}
			s := strings.Join(got, ",")
			if !known {
				s = "-"
			}
			if s != tc.want {
				t.Errorf("%s index: %s %q = %q, want %q", which, tc.kind, tc.name, s, tc.want)
			}
		}
	}
	if idx.Len() != read.Len() || idx.Len() != mapped.Len() {
		t.Errorf("%d entries built, %d read, %d mapped", idx.Len(), read.Len(), mapped.Len())
	}
}

func TestNames(t *testing.T) {
	got := Names("a (>= 1) | b:any, c [amd64], d:native <!nocheck>,, e")
	if want := []string{"a", "b", "c", "d", "e"}; !slices.Equal(got, want) {
		t.Errorf("Names = %q, want %q", got, want)
	}
}

// Read refuses what Write does not write: no header (an older form),
// unknown tags, lines out of order (the lookups search sorted lines), a
// last line without newline.
func TestReadRejects(t *testing.T) {
	if _, err := Read(strings.NewReader(Header + "c sudo sudo\n")); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{
		"c sudo sudo\n", // no header: an older form
		Header + "x sudo sudo\n",
		Header + "c sudo sudo\nc bash bash\n",
		Header + "d a b\nc sudo sudo\n",
		Header + "c sudo sudo",
		Header + "c  sudo\n",
	} {
		if _, err := Read(strings.NewReader(in)); err == nil {
			t.Errorf("Read(%q): no error", in)
		}
		if _, err := mapText(t, in); err == nil {
			t.Errorf("Map(%q): no error", in)
		}
	}
}

// mapText maps a file holding text (Map).
func mapText(t *testing.T, text string) (*Index, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "index")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Map(f)
}
