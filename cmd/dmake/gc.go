package main

import (
	"math"
	"runtime"
	"runtime/debug"
)

// lazyGCLimit is the memory the process may use before its first
// collection: enough for a no-op on a tree of 10 000 makefiles (a warm
// load cache, ~56 MB) to end without one, low enough that a cold
// "dmake -n" of such a tree peaks below GNU make (~97 MB against make's
// ~118 MB; 137 MB at 128 MB here, for the same time).
const lazyGCLimit = 80 << 20

// gcSentinel is allocated only to learn when the first collection ran (its
// finalizer). The pointer keeps it out of the tiny allocator, whose objects'
// finalizers may never run.
type gcSentinel struct {
	_ *int
	_ [16]byte
}

// lazyGC holds the collector off until the process has used lazyGCLimit of
// memory (GOGC off under a memory limit), then hands it back to the usual
// pacing (GOGC=100, no limit): a typical run (reading and checking a tree of
// thousands of makefiles) finishes before its first collection instead of
// spending a third of its time in the several collections a small initial
// heap goal causes, and a large run collects as usual after the first. It
// does nothing when the user set GOGC or GOMEMLIMIT. The returned channel,
// when not nil, is closed once the usual pacing is back.
func lazyGC(getenv func(string) string) <-chan struct{} {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return nil
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(lazyGCLimit)
	back := make(chan struct{})
	runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
		close(back)
	})
	return back
}
