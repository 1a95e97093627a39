// Package stdio holds the one description of a run's standard streams,
// shared by the driver (a make or build run) and the legacy utilities, so
// the command line hands the same value to either.
package stdio

import (
	"io"
	"os"
	"sync"
)

// Streams is the standard input, output and error a run talks to. A nil
// In reads nothing.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// SameFile reports whether out and err are one open file (as when a
// command's standard output and error are redirected together): make's
// -O then collects both into one file, so that their order is kept.
func SameFile(out, err io.Writer) bool {
	of, ok1 := File(out)
	ef, ok2 := File(err)
	if !ok1 || !ok2 {
		return false
	}
	oi, err1 := of.Stat()
	ei, err2 := ef.Stat()
	return err1 == nil && err2 == nil && os.SameFile(oi, ei)
}

// Collected is output collected in unlinked temporary files, as make
// collects a job's under -O: the commands write to a file of their own
// (no pipe that a background job they leave could hold), one for both
// streams when they are one file (SameFile), so that the order of their
// lines is kept.
type Collected struct {
	files []*os.File // stdout's, then stderr's unless they are one
}

// Collect makes the files that collect a run's standard output and
// error: one file for both when one is set (the streams are one file:
// SameFile).
func Collect(one bool) (*Collected, error) {
	n := 2
	if one {
		n = 1
	}
	c := &Collected{}
	for range n {
		f, err := os.CreateTemp("", "dmake-output-")
		if err != nil {
			c.Close()
			return nil, err
		}
		os.Remove(f.Name())
		c.files = append(c.files, f)
	}
	return c, nil
}

// Streams returns the files to write the collected standard output and
// error to (the same file when the streams are one).
func (c *Collected) Streams() (out, err *os.File) {
	return c.files[0], c.files[len(c.files)-1]
}

// Pending reports whether anything was written since the last Flush.
// Writers share each file's offset, so it is at the end of what they
// wrote.
func (c *Collected) Pending() bool {
	for _, f := range c.files {
		if end, err := f.Seek(0, io.SeekCurrent); err == nil && end > 0 {
			return true
		}
	}
	return false
}

// Flush copies what was collected to out and err (one file's to out when
// the streams are one), and empties the files for what comes next.
func (c *Collected) Flush(out, err io.Writer) {
	for i, w := range []io.Writer{out, err}[:len(c.files)] {
		f := c.files[i]
		end, serr := f.Seek(0, io.SeekCurrent)
		if serr != nil || end == 0 {
			continue
		}
		if _, serr := f.Seek(0, io.SeekStart); serr == nil {
			io.CopyN(w, f, end)
		}
		f.Truncate(0)
		f.Seek(0, io.SeekStart)
	}
}

// Close closes the files (they are unlinked already).
func (c *Collected) Close() {
	for _, f := range c.files {
		f.Close()
	}
}

// File returns the file w writes to: w itself, or the file of a stream an
// Announcer wraps. A child process given it writes there directly, as
// make's children inherit its streams.
func File(w io.Writer) (*os.File, bool) {
	switch w := w.(type) {
	case *os.File:
		return w, true
	case *announced:
		f, ok := w.w.(*os.File)
		return f, ok
	}
	return nil, false
}

// Announcer writes a line once, before the first thing written to the
// streams it wraps or when Announce is called: make's "Entering
// directory", which make prints only once the directory has something to
// show (a message, a command started, a $(shell) run: output.c's
// output_start), so that a sub-make with nothing to do prints nothing.
type Announcer struct {
	mu   sync.Mutex
	w    io.Writer
	line string
	done bool
}

// NewAnnouncer returns the Announcer that writes line to w.
func NewAnnouncer(w io.Writer, line string) *Announcer {
	return &Announcer{w: w, line: line}
}

// Announce writes the line unless it was written.
func (a *Announcer) Announce() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.done {
		a.done = true
		io.WriteString(a.w, a.line)
	}
}

// Announced reports whether the line was written.
func (a *Announcer) Announced() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.done
}

// Wrap returns w writing the line first, before its first write. A child
// process is given the file itself (File): whoever starts one calls
// Announce first.
func (a *Announcer) Wrap(w io.Writer) io.Writer {
	return &announced{a: a, w: w}
}

type announced struct {
	a *Announcer
	w io.Writer
}

func (s *announced) Write(p []byte) (int, error) {
	s.a.Announce()
	return s.w.Write(p)
}
