// Package debindex reads Debian archive indexes into what the sandboxed
// dry run asks of them: which packages ship a command (the mirror's
// Contents files) and which packages apt installs with a package (the
// Packages lists' dependency fields). It reads text only; where the
// indexes come from (an apt-get update in a throwaway container of the
// base image) is package rootfs's business.
package debindex

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"syscall"
	"unsafe"
)

// Index maps commands to the packages that ship them and packages to
// those apt installs with them. An index being read from Debian's files
// keeps maps; one read from its cache file (Read) keeps the file's sorted
// lines and searches them, so that loading the index of a whole archive
// (about 150 000 entries) costs one file read, not a map of it.
type Index struct {
	entries [5]map[string]string // by kind: comma-separated package lists
	text    string               // Read's file: sorted "TAG NAME LIST" lines
	lines   []int                // where each line of text starts
}

// The kinds of entries, in the order of their tags in the cache file.
const (
	alternatives = iota
	commands
	depends
	providers
	recommends
)

var tags = [5]string{"a", "c", "d", "p", "r"}

// get returns the entry name of kind k.
func (idx *Index) get(k int, name string) (string, bool) {
	if idx.entries[k] != nil {
		list, ok := idx.entries[k][name]
		return list, ok
	}
	tag := tags[k]
	i := sort.Search(len(idx.lines), func(i int) bool {
		t, n, _ := idx.line(i)
		return t > tag || t == tag && n >= name
	})
	if i == len(idx.lines) {
		return "", false
	}
	if t, n, list := idx.line(i); t == tag && n == name {
		return list, true
	}
	return "", false
}

// line returns the tag, name and list of line i of a read index.
func (idx *Index) line(i int) (tag, name, list string) {
	end := len(idx.text) - 1 // the last newline
	if i+1 < len(idx.lines) {
		end = idx.lines[i+1] - 1
	}
	tag, rest, _ := strings.Cut(idx.text[idx.lines[i]:end], " ")
	name, list, _ = strings.Cut(rest, " ")
	return tag, name, list
}

// New returns an empty Index.
func New() *Index {
	return &Index{entries: [5]map[string]string{{}, {}, {}, {}, {}}}
}

// Commands returns the packages shipping a file named name in a
// directory of $PATH (bin, sbin, usr/bin, usr/sbin, usr/games,
// usr/local/bin, usr/local/sbin), sorted.
func (idx *Index) Commands(name string) []string {
	list, _ := idx.get(commands, name)
	return split(list)
}

// Alternatives returns the packages whose files may be the target of a
// link named name that update-alternatives creates at install time (no
// package ships the file itself: nc, cc, vi, java…), sorted.
func (idx *Index) Alternatives(name string) []string {
	list, _ := idx.get(alternatives, name)
	return split(list)
}

// Depends returns what apt always installs with pkg: the groups of its
// Depends and Pre-Depends, each a package or alternatives joined by "|"
// ("default-logind|logind"). known says the lists have pkg (as a package
// or a virtual one).
func (idx *Index) Depends(pkg string) (deps []string, known bool) {
	list, known := idx.get(depends, pkg)
	if !known {
		_, known = idx.get(providers, pkg)
	}
	return split(list), known
}

// Recommends returns what apt installs with pkg unless told not to
// (--no-install-recommends): the groups of its Recommends, as Depends
// gives them.
func (idx *Index) Recommends(pkg string) []string {
	list, _ := idx.get(recommends, pkg)
	return split(list)
}

// Providers returns the packages whose Provides name pkg (a virtual
// package, or another name of a real one), sorted.
func (idx *Index) Providers(pkg string) []string {
	list, _ := idx.get(providers, pkg)
	return split(list)
}

// Len returns the number of entries in the index.
func (idx *Index) Len() int {
	if idx.entries[0] == nil {
		return len(idx.lines)
	}
	n := 0
	for _, m := range idx.entries {
		n += len(m)
	}
	return n
}

func split(list string) []string {
	if list == "" {
		return nil
	}
	return strings.Split(list, ",")
}

// add adds pkgs to the entry name of kind k, once each, keeping the list
// sorted.
func (idx *Index) add(k int, name string, pkgs ...string) {
	list, ok := idx.entries[k][name]
	cur := split(list)
	for _, p := range pkgs {
		if p != "" && !slices.Contains(cur, p) {
			cur = append(cur, p)
		}
	}
	if !ok || len(pkgs) > 0 {
		sort.Strings(cur)
		idx.entries[k][name] = strings.Join(cur, ",")
	}
}

// pathDirs are the directories of $PATH a package's commands live in.
var pathDirs = map[string]bool{
	"bin": true, "sbin": true, "usr/bin": true, "usr/sbin": true, "usr/games": true,
	"usr/local/bin": true, "usr/local/sbin": true,
}

