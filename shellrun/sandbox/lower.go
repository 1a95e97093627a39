package sandbox

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"syscall"
)

// maxLowerFile is the size of the largest file of a lower layer read
// returns: a larger one is EFBIG.
const maxLowerFile = 64 << 20

// openLower opens a base rootfs: an uncompressed tar (as ContainerExport
// writes it), indexed through the file index when that is its index
// (ensureLowerIndex), or a directory. It is only ever read.
func openLower(p, index string) (lowerFS, io.Closer, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, nil, fmt.Errorf("base rootfs: %w", err)
	}
	if fi.IsDir() {
		r, err := os.OpenRoot(p)
		if err != nil {
			return nil, nil, fmt.Errorf("base rootfs: %w", err)
		}
		return &dirLower{root: r}, r, nil
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, fmt.Errorf("base rootfs: %w", err)
	}
	t, err := openTarLower(f, p, index)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return t, f, nil
}

// tarLower is a tar file indexed once; file contents are read on demand.
type tarLower struct {
	f       io.ReaderAt
	entries map[string]*tarEntry
	kids    map[string][]string
}

type tarEntry struct {
	lowerEntry
	off  int64
	link string // hard link target
}

// countingReader tracks the offset of a file read in sequence. It
// seeks, so that the tar reader skips the contents of the files instead
// of reading them: indexing reads the headers alone.
type countingReader struct {
	r io.ReadSeeker
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) Seek(offset int64, whence int) (int64, error) {
	n, err := c.r.Seek(offset, whence)
	if err == nil {
		c.n = n
	}
	return n, err
}

func indexTar(f *os.File) (*tarLower, error) {
	cr := &countingReader{r: f}
	tr := tar.NewReader(cr)
	t := &tarLower{f: f, entries: map[string]*tarEntry{}, kids: map[string][]string{}}
	t.entries["/"] = &tarEntry{lowerEntry: lowerEntry{name: "/", mode: fs.ModeDir | 0o755}}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		p := path.Clean("/" + h.Name)
		if p == "/" {
			continue
		}
		e := &tarEntry{lowerEntry: lowerEntry{name: path.Base(p), uid: h.Uid, gid: h.Gid, mtime: h.ModTime}}
		perm := fs.FileMode(h.Mode) & fs.ModePerm
		if h.Mode&0o4000 != 0 {
			perm |= fs.ModeSetuid
		}
		if h.Mode&0o2000 != 0 {
			perm |= fs.ModeSetgid
		}
		if h.Mode&0o1000 != 0 {
			perm |= fs.ModeSticky
		}
		switch h.Typeflag {
		case tar.TypeDir:
			e.mode = fs.ModeDir | perm
		case tar.TypeSymlink:
			e.mode = fs.ModeSymlink | 0o777
			e.target = h.Linkname
		case tar.TypeLink:
			e.mode = perm
			e.link = path.Clean("/" + h.Linkname)
		case tar.TypeReg:
			e.mode = perm
			e.off, e.size = cr.n, h.Size
		default:
			e.mode = fs.ModeDevice | perm
		}
		if _, seen := t.entries[p]; !seen {
			t.kids[path.Dir(p)] = append(t.kids[path.Dir(p)], e.name)
		}
		t.entries[p] = e
		// make sure parents exist even if the tar omits them
		for d := path.Dir(p); d != "/"; d = path.Dir(d) {
			if _, ok := t.entries[d]; ok {
				break
			}
			t.entries[d] = &tarEntry{lowerEntry: lowerEntry{name: path.Base(d), mode: fs.ModeDir | 0o755}}
			t.kids[path.Dir(d)] = append(t.kids[path.Dir(d)], path.Base(d))
		}
	}
	for _, names := range t.kids {
		sort.Strings(names)
	}
	return t, nil
}

func (t *tarLower) stat(p string) (lowerEntry, bool) {
	e, ok := t.entries[path.Clean("/"+p)]
	if !ok {
		return lowerEntry{}, false
	}
	if e.link != "" {
		if h, ok := t.entries[e.link]; ok {
			le := h.lowerEntry
			le.name = e.name
			return le, true
		}
	}
	return e.lowerEntry, true
}

func (t *tarLower) list(p string) []lowerEntry {
	var out []lowerEntry
	for _, name := range t.kids[path.Clean("/"+p)] {
		if e, ok := t.stat(path.Join(p, name)); ok {
			out = append(out, e)
		}
	}
	return out
}

func (t *tarLower) read(p string) ([]byte, error) {
	e, ok := t.entries[path.Clean("/"+p)]
	if ok && e.link != "" {
		e, ok = t.entries[e.link]
	}
	if !ok {
		return nil, syscall.ENOENT
	}
	if e.size > maxLowerFile {
		return nil, syscall.EFBIG
	}
	b := make([]byte, e.size)
	_, err := t.f.ReadAt(b, e.off)
	return b, err
}

// dirLower is a rootfs directory opened with os.Root, so nothing under it
// can lead outside; symlinks are never followed by the lower layer itself.
type dirLower struct{ root *os.Root }

func rel(p string) string {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	if p == "" {
		return "."
	}
	return p
}

func (d *dirLower) entry(name string, fi fs.FileInfo, p string) lowerEntry {
	e := lowerEntry{name: name, mode: fi.Mode(), mtime: fi.ModTime()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		e.uid, e.gid = int(st.Uid), int(st.Gid)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		e.target, _ = d.root.Readlink(rel(p))
	}
	if fi.Mode().IsRegular() {
		e.size = fi.Size()
	}
	return e
}

func (d *dirLower) stat(p string) (lowerEntry, bool) {
	fi, err := d.root.Lstat(rel(p))
	if err != nil {
		return lowerEntry{}, false
	}
	return d.entry(path.Base(p), fi, p), true
}

func (d *dirLower) list(p string) []lowerEntry {
	f, err := d.root.Open(rel(p))
	if err != nil {
		return nil
	}
	defer f.Close()
	ents, err := f.ReadDir(-1)
	if err != nil {
		return nil
	}
	out := make([]lowerEntry, 0, len(ents))
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, d.entry(e.Name(), fi, path.Join(p, e.Name())))
	}
	return out
}

func (d *dirLower) read(p string) ([]byte, error) {
	fi, err := d.root.Lstat(rel(p))
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, syscall.EINVAL
	}
	if fi.Size() > maxLowerFile {
		return nil, syscall.EFBIG
	}
	return d.root.ReadFile(rel(p))
}
