package sandbox

import (
	"strconv"
	"strings"
)

// perlVersion is what perl -v prints on debian:bookworm (perl-base 5.36).
const perlVersion = "\nThis is perl 5, version 36, subversion 0 (v5.36.0) built for x86_64-linux-gnu-thread-multi\n(with 60 registered patches, see perl -V for more detail)\n\nCopyright 1987-2022, Larry Wall\n\nPerl may be copied only under the terms of either the Artistic License or the\nGNU General Public License, which may be found in the Perl 5 source kit.\n\nComplete documentation for Perl, including FAQ lists, should be found on\nthis system using \"man perl\" or \"perldoc perl\".  If you have access to the\nInternet, point your browser at https://www.perl.org/, the Perl Home Page.\n\n"

// perlModel answers what perl does that can be known offline without
// running Perl: -v, and a program (-e, -l, -w) that only prints string
// literals, the way install scripts print colours
// (perl -e 'print("\e[0m")'). Any other program is unknown: its effect
// and output are what the dry run cannot tell.
func perlModel(m *modelCall, a []string) int {
	m.model = "perl"
	if len(a) == 1 && (a[0] == "-v" || a[0] == "--version") {
		m.out("%s", perlVersion)
		return 0
	}
	nl, prog := false, ""
	for i := 0; i < len(a); i++ {
		switch x := a[i]; x {
		case "-e", "-le", "-we", "-lwe", "-wle":
			if i+1 >= len(a) || prog != "" {
				return m.unmodelled()
			}
			nl = nl || strings.Contains(x, "l")
			prog = a[i+1]
			i++
		case "-l", "-w":
			nl = nl || x == "-l"
		default:
			return m.unmodelled()
		}
	}
	out, ok := perlPrints(prog)
	if !ok {
		return m.unmodelled()
	}
	for _, s := range out {
		if nl {
			s += "\n"
		}
		m.out("%s", s)
	}
	return 0
}

// perlPrints is what prog prints when it is only print statements of
// string literals ("print(\"\e[0m\")", "print 'a', \"b\\n\";"): one string
// per statement; ok false for anything else (a variable interpolated, a
// function called, another statement).
func perlPrints(prog string) (out []string, ok bool) {
	s := strings.TrimSpace(prog)
	if s == "" {
		return nil, false
	}
	for s != "" {
		rest, found := strings.CutPrefix(s, "print")
		if !found {
			return nil, false
		}
		rest = strings.TrimLeft(rest, " \t")
		paren := strings.HasPrefix(rest, "(")
		if paren {
			rest = strings.TrimLeft(rest[1:], " \t")
		}
		var line strings.Builder
		for {
			lit, after, ok := perlString(rest)
			if !ok {
				return nil, false
			}
			line.WriteString(lit)
			rest = strings.TrimLeft(after, " \t")
			if !strings.HasPrefix(rest, ",") {
				break
			}
			rest = strings.TrimLeft(rest[1:], " \t")
		}
		if paren {
			if !strings.HasPrefix(rest, ")") {
				return nil, false
			}
			rest = strings.TrimLeft(rest[1:], " \t")
		}
		out = append(out, line.String())
		switch {
		case rest == "":
		case rest[0] == ';':
			rest = strings.TrimLeft(rest[1:], " \t\n")
		default:
			return nil, false
		}
		s = rest
	}
	return out, true
}

// perlString reads the string literal s starts with ('…' or "…", the
// latter without interpolation) and returns its value and what follows.
func perlString(s string) (val, rest string, ok bool) {
	if s == "" || s[0] != '\'' && s[0] != '"' {
		return "", "", false
	}
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			return b.String(), s[i+1:], true
		case q == '"' && (c == '$' || c == '@'):
			return "", "", false // interpolation: not a literal
		case c == '\\' && i+1 < len(s):
			i++
			e := s[i]
			if q == '\'' {
				if e != '\\' && e != '\'' {
					b.WriteByte('\\')
				}
				b.WriteByte(e)
				continue
			}
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'f':
				b.WriteByte('\f')
			case 'b':
				b.WriteByte('\b')
			case 'a':
				b.WriteByte('\a')
			case 'e':
				b.WriteByte(0x1b)
			case '0', '1', '2', '3', '4', '5', '6', '7':
				j := i
				for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
					j++
				}
				n, _ := strconv.ParseUint(s[i:j], 8, 8)
				b.WriteByte(byte(n))
				i = j - 1
			case 'x':
				j := i + 1
				for j < len(s) && j < i+3 && strings.IndexByte("0123456789abcdefABCDEF", s[j]) >= 0 {
					j++
				}
				if j == i+1 {
					return "", "", false // \x{…} and bare \x: not modelled
				}
				n, _ := strconv.ParseUint(s[i+1:j], 16, 8)
				b.WriteByte(byte(n))
				i = j - 1
			case '\\', '"', '$', '@', '\'':
				b.WriteByte(e)
			default:
				return "", "", false // \u, \L, \c…: not modelled
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", false
}
