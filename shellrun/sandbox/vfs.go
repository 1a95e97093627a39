package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// VFS is the virtual filesystem a dry run acts on: an in-memory tree over
// an optional read-only lower layer (a base image's rootfs). Nothing it does
// reaches the host; the lower layer is only ever read. It is safe for
// concurrent use (pipelines run their sides concurrently).
type VFS struct {
	mu    sync.Mutex
	root  *vnode
	lower lowerFS
	now   time.Time
	// changes records, by path, what happened relative to the start.
	changes map[string]*change
	// initial holds the paths that existed at the start besides the
	// lower layer's (the skeleton, the context files).
	initial map[string]bool
	// context holds the paths of the build context (/build): removing
	// them is no change to report.
	context map[string]bool
	// script is the display path of the script currently running, for
	// attributing changes.
	script string
	// placing, when not nil, collects the paths that enter changes (see
	// place).
	placing map[string]bool
}

type change struct {
	kind   string // "created", "changed", "removed"
	typ    string // "file", "dir", "symlink"
	mode   fs.FileMode
	script string
}

// vnode is one file, directory or symlink.
type vnode struct {
	mode     fs.FileMode // type bits and permissions
	uid, gid int
	mtime    time.Time
	data     []byte
	target   string // symlink target
	loaded   bool   // data loaded from lower (files) / children listed (dirs)
	owned    bool   // data belongs to this node alone and may grow in place
	lowerKey string // path in the lower layer, "" if none
	// src is the host file of a context file placed unread (ContextFile.Src),
	// srcFile that file opened ahead, if it was.
	src     string
	srcFile *os.File
	// lowerSize is the size of the lower layer's file or of src, until
	// loaded.
	lowerSize int64
	kids      map[string]*vnode
}

// lowerFS is a read-only base layer.
type lowerFS interface {
	// stat describes one path without following a final symlink.
	stat(p string) (lowerEntry, bool)
	// list names a directory's entries.
	list(p string) []lowerEntry
	// read returns a regular file's content.
	read(p string) ([]byte, error)
}

type lowerEntry struct {
	name     string
	mode     fs.FileMode
	uid, gid int
	mtime    time.Time
	target   string
	// size is a regular file's size (0 for anything else), so that a
	// stat need not read the content.
	size int64
}

// NewVFS returns an empty virtual filesystem with the usual top-level
// directories, or one over lower when lower is not nil.
func newVFS(lower lowerFS) *VFS {
	v := &VFS{lower: lower, now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), changes: map[string]*change{}}
	v.root = &vnode{mode: fs.ModeDir | 0o755, kids: map[string]*vnode{}, lowerKey: "/"}
	if lower == nil {
		sk := skeleton()
		v.root = cloneNode(sk.root)
		v.initial = maps.Clone(sk.initial)
		return v
	}
	v.settle()
	return v
}

