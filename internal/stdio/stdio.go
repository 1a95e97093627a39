// Package stdio holds the one description of a run's standard streams,
// shared by the driver (a make or build run) and the legacy utilities, so
// the command line hands the same value to either.
package stdio

import "io"

// Streams is the standard input, output and error a run talks to. A nil
// In reads nothing.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}
