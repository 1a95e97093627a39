package executor

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// fileTableOrder sorts names (each at most once) as GNU make's file table
// holds them, the order in which make removes intermediate files: by
// slot of an open-addressing hash table of jhash_string values, 1024 slots
// doubled while nfiles (how many files make knows, estimated) fills more
// than 15/16 of it. Names of the same slot keep their order. Make's
// linear probing around the other files it knows is not modelled.
func fileTableOrder(names []string, nfiles int) {
	size := uint32(1024)
	for nfiles >= int(size-size/16) && size < 1<<30 {
		size *= 2
	}
	slices.SortStableFunc(names, func(a, b string) int {
		sa, sb := jhashString(a)&(size-1), jhashString(b)&(size-1)
		switch {
		case sa < sb:
			return -1
		case sa > sb:
			return 1
		}
		return 0
	})
}

// jhashString is GNU make 4.3's jhash_string (hash.c), the hash of its
// file table: Bob Jenkins' lookup3 over the name in 4-byte little-endian
// words up to its terminating NUL, plus the offset where that NUL was met.
func jhashString(s string) uint32 {
	a, b, c := uint32(0xdeadbeef), uint32(0xdeadbeef), uint32(0xdeadbeef)
	k := 0
	// sum adds the next word (the name's bytes zero-padded) to r and
	// reports whether it held the terminating NUL.
	sum := func(r *uint32) bool {
		var w [4]byte
		n := copy(w[:], s[k:])
		*r += binary.LittleEndian.Uint32(w[:])
		return n < 4
	}
	for {
		if sum(&a) {
			break
		}
		k += 4
		if sum(&b) {
			break
		}
		k += 4
		if sum(&c) {
			break
		}
		k += 4
		a -= c
		a ^= bits.RotateLeft32(c, 4)
		c += b
		b -= a
		b ^= bits.RotateLeft32(a, 6)
		a += c
		c -= b
		c ^= bits.RotateLeft32(b, 8)
		b += a
		a -= c
		a ^= bits.RotateLeft32(c, 16)
		c += b
		b -= a
		b ^= bits.RotateLeft32(a, 19)
		a += c
		c -= b
		c ^= bits.RotateLeft32(b, 4)
		b += a
	}
	c ^= b
	c -= bits.RotateLeft32(b, 14)
	a ^= c
	a -= bits.RotateLeft32(c, 11)
	b ^= a
	b -= bits.RotateLeft32(a, 25)
	c ^= b
	c -= bits.RotateLeft32(b, 16)
	a ^= c
	a -= bits.RotateLeft32(c, 4)
	b ^= a
	b -= bits.RotateLeft32(a, 14)
	c ^= b
	c -= bits.RotateLeft32(b, 24)
	return c + uint32(k)
}
