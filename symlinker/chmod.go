package symlinker

import (
	"os"
	"strings"

	"github.com/dmake-dev/dmake/internal/filemode"
	"golang.org/x/sys/unix"
)

var chmodLong = []longOpt{
	{name: "recursive", c: 'R'},
	{name: "silent", c: 'f'},
	{name: "quiet", c: 'f'},
}

// runChmod is chmod MODE FILE... with -R and -f, octal or symbolic modes.
// A mode that starts with '-' (chmod -x f: that form also warns about the
// umask), --reference, -c and -v go to the real chmod.
func runChmod(c *cmd, args []string) bool {
	for _, a := range args {
		if a == "--" {
			break
		}
		if len(a) > 1 && a[0] == '-' && a[1] != '-' && strings.Trim(a[1:], "Rf") != "" {
			return false
		}
	}
	opts, operands, ok := getopt(args, "Rf", chmodLong)
	if !ok {
		return false
	}
	ch := &chmoder{c: c}
	for _, o := range opts {
		switch o.c {
		case 'R':
			ch.recursive = true
		case 'f':
			ch.quiet = true
		}
	}
	if len(operands) == 0 {
		c.usageError("missing operand")
		return true
	}
	if len(operands) == 1 {
		c.usageError("missing operand after %s", c.quote(operands[0]))
		return true
	}
	changes, ok := filemode.Compile(operands[0])
	if !ok {
		c.usageError("invalid mode: %s", c.quote(operands[0]))
		return true
	}
	umask, err := currentUmask()
	if err != nil {
		return false
	}
	ch.changes, ch.umask = changes, umask
	for _, f := range operands[1:] {
		ch.chmod(f, true)
	}
	return true
}

// chmoder changes modes for one chmod command.
type chmoder struct {
	c                *cmd
	recursive, quiet bool
	changes          filemode.Changes
	umask            uint32
}

// chmod changes the mode of path as chmod.c's process_file does; top is
// true for a command-line operand (symbolic links are followed there and
// skipped below it).
func (ch *chmoder) chmod(path string, top bool) {
	c := ch.c
	var st unix.Stat_t
	if top {
		if err := unix.Fstatat(c.dirfd, path, &st, 0); err != nil {
			var lst unix.Stat_t
			switch {
			case ch.quiet:
				c.status = 1
			case err == unix.ENOENT && unix.Fstatat(c.dirfd, path, &lst, unix.AT_SYMLINK_NOFOLLOW) == nil:
				c.errorf("cannot operate on dangling symlink %s", quoteaf(path))
			default:
				c.errnof(err, "cannot access %s", quoteaf(path))
			}
			c.status = 1
			return
		}
	} else {
		if err := unix.Fstatat(c.dirfd, path, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			if !ch.quiet {
				c.errnof(err, "cannot access %s", quoteaf(path))
			}
			c.status = 1
			return
		}
		if st.Mode&unix.S_IFMT == unix.S_IFLNK {
			return
		}
	}
	isDir := st.Mode&unix.S_IFMT == unix.S_IFDIR
	old := st.Mode & modeBits
	mode, _ := ch.changes.Apply(old, isDir, ch.umask)
	if mode != old {
		if err := unix.Fchmodat(c.dirfd, path, mode, 0); err != nil {
			if !ch.quiet {
				c.errnof(err, "changing permissions of %s", quoteaf(path))
			}
			c.status = 1
		}
	}
	if ch.recursive && isDir {
		fd, err := unix.Openat(c.dirfd, path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			if !ch.quiet {
				c.errnof(err, "cannot read directory %s", quoteaf(path))
			}
			c.status = 1
			return
		}
		f := os.NewFile(uintptr(fd), path)
		entries, err := f.ReadDir(-1)
		f.Close()
		if err != nil {
			if !ch.quiet {
				c.errnof(err, "cannot read directory %s", quoteaf(path))
			}
			c.status = 1
		}
		prefix := path
		if !strings.HasSuffix(prefix, "/") {
			prefix += "/"
		}
		for _, e := range entries {
			ch.chmod(prefix+e.Name(), false)
		}
	}
}
