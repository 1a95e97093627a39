// Package wire holds the varint primitives of dmake's two binary
// encodings, the makefile database of the load cache (makefile/codec.go)
// and the sandbox child's reports (shellrun/sandbox/wire.go): unsigned
// varints, zigzag varints for signed integers, a bool as one byte, and a
// slice's length as 0 for nil, else 1+len. Each encoding builds its own
// strings and structures on top.
package wire

import "encoding/binary"

// Writer appends values to B.
type Writer struct {
	B []byte
}

// Uint appends v as an unsigned varint.
func (w *Writer) Uint(v uint64) { w.B = binary.AppendUvarint(w.B, v) }

// Int appends v as a zigzag varint.
func (w *Writer) Int(v int64) { w.B = binary.AppendVarint(w.B, v) }

// Bool appends v as one byte, 0 or 1.
func (w *Writer) Bool(v bool) {
	if v {
		w.B = append(w.B, 1)
	} else {
		w.B = append(w.B, 0)
	}
}

// Count appends the nil-ness and length n of a slice: 0 for nil, else 1+n.
func (w *Writer) Count(isNil bool, n int) {
	if isNil {
		w.Uint(0)
		return
	}
	w.Uint(uint64(n) + 1)
}

// Reader reads values from B starting at I. The first error sticks: Fail
// records Corrupt in Err and moves I to the end, so every later read
// returns a zero value.
type Reader struct {
	B       []byte
	I       int
	Err     error
	Corrupt error // the error a malformed encoding gives
}

// Fail records that the encoding is malformed.
func (r *Reader) Fail() {
	if r.Err == nil {
		r.Err = r.Corrupt
	}
	r.I = len(r.B)
}

// Left returns how many bytes are left to read.
func (r *Reader) Left() int { return len(r.B) - r.I }

// Uint reads an unsigned varint.
func (r *Reader) Uint() uint64 {
	if r.I < len(r.B) && r.B[r.I] < 0x80 { // one byte: most values
		v := r.B[r.I]
		r.I++
		return uint64(v)
	}
	return r.uintSlow()
}

func (r *Reader) uintSlow() uint64 {
	v, n := binary.Uvarint(r.B[r.I:])
	if n <= 0 {
		r.Fail()
		return 0
	}
	r.I += n
	return v
}

// Int reads a zigzag varint.
func (r *Reader) Int() int64 {
	v, n := binary.Varint(r.B[r.I:])
	if n <= 0 {
		r.Fail()
		return 0
	}
	r.I += n
	return v
}

// Bool reads a bool written by Writer.Bool; a byte other than 0 or 1 is
// malformed.
func (r *Reader) Bool() bool {
	if r.I >= len(r.B) || r.B[r.I] > 1 {
		r.Fail()
		return false
	}
	v := r.B[r.I] == 1
	r.I++
	return v
}
