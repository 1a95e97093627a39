package symlinker

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"golang.org/x/sys/unix"
)

var lnLong = []longOpt{
	{name: "force", c: 'f'},
	{name: "no-dereference", c: 'n'},
	{name: "no-target-directory", c: 'T'},
	{name: "symbolic", c: 's'},
	{name: "verbose", c: 'v'},
}

// runLn is ln with -s and any of -f -n -T -v: symbolic links only, as
// ln.c's do_link makes them; hard links, backups, -r, -t and -i go to the
// real ln.
func runLn(c *cmd, args []string) bool {
	opts, files, ok := getopt(args, "sfnTv", lnLong)
	if !ok {
		return false
	}
	var symbolic, force, noDeref, noTargetDir, verbose bool
	for _, o := range opts {
		switch o.c {
		case 's':
			symbolic = true
		case 'f':
			force = true
		case 'n':
			noDeref = true
		case 'T':
			noTargetDir = true
		case 'v':
			verbose = true
		}
	}
	if !symbolic {
		return false
	}
	l := &linker{c: c, force: force, verbose: verbose}
	switch {
	case len(files) == 0:
		c.usageError("missing file operand")
		return true
	case noTargetDir:
		if len(files) != 2 {
			if len(files) < 2 {
				c.usageError("missing destination file operand after %s", quoteaf(files[0]))
			} else {
				c.usageError("extra operand %s", quoteaf(files[2]))
			}
			return true
		}
		l.link(files[0], files[1], c.dirfd, files[1], -1)
		return true
	case len(files) == 1:
		l.intoDir(".", c.dirfd, files)
		return true
	}
	last := files[len(files)-1]
	linkErr := -1
	if len(files) == 2 {
		// Check the link where it will be: in files[1] when that is a
		// directory (the attempt below then fails with EEXIST and
		// intoDir checks), else at files[1].
		var st unix.Stat_t
		isDir := unix.Fstatat(c.dirfd, files[1], &st, 0) == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR
		if !isDir && !c.checkLink(files[0], files[1]) {
			return true
		}
		linkErr = errnoize(unix.Symlinkat(files[0], c.dirfd, files[1]))
	}
	if linkErr < 0 || linkErr == int(unix.EEXIST) || linkErr == int(unix.ENOTDIR) || linkErr == int(unix.EINVAL) {
		flags := unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC
		if noDeref {
			flags |= unix.O_NOFOLLOW
		}
		fd, err := unix.Openat(c.dirfd, last, flags, 0)
		if err == nil {
			defer unix.Close(fd)
			l.intoDir(last, fd, files[:len(files)-1])
			return true
		}
		if len(files) != 2 {
			c.errnof(err, "target %s", quoteaf(last))
			return true
		}
	}
	l.link(files[0], files[1], c.dirfd, files[1], linkErr)
	return true
}

// linker makes symbolic links for one ln command.
type linker struct {
	c              *cmd
	force, verbose bool
}

// intoDir links each source into dir, open as dirfd, under the source's
// last component.
func (l *linker) intoDir(dir string, dirfd int, sources []string) {
	for _, src := range sources {
		base := strings.TrimRight(lastComponent(src), "/")
		dest := dir
		if !strings.HasSuffix(dest, "/") {
			dest += "/"
		}
		dest += base
		l.link(src, dest, dirfd, base, -1)
	}
}

// link makes base, under the directory open as dirfd, a symbolic link to
// source as ln.c's do_link does; dest names it in messages. linkErr is -1
// when no attempt was made yet, else the errno of the attempt made (0 if
// it succeeded).
func (l *linker) link(source, dest string, dirfd int, base string, linkErr int) {
	c := l.c
	if linkErr < 0 {
		if !c.checkLink(source, dest) {
			return
		}
		linkErr = errnoize(unix.Symlinkat(source, dirfd, base))
	}
	if linkErr != 0 {
		force := l.force
		if force {
			var dst unix.Stat_t
			if err := unix.Fstatat(dirfd, base, &dst, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				if err != unix.ENOENT {
					c.errnof(err, "failed to access %s", quoteaf(dest))
					return
				}
				force = false
			} else if dst.Mode&unix.S_IFMT == unix.S_IFDIR {
				c.errorf("%s: cannot overwrite directory", quotef(dest))
				return
			} else {
				var src unix.Stat_t
				if unix.Fstatat(c.dirfd, source, &src, 0) == nil && src.Dev == dst.Dev && src.Ino == dst.Ino &&
					(src.Nlink == 1 || l.sameName(source, dirfd, base)) {
					c.errorf("%s and %s are the same file", quoteaf(source), quoteaf(dest))
					return
				}
			}
		}
		if linkErr == int(unix.EEXIST) && force {
			linkErr = l.replace(source, dirfd, base)
		}
	}
	if linkErr == 0 {
		if l.verbose {
			fmt.Fprintf(c.stdout, "%s -> %s\n", quoteaf(dest), quoteaf(source))
		}
		return
	}
	err := unix.Errno(linkErr)
	if err != unix.ENAMETOOLONG && source != "" {
		c.errnof(err, "failed to create symbolic link %s", quoteaf(dest))
	} else {
		c.errnof(err, "failed to create symbolic link %s -> %s", quoteaf(dest), quoteaf(source))
	}
}

// replace replaces base (under dirfd) by a symbolic link to source
// atomically, as gnulib's force_symlinkat does: a temporary link renamed
// over it.
func (l *linker) replace(source string, dirfd int, base string) int {
	dir := dirName(base)
	for range 100 {
		tmp := fmt.Sprintf("%sCu%06d", dir, rand.IntN(1000000))
		err := unix.Symlinkat(source, dirfd, tmp)
		if err == unix.EEXIST {
			continue
		}
		if err != nil {
			return int(err.(unix.Errno))
		}
		if err := unix.Renameat(dirfd, tmp, dirfd, base); err != nil {
			unix.Unlinkat(dirfd, tmp, 0)
			return int(err.(unix.Errno))
		}
		return 0
	}
	return int(unix.EEXIST)
}

// sameName reports whether source and base (under dirfd) name the same
// directory entry: the same last component in the same directory.
func (l *linker) sameName(source string, dirfd int, base string) bool {
	if strings.TrimRight(lastComponent(source), "/") != strings.TrimRight(lastComponent(base), "/") {
		return false
	}
	var a, b unix.Stat_t
	if unix.Fstatat(l.c.dirfd, dirName(source)+".", &a, 0) != nil || unix.Fstatat(dirfd, dirName(base)+".", &b, 0) != nil {
		return false
	}
	return a.Dev == b.Dev && a.Ino == b.Ino
}

// lastComponent is gnulib's last_component: the part after the last slash
// that is followed by something else ("b/" for "a/b/").
func lastComponent(name string) string {
	base := strings.TrimLeft(name, "/")
	sawSlash, start := false, 0
	for i := 0; i < len(base); i++ {
		if base[i] == '/' {
			sawSlash = true
		} else if sawSlash {
			start, sawSlash = i, false
		}
	}
	return base[start:]
}

// dirName is name up to and including the slash before its last
// component, or "" for a name with no slash.
func dirName(name string) string {
	last := lastComponent(name)
	return name[:len(name)-len(last)]
}

// errnoize turns a system call's error into its errno, 0 for success.
func errnoize(err error) int {
	if err == nil {
		return 0
	}
	var errno unix.Errno
	if errors.As(err, &errno) {
		return int(errno)
	}
	return int(unix.EIO)
}
