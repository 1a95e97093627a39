package symlinker

import (
	"strings"
)

// The quoting below reproduces gnulib's quotearg for names made of printable
// ASCII only; the middleware hands anything else to the real binary.

// shellSpecial holds the characters that, next to a single quote, make
// quotearg's shell-escape-always style fall back from "..." to '...'\”...'.
const shellSpecial = "!\"#$&()*;<=>?[\\^`{|}~"

// quoteaf quotes like coreutils' quoteaf (shell-escape-always style):
// 'a b', "it's", 'a'\”$b'.
func quoteaf(s string) string {
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	if !strings.ContainsAny(s, shellSpecial) {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// quotef quotes like coreutils' quotef (shell-escape style, colon quoted):
// plain names stay bare.
func quotef(s string) string {
	if s != "" && !strings.ContainsAny(s, " !\"$&'()*;<=>?[\\^`|:") && s[0] != '#' && s[0] != '~' {
		return s
	}
	return quoteaf(s)
}

// quoteLocale quotes like coreutils' quote (locale style): ‘x’ in a UTF-8
// locale, 'x' otherwise, with backslashes (and in C, single quotes) escaped.
func quoteLocale(s string, utf8 bool) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	if utf8 {
		return "\u2018" + s + "\u2019"
	}
	return "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
}

// printable reports whether s is made only of printable ASCII characters.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
