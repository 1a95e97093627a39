package symlinker

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

var lnLong = []longOpt{
	{name: "backup", c: 'B', optArg: true},
	{name: "directory", c: 'F'},
	{name: "force", c: 'f'},
	{name: "interactive", c: 'i'},
	{name: "logical", c: 'L'},
	{name: "no-dereference", c: 'n'},
	{name: "no-target-directory", c: 'T'},
	{name: "physical", c: 'P'},
	{name: "relative", c: 'r'},
	{name: "suffix", c: 'S', hasArg: true},
	{name: "symbolic", c: 's'},
	{name: "target-directory", c: 't', hasArg: true},
	{name: "verbose", c: 'v'},
}

// runLn is ln -s with any of -f -n -r -t -T -v (and -L -P -d, which -s
// ignores), making links as ln.c's do_link does. Hard links go to the real
// ln, and so do backups (-b -S --backup) and -i, after the escape check on
// the links it would make.
func runLn(c *cmd, args []string) bool {
	opts, files, ok := getopt(args, "bdfinrst:vFLPS:T", lnLong)
	if !ok {
		return false
	}
	var symbolic, noDeref, noTargetDir, real bool
	l := &linker{c: c}
	targetDir, haveTargetDir := "", false
	for _, o := range opts {
		switch o.c {
		case 's':
			symbolic = true
		case 'f':
			l.force = true
			l.interactive = false
		case 'i':
			l.force = false
			l.interactive = true
		case 'n':
			noDeref = true
		case 'T':
			noTargetDir = true
		case 'v':
			l.verbose = true
		case 'r':
			l.relative = true
		case 't':
			if haveTargetDir {
				return false // "multiple target directories specified"
			}
			targetDir, haveTargetDir = o.arg, true
		case 'b', 'B', 'S':
			real = true
		}
	}
	if !symbolic {
		if l.relative {
			return false // "cannot do --relative without --symbolic"
		}
		real, l.hard = true, true
	}
	real = real || l.interactive
	if haveTargetDir {
		// ln checks the -t operand while parsing options.
		var st unix.Stat_t
		if err := unix.Fstatat(c.dirfd, targetDir, &st, 0); err != nil {
			if real {
				return false
			}
			c.errnof(err, "failed to access %s", quoteaf(targetDir))
			return true
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			if real {
				return false
			}
			c.errorf("target %s is not a directory", quoteaf(targetDir))
			return true
		}
	}
	if real {
		// Backups and prompts are the real ln's; the escape check is
		// ours, on the links it would make.
		l.checkOnly = true
	}
	switch {
	case len(files) == 0:
		if real {
			return false
		}
		c.usageError("missing file operand")
		return true
	case noTargetDir:
		if real && (haveTargetDir || len(files) != 2) {
			return false
		}
		if haveTargetDir {
			c.errorf("cannot combine --target-directory and --no-target-directory")
			return true
		}
		if len(files) != 2 {
			if len(files) < 2 {
				c.usageError("missing destination file operand after %s", quoteaf(files[0]))
			} else {
				c.usageError("extra operand %s", quoteaf(files[2]))
			}
			return true
		}
		return handled(l.link(files[0], files[1], c.dirfd, files[1], -1), real)
	case len(files) == 1 && !haveTargetDir:
		return handled(l.intoDir(".", c.dirfd, files), real)
	}
	last := files[len(files)-1]
	linkErr := -1
	checked := false // the escape check passed for files[1]
	if len(files) == 2 && !haveTargetDir && !l.relative && !real {
		// Check the link where it will be: in files[1] when that is a
		// directory (the attempt below then fails with EEXIST and
		// intoDir checks), else at files[1].
		// With the check off there is nothing to look at first.
		var st unix.Stat_t
		flags := 0
		if noDeref {
			flags = unix.AT_SYMLINK_NOFOLLOW
		}
		isDir := c.checking() && unix.Fstatat(c.dirfd, files[1], &st, flags) == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR
		if !isDir {
			if !c.checkLink(files[0], files[1], "symbolic link") {
				return true
			}
			checked = true
		}
		linkErr = errnoize(unix.Symlinkat(files[0], c.dirfd, files[1]))
	}
	if linkErr < 0 || linkErr == int(unix.EEXIST) || linkErr == int(unix.ENOTDIR) || linkErr == int(unix.EINVAL) {
		d := last
		if haveTargetDir {
			d = targetDir
		}
		flags := unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC
		if noDeref {
			flags |= unix.O_NOFOLLOW
		}
		fd, err := unix.Openat(c.dirfd, d, flags, 0)
		if err == nil {
			defer unix.Close(fd)
			sources := files
			if !haveTargetDir {
				sources = files[:len(files)-1]
			}
			return handled(l.intoDir(d, fd, sources), real)
		}
		if len(files) != 2 || haveTargetDir {
			if real {
				return false
			}
			c.errnof(err, "target %s", quoteaf(d))
			return true
		}
	}
	l.checked = checked
	return handled(l.link(files[0], files[1], c.dirfd, files[1], linkErr), real)
}