// skeleton is the built-in Debian-like tree, made once and cloned.
var skeleton = sync.OnceValue(func() *VFS {
	v := &VFS{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), changes: map[string]*change{}}
	v.root = &vnode{mode: fs.ModeDir | 0o755, kids: map[string]*vnode{}}
	{
		v.root.loaded = true
		for _, d := range []string{"/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/local", "/usr/local/bin", "/usr/local/sbin", "/usr/share", "/var", "/var/lib", "/var/lib/apt", "/var/lib/apt/lists", "/var/lib/dpkg", "/var/lib/dpkg/info", "/var/cache/apt/archives", "/etc/ssl/certs", "/usr/share/doc", "/etc/apt/apt.conf.d", "/etc/apt/sources.list.d", "/etc/apt/preferences.d", "/etc/dpkg/dpkg.cfg.d", "/etc/profile.d", "/etc/pam.d", "/etc/ld.so.conf.d", "/etc/security", "/etc/skel", "/usr/local/share", "/usr/share/man", "/usr/share/locale", "/usr/share/info", "/var/spool", "/var/mail", "/var/backups", "/var/cache", "/var/log", "/var/tmp", "/etc/apt", "/etc/default"} {
			v.mkdirAllLocked(d, 0o755)
		}
		v.chmodLocked("/tmp", fs.ModeDir|fs.ModeSticky|0o777)
		v.writeLocked("/etc/passwd", []byte("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\nsys:x:3:3:sys:/dev:/usr/sbin/nologin\nmail:x:8:8:mail:/var/mail:/usr/sbin/nologin\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\nbackup:x:34:34:backup:/var/backups:/usr/sbin/nologin\n_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"), 0o644)
		v.writeLocked("/etc/group", []byte("root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\nmail:x:8:\nwww-data:x:33:\nbackup:x:34:\nstaff:x:50:\nusers:x:100:\nnogroup:x:65534:\n"), 0o644)
		v.writeLocked("/etc/shadow", []byte("root:*:20000:0:99999:7:::\n"), 0o640)
		v.writeLocked("/etc/debian_version", []byte("12.8\n"), 0o644)
		v.writeLocked("/etc/os-release", []byte("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n"), 0o644)
		v.writeLocked("/etc/hostname", []byte(containerHostname+"\n"), 0o644)
		v.writeLocked("/var/lib/dpkg/status", nil, 0o644)
		v.writeLocked("/etc/profile", []byte("# /etc/profile\n"), 0o644)
		v.writeLocked("/etc/bash.bashrc", []byte("# bash.bashrc\n"), 0o644)
		v.writeLocked("/etc/environment", nil, 0o644)
		v.writeLocked("/root/.bashrc", []byte("# ~/.bashrc\n"), 0o644)
		v.writeLocked("/root/.profile", []byte("# ~/.profile\n"), 0o644)
		v.writeLocked("/etc/apt/sources.list.d/debian.sources", []byte("Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n"), 0o644)
		v.symlinkLocked("/bin/sh", "dash")
		v.symlinkLocked("/var/run", "/run")
	}
	// The seed state is not a change.
	v.settle()
	return v
})

// cloneNode copies a tree; file contents are shared, as they are only
// ever replaced, never changed in place.
func cloneNode(n *vnode) *vnode {
	c := *n
	c.owned = false
	if n.kids != nil {
		c.kids = make(map[string]*vnode, len(n.kids))
		for k, kid := range n.kids {
			c.kids[k] = cloneNode(kid)
		}
	}
	return &c
}

// settle makes everything created so far part of the initial state.
func (v *VFS) settle() {
	if v.initial == nil {
		v.initial = map[string]bool{}
	}
	for p, c := range v.changes {
		if c.kind != "removed" {
			v.initial[p] = true
		}
	}
	clear(v.changes)
}

// errors in the shape os.PathError has, so the interpreter prints them.
func pathErr(op, p string, err error) error { return &fs.PathError{Op: op, Path: p, Err: err} }

var (
	errNotExist = syscall.ENOENT
	errExist    = syscall.EEXIST
	errNotDir   = syscall.ENOTDIR
	errIsDir    = syscall.EISDIR
	errLoop     = syscall.ELOOP
	errNotEmpty = syscall.ENOTEMPTY
	errInval    = syscall.EINVAL
)

// children returns a directory's entries, loading them from the lower
// layer on first use.
func (v *VFS) children(n *vnode) map[string]*vnode {
	if n.kids == nil {
		n.kids = map[string]*vnode{}
	}
	if !n.loaded {
		n.loaded = true
		if v.lower != nil && n.lowerKey != "" {
			for _, e := range v.lower.list(n.lowerKey) {
				if _, ok := n.kids[e.name]; ok {
					continue
				}
				n.kids[e.name] = nodeFromLower(path.Join(n.lowerKey, e.name), e)
			}
		}
	}
	return n.kids
}

func nodeFromLower(key string, e lowerEntry) *vnode {
	n := &vnode{mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime, target: e.target, lowerKey: key, lowerSize: e.size}
	if e.mode.IsDir() {
		n.kids = map[string]*vnode{}
	}
	return n
}

// content returns a regular file's bytes.
func (v *VFS) content(n *vnode) []byte {
	if !n.loaded && n.lowerKey != "" && v.lower != nil {
		n.loaded = true
		b, err := v.lower.read(n.lowerKey)
		if err == nil {
			n.data = b
		}
	}
	if !n.loaded && n.src != "" {
		n.loaded = true
		if b, err := readSrc(n.src, n.srcFile); err == nil {
			n.data = b
		}
	}
	n.loaded = true
	return n.data
}

