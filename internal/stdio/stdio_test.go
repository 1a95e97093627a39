package stdio

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestSameFile(t *testing.T) {
	dir := t.TempDir()
	a, err := os.Create(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a2, err := os.OpenFile(a.Name(), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer a2.Close()
	b, err := os.Create(filepath.Join(dir, "b"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, c := range []struct {
		name     string
		out, err io.Writer
		want     bool
	}{
		{"one descriptor", a, a, true},
		{"two descriptors of one file", a, a2, true},
		{"two files", a, b, false},
		{"not a file", a, new(bytes.Buffer), false},
	} {
		if got := SameFile(c.out, c.err); got != c.want {
			t.Errorf("%s: SameFile = %v, want %v", c.name, got, c.want)
		}
	}
}
