// Package relpath turns the names of a make run into the shortest names
// the kernel resolves to the same files from the process's working
// directory. A stat of "script/a.sh" walks two path components where
// "/tmp/project/images/base/script/a.sh" walks six: a no-op run stats
// every file of its graph, and the walk is most of each stat's cost.
package relpath

import (
	"os"
	"path/filepath"
	"strings"
)

// Resolver maps names relative to a directory (make's CURDIR) to names
// for system calls made from the process's working directory. The zero
// Resolver returns relative names unchanged and absolute names as they
// are.
type Resolver struct {
	dir    string // the directory relative names are relative to; "" when it is the working directory
	prefix string // the working directory with a trailing slash; "" when unknown
}

// New returns the Resolver for names relative to dir ("" is the working
// directory). The process must not change its working directory while
// the Resolver is in use (dmake never does).
func New(dir string) Resolver {
	var r Resolver
	wd, err := os.Getwd()
	if err != nil {
		return Resolver{dir: dir}
	}
	if wd != "/" {
		r.prefix = wd + "/"
	}
	if dir != "" && !sameDir(dir, ".") {
		r.dir = dir
	}
	return r
}

// Path returns the name to use for name in system calls: a relative name
// joined to the Resolver's directory unless that is the working
// directory; an absolute name under the working directory made relative
// to it.
func (r Resolver) Path(name string) string {
	if filepath.IsAbs(name) {
		if r.prefix != "" && len(name) > len(r.prefix) && strings.HasPrefix(name, r.prefix) {
			return name[len(r.prefix):]
		}
		return name
	}
	if r.dir == "" {
		return name
	}
	return filepath.Join(r.dir, name)
}

// sameDir reports whether a and b name the same directory.
func sameDir(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false
	}
	return os.SameFile(fa, fb)
}
