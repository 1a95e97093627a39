// Package buildinfo says which dmake is running: its release version, the
// commit it was built from and the Go toolchain that built it.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is dmake's release version, set at link time with
// -ldflags "-X github.com/dmake-dev/dmake/internal/buildinfo.Version=…".
var Version = "0.1.0-dev"

// Info describes one dmake binary.
type Info struct {
	// Version is the release version (Version at link time).
	Version string
	// Commit is the revision of the source tree it was built from, ""
	// when the build recorded none (built outside a git checkout, or with
	// -buildvcs=false).
	Commit string
	// CommitTime is the commit's time as the build recorded it (RFC 3339).
	CommitTime string
	// Modified says the tree had changes the commit does not hold.
	Modified bool
	// Go is the Go toolchain's version (e.g. "go1.26.0").
	Go string
	// Platform is GOOS/GOARCH.
	Platform string
}

// Read returns the Info of the running binary.
func Read() Info {
	bi, _ := debug.ReadBuildInfo()
	return FromBuildInfo(bi)
}

// FromBuildInfo returns the Info that bi records (the vcs.* settings of
// go build); bi may be nil.
func FromBuildInfo(bi *debug.BuildInfo) Info {
	i := Info{Version: Version, Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi == nil {
		return i
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			i.Commit = s.Value
		case "vcs.time":
			i.CommitTime = s.Value
		case "vcs.modified":
			i.Modified = s.Value == "true"
		}
	}
	return i
}

// CommitText is the commit as --version shows it: the revision, its time
// and whether the tree was modified, or "unknown".
func (i Info) CommitText() string {
	if i.Commit == "" {
		return "unknown (built without version control information)"
	}
	s := i.Commit
	switch {
	case i.CommitTime != "" && i.Modified:
		s += fmt.Sprintf(" (%s, modified)", i.CommitTime)
	case i.CommitTime != "":
		s += fmt.Sprintf(" (%s)", i.CommitTime)
	case i.Modified:
		s += " (modified)"
	}
	return s
}
