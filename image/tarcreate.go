package image

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// TarCreate is a "tar -c[z][h] -C DIR ." command line, the form legacy
// Makefiles pipe into "docker build -": archive the build directory on
// standard output.
type TarCreate struct {
	Dir         string // -C, as given
	Gzip        bool   // z
	Dereference bool   // h: follow symbolic links
}

// ParseTarCreate recognises args as a TarCreate: the option letters c, z
// and h (bundled, with or without the leading dash, each at most once, c
// required), then "-C DIR ." and nothing else. Any other tar command line
// is not one.
func ParseTarCreate(args []string) (TarCreate, bool) {
	if len(args) != 5 || filepath.Base(args[0]) != "tar" || args[2] != "-C" || args[4] != "." || args[3] == "" {
		return TarCreate{}, false
	}
	letters := strings.TrimPrefix(args[1], "-")
	var tc TarCreate
	seen := map[rune]bool{}
	for _, r := range letters {
		if seen[r] {
			return TarCreate{}, false
		}
		seen[r] = true
		switch r {
		case 'c':
		case 'z':
			tc.Gzip = true
		case 'h':
			tc.Dereference = true
		default:
			return TarCreate{}, false
		}
	}
	if !seen['c'] {
		return TarCreate{}, false
	}
	tc.Dir = args[3]
	return tc, true
}

// errTarFallback says the tree holds what WriteTar leaves to GNU tar.
var errTarFallback = errors.New("not a tree of directories and regular files")

// tarEntry is one member to write: its name in the archive and the file
// (resolved when dereferencing) it comes from.
type tarEntry struct {
	name string
	path string
	fi   os.FileInfo
	link string // symbolic link target (not dereferencing)
	via  bool   // reached through a symbolic link (dereferencing)
}

// WriteTar writes to w what GNU tar writes for tc, run in cwd, as far as
// the content goes: "./" and every member under it ("./NAME"), directories
// before their contents, with their permission bits, sizes, modification
// times and owners by number, a file already written (one with several
// links, or with Dereference one reached through a symbolic link again) as
// a hard link to it, and (without Dereference) symbolic links as links. Members are in name order (GNU tar's is the directory's).
// The tree is listed before anything is written: when it holds anything
// else (a device, a socket, a FIFO, with Dereference a link to a directory
// or a dangling one) or cannot be listed, WriteTar writes nothing and
// returns an error wrapping errTarFallback, so that the caller runs tar
// itself, which says what it says. A file that cannot be read, or changed
// size, once writing began is an error of its own.
func WriteTar(w io.Writer, tc TarCreate, cwd string) error {
	root := tc.Dir
	if !filepath.IsAbs(root) {
		root = filepath.Join(cwd, root)
	}
	var ents []tarEntry
	var walk func(name, path string) error
	walk = func(name, path string) error {
		des, err := os.ReadDir(path)
		if err != nil {
			return err
		}
		for _, de := range des {
			n, p := name+de.Name(), filepath.Join(path, de.Name())
			lfi, err := os.Lstat(p)
			if err != nil {
				return err
			}
			isLink := lfi.Mode()&os.ModeSymlink != 0
			e := tarEntry{name: n, path: p, fi: lfi, via: isLink}
			if isLink && tc.Dereference {
				if e.fi, err = os.Stat(p); err != nil {
					return err // dangling, or a loop
				}
			} else if isLink {
				if e.link, err = os.Readlink(p); err != nil {
					return err
				}
			}
			switch {
			case e.link != "":
				ents = append(ents, e)
			case e.fi.IsDir() && !isLink:
				e.name += "/"
				ents = append(ents, e)
				if err := walk(e.name, p); err != nil {
					return err
				}
			case e.fi.Mode().IsRegular():
				ents = append(ents, e)
			default:
				return fmt.Errorf("%s: %w", p, errTarFallback)
			}
		}
		return nil
	}
	fi, err := os.Stat(root)
	if err == nil && !fi.IsDir() {
		err = errors.New("not a directory")
	}
	if err == nil {
		ents = append(ents, tarEntry{name: "./", path: root, fi: fi})
		err = walk("./", root)
	}
	if err != nil {
		if !errors.Is(err, errTarFallback) {
			err = fmt.Errorf("%w: %v", errTarFallback, err)
		}
		return err
	}

	out := w
	var zw *gzip.Writer
	if tc.Gzip {
		zw, _ = gzip.NewWriterLevel(w, gzip.BestSpeed)
		out = zw
	}
	tw := tar.NewWriter(out)
	type inode struct{ dev, ino uint64 }
	first := map[inode]string{}
	for _, e := range ents {
		hdr := &tar.Header{Name: e.name, Mode: int64(e.fi.Mode().Perm()), ModTime: e.fi.ModTime().Truncate(1e9), Format: tar.FormatGNU}
		if e.fi.Mode()&os.ModeSetuid != 0 {
			hdr.Mode |= 0o4000
		}
		if e.fi.Mode()&os.ModeSetgid != 0 {
			hdr.Mode |= 0o2000
		}
		if e.fi.Mode()&os.ModeSticky != 0 {
			hdr.Mode |= 0o1000
		}
		st, _ := e.fi.Sys().(*syscall.Stat_t)
		if st != nil {
			hdr.Uid, hdr.Gid = int(st.Uid), int(st.Gid)
		}
		switch {
		case e.link != "":
			hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, e.link
		case e.fi.IsDir():
			hdr.Typeflag = tar.TypeDir
		default:
			hdr.Typeflag, hdr.Size = tar.TypeReg, e.fi.Size()
			if st != nil && (st.Nlink > 1 || e.via) {
				k := inode{uint64(st.Dev), st.Ino}
				if to, ok := first[k]; ok {
					hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, to, 0
				} else {
					first[k] = e.name
				}
			}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		f, err := os.Open(e.path)
		if err != nil {
			return err
		}
		n, err := io.Copy(tw, f)
		f.Close()
		if err == nil && n != hdr.Size {
			err = fmt.Errorf("tar: %s: file changed as we read it", e.path)
		}
		if err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if zw != nil {
		return zw.Close()
	}
	return nil
}
