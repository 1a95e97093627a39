// Package ar reads what make needs of Unix ar archives: the names and
// dates of their members, and make's "lib(member)" names for them (GNU
// make's ar.c and arscan.c). It reads the common format of GNU and BSD ar
// ("!<arch>", with GNU's "//" long-name table and "/N" references and
// BSD's "#1/N" names) and GNU thin archives ("!<thin>").
package ar

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
)

// ParseName splits a make archive-member name "lib(member)" into the
// archive's name and the member's (GNU make's ar_name and ar_parse_name):
// the name must have a "(" after its first byte and end with ")", with
// something between them.
func ParseName(name string) (archive, member string, ok bool) {
	i := strings.IndexByte(name, '(')
	if i <= 0 || len(name) < i+3 || name[len(name)-1] != ')' {
		return "", "", false
	}
	return name[:i], name[i+1 : len(name)-1], true
}

// IsMember reports whether name is an archive-member name "lib(member)".
func IsMember(name string) bool {
	_, _, ok := ParseName(name)
	return ok
}

// Member is one member of an archive.
type Member struct {
	// Name is the member's name (without GNU ar's trailing slash).
	Name string
	// Date is its modification time, in seconds since the Unix epoch,
	// as ar recorded it.
	Date int64
	// Header is the offset of its header in the archive.
	Header int64
}

// ErrFormat is returned for a file that is not an ar archive.
var ErrFormat = errors.New("not a valid archive")

const (
	magic     = "!<arch>\n"
	thinMagic = "!<thin>\n"
	hdrSize   = 60
)

// Members returns the members of the archive at path, in order, without
// the symbol table and the long-name table.
func Members(path string) ([]Member, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ms, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ms, nil
}

// Read reads the members of an archive from r.
func Read(r io.Reader) ([]Member, error) {
	br := bufio.NewReader(r)
	head := make([]byte, len(magic))
	if _, err := io.ReadFull(br, head); err != nil {
		return nil, ErrFormat
	}
	thin := string(head) == thinMagic
	if !thin && string(head) != magic {
		return nil, ErrFormat
	}
	var out []Member
	var longNames []byte
	var hdr [hdrSize]byte
	off := int64(len(magic))
	for {
		at := off
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			if err == io.EOF {
				return out, nil
			}
			return nil, ErrFormat
		}
		if hdr[58] != '`' || hdr[59] != '\n' {
			return nil, ErrFormat
		}
		name := strings.TrimRight(string(hdr[0:16]), " ")
		date, _ := strconv.ParseInt(strings.TrimSpace(string(hdr[16:28])), 10, 64)
		size, err := strconv.ParseInt(strings.TrimSpace(string(hdr[48:58])), 10, 64)
		if err != nil || size < 0 {
			return nil, ErrFormat
		}
		// A thin archive holds only its tables' contents; its members
		// stay where they are.
		data := size
		off += hdrSize
		special := name == "/" || name == "//" || name == "/SYM64/" || name == "__.SYMDEF" || name == "__.SYMDEF SORTED"
		if thin && !special {
			data = 0
		}
		switch {
		case name == "//":
			longNames = make([]byte, size)
			if _, err := io.ReadFull(br, longNames); err != nil {
				return nil, ErrFormat
			}
			off += size
			data = 0
		case special:
		case strings.HasPrefix(name, "#1/"):
			// BSD: the name's length, the name first in the data.
			n, err := strconv.Atoi(name[3:])
			if err != nil || int64(n) > size {
				return nil, ErrFormat
			}
			b := make([]byte, n)
			if _, err := io.ReadFull(br, b); err != nil {
				return nil, ErrFormat
			}
			data -= int64(n)
			off += int64(n)
			out = append(out, Member{Name: strings.TrimRight(string(b), "\x00"), Date: date, Header: at})
		case len(name) > 1 && name[0] == '/' && name[1] >= '0' && name[1] <= '9':
			// GNU: an offset into the long-name table, the name
			// ending with "/\n".
			off, err := strconv.Atoi(name[1:])
			if err != nil || off >= len(longNames) {
				return nil, ErrFormat
			}
			s := longNames[off:]
			if i := strings.Index(string(s), "/\n"); i >= 0 {
				s = s[:i]
			} else if i := strings.IndexByte(string(s), '\n'); i >= 0 {
				s = s[:i]
			}
			out = append(out, Member{Name: string(s), Date: date, Header: at})
		default:
			out = append(out, Member{Name: strings.TrimSuffix(name, "/"), Date: date, Header: at})
		}
		// Members start at even offsets (the padding of the last one
		// may be missing).
		padded := size%2 == 1 && (special || !thin)
		if padded {
			data++
		}
		if data > 0 {
			if n, err := br.Discard(int(data)); err != nil && !(padded && int64(n) == data-1) {
				return nil, ErrFormat
			}
			off += data
		}
	}
}

// Date returns the date of member in the archive at path, and whether the
// archive could be read and has that member (GNU make's ar_member_date:
// the first member of that name; the directory of member does not count,
// and a date of 0 is no date).
func Date(archive, member string) (int64, bool) {
	ms, err := Members(archive)
	if err != nil {
		return 0, false
	}
	member = path.Base(member)
	for _, m := range ms {
		if m.Name == member {
			return m.Date, m.Date > 0
		}
	}
	return 0, false
}

// Touch sets the date of member in the archive at path to the archive's
// modification time after writing it (GNU make's ar_member_touch, what -t
// does to an archive member). It fails with fs.ErrNotExist when the archive
// does not exist, ErrFormat when it is not one, and ErrNoMember when it has
// no such member.
func Touch(archive, member string) error {
	f, err := os.OpenFile(archive, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	ms, err := Read(f)
	if err != nil {
		return err
	}
	member = path.Base(member)
	for _, m := range ms {
		if m.Name != member {
			continue
		}
		var hdr [hdrSize]byte
		if _, err := f.ReadAt(hdr[:], m.Header); err != nil {
			return err
		}
		// Writing the header back touches the archive; its new time
		// is the member's date.
		if _, err := f.WriteAt(hdr[:], m.Header); err != nil {
			return err
		}
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		date := fmt.Sprintf("%-12d", fi.ModTime().Unix())
		if _, err := f.WriteAt([]byte(date), m.Header+16); err != nil {
			return err
		}
		return f.Close()
	}
	return ErrNoMember
}

// ErrNoMember is Touch's error for a member the archive does not have.
var ErrNoMember = errors.New("no such member")

// Glob returns the names of members ms that match pattern (path.Match
// syntax, as make's fnmatch with FNM_PATHNAME|FNM_PERIOD), sorted (GNU make's
// ar_glob).
func Glob(ms []Member, pattern string) []string {
	var out []string
	for _, m := range ms {
		if strings.HasPrefix(m.Name, ".") && !strings.HasPrefix(pattern, ".") {
			continue
		}
		if ok, _ := path.Match(pattern, m.Name); ok {
			out = append(out, m.Name)
		}
	}
	slices.Sort(out)
	return out
}

// HasMeta reports whether an archive-member pattern has a wildcard (GNU
// make's ar_glob_pattern_p with quoting: ?, *, or a [ closed by ]);
// without one make does not read the archive.
func HasMeta(p string) bool {
	opened := false
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '?', '*':
			return true
		case '\\':
			i++
		case '[':
			opened = true
		case ']':
			if opened {
				return true
			}
		}
	}
	return false
}
