// Package cachetest keeps the cache of loaded makefiles of a test binary's
// dmake runs out of the user's.
package cachetest

import (
	"fmt"
	"os"
	"testing"
)

// RunWithPrivateCache runs the tests of m with DMAKE_CACHE_DIR set to a
// temporary directory, removed afterwards, so that the dmake runs of a
// test binary keep their cache of loaded makefiles out of the user's. It
// returns m.Run's exit code; a TestMain passes it to os.Exit.
func RunWithPrivateCache(m *testing.M) int {
	dir, err := os.MkdirTemp("", "dmake-test-cache")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	os.Setenv("DMAKE_CACHE_DIR", dir)
	return m.Run()
}