// clean makes p absolute and clean, relative to dir.
func clean(dir, p string) string {
	if !strings.HasPrefix(p, "/") {
		p = dir + "/" + p
	}
	return absClean(p)
}

// absClean is path.Clean("/" + p) without building a new string when p is
// absolute already (path.Clean itself allocates only when it changes p).
func absClean(p string) string {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return path.Clean(p)
}

// lookup resolves p to its parent directory and node (nil if missing).
// follow says whether a final symlink is followed.
func (v *VFS) lookup(p string, follow bool) (parent *vnode, name string, n *vnode, full string, err error) {
	return v.lookupDepth(p, follow, 0)
}

func (v *VFS) lookupDepth(p string, follow bool, depth int) (*vnode, string, *vnode, string, error) {
	if depth > 40 {
		return nil, "", nil, p, errLoop
	}
	p = absClean(p)
	if p == "/" {
		return v.root, "", v.root, "/", nil
	}
	cur := v.root
	// Walk the components of p without splitting it: i is where the
	// current component starts, p[:i-1] the directory walked so far.
	for i := 1; i < len(p); {
		end := strings.IndexByte(p[i:], '/')
		last := end < 0
		if last {
			end = len(p)
		} else {
			end += i
		}
		part := p[i:end]
		curPath := p[:i-1]
		if !cur.mode.IsDir() {
			return nil, "", nil, p, errNotDir
		}
		kid := v.children(cur)[part]
		if kid == nil {
			if last {
				return cur, part, nil, p, nil
			}
			return nil, "", nil, p, errNotExist
		}
		if kid.mode&fs.ModeSymlink != 0 && (!last || follow) {
			t := kid.target
			if !strings.HasPrefix(t, "/") {
				t = curPath + "/" + t
			}
			if !last {
				t = t + p[end:]
			}
			return v.lookupDepth(t, follow, depth+1)
		}
		if last {
			return cur, part, kid, p, nil
		}
		cur = kid
		i = end + 1
	}
	return nil, "", nil, p, errNotExist
}

func typeName(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "dir"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	}
	return "file"
}

// existedAtStart says whether p (unresolved) existed in the base layer.
func (v *VFS) existedAtStart(p string) bool {
	if v.initial[p] {
		return true
	}
	if v.lower == nil {
		return false
	}
	_, ok := v.lower.stat(p)
	return ok
}

// record notes a change at full path p.
func (v *VFS) record(p, kind string, n *vnode) {
	c := v.changes[p]
	if c == nil && v.placing != nil {
		v.placing[p] = true
	}
	switch kind {
	case "removed":
		if c != nil && c.kind == "created" || v.context[p] {
			delete(v.changes, p)
			return
		}
		if !v.existedAtStart(p) && c == nil {
			return
		}
		v.changes[p] = &change{kind: "removed", typ: c.typeOr("file"), script: v.script}
		return
	case "changed":
		if c != nil && c.kind == "created" {
			kind = "created"
		} else if c == nil && !v.existedAtStart(p) {
			kind = "created"
		}
	case "created":
		if c != nil && c.kind == "removed" || v.existedAtStart(p) {
			kind = "changed"
		}
	}
	v.changes[p] = &change{kind: kind, typ: typeName(n.mode), mode: n.mode, script: v.script}
}

func (c *change) typeOr(d string) string {
	if c == nil {
		return d
	}
	return c.typ
}

// fileInfo is the fs.FileInfo of a virtual node. Sys returns a
// *syscall.Stat_t, as the interpreter's -O and -G tests assume.
type fileInfo struct {
	name string
	n    vnode
	size int64
}

func (fi *fileInfo) Name() string       { return fi.name }
func (fi *fileInfo) Size() int64        { return fi.size }
func (fi *fileInfo) Mode() fs.FileMode  { return fi.n.mode }
func (fi *fileInfo) ModTime() time.Time { return fi.n.mtime }
func (fi *fileInfo) IsDir() bool        { return fi.n.mode.IsDir() }
func (fi *fileInfo) Sys() any {
	return &syscall.Stat_t{Uid: uint32(fi.n.uid), Gid: uint32(fi.n.gid), Size: fi.size}
}

