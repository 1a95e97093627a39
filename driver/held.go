package driver

import (
	"bytes"
	"io"
	"sync"
)

// heldWriter keeps what an image's recipes write (make's echo of the
// recipe lines, their output) until it is known whether the build sends
// anything: Release writes it and lets later writes through, Drop
// discards it. The tty and quiet progress views use it so that a run
// whose images are all up to date shows no ln -sfn or docker build lines.
type heldWriter struct {
	mu       sync.Mutex
	w        io.Writer
	held     bytes.Buffer
	released bool
}

func newHeldWriter(w io.Writer) *heldWriter { return &heldWriter{w: w} }

func (h *heldWriter) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.released {
		return h.w.Write(p)
	}
	return h.held.Write(p)
}

// Release writes what was held and passes later writes through.
func (h *heldWriter) Release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.released {
		return
	}
	h.released = true
	h.w.Write(h.held.Bytes())
	h.held.Reset()
}

// Drop discards what was held (later writes are held again).
func (h *heldWriter) Drop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.held.Reset()
}
