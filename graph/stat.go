package graph

import (
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
