package e2e

import (
	"os"
	"testing"

	"github.com/dmake-dev/dmake/internal/cachetest"
)

// TestMain gives the tests' dmake runs a cache of loaded makefiles of
// their own, not the user's.
func TestMain(m *testing.M) { os.Exit(cachetest.RunWithPrivateCache(m)) }
