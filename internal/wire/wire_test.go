package wire

import (
	"errors"
	"math"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	var w Writer
	w.Uint(0)
	w.Uint(math.MaxUint64)
	w.Int(-1)
	w.Int(math.MinInt64)
	w.Bool(true)
	w.Bool(false)
	w.Count(true, 0)
	w.Count(false, 0)
	w.Count(false, 7)
	bad := errors.New("bad")
	r := Reader{B: w.B, Corrupt: bad}
	if r.Uint() != 0 || r.Uint() != math.MaxUint64 || r.Int() != -1 || r.Int() != math.MinInt64 ||
		!r.Bool() || r.Bool() || r.Uint() != 0 || r.Uint() != 1 || r.Uint() != 8 {
		t.Fatalf("round trip read back wrong values (err %v)", r.Err)
	}
	if r.Err != nil || r.Left() != 0 {
		t.Fatalf("err %v, %d bytes left", r.Err, r.Left())
	}
	// Past the end, and a bool byte that is not 0 or 1: the first error
	// sticks and reads give zero values.
	if r.Uint() != 0 || r.Err != bad {
		t.Errorf("read past the end: err %v", r.Err)
	}
	r = Reader{B: []byte{2, 5}, Corrupt: bad}
	if r.Bool() || r.Err != bad || r.Uint() != 0 {
		t.Errorf("bool byte 2: err %v", r.Err)
	}
}