// alternatives are the names update-alternatives links to a command a
// package ships, for the common alternatives of Debian's packages (the
// link is made by the package's maintainer script, so the Contents files
// do not have it).
var knownAlternatives = map[string][]string{
	"cc": {"gcc"}, "c89": {"c89-gcc"}, "c99": {"c99-gcc"}, "c++": {"g++", "clang++"}, "cpp": {"cpp"},
	"awk": {"gawk", "mawk", "original-awk", "busybox"}, "nawk": {"gawk", "mawk", "original-awk"},
	"vi": {"vim.basic", "vim.tiny", "nvi", "vim.nox", "vim.gtk3", "elvis-tiny"}, "vim": {"vim.basic", "vim.nox", "vim.gtk3"},
	"view": {"vim.basic", "vim.tiny", "nvi"}, "ex": {"vim.basic", "vim.tiny", "nvi"}, "editor": {"vim.basic", "vim.tiny", "nano", "ed", "nvi", "emacs", "mg", "jed"},
	"pager": {"less", "more", "most"}, "nc": {"nc.openbsd", "nc.traditional", "busybox"}, "netcat": {"nc.openbsd", "nc.traditional"},
	"rename": {"file-rename"}, "telnet": {"telnet.netkit", "inetutils-telnet"}, "ftp": {"netkit-ftp", "tnftp", "inetutils-ftp"},
	"x-www-browser": {"firefox-esr", "chromium"}, "www-browser": {"lynx", "w3m", "elinks"}, "x-terminal-emulator": {"xterm"},
	"lzma": {"xz"}, "unlzma": {"unxz"}, "mt": {"mt-gnu"}, "rmt": {"rmt-tar"}, "write": {"bsd-write"},
	"pinentry": {"pinentry-curses", "pinentry-gnome3", "pinentry-gtk2"}, "ld": {"ld.bfd", "ld.gold"},
}

// ReadContents adds to idx the commands of a Debian Contents file
// ("PATH   SECTION/PACKAGE,SECTION/PACKAGE…" lines; a file name may
// contain spaces, the package list is the last field): the files in a
// directory of $PATH, and the names update-alternatives may make for them
// (a Java runtime's usr/lib/jvm/*/bin, a file named NAME.VARIANT, and the
// common alternatives of the table above). Other lines are skipped.
func ReadContents(r io.Reader, idx *Index) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	type alt struct{ name, pkgs string }
	var alts []alt
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \t")
		i := strings.LastIndexAny(line, " \t")
		if i < 0 {
			continue
		}
		file, pkgs := strings.TrimLeft(strings.TrimRight(line[:i], " \t"), "/"), line[i+1:]
		dir, name := path.Split(file)
		dir = strings.TrimSuffix(dir, "/")
		switch {
		case name == "" || pkgs == "" || strings.ContainsAny(name, " \t"):
			// No command a script names plainly.
		case pathDirs[dir]:
			idx.add(commands, name, contentsPkgs(pkgs)...)
			if base, _, ok := strings.Cut(name, "."); ok && base != "" {
				alts = append(alts, alt{base, pkgs})
			}
		case strings.HasPrefix(dir, "usr/lib/jvm/") && (strings.HasSuffix(dir, "/bin") || strings.HasSuffix(dir, "/jre/bin")):
			alts = append(alts, alt{name, pkgs})
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("a Contents file: %w", err)
	}
	for _, a := range alts {
		idx.add(alternatives, a.name, contentsPkgs(a.pkgs)...)
	}
	for name, targets := range knownAlternatives {
		for _, t := range targets {
			if pkgs := idx.Commands(t); len(pkgs) > 0 {
				idx.add(alternatives, name, pkgs...)
			}
		}
	}
	return nil
}

// contentsPkgs returns the packages of a Contents package list
// ("admin/sudo,admin/sudo-ldap").
func contentsPkgs(list string) []string {
	var pkgs []string
	for _, p := range strings.Split(list, ",") {
		if i := strings.LastIndexByte(p, '/'); i >= 0 {
			p = p[i+1:]
		}
		if p != "" {
			pkgs = append(pkgs, p)
		}
	}
	return pkgs
}

// Stanzas calls fn with the fields of each stanza of a Debian control
// file (a Packages list, dpkg's status): the first line of each field,
// by name. Continuation lines are skipped.
func Stanzas(r io.Reader, fn func(fields map[string]string)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	fields := map[string]string{}
	flush := func() {
		if len(fields) > 0 {
			fn(fields)
			fields = map[string]string{}
		}
	}
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			flush()
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			fields[k] = strings.TrimSpace(v)
		}
	}
	flush()
	return sc.Err()
}

