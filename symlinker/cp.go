package symlinker

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

var cpLong = []longOpt{
	{name: "recursive", c: 'r'},
	{name: "force", c: 'f'},
	{name: "dereference", c: 'L'},
	{name: "no-dereference", c: 'P'},
	{name: "no-target-directory", c: 'T'},
}

// runCp runs cp in Go (runCpNative) or, when that leaves it to the real cp,
// first checks that the real cp would not copy a link leading outside the
// repository into a build directory.
func runCp(c *cmd, args []string) bool {
	if runCpNative(c, args) {
		return true
	}
	return cpRefused(c, args)
}

// cpAllLong lists every long option of cp 9.1, for cpRefused.
var cpAllLong = []longOpt{
	{name: "archive", c: 'a'},
	{name: "attributes-only", c: 1},
	{name: "backup", c: 'b', optArg: true},
	{name: "copy-contents", c: 2},
	{name: "context", c: 'Z', optArg: true},
	{name: "debug", c: 3},
	{name: "dereference", c: 'L'},
	{name: "force", c: 'f'},
	{name: "interactive", c: 'i'},
	{name: "link", c: 'l'},
	{name: "no-clobber", c: 'n'},
	{name: "no-dereference", c: 'P'},
	{name: "no-preserve", c: 4, hasArg: true},
	{name: "no-target-directory", c: 'T'},
	{name: "one-file-system", c: 'x'},
	{name: "parents", c: 5},
	{name: "preserve", c: 6, optArg: true},
	{name: "recursive", c: 'R'},
	{name: "reflink", c: 7, optArg: true},
	{name: "remove-destination", c: 8},
	{name: "sparse", c: 9, hasArg: true},
	{name: "strip-trailing-slashes", c: 10},
	{name: "suffix", c: 'S', hasArg: true},
	{name: "symbolic-link", c: 's'},
	{name: "target-directory", c: 't', hasArg: true},
	{name: "update", c: 'u'},
	{name: "verbose", c: 'v'},
}

// cpRefused reports whether a cp command left to the real cp would put a
// symbolic link leading outside the repository into a build directory: a
// link inside a source (whether cp would copy or follow it), or with -s a
// source itself. It prints the refusal.
func cpRefused(c *cmd, args []string) bool {
	opts, files, ok := getopt(args, "abdfHilLnprst:uvxPRS:TZ", cpAllLong)
	if !ok || len(files) == 0 {
		return false
	}
	symbolic, dest := false, ""
	for _, o := range opts {
		switch o.c {
		case 's':
			symbolic = true
		case 't':
			dest = o.arg
		}
	}
	sources := files
	if dest == "" {
		if len(files) < 2 {
			return false
		}
		dest, sources = files[len(files)-1], files[:len(files)-1]
	}
	// Every link cp makes lies under dest (or is dest).
	probe := dest + "/x"
	if _, inBuild := c.inBuildDir(probe); !inBuild {
		return false
	}
	refused := false
	for _, src := range sources {
		if symbolic {
			if !c.checkLink(canonicalize(c.rawAbs(src)), probe, "symbolic link") {
				refused = true
			}
			continue
		}
		root := c.rawAbs(src)
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.Type()&fs.ModeSymlink == 0 {
				return nil
			}
			target, err := os.Readlink(path)
			if err != nil {
				return nil
			}
			if !filepath.IsAbs(target) {
				target = canonicalize(filepath.Dir(path)) + "/" + target
			}
			if !c.checkLink(canonicalize(target), probe, "symbolic link") {
				refused = true
			}
			return nil
		})
	}
	return refused
}