func (v *VFS) info(name string, n *vnode) *fileInfo {
	fi := &fileInfo{name: name, n: *n}
	fi.n.kids = nil
	switch {
	case n.mode.IsDir():
		fi.size = 4096
	case n.mode&fs.ModeSymlink != 0:
		fi.size = int64(len(n.target))
	case !n.loaded && (n.lowerKey != "" && v.lower != nil || n.src != ""):
		// The size content would have, without reading it: a
		// 50 MB apt list is not read for ls -A.
		if n.lowerSize <= maxLowerFile {
			fi.size = n.lowerSize
		}
	default:
		fi.size = int64(len(v.content(n)))
	}
	return fi
}

// Stat describes p, following a final symlink when follow is set.
func (v *VFS) Stat(p string, follow bool) (fs.FileInfo, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	_, name, n, _, err := v.lookup(p, follow)
	if err == nil && n == nil {
		err = errNotExist
	}
	if err != nil {
		return nil, pathErr("stat", p, err)
	}
	if name == "" {
		name = "/"
	}
	return v.info(name, n), nil
}

// ReadDir lists a directory, sorted by name.
func (v *VFS) ReadDir(p string) ([]fs.DirEntry, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	_, _, n, _, err := v.lookup(p, true)
	if err == nil && n == nil {
		err = errNotExist
	}
	if err == nil && !n.mode.IsDir() {
		err = errNotDir
	}
	if err != nil {
		return nil, pathErr("readdir", p, err)
	}
	kids := v.children(n)
	names := make([]string, 0, len(kids))
	for k := range kids {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]fs.DirEntry, len(names))
	for i, k := range names {
		out[i] = fs.FileInfoToDirEntry(v.info(k, kids[k]))
	}
	return out, nil
}

// ReadFile returns a regular file's content.
func (v *VFS) ReadFile(p string) ([]byte, error) {
	c, err := v.peek(p)
	if err != nil {
		return nil, err
	}
	return bytes.Clone(c), nil
}

// peek returns a regular file's content without copying it: the caller
// must not change it. Writes replace or grow a file's slice, never change
// the bytes a peek returned.
func (v *VFS) peek(p string) ([]byte, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	_, _, n, _, err := v.lookup(p, true)
	if err == nil && n == nil {
		err = errNotExist
	}
	if err == nil && n.mode.IsDir() {
		err = errIsDir
	}
	if err != nil {
		return nil, pathErr("open", p, err)
	}
	c := v.content(n)
	return c[:len(c):len(c)], nil
}

// WriteFile creates or replaces a regular file.
func (v *VFS) WriteFile(p string, data []byte, perm fs.FileMode) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.writeLocked(p, data, perm)
}

func (v *VFS) writeLocked(p string, data []byte, perm fs.FileMode) error {
	parent, name, n, full, err := v.lookup(p, true)
	if err != nil {
		return pathErr("open", p, err)
	}
	if n == nil {
		if parent == nil || name == "" {
			return pathErr("open", p, errNotExist)
		}
		n = &vnode{mode: perm.Perm(), loaded: true, mtime: v.now, owned: true}
		v.children(parent)[name] = n
		n.data = bytes.Clone(data)
		v.record(full, "created", n)
		return nil
	}
	if n.mode.IsDir() {
		return pathErr("open", p, errIsDir)
	}
	n.data = bytes.Clone(data)
	n.loaded = true
	n.owned = true
	n.mtime = v.now
	v.record(full, "changed", n)
	return nil
}

// placeLocked creates the regular file p with the contents of the host
// file src (opened ahead as f, or nil), of size bytes, read when first
// read (content): a context file placed unread.
func (v *VFS) placeLocked(p, src string, f *os.File, size int64, perm fs.FileMode) error {
	if err := v.writeLocked(p, nil, perm); err != nil {
		return err
	}
	_, _, n, _, _ := v.lookup(p, true)
	n.loaded, n.owned, n.src, n.srcFile, n.lowerSize = false, false, src, f, size
	return nil
}

// openSrc opens a context file placed unread: a regular file, not through
// a final link, without waiting on a FIFO.
func openSrc(p string) (*os.File, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: p, Err: syscall.EINVAL}
	}
	return f, nil
}

