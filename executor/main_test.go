package executor_test

import (
	"os"
	"testing"
)

// TestMain gives the tests' dmake runs (maketest.Exec, through the driver)
// a cache of loaded makefiles of their own, not the user's.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dmake-executor-test-cache")
	if err != nil {
		panic(err)
	}
	os.Setenv("DMAKE_CACHE_DIR", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
