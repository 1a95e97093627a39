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

// Collected keeps what the streams got until Flush writes it out, each
// stream's to its writer (both to out when they are one file), and is
// empty after.
func TestCollected(t *testing.T) {
	for _, one := range []bool{false, true} {
		c, err := Collect(one)
		if err != nil {
			t.Fatal(err)
		}
		if c.Pending() {
			t.Errorf("one %v: pending before any write", one)
		}
		o, e := c.Streams()
		if (o == e) != one {
			t.Errorf("one %v: the streams are one file: %v", one, o == e)
		}
		o.WriteString("out\n")
		e.WriteString("err\n")
		if !c.Pending() {
			t.Errorf("one %v: nothing pending after writes", one)
		}
		var out, errw bytes.Buffer
		c.Flush(&out, &errw)
		want := [2]string{"out\n", "err\n"}
		if one {
			want = [2]string{"out\nerr\n", ""}
		}
		if got := [2]string{out.String(), errw.String()}; got != want {
			t.Errorf("one %v: flushed %q, want %q", one, got, want)
		}
		if c.Pending() {
			t.Errorf("one %v: pending after Flush", one)
		}
		o.WriteString("again\n")
		out.Reset()
		c.Flush(&out, &errw)
		if out.String() != "again\n" {
			t.Errorf("one %v: second flush %q, want only what came after the first", one, out.String())
		}
		c.Close()
	}
}
