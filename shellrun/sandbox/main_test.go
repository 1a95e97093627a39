package sandbox

import (
	"os"
	"strings"
	"testing"
)

// TestMain makes the test binary the sandbox child when Check re-executes
// it.
func TestMain(m *testing.M) {
	Init()
	os.Exit(m.Run())
}

// TestCheckNeedsInit checks that Check refuses to re-execute a program that
// does not call Init (it would not act as the child).
func TestCheckNeedsInit(t *testing.T) {
	initCalled.Store(false)
	defer initCalled.Store(true)
	_, err := Check(t.Context(), []Image{{Name: "x"}}, Options{})
	if err == nil || !strings.Contains(err.Error(), "does not call sandbox.Init") {
		t.Errorf("Check without Init: %v", err)
	}
}