// readSrc reads a context file placed unread, through f when it was opened
// ahead (it is read from its start, whoever read it before), else opening
// p: at most maxLowerFile bytes, as the lower layer's files are read.
func readSrc(p string, f *os.File) ([]byte, error) {
	if f == nil {
		var err error
		if f, err = openSrc(p); err != nil {
			return nil, err
		}
		defer f.Close()
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxLowerFile {
		return nil, syscall.EFBIG
	}
	b := make([]byte, fi.Size())
	n, err := f.ReadAt(b, 0)
	if err != nil && err != io.EOF {
		return nil, err
	}
	return b[:n], nil
}

// AppendFile appends to a regular file, creating it if needed.
func (v *VFS) appendFile(p string, data []byte) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	_, _, n, full, err := v.lookup(p, true)
	if err == nil && n != nil && !n.mode.IsDir() {
		if n.owned {
			// Logs and lists grow line by line: append in place.
			n.data = append(n.data, data...)
			n.mtime = v.now
			v.record(full, "changed", n)
			return nil
		}
		old := v.content(n)
		if err := v.writeLocked(p, append(bytes.Clone(old), data...), n.mode.Perm()); err != nil {
			return err
		}
		return nil
	}
	return v.writeLocked(p, data, 0o644)
}

// keptModeBits are the bits of a mode a file or directory keeps, its
// permissions and the set-id and sticky bits: mkdir -m 1777 makes a
// sticky directory.
const keptModeBits = fs.ModePerm | fs.ModeSticky | fs.ModeSetuid | fs.ModeSetgid

// Mkdir creates one directory; with all, its parents too and no error if it
// exists.
func (v *VFS) Mkdir(p string, perm fs.FileMode, all bool) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if all {
		return v.mkdirAllLocked(p, perm)
	}
	parent, name, n, full, err := v.lookup(p, false)
	if err != nil {
		return pathErr("mkdir", p, err)
	}
	if n != nil {
		return pathErr("mkdir", p, errExist)
	}
	if parent == nil || name == "" {
		return pathErr("mkdir", p, errNotExist)
	}
	n = &vnode{mode: fs.ModeDir | perm&keptModeBits, loaded: true, kids: map[string]*vnode{}, mtime: v.now}
	v.children(parent)[name] = n
	v.record(full, "created", n)
	return nil
}

func (v *VFS) mkdirAllLocked(p string, perm fs.FileMode) error {
	p = absClean(p)
	if p == "/" {
		return nil
	}
	_, _, n, _, err := v.lookup(p, true)
	if err == nil && n != nil {
		if n.mode.IsDir() {
			return nil
		}
		return pathErr("mkdir", p, errExist)
	}
	// The parents get the default mode, with u+wx (GNU mkdir -p): -m
	// is the last directory's.
	if err := v.mkdirAllLocked(path.Dir(p), fs.FileMode(0o777&^buildUmask|0o300)); err != nil {
		return err
	}
	parent, name, n, full, err := v.lookup(p, true)
	if err != nil {
		return pathErr("mkdir", p, err)
	}
	if n != nil {
		return nil
	}
	n = &vnode{mode: fs.ModeDir | perm&keptModeBits, loaded: true, kids: map[string]*vnode{}, mtime: v.now}
	v.children(parent)[name] = n
	v.record(full, "created", n)
	return nil
}

// Remove removes p; with recursive, a directory and all it holds.
func (v *VFS) Remove(p string, recursive bool) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	parent, name, n, full, err := v.lookup(p, false)
	if err == nil && n == nil {
		err = errNotExist
	}
	if err != nil {
		return pathErr("remove", p, err)
	}
	if n == v.root {
		// rm -rf / empties the tree but keeps the root.
		if !recursive {
			return pathErr("remove", p, errIsDir)
		}
		for k := range v.children(n) {
			v.removeTree("/"+k, n.kids[k])
		}
		clear(n.kids)
		return nil
	}
	if n.mode.IsDir() && !recursive && len(v.children(n)) > 0 {
		return pathErr("remove", p, errNotEmpty)
	}
	v.removeTree(full, n)
	delete(v.children(parent), name)
	return nil
}

