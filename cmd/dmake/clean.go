package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/loadcache"
	"github.com/dmake-dev/dmake/shellrun/sandbox/rootfs"
)

// cleanCaches is --clean-cache: it removes dmake's caches outside the
// repository, the cache of loaded makefiles (loadcache) and the base root
// filesystems exported for --check (rootfs) and the local base images saved
// for BuildKit builds (engine.BasesDir), saying what it removed. All are
// rebuilt when next needed; images and the repository are not touched.
func cleanCaches(w io.Writer, getenv func(string) string) error {
	if dir := loadcache.Location("", getenv); dir == "" {
		fmt.Fprintf(w, "load cache: off ($DMAKE_CACHE_DIR=%s), nothing to remove\n", getenv("DMAKE_CACHE_DIR"))
	} else {
		c := loadcache.New(dir)
		r, err := c.Clean()
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "load cache: removed %d %s (%s) from %s\n", r.Files, plural(r.Files, "entry", "entries"), engine.HumanSize(r.Bytes), c.Dir())
	}
	files, bytes, err := rootfs.Clean()
	if err != nil {
		return err
	}
	dir, _ := rootfs.Dir()
	fmt.Fprintf(w, "base rootfs cache: removed %d %s (%s) from %s\n", files, plural(files, "file", "files"), engine.HumanSize(bytes), dir)
	bfiles, bbytes, err := engine.CleanBases()
	if err != nil {
		return err
	}
	bdir, _ := engine.BasesDir()
	fmt.Fprintf(w, "BuildKit base image store: removed %d %s (%s) from %s\n", bfiles, plural(bfiles, "file", "files"), engine.HumanSize(bbytes), bdir)
	if dir != "" {
		os.Remove(filepath.Dir(dir)) // dmake's cache directory, if that left it empty
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
