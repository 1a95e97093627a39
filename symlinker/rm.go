package symlinker

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

var rmLong = []longOpt{
	{name: "force", c: 'f'},
	{name: "recursive", c: 'r'},
	{name: "dir", c: 'd'},
	{name: "verbose", c: 'v'},
}

// runRm is rm with -f, -r/-R, -d and -v. Without -f and with a terminal on
// standard input rm may prompt, so that case goes to the real rm.
func runRm(c *cmd, args []string) bool {
	opts, files, ok := getopt(args, "fdrRv", rmLong)
	if !ok {
		return false
	}
	r := &remover{c: c}
	for _, o := range opts {
		switch o.c {
		case 'f':
			r.force = true
		case 'r', 'R':
			r.recursive = true
		case 'd':
			r.dirs = true
		case 'v':
			r.verbose = true
		}
	}
	if !r.force && isTerminal(c.stdin) {
		return false
	}
	for _, f := range files {
		// rm follows a symbolic link named with a trailing slash in
		// ways not reproduced here.
		if t := strings.TrimRight(f, "/"); t != f && t != "" {
			var st unix.Stat_t
			if unix.Fstatat(c.dirfd, t, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
				return false
			}
		}
	}
	if len(files) == 0 {
		if !r.force {
			c.usageError("missing operand")
		}
		return true
	}
	if err := unix.Stat("/", &r.root); err != nil {
		return false
	}
	for _, f := range files {
		r.remove(f, true)
	}
	return true
}

// remover removes the operands of one rm command, in the order and with the
// diagnostics of rm's fts walk.
type remover struct {
	c                               *cmd
	force, recursive, dirs, verbose bool
	root                            unix.Stat_t
}

// remove removes path; top is true for a command-line operand. It reports
// whether path is gone.
func (r *remover) remove(path string, top bool) bool {
	c := r.c
	var st unix.Stat_t
	if err := unix.Fstatat(c.dirfd, path, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if r.force && (err == unix.ENOENT || err == unix.ENOTDIR) && top {
			return true
		}
		c.errnof(err, "cannot remove %s", quoteaf(path))
		return false
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return r.unlink(path, 0)
	}
	if !r.recursive {
		if r.dirs {
			return r.unlink(path, unix.AT_REMOVEDIR)
		}
		c.errnof(unix.EISDIR, "cannot remove %s", quoteaf(path))
		return false
	}
	if top {
		if isDotOrDotDot(lastComponent(path)) {
			c.errorf("refusing to remove %s or %s directory: skipping %s", quoteaf("."), quoteaf(".."), quoteaf(path))
			return false
		}
		if st.Dev == r.root.Dev && st.Ino == r.root.Ino {
			c.errorf("it is dangerous to operate recursively on %s", quoteaf(path))
			c.errorf("use --no-preserve-root to override this failsafe")
			return false
		}
	}
	fd, err := unix.Openat(c.dirfd, path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		c.errnof(err, "cannot remove %s", quoteaf(path))
		return false
	}
	f := os.NewFile(uintptr(fd), path)
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		c.errnof(err, "cannot remove %s", quoteaf(path))
		return false
	}
	prefix := path
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	ok := true
	for _, e := range entries {
		ok = r.remove(prefix+e.Name(), false) && ok
	}
	if !ok {
		return false
	}
	return r.unlink(path, unix.AT_REMOVEDIR)
}

// unlink removes the file or empty directory path and says so with -v.
func (r *remover) unlink(path string, flags int) bool {
	c := r.c
	if err := unix.Unlinkat(c.dirfd, path, flags); err != nil {
		if r.force && err == unix.ENOENT {
			return true
		}
		c.errnof(err, "cannot remove %s", quoteaf(path))
		return false
	}
	if r.verbose {
		what := "removed"
		if flags&unix.AT_REMOVEDIR != 0 {
			what = "removed directory"
		}
		fmt.Fprintf(c.stdout, "%s %s\n", what, quoteaf(path))
	}
	return true
}

// isDotOrDotDot reports whether a last component is "." or "..", with any
// trailing slashes.
func isDotOrDotDot(base string) bool {
	base = strings.TrimRight(base, "/")
	return base == "." || base == ".."
}
