package txtar

import (
	"bytes"
	"testing"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in      string
		comment string
		files   []File
	}{
		{"", "", nil},
		{"comment\n", "comment\n", nil},
		{"args: -s\n-- Makefile --\nall:\n\t@:\n", "args: -s\n", []File{{"Makefile", []byte("all:\n\t@:\n")}}},
		{"-- a --\n-- b --\nB", "", []File{{"a", nil}, {"b", []byte("B\n")}}},
		{"c\n-- sub/x.mk --\nx\n-- not a marker\n", "c\n", []File{{"sub/x.mk", []byte("x\n-- not a marker\n")}}},
	}
	for _, tt := range tests {
		a := Parse([]byte(tt.in))
		if string(a.Comment) != tt.comment {
			t.Errorf("Parse(%q).Comment = %q, want %q", tt.in, a.Comment, tt.comment)
		}
		if len(a.Files) != len(tt.files) {
			t.Fatalf("Parse(%q): %d files, want %d", tt.in, len(a.Files), len(tt.files))
		}
		for i, f := range a.Files {
			if f.Name != tt.files[i].Name || !bytes.Equal(f.Data, tt.files[i].Data) {
				t.Errorf("Parse(%q) file %d = %q %q, want %q %q", tt.in, i, f.Name, f.Data, tt.files[i].Name, tt.files[i].Data)
			}
		}
		again := Parse(Format(a))
		if string(again.Comment) != string(a.Comment) || len(again.Files) != len(a.Files) {
			t.Errorf("Format/Parse round trip of %q changed the archive", tt.in)
		}
	}
}