func (v *VFS) removeTree(full string, n *vnode) {
	if n.mode.IsDir() {
		for k, kid := range v.children(n) {
			v.removeTree(full+"/"+k, kid)
		}
	}
	v.record(full, "removed", n)
}

// Rename moves from to to, replacing a file at to.
func (v *VFS) Rename(from, to string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	fparent, fname, fn, ffull, err := v.lookup(from, false)
	if err == nil && fn == nil {
		err = errNotExist
	}
	if err != nil {
		return pathErr("rename", from, err)
	}
	tparent, tname, tn, tfull, err := v.lookup(to, false)
	if err == nil && tparent == nil {
		err = errNotExist
	}
	if err != nil {
		return pathErr("rename", to, err)
	}
	if tn != nil && tn.mode.IsDir() {
		return pathErr("rename", to, errIsDir)
	}
	if strings.HasPrefix(tfull+"/", ffull+"/") {
		return pathErr("rename", to, errInval)
	}
	v.removeTree(ffull, fn)
	delete(v.children(fparent), fname)
	v.children(tparent)[tname] = fn
	v.recordTree(tfull, fn)
	return nil
}

func (v *VFS) recordTree(full string, n *vnode) {
	v.record(full, "created", n)
	if n.mode.IsDir() {
		for k, kid := range v.children(n) {
			v.recordTree(full+"/"+k, kid)
		}
	}
}

// Symlink creates link pointing at target.
func (v *VFS) Symlink(target, link string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.symlinkLocked(link, target)
}

func (v *VFS) symlinkLocked(link, target string) error {
	parent, name, n, full, err := v.lookup(link, false)
	if err == nil && parent == nil {
		err = errNotExist
	}
	if err != nil {
		return pathErr("symlink", link, err)
	}
	if n != nil {
		return pathErr("symlink", link, errExist)
	}
	n = &vnode{mode: fs.ModeSymlink | 0o777, target: target, loaded: true, mtime: v.now}
	v.children(parent)[name] = n
	v.record(full, "created", n)
	return nil
}

// Readlink returns a symlink's target.
func (v *VFS) Readlink(p string) (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	_, _, n, _, err := v.lookup(p, false)
	if err == nil && (n == nil || n.mode&fs.ModeSymlink == 0) {
		err = errInval
	}
	if err != nil {
		return "", pathErr("readlink", p, err)
	}
	return n.target, nil
}

// Chmod sets p's permission bits.
func (v *VFS) Chmod(p string, mode fs.FileMode) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.chmodLocked(p, mode)
}

func (v *VFS) chmodLocked(p string, mode fs.FileMode) error {
	_, _, n, full, err := v.lookup(p, true)
	if err == nil && n == nil {
		err = errNotExist
	}
	if err != nil {
		return pathErr("chmod", p, err)
	}
	n.mode = n.mode&fs.ModeType | mode&keptModeBits
	v.record(full, "changed", n)
	return nil
}

// Chown sets p's owner and group; -1 keeps one.
func (v *VFS) Chown(p string, uid, gid int) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	_, _, n, full, err := v.lookup(p, true)
	if err == nil && n == nil {
		err = errNotExist
	}
	if err != nil {
		return pathErr("chown", p, err)
	}
	if uid >= 0 {
		n.uid = uid
	}
	if gid >= 0 {
		n.gid = gid
	}
	v.record(full, "changed", n)
	return nil
}

// Touch creates p if missing and updates its time.
func (v *VFS) Touch(p string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	_, _, n, full, err := v.lookup(p, true)
	if err != nil {
		return pathErr("touch", p, err)
	}
	if n == nil {
		return v.writeLocked(p, nil, 0o644)
	}
	n.mtime = v.now
	v.record(full, "changed", n)
	return nil
}

// Exists reports whether p exists (following symlinks).
func (v *VFS) Exists(p string) bool {
	_, err := v.Stat(p, true)
	return err == nil
}