// handled tells runLn's caller whether the command was dealt with: always
// when ln runs in Go, and when only checking, if a link was refused.
func handled(passed, real bool) bool {
	return !real || !passed
}

// linker makes symbolic links for one ln command.
type linker struct {
	c                                     *cmd
	force, interactive, verbose, relative bool
	// checkOnly makes link only run the escape check: the real ln makes
	// the links.
	checkOnly bool
	// checked says the escape check already passed for the next link.
	checked bool
	// hard says the links are hard links (made by the real ln).
	hard bool
}

// intoDir links each source into dir, open as dirfd, under the source's
// last component. It returns false when a link was refused.
func (l *linker) intoDir(dir string, dirfd int, sources []string) bool {
	ok := true
	for _, src := range sources {
		base := strings.TrimRight(lastComponent(src), "/")
		dest := dir
		if !strings.HasSuffix(dest, "/") {
			dest += "/"
		}
		dest += base
		ok = l.link(src, dest, dirfd, base, -1) && ok
	}
	return ok
}

// link makes base, under the directory open as dirfd, a symbolic link to
// source as ln.c's do_link does; dest names it in messages. linkErr is -1
// when no attempt was made yet, else the errno of the attempt made (0 if
// it succeeded). It returns false when the link was refused.
func (l *linker) link(source, dest string, dirfd int, base string, linkErr int) bool {
	c := l.c
	if l.relative {
		source = relativeSource(c, source, dest)
	}
	if l.hard {
		// A hard link's source is named from the shell's directory.
		if !c.checkLink(c.rawAbs(source), dest, "hard link") {
			return false
		}
	} else if !l.checked && !c.checkLink(source, dest, "symbolic link") {
		return false
	}
	if l.checkOnly {
		return true
	}
	if linkErr < 0 {
		if !l.relative {
			linkErr = errnoize(unix.Symlinkat(source, dirfd, base))
		}
	}
	if linkErr != 0 {
		force := l.force
		if force {
			var dst unix.Stat_t
			if err := unix.Fstatat(dirfd, base, &dst, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				if err != unix.ENOENT {
					c.errnof(err, "failed to access %s", quoteaf(dest))
					return true
				}
				force = false
			} else if dst.Mode&unix.S_IFMT == unix.S_IFDIR {
				c.errorf("%s: cannot overwrite directory", quotef(dest))
				return true
			} else {
				var src unix.Stat_t
				if unix.Fstatat(c.dirfd, source, &src, 0) == nil && src.Dev == dst.Dev && src.Ino == dst.Ino &&
					(src.Nlink == 1 || l.sameName(source, dirfd, base)) {
					c.errorf("%s and %s are the same file", quoteaf(source), quoteaf(dest))
					return true
				}
			}
		}
		if linkErr < 0 {
			linkErr = errnoize(unix.Symlinkat(source, dirfd, base))
		}
		if linkErr == int(unix.EEXIST) && force {
			linkErr = l.replace(source, dirfd, base)
		}
	}
	if linkErr == 0 {
		if l.verbose {
			fmt.Fprintf(c.stdout, "%s -> %s\n", quoteaf(dest), quoteaf(source))
		}
		return true
	}
	err := unix.Errno(linkErr)
	if err != unix.ENAMETOOLONG && source != "" {
		c.errnof(err, "failed to create symbolic link %s", quoteaf(dest))
	} else {
		c.errnof(err, "failed to create symbolic link %s -> %s", quoteaf(dest), quoteaf(source))
	}
	return true
}

// relativeSource is ln -r's convert_abs_rel: source (relative to the
// shell's directory) as a path relative to the directory of the link dest,
// both resolved as far as they exist.
func relativeSource(c *cmd, source, dest string) string {
	dir := dirName(dest)
	if dir == "" {
		dir = "."
	}
	from := canonicalize(c.rawAbs(source))
	to := canonicalize(c.rawAbs(dir))
	rel, err := filepath.Rel(to, from)
	if err != nil {
		return source
	}
	return rel
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
