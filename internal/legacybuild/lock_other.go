//go:build !unix

package legacybuild

// lock is a no-op where flock(2) does not exist.
func lock(path string) (func(), error) { return func() {}, nil }
