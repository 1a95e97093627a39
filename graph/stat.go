package graph

import (
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// statMtime returns the modification time of the file at path (following
// symbolic links, as make's stat does) and whether it exists. A no-op run
// stats every file of the graph: this does it without os.Stat's FileInfo.
func statMtime(path string) (time.Time, bool) {
	var st syscall.Stat_t
	for {
		err := syscall.Stat(path, &st)
		if err == nil {
			return time.Unix(st.Mtim.Unix()), true
		}
		if err != syscall.EINTR {
			return time.Time{}, false
		}
	}
}

// statSymlinkMtime is statMtime under -L: the time of a file reached
// through symbolic links is the latest of the links' own times and the
// file's, and a dangling link exists with the latest of its links' times
// (make's name_mtime with check_symlink_flag).
func statSymlinkMtime(path string) (time.Time, bool) {
	mtime, exists := statMtime(path)
	p := path
	for range 64 { // make stops at the path length; a loop ends here
		var st syscall.Stat_t
		if err := syscall.Lstat(p, &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFLNK {
			break
		}
		if lt := time.Unix(st.Mtim.Unix()); !exists || lt.After(mtime) {
			mtime, exists = lt, true
		}
		target, err := os.Readlink(p)
		if err != nil {
			break
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(p), target)
		}
		p = target
	}
	return mtime, exists
}
