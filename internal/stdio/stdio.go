// Package stdio holds the one description of a run's standard streams,
// shared by the driver (a make or build run) and the legacy utilities, so
// the command line hands the same value to either.
package stdio

import (
	"io"
	"os"
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
	of, ok1 := out.(*os.File)
	ef, ok2 := err.(*os.File)
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
