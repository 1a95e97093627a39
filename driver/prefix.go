package driver

import (
	"bytes"
	"io"
	"os"
	"sync"
)

// prefixWriter writes whole lines to w, each starting with prefix: the
// output of images that build at once stays readable, every line saying
// whose it is. A line's start is held until its end (or Flush), and each
// line is one Write of w (a lockedWriter shared by the images, so that
// lines never split one another).
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix []byte
	buf    []byte
}

func newPrefixWriter(w io.Writer, prefix string) *prefixWriter {
	return &prefixWriter{w: w, prefix: []byte(prefix)}
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := append(append([]byte(nil), p.prefix...), p.buf[:i+1]...)
		p.buf = p.buf[i+1:]
		if _, err := p.w.Write(line); err != nil {
			return len(b), err
		}
	}
}

// Flush writes a last line without its newline, if any, with one.
func (p *prefixWriter) Flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.buf) > 0 {
		p.w.Write(append(append(append([]byte(nil), p.prefix...), p.buf...), '\n'))
		p.buf = nil
	}
}

// sharedStreams are the standard streams of a run whose images build at
// once: each is written one Write at a time (a lockedWriter), and output
// and error are one lock when they are one writer.
type sharedStreams struct {
	in       io.Reader
	out, err io.Writer
}

func newSharedStreams(s Stdio) sharedStreams {
	out := &lockedWriter{w: s.Out}
	err := io.Writer(out)
	if !sameWriter(s.Out, s.Err) {
		err = &lockedWriter{w: s.Err}
	}
	// Standard input goes to the recipes of every image at once: only a
	// file can be shared so (a shell runner copies any other reader in a
	// goroutine of its own, and two would race).
	in := s.In
	if _, ok := in.(*os.File); !ok {
		in = nil
	}
	return sharedStreams{in: in, out: out, err: err}
}

// image returns the streams of the image name: output and error lines
// start with "name | ". flush writes what is left of a last line.
// Grouped (make's -Otarget), the image's output is held instead and
// written whole, unprefixed, by flush: once the image is done.
func (s sharedStreams) image(name string, grouped bool) (Stdio, func()) {
	if grouped {
		var out, err groupBuffer
		st := Stdio{In: s.in, Out: &out, Err: &err}
		if s.err == s.out {
			st.Err = &out
		}
		return st, func() {
			out.writeTo(s.out)
			err.writeTo(s.err)
		}
	}
	out := newPrefixWriter(s.out, name+" | ")
	err := out
	if s.err != s.out {
		err = newPrefixWriter(s.err, name+" | ")
	}
	return Stdio{In: s.in, Out: out, Err: err}, func() {
		out.Flush()
		err.Flush()
	}
}

// sameWriter reports whether a and b are one writer (false when their
// dynamic type cannot be compared).
func sameWriter(a, b io.Writer) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a == b
}

// groupBuffer holds an image's output until the image is done.
type groupBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (g *groupBuffer) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.b.Write(p)
}

// writeTo writes what g holds to w in one Write, and empties g.
func (g *groupBuffer) writeTo(w io.Writer) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.b.Len() > 0 {
		w.Write(g.b.Bytes())
		g.b.Reset()
	}
}

// dirTurns makes the users of one directory take turns: images built at
// once may prepare the same image's build directory (the image two of them
// are FROM, for their dry runs).
type dirTurns struct {
	mu   sync.Mutex
	dirs map[string]*sync.Mutex
}

// take waits for dir's turn and returns the function that ends it. A nil
// dirTurns takes no turns.
func (t *dirTurns) take(dir string) func() {
	if t == nil {
		return func() {}
	}
	t.mu.Lock()
	if t.dirs == nil {
		t.dirs = map[string]*sync.Mutex{}
	}
	m := t.dirs[dir]
	if m == nil {
		m = &sync.Mutex{}
		t.dirs[dir] = m
	}
	t.mu.Unlock()
	m.Lock()
	return m.Unlock
}