// runCpNative is cp with -r/-R, -p, -L, -P, -f and -T, for the plain cases:
// regular files, directories and symbolic links copied to new names or over
// regular files, directories merged into directories. Whatever needs cp's
// finer rules — a destination that is a symbolic link or the same file as
// its source, a directory copied into itself, special files, duplicate
// destinations, trailing slashes on sources — goes to the real cp, decided
// before anything is copied.
func runCpNative(c *cmd, args []string) bool {
	opts, files, ok := getopt(args, "rRpLPfT", cpLong)
	if !ok {
		return false
	}
	cp := &copier{c: c}
	deref := 0 // -1 -P, 1 -L, 0 default
	noTargetDir := false
	for _, o := range opts {
		switch o.c {
		case 'r', 'R':
			cp.recursive = true
		case 'p':
			cp.preserve = true
		case 'L':
			deref = 1
		case 'P':
			deref = -1
		case 'f':
			cp.force = true
		case 'T':
			noTargetDir = true
		}
	}
	cp.derefTop = deref == 1 || deref == 0 && !cp.recursive
	cp.derefAll = deref == 1
	umask, err := currentUmask()
	if err != nil {
		return false
	}
	cp.umask = umask

	// Work out the (source, destination) pairs, as cp.c does.
	type pair struct{ src, dst string }
	var pairs []pair
	switch {
	case len(files) == 0:
		c.usageError("missing file operand")
		return true
	case len(files) == 1:
		c.usageError("missing destination file operand after %s", quoteaf(files[0]))
		return true
	case noTargetDir:
		if len(files) > 2 {
			c.usageError("extra operand %s", quoteaf(files[2]))
			return true
		}
		pairs = append(pairs, pair{files[0], files[1]})
	default:
		last := files[len(files)-1]
		fd, err := unix.Openat(c.dirfd, last, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		isDir := err == nil
		if isDir {
			unix.Close(fd)
		}
		switch {
		case isDir:
			for _, src := range files[:len(files)-1] {
				dst := last
				if !strings.HasSuffix(dst, "/") {
					dst += "/"
				}
				pairs = append(pairs, pair{src, dst + lastComponent(src)})
			}
		case len(files) > 2:
			c.errnof(err, "target %s", quoteaf(last))
			return true
		default:
			pairs = append(pairs, pair{files[0], files[1]})
		}
	}
	seen := map[string]bool{}
	for _, p := range pairs {
		if strings.HasSuffix(p.src, "/") || seen[filepath.Clean(c.abs(p.dst))] {
			return false
		}
		seen[filepath.Clean(c.abs(p.dst))] = true
		if !cp.plain(p.src, p.dst, cp.derefTop, 0) {
			return false
		}
	}
	for _, p := range pairs {
		cp.copy(p.src, p.dst, cp.derefTop)
	}
	return true
}

// copier copies for one cp command.
type copier struct {
	c                          *cmd
	recursive, preserve, force bool
	derefTop, derefAll         bool // follow command-line / all symbolic links
	umask                      uint32
}

func (cp *copier) stat(path string, follow bool, st *unix.Stat_t) error {
	flags := unix.AT_SYMLINK_NOFOLLOW
	if follow {
		flags = 0
	}
	return unix.Fstatat(cp.c.dirfd, path, st, flags)
}

// plain reports whether copying src to dst needs none of cp's finer rules
// (see runCp). It only looks.
func (cp *copier) plain(src, dst string, follow bool, depth int) bool {
	if depth > 64 {
		return false
	}
	var s, d unix.Stat_t
	if cp.stat(src, follow, &s) != nil {
		return true // "cannot stat"
	}
	dstErr := cp.stat(dst, false, &d)
	if dstErr == nil && (d.Mode&unix.S_IFMT == unix.S_IFLNK || d.Dev == s.Dev && d.Ino == s.Ino) {
		return false
	}
	if dstErr != nil && dstErr != unix.ENOENT && dstErr != unix.ENOTDIR {
		return false
	}
	exists := dstErr == nil
	switch s.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		return !exists || d.Mode&unix.S_IFMT == unix.S_IFREG || d.Mode&unix.S_IFMT == unix.S_IFDIR
	case unix.S_IFLNK:
		return !exists
	case unix.S_IFDIR:
		if !cp.recursive {
			return true // "omitting directory"
		}
		if exists && d.Mode&unix.S_IFMT != unix.S_IFDIR {
			return false
		}
		srcAbs := canonicalize(cp.c.rawAbs(src))
		dstAbs := canonicalize(cp.c.rawAbs(dst))
		if within(dstAbs, srcAbs) {
			return false
		}
		names, err := cp.readDir(src)
		if err != nil {
			return false
		}
		for _, name := range names {
			if !cp.plain(src+"/"+name, dst+"/"+name, cp.derefAll, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}

func (cp *copier) readDir(dir string) ([]string, error) {
	fd, err := unix.Openat(cp.c.dirfd, dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), dir)
	defer f.Close()
	return f.Readdirnames(-1)
}

// copy copies src to dst; follow says whether a symbolic link src is
// followed.
func (cp *copier) copy(src, dst string, follow bool) {
	c := cp.c
	var s unix.Stat_t
	if err := cp.stat(src, follow, &s); err != nil {
		c.errnof(err, "cannot stat %s", quoteaf(src))
		return
	}
	if s.Mode&unix.S_IFMT == unix.S_IFDIR && !cp.recursive {
		c.errorf("-r not specified; omitting directory %s", quoteaf(src))
		return
	}
	var d unix.Stat_t
	dstErr := unix.Fstatat(c.dirfd, dst, &d, unix.AT_SYMLINK_NOFOLLOW)
	if dstErr != nil && dstErr != unix.ENOENT {
		c.errnof(dstErr, "cannot stat %s", quoteaf(dst))
		return
	}
	switch s.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		cp.copyDir(src, dst, &s)
	case unix.S_IFLNK:
		target, err := readlinkat(c.dirfd, src)
		if err != nil {
			c.errnof(err, "cannot read symbolic link %s", quoteaf(src))
			return
		}
		if !c.checkLink(target, dst, "symbolic link") {
			return
		}
		if err := unix.Symlinkat(target, c.dirfd, dst); err != nil {
			c.errnof(err, "cannot create symbolic link %s", quoteaf(dst))
			return
		}
		if cp.preserve {
			cp.preserveAttrs(dst, &s, false)
		}
	default:
		if dstErr == nil && d.Mode&unix.S_IFMT == unix.S_IFDIR {
			c.errorf("cannot overwrite directory %s with non-directory", quoteaf(dst))
			return
		}
		cp.copyFile(src, dst, &s)
	}
}

func (cp *copier) copyFile(src, dst string, s *unix.Stat_t) {
	c := cp.c
	in, err := unix.Openat(c.dirfd, src, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		c.errnof(err, "cannot open %s for reading", quoteaf(src))
		return
	}
	inf := os.NewFile(uintptr(in), src)
	defer inf.Close()
	out, err := unix.Openat(c.dirfd, dst, unix.O_WRONLY|unix.O_TRUNC|unix.O_CLOEXEC, 0)
	if err != nil && err != unix.ENOENT && cp.force {
		if unix.Unlinkat(c.dirfd, dst, 0) == nil {
			err = unix.ENOENT
		}
	}
	if err == unix.ENOENT {
		out, err = unix.Openat(c.dirfd, dst, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, s.Mode&sIRWXUGO)
		if err != nil {
			c.errnof(err, "cannot create regular file %s", quoteaf(dst))
			return
		}
	} else if err != nil {
		c.errnof(err, "cannot open %s for writing", quoteaf(dst))
		return
	}
	outf := os.NewFile(uintptr(out), dst)
	if _, err := io.Copy(outf, inf); err != nil {
		outf.Close()
		c.errnof(err, "error writing %s", quoteaf(dst))
		return
	}
	if err := outf.Close(); err != nil {
		c.errnof(err, "failed to close %s", quoteaf(dst))
		return
	}
	if cp.preserve {
		cp.preserveAttrs(dst, s, true)
	}
}

func (cp *copier) copyDir(src, dst string, s *unix.Stat_t) {
	c := cp.c
	var d unix.Stat_t
	if err := unix.Fstatat(c.dirfd, dst, &d, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if err := unix.Mkdirat(c.dirfd, dst, s.Mode&(sIRWXUGO|sISVTX)); err != nil {
			c.errnof(err, "cannot create directory %s", quoteaf(dst))
			return
		}
	}
	names, err := cp.readDir(src)
	if err != nil {
		c.errnof(err, "cannot access %s", quoteaf(src))
		return
	}
	for _, name := range names {
		cp.copy(src+"/"+name, dst+"/"+name, cp.derefAll)
	}
	if cp.preserve {
		cp.preserveAttrs(dst, s, true)
	}
}

// preserveAttrs gives dst the owner, times and (unless a link) mode of
// the source whose status is s, as cp -p does.
func (cp *copier) preserveAttrs(dst string, s *unix.Stat_t, mode bool) {
	c := cp.c
	ts := []unix.Timespec{s.Atim, s.Mtim}
	if err := unix.UtimesNanoAt(c.dirfd, dst, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		c.errnof(err, "preserving times for %s", quoteaf(dst))
	}
	m := s.Mode & modeBits
	if err := unix.Fchownat(c.dirfd, dst, int(s.Uid), int(s.Gid), unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if err != unix.EPERM && err != unix.EINVAL {
			c.errnof(err, "failed to preserve ownership for %s", quoteaf(dst))
		}
		m &^= sISUID | sISGID
	}
	if mode {
		if err := unix.Fchmodat(c.dirfd, dst, m, 0); err != nil {
			c.errnof(err, "preserving permissions for %s", quoteaf(dst))
		}
	}
}

// readlinkat reads the symbolic link at path under dirfd.
func readlinkat(dirfd int, path string) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(dirfd, path, buf)
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}
