package driver

import (
	"os"
	"testing"

	"github.com/dmake-dev/dmake/internal/cachetest"
	"github.com/dmake-dev/dmake/shellrun/sandbox"
)

// TestMain gives the tests' dmake runs a cache of loaded makefiles of
// their own, not the user's.
// The binary is also the sandbox child of --check runs (sandbox.Init).
func TestMain(m *testing.M) {
	sandbox.Init()
	os.Exit(cachetest.RunWithPrivateCache(m))
}
