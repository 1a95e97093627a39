package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/dmake-dev/dmake/driver"
	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/internal/legacybuild"
)

// dmakePrefix tags the images dmake builds for these tests.
const dmakePrefix = "dmaketest-dmake/"

var dmakeOnce struct {
	sync.Once
	im  legacybuild.Images
	out string
	st  int
}

// dmakeImages builds base, ssh and web of a copy of legacy-images with
// dmake (the driver, as "dmake base ssh web" runs it), once per test run.
// The layered build reuses the engine's cache, and an unchanged image is
// not built again at all.
func dmakeImages(t *testing.T) legacybuild.Images {
	t.Helper()
	enginetest.Require(t)
	dmakeOnce.Do(func() {
		src, err := legacybuild.RepoDir()
		if err != nil {
			dmakeOnce.out, dmakeOnce.st = err.Error(), -1
			return
		}
		// A fixed directory, so the inputs of an unchanged tree are the
		// same from one run to the next.
		repo := filepath.Join(os.TempDir(), "dmake-e2e", "legacy-images")
		os.RemoveAll(repo)
		if err := os.MkdirAll(filepath.Dir(repo), 0o755); err != nil {
			dmakeOnce.out, dmakeOnce.st = err.Error(), -1
			return
		}
		if err := legacybuild.CopyTree(src, repo); err != nil {
			dmakeOnce.out, dmakeOnce.st = err.Error(), -1
			return
		}
		var out bytes.Buffer
		t.Setenv("DOCKER_HOME", "")
		dmakeOnce.st = driver.Run(context.Background(), driver.Options{
			Dir:       []string{repo},
			Goals:     []string{"base", "ssh", "web"},
			Variables: []string{"IMAGE_PREFIX=" + dmakePrefix},
			Mode:      "dev",
			Progress:  "plain",
			Network:   "host",
		}, driver.Stdio{In: &bytes.Buffer{}, Out: &out, Err: &out})
		dmakeOnce.out = out.String()
		dmakeOnce.im = legacybuild.Images{Prefix: dmakePrefix, Repo: repo}
	})
	if dmakeOnce.st != 0 {
		t.Fatalf("dmake base ssh web: status %d\n%s", dmakeOnce.st, dmakeOnce.out)
	}
	return dmakeOnce.im
}

// TestDmakeSSH runs the foundation's end-to-end checks of the ssh image
// (boot order, container environment, runit, key login, SIGTERM on stop) on
// the image dmake built from the unchanged legacy repository.
func TestDmakeSSH(t *testing.T) {
	checkSSH(t, dmakeImages(t))
}

// TestDmakeWeb runs the web check on dmake's web image.
func TestDmakeWeb(t *testing.T) {
	checkWeb(t, dmakeImages(t))
}
