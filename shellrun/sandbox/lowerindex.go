package sandbox

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/dmake-dev/dmake/internal/wire"
)

// The index of a tar lower layer (its headers: names, modes, owners,
// times, link targets, sizes and offsets) is kept in Image.RootfsIndex,
// so that a dry run over a base it has seen reads that small file instead
// of the 200 MB tar's 6770 headers (~25 ms of archive/tar's parsing, for
// debian:bookworm). Check makes it in the parent when it is missing or is
// not of this form or of this tar; the child reads it, and indexes the tar
// itself when it cannot.

// lowerIndexHeader starts an index file: another form is made again.
const lowerIndexHeader = "dmake lower index 1\n"

// errLowerIndex is the error of an index not of the form or the tar.
var errLowerIndex = errors.New("not an index of this tar of this dmake")

// tarStamp identifies the tar an index was made of: its size and
// modification time.
func tarStamp(fi fs.FileInfo) (int64, int64) {
	return fi.Size(), fi.ModTime().UnixNano()
}

// encodeLowerIndex returns the index file's content for t, the index of
// the tar fi describes: its entries in path order (the directories'
// entries are made again from them).
func encodeLowerIndex(t *tarLower, fi fs.FileInfo) []byte {
	w := &reportWriter{wire.Writer{B: make([]byte, 0, len(lowerIndexHeader)+64*len(t.entries))}}
	w.B = append(w.B, lowerIndexHeader...)
	size, mtime := tarStamp(fi)
	w.Int(size)
	w.Int(mtime)
	paths := make([]string, 0, len(t.entries))
	for p := range t.entries {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	w.Uint(uint64(len(paths)))
	for _, p := range paths {
		e := t.entries[p]
		w.str(p)
		w.str(e.name)
		w.Uint(uint64(e.mode))
		w.int(e.uid)
		w.int(e.gid)
		w.Bool(e.mtime.IsZero()) // a directory the tar leaves out
		if !e.mtime.IsZero() {
			w.Int(e.mtime.Unix())
			w.Int(int64(e.mtime.Nanosecond()))
		}
		w.str(e.target)
		w.Int(e.size)
		w.Int(e.off)
		w.str(e.link)
	}
	return w.B
}

// decodeLowerIndex reads an index encodeLowerIndex wrote of the tar f
// (fi): errLowerIndex when it is of another form or another tar.
func decodeLowerIndex(b []byte, f io.ReaderAt, fi fs.FileInfo) (*tarLower, error) {
	body, ok := bytes.CutPrefix(b, []byte(lowerIndexHeader))
	if !ok {
		return nil, errLowerIndex
	}
	r := &reportReader{Reader: wire.Reader{B: body, Corrupt: errLowerIndex}, s: string(body)}
	size, mtime := tarStamp(fi)
	if r.Int() != size || r.Int() != mtime || r.Err != nil {
		return nil, errLowerIndex
	}
	n := r.Uint()
	if r.Err != nil || n > uint64(r.Left()/11) { // each entry takes 11 bytes at least
		return nil, errLowerIndex
	}
	t := &tarLower{f: f, entries: make(map[string]*tarEntry, n), kids: map[string][]string{}}
	for range n {
		p := r.str()
		e := &tarEntry{lowerEntry: lowerEntry{name: r.str(), mode: fs.FileMode(r.Uint()), uid: r.int(), gid: r.int()}}
		if !r.Bool() {
			sec := r.Int()
			e.mtime = time.Unix(sec, r.Int())
		}
		e.target, e.size, e.off, e.link = r.str(), r.Int(), r.Int(), r.str()
		if r.Err != nil {
			return nil, r.Err
		}
		t.entries[p] = e
		if p != "/" {
			t.kids[path.Dir(p)] = append(t.kids[path.Dir(p)], path.Base(p))
		}
	}
	if r.Left() != 0 || t.entries["/"] == nil {
		return nil, errLowerIndex
	}
	for _, names := range t.kids {
		sort.Strings(names)
	}
	return t, nil
}

// openTarLower is openLower of the tar f, p: through the index file
// index when it is one of this tar, else from the tar's headers.
func openTarLower(f *os.File, p, index string) (*tarLower, error) {
	if index != "" {
		if fi, err := f.Stat(); err == nil {
			if b, err := os.ReadFile(index); err == nil {
				if t, err := decodeLowerIndex(b, f, fi); err == nil {
					return t, nil
				}
			}
		}
	}
	t, err := indexTar(f)
	if err != nil {
		return nil, fmt.Errorf("base rootfs %s: %w", p, err)
	}
	return t, nil
}

// ensureLowerIndex writes the index of the tar rootfs to index unless
// index is one of this tar already (its header and stamp are checked,
// not the entries: the child reads them, and indexes the tar when they
// are not right). The file appears whole or not at all. A rootfs that is
// a directory has none.
func ensureLowerIndex(rootfs, index string) error {
	f, err := os.Open(rootfs)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		return err
	}
	if cur, err := os.Open(index); err == nil {
		head := make([]byte, len(lowerIndexHeader)+2*binary.MaxVarintLen64)
		n, _ := io.ReadFull(cur, head)
		cur.Close()
		if body, ok := bytes.CutPrefix(head[:n], []byte(lowerIndexHeader)); ok {
			r := &wire.Reader{B: body, Corrupt: errLowerIndex}
			size, mtime := tarStamp(fi)
			if r.Int() == size && r.Int() == mtime && r.Err == nil {
				return nil
			}
		}
	}
	t, err := indexTar(f)
	if err != nil {
		return fmt.Errorf("base rootfs %s: %w", rootfs, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(index), filepath.Base(index)+".*.part")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(encodeLowerIndex(t, fi))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), index)
}