// Copy copies a file or (with recursive) a tree from src to dst.
func (v *VFS) Copy(src, dst string, recursive bool) error {
	fi, err := v.Stat(src, true)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		if !recursive {
			return fmt.Errorf("-r not specified; omitting directory '%s'", src)
		}
		if err := v.Mkdir(dst, fi.Mode().Perm(), true); err != nil {
			return err
		}
		ents, err := v.ReadDir(src)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if err := v.Copy(src+"/"+e.Name(), dst+"/"+e.Name(), true); err != nil {
				return err
			}
		}
		return nil
	}
	data, err := v.ReadFile(src)
	if err != nil {
		return err
	}
	if err := v.WriteFile(dst, data, fi.Mode().Perm()); err != nil {
		return err
	}
	return nil
}

// vfile is an open virtual file: reads come from a snapshot of its
// content, writes go to the node on each call.
type vfile struct {
	v    *VFS
	path string
	r    *bytes.Reader
	w    bool
}

func (f *vfile) Read(p []byte) (int, error) {
	if f.r == nil {
		return 0, pathErr("read", f.path, syscall.EBADF)
	}
	return f.r.Read(p)
}

func (f *vfile) Write(p []byte) (int, error) {
	if !f.w {
		return 0, pathErr("write", f.path, syscall.EBADF)
	}
	if err := f.v.appendFile(f.path, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (f *vfile) Close() error { return nil }

// Open opens p with os.OpenFile's flags.
func (v *VFS) Open(p string, flag int, perm fs.FileMode) (io.ReadWriteCloser, error) {
	acc := flag & (syscall.O_RDONLY | syscall.O_WRONLY | syscall.O_RDWR)
	write := acc != syscall.O_RDONLY
	v.mu.Lock()
	defer v.mu.Unlock()
	_, _, n, full, err := v.lookup(p, true)
	if err != nil {
		return nil, pathErr("open", p, err)
	}
	if n != nil && flag&syscall.O_CREAT != 0 && flag&syscall.O_EXCL != 0 {
		return nil, pathErr("open", p, errExist)
	}
	if n == nil {
		if flag&syscall.O_CREAT == 0 {
			return nil, pathErr("open", p, errNotExist)
		}
		if err := v.writeLocked(full, nil, perm); err != nil {
			return nil, err
		}
		_, _, n, full, _ = v.lookup(full, true)
	} else if n.mode.IsDir() {
		if write {
			return nil, pathErr("open", p, errIsDir)
		}
	} else if write && flag&syscall.O_TRUNC != 0 {
		if err := v.writeLocked(full, nil, n.mode.Perm()); err != nil {
			return nil, err
		}
	} else if write {
		v.record(full, "changed", n)
	}
	f := &vfile{v: v, path: full, w: write}
	if acc != syscall.O_WRONLY && !n.mode.IsDir() {
		f.r = bytes.NewReader(bytes.Clone(v.content(n)))
	}
	return f, nil
}

// Changes returns the recorded changes, sorted by path.
func (v *VFS) Changes() []FileChange {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]FileChange, 0, len(v.changes))
	for p, c := range v.changes {
		fc := FileChange{Path: p, Change: c.kind, Type: c.typ, Script: c.script}
		if c.kind != "removed" {
			fc.Mode = fmt.Sprintf("%04o", uint32(c.mode.Perm())|modeSpecial(c.mode))
		}
		out = append(out, fc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func modeSpecial(m fs.FileMode) uint32 {
	var s uint32
	if m&fs.ModeSetuid != 0 {
		s |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		s |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		s |= 0o1000
	}
	return s
}

// isNotExist reports whether err says a path is missing.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// changedUnder says whether a path under dir (ending in /) was created,
// changed or removed.
func (v *VFS) changedUnder(dir string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	for p := range v.changes {
		if strings.HasPrefix(p, dir) {
			return true
		}
	}
	return false
}

// place writes a file, and the directories it needs, as part of the
// starting state: what it creates is no change (a script placed where the
// image has it). It only looks at the paths it touches, not at every
// change so far.
func (v *VFS) place(p string, data []byte, perm fs.FileMode) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.placing = map[string]bool{}
	v.mkdirAllLocked(path.Dir(p), 0o755)
	v.writeLocked(p, data, perm)
	if v.initial == nil {
		v.initial = map[string]bool{}
	}
	for q := range v.placing {
		if _, ok := v.changes[q]; ok {
			delete(v.changes, q)
			v.initial[q] = true
		}
	}
	v.placing = nil
}
