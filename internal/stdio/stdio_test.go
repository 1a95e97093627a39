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

// TestAnnouncer: the line comes once, before the first write to either
// wrapped stream or at Announce, and File sees through the wrapper.
func TestAnnouncer(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(a *Announcer, out, err io.Writer)
		want string
	}{
		{"nothing", func(a *Announcer, out, err io.Writer) {}, ""},
		{"stdout", func(a *Announcer, out, err io.Writer) { io.WriteString(out, "x\n"); io.WriteString(out, "y\n") }, "enter\nx\ny\n"},
		{"stderr first", func(a *Announcer, out, err io.Writer) { io.WriteString(err, "e\n"); io.WriteString(out, "x\n") }, "enter\ne\nx\n"},
		{"announce", func(a *Announcer, out, err io.Writer) { a.Announce(); a.Announce(); io.WriteString(out, "x\n") }, "enter\nx\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			a := NewAnnouncer(&b, "enter\n")
			tc.do(a, a.Wrap(&b), a.Wrap(&b))
			if b.String() != tc.want {
				t.Errorf("wrote %q, want %q", b.String(), tc.want)
			}
			if a.Announced() != (tc.want != "") {
				t.Errorf("Announced() = %v after writing %q", a.Announced(), b.String())
			}
		})
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a := NewAnnouncer(io.Discard, "enter\n")
	if got, ok := File(a.Wrap(f)); !ok || got != f {
		t.Errorf("File(wrapped file) = %v, %v; want the file", got, ok)
	}
	if _, ok := File(a.Wrap(new(bytes.Buffer))); ok {
		t.Error("File(wrapped buffer) reports a file")
	}
	if a.Announced() {
		t.Error("File announced")
	}
	if !SameFile(a.Wrap(f), f) {
		t.Error("SameFile(wrapped file, file) = false")
	}
}
