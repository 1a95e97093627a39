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
