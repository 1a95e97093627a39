package graph

import (
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/dmake-dev/dmake/makefile"
)

// libDirs are the directories make searches for a -lNAME prerequisite
// after the current directory and vpath: /lib, its LIBDIR (Debian's GNU
// make, the one dmake answers to, has the multiarch /usr/lib/TRIPLET),
// and /usr/local/lib.
var libDirs = []string{"/lib", libDir(), "/usr/local/lib"}

// libDir is Debian's LIBDIR for this machine: /usr/lib/TRIPLET when that
// exists, else /usr/lib.
func libDir() string {
	triplet := map[string]string{
		"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu", "386": "i386-linux-gnu",
		"arm": "arm-linux-gnueabihf", "ppc64le": "powerpc64le-linux-gnu", "riscv64": "riscv64-linux-gnu",
		"s390x": "s390x-linux-gnu", "mips64le": "mips64el-linux-gnuabi64", "loong64": "loongarch64-linux-gnu",
	}[runtime.GOARCH]
	if triplet != "" {
		if fi, err := os.Stat("/usr/lib/" + triplet); err == nil && fi.IsDir() {
			return "/usr/lib/" + triplet
		}
	}
	return "/usr/lib"
}

// libSearch finds the file of a "-lNAME" prerequisite as make's
// library_search does: each .LIBPATTERNS pattern with NAME for its %
// (a word without % is warned about and skipped) is looked for in the
// current directory (the first found there wins at once), by vpath and
// in libDirs; of the others the one earliest in the vpath order wins,
// then the earliest pattern. It returns the name found and its time.
func (g *Graph) libSearch(name string) (string, time.Time, bool) {
	lib := name[2:]
	pats, err := g.db.Expand(g.ctx, nil, "$(.LIBPATTERNS)")
	if err != nil {
		return "", time.Time{}, false
	}
	var best string
	var bestTime time.Time
	var bestVPath, bestPath uint
	for _, p := range strings.Fields(pats) {
		i := strings.IndexByte(p, '%')
		if i < 0 {
			g.warn(".LIBPATTERNS element '" + p + "' is not a pattern")
			continue
		}
		file := p[:i] + lib + p[i+1:]
		if mt, ok := g.stat(g.sysPath(file)); ok {
			return file, mt, true
		}
		if f, mt, ok, vi, pi := g.vpathSearchIndex(file); ok {
			if best == "" || vi < bestVPath || vi == bestVPath && pi < bestPath {
				best, bestTime, bestVPath, bestPath = f, mt, vi, pi
			}
		}
		// The standard directories come after every vpath directory.
		vi := ^uint(0) - uint(len(libDirs))
		for _, d := range libDirs {
			f := d + "/" + file
			if mt, ok := g.stat(f); ok && (best == "" || vi < bestVPath) {
				best, bestTime, bestVPath = f, mt, vi
			}
			vi++
		}
	}
	return best, bestTime, best != ""
}

// warn passes a warning on to Options.Warn.
func (g *Graph) warn(msg string) { g.warnAt(makefile.Pos{}, msg) }

// warnAt passes a warning about what the makefiles say at pos on to
// Options.Warn.
func (g *Graph) warnAt(pos makefile.Pos, msg string) {
	if g.opts.Warn != nil {
		g.opts.Warn(pos, msg)
	}
}
