package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// --clean-cache leaves the store of base images alone while a build reads
// it (its daemon fetching blobs, its load reading them), and removes it
// once the build ends; a build that waited on a removal uses a store made
// afresh, not the removed one.
func TestCleanBasesInUse(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir, err := BasesDir()
	if err != nil {
		t.Fatal(err)
	}
	release, err := useBases(dir)
	if err != nil {
		t.Fatal(err)
	}
	blob := filepath.Join(dir, "blobs", "sha256", "ab")
	os.MkdirAll(filepath.Dir(blob), 0o755)
	if err := os.WriteFile(blob, []byte("layer"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A second build shares the store.
	release2, err := useBases(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := CleanBases(); !errors.Is(err, ErrBasesInUse) {
		t.Errorf("CleanBases while builds use the store: %v, want ErrBasesInUse", err)
	}
	if _, err := os.Stat(blob); err != nil {
		t.Errorf("a blob in use went: %v", err)
	}
	release()
	if _, _, err := CleanBases(); !errors.Is(err, ErrBasesInUse) {
		t.Errorf("CleanBases while one build still uses the store: %v, want ErrBasesInUse", err)
	}
	release2()
	files, _, err := CleanBases()
	if err != nil || files < 2 {
		t.Errorf("CleanBases after the builds: %d files, %v; want the blob and the lock file removed", files, err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s is still there: %v", dir, err)
	}
	// The next build makes the store again.
	release, err = useBases(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if _, err := os.Stat(filepath.Join(dir, "inuse")); err != nil {
		t.Errorf("no store made again: %v", err)
	}
}

// A build that waits for the store while --clean-cache removes it uses the
// store made afresh, not the removed one: it is blocked on the lock file
// (its wait seen in /proc/locks) when the removal happens.
func TestUseBasesAfterRemoval(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir, err := BasesDir()
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(dir, 0o755)
	inuse := filepath.Join(dir, "inuse")
	f, err := os.OpenFile(inuse, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	got := make(chan func())
	go func() {
		release, err := useBases(dir)
		if err != nil {
			t.Error(err)
		}
		got <- release
	}()
	// Wait until the build is blocked on the lock: /proc/locks lists a
	// waiter ("->") on the file's inode.
	ino := fmt.Sprintf(":%d ", st.Ino)
	for blocked := false; !blocked; {
		b, err := os.ReadFile("/proc/locks")
		if err != nil {
			t.Fatalf("no /proc/locks to see the wait: %v", err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, "->") && strings.Contains(l, ino) {
				blocked = true
			}
		}
		runtime.Gosched()
	}
	if err := os.RemoveAll(dir); err != nil { // as CleanBases does, holding the lock
		t.Fatal(err)
	}
	f.Close()
	release := <-got
	if release == nil {
		t.FailNow()
	}
	defer release()
	if _, err := os.Stat(inuse); err != nil {
		t.Errorf("the waiting build uses the removed store: %v", err)
	}
}
