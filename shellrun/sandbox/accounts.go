package sandbox

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
)

// accounts indexes the virtual passwd-like files (/etc/passwd, group,
// shadow) by name, so that useradd, chown and getent do not scan a file
// that grows with every user an image adds.
//
// The index of a file stays valid while the VFS hands out the same buffer,
// at least as long: the VFS replaces a file's content by a fresh copy and
// only ever appends in place, and the index keeps the buffer it read
// alive, so the same address means the same bytes up to the old length.
type accounts struct {
	mu    sync.Mutex
	files map[string]*accountFile
}

// accountFile is the index of the complete lines of one file.
type accountFile struct {
	data  []byte            // the content indexed (complete lines up to done)
	done  int               // bytes indexed
	lines map[string][]byte // first line of each name
	// next ids, as nextID computes them, over the lines indexed.
	nextSys, nextUser int
}

func (x *accountFile) add(line []byte) {
	name, rest, ok := bytes.Cut(line, []byte(":"))
	if !ok {
		return
	}
	if _, dup := x.lines[string(name)]; !dup {
		x.lines[string(name)] = line
	}
	_, rest, _ = bytes.Cut(rest, []byte(":"))
	id, _, _ := bytes.Cut(rest, []byte(":"))
	x.nextSys = bumpID(x.nextSys, id, true)
	x.nextUser = bumpID(x.nextUser, id, false)
}

// bumpID is the next free id after a line with id, as useradd picks it:
// system ids below 1000, others below 60000.
func bumpID(next int, id []byte, system bool) int {
	n := 0
	for _, c := range id {
		if c < '0' || c > '9' {
			return next
		}
		n = n*10 + int(c-'0')
	}
	if len(id) == 0 {
		return next
	}
	if (system && n >= next && n < 1000) || (!system && n >= next && n < 60000) {
		return n + 1
	}
	return next
}

// index returns the index of file's complete lines and the unterminated
// last line, if any.
func (d *dryRun) index(file string) (*accountFile, []byte) {
	b, _ := d.vfs.peek(file)
	a := &d.accounts
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.files == nil {
		a.files = map[string]*accountFile{}
	}
	x := a.files[file]
	if x == nil || len(b) < x.done || x.done > 0 && &b[0] != &x.data[0] {
		x = &accountFile{lines: map[string][]byte{}, nextSys: 100, nextUser: 1000}
		a.files[file] = x
	}
	rest := b[x.done:]
	for {
		line, after, ok := bytes.Cut(rest, []byte("\n"))
		if !ok {
			break
		}
		x.add(line)
		x.done += len(line) + 1
		rest = after
	}
	x.data = b
	return x, rest
}

// findEntry returns the first line of a passwd-like file of the VFS that
// starts with "name:".
func (d *dryRun) findEntry(file, name string) ([]byte, bool) {
	x, tail := d.index(file)
	if line, ok := x.lines[name]; ok {
		return line, true
	}
	if len(tail) > len(name) && tail[len(name)] == ':' && string(tail[:len(name)]) == name {
		return tail, true
	}
	return nil, false
}

// lookupID finds a user or group id in the virtual passwd or group file.
func (d *dryRun) lookupID(file, name string) (int, bool) {
	if n, err := strconv.Atoi(name); err == nil {
		return n, true
	}
	line, ok := d.findEntry(file, name)
	if !ok {
		return 0, false
	}
	_, rest, _ := bytes.Cut(line, []byte(":"))
	_, rest, _ = bytes.Cut(rest, []byte(":"))
	id, _, _ := bytes.Cut(rest, []byte(":"))
	n, _ := strconv.Atoi(string(id))
	return n, true
}

// nextID is the id useradd or groupadd gives the next account of file.
func (d *dryRun) nextID(file string, system bool) int {
	x, tail := d.index(file)
	next := x.nextUser
	if system {
		next = x.nextSys
	}
	if len(tail) > 0 {
		_, rest, ok := bytes.Cut(tail, []byte(":"))
		if ok {
			_, rest, _ = bytes.Cut(rest, []byte(":"))
			id, _, _ := bytes.Cut(rest, []byte(":"))
			next = bumpID(next, id, system)
		}
	}
	return next
}

// idName is the name of id in the virtual passwd or group file, or def
// when it names none (as stat prints UNKNOWN).
func (d *dryRun) idName(file string, id int, def string) string {
	b, err := d.vfs.ReadFile(file)
	if err != nil {
		return def
	}
	want := strconv.Itoa(id)
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) > 2 && f[2] == want {
			return f[0]
		}
	}
	return def
}