// ReadPackages adds to idx the dependencies of the stanzas of a Packages
// list: the groups of Depends and Pre-Depends, and apart those of
// Recommends (apt installs recommended packages unless told not to),
// alternatives kept together ("a|b"), versions and architecture
// qualifiers dropped; and the providers of each name of a Provides field.
func ReadPackages(r io.Reader, idx *Index) error {
	err := Stanzas(r, func(f map[string]string) {
		pkg := f["Package"]
		if pkg == "" {
			return
		}
		var deps []string
		for _, field := range []string{"Pre-Depends", "Depends"} {
			deps = append(deps, groups(f[field])...)
		}
		idx.add(depends, pkg, deps...) // known, maybe with no dependencies
		if rec := groups(f["Recommends"]); len(rec) > 0 {
			idx.add(recommends, pkg, rec...)
		}
		for _, v := range Names(f["Provides"]) {
			if v != pkg {
				idx.add(providers, v, pkg)
			}
		}
	})
	if err != nil {
		return fmt.Errorf("a package list: %w", err)
	}
	return nil
}

// groups returns the dependencies of a relationship field, one for each
// comma-separated group, its alternatives joined by "|" ("a (>= 1) | b:any,
// c" gives "a|b" and "c").
func groups(field string) []string {
	var out []string
	for _, g := range strings.Split(field, ",") {
		if alts := Names(g); len(alts) > 0 {
			out = append(out, strings.Join(alts, "|"))
		}
	}
	return out
}

// Names returns the package names of a relationship field ("a (>= 1) |
// b:any, c [amd64]"): every alternative, without versions, architecture
// qualifiers or restrictions.
func Names(field string) []string {
	var names []string
	for _, alt := range strings.FieldsFunc(field, func(r rune) bool { return r == ',' || r == '|' }) {
		alt = strings.TrimSpace(alt)
		if i := strings.IndexAny(alt, " (["); i >= 0 {
			alt = alt[:i]
		}
		alt, _, _ = strings.Cut(alt, ":")
		if alt != "" {
			names = append(names, alt)
		}
	}
	return names
}

// Header is the first line of the form Write writes: a cache file
// without it is of an older form, to be made again.
const Header = "dmake-command-index 3\n"

// Write writes idx in the compact form Read reads: Header, then one line per entry,
// "c COMMAND PKG,PKG…", "a NAME PKG,PKG…" (an alternative), "d PACKAGE
// DEP,DEP…" (a package with no dependencies has none after its name) and
// "p NAME PROVIDER,PROVIDER…", sorted.
func (idx *Index) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(Header)
	for k, m := range idx.entries {
		keys := make([]string, 0, len(m))
		for name := range m {
			keys = append(keys, name)
		}
		sort.Strings(keys)
		for _, name := range keys {
			fmt.Fprintf(bw, "%s %s %s\n", tags[k], name, m[name])
		}
	}
	return bw.Flush()
}

// Read reads an index Write wrote. The lines must be sorted, as Write
// writes them. A file (r with a Stat method) is read into a buffer of its
// size at once: a base's index is ~10 MB, read on every dry run over it.
func Read(r io.Reader) (*Index, error) {
	var buf bytes.Buffer
	if f, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			buf.Grow(int(fi.Size()) + bytes.MinRead)
		}
	}
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, err
	}
	return parse(buf.String())
}

// Map is Read of the file f through a read-only mapping of it instead of a
// copy (a ~10 MB index is neither cleared, read into a buffer nor copied
// into a string: a third of a dry run's start). The mapping is never
// undone, as what the index returns points into it: for a process that
// maps an index once and ends, as the dry run's child does. A file that
// cannot be mapped is read.
func Map(f *os.File) (*Index, error) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 || fi.Size() != int64(int(fi.Size())) {
		return Read(f)
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		return Read(f)
	}
	idx, err := parse(unsafe.String(&b[0], len(b)))
	if err != nil {
		syscall.Munmap(b)
	}
	return idx, err
}

// parse makes the index of file, Write's text.
func parse(file string) (*Index, error) {
	text, ok := strings.CutPrefix(file, Header)
	if !ok {
		return nil, fmt.Errorf("not a command index of this dmake (no %q line)", strings.TrimSpace(Header))
	}
	idx := &Index{text: text, lines: make([]int, 0, strings.Count(text, "\n"))}
	prevTag, prevName := "", ""
	for off, n := 0, 1; off < len(idx.text); n++ {
		idx.lines = append(idx.lines, off)
		end := strings.IndexByte(idx.text[off:], '\n')
		if end < 0 {
			return nil, fmt.Errorf("line %d: no newline at the end", n)
		}
		off += end + 1
		tag, name, _ := idx.line(len(idx.lines) - 1)
		if !slices.Contains(tags[:], tag) || name == "" {
			return nil, fmt.Errorf("line %d: not an index entry", n)
		}
		if tag < prevTag || tag == prevTag && name <= prevName {
			return nil, fmt.Errorf("line %d: %s %s is out of order", n, tag, name)
		}
		prevTag, prevName = tag, name
	}
	return idx, nil
}
