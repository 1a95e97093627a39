package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

// TestLazyGC checks that lazyGC turns the collector off under a memory
// limit, that the first collection restores the usual pacing, and that
// GOGC or GOMEMLIMIT set by the user leave the collector alone.
func TestLazyGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	for _, env := range []map[string]string{{"GOGC": "50"}, {"GOMEMLIMIT": "1GiB"}} {
		if lazyGC(func(k string) string { return env[k] }) != nil {
			t.Errorf("lazyGC with %v changed the collector", env)
		}
		if p := debug.SetGCPercent(100); p != 100 {
			t.Errorf("lazyGC with %v: GOGC %d, want 100 untouched", env, p)
		}
	}
	back := lazyGC(func(string) string { return "" })
	if back == nil {
		t.Fatal("lazyGC did nothing without GOGC and GOMEMLIMIT")
	}
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Errorf("GOGC = %d, want off (-1)", p)
	}
	if l := debug.SetMemoryLimit(-1); l != lazyGCLimit {
		t.Errorf("memory limit = %d, want %d", l, lazyGCLimit)
	}
	runtime.GC()
	<-back
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("after the first collection GOGC = %d, want 100", p)
	}
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		t.Errorf("after the first collection the memory limit is %d, want none", l)
	}
}
