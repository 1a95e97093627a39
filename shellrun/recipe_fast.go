package shellrun

import "strings"

// shChars are the characters that make a line go to the shell (GNU make's
// sh_chars for Unix).
const shChars = "#;\"*?[]&|<>(){}$`^~!"

// shBuiltins are the first words that make a line go to the shell (GNU
// make's sh_cmds for Unix).
var shBuiltins = map[string]bool{
	".": true, ":": true, "alias": true, "bg": true, "break": true, "case": true,
	"cd": true, "command": true, "continue": true, "eval": true, "exec": true,
	"exit": true, "export": true, "fc": true, "fg": true, "for": true,
	"getopts": true, "hash": true, "if": true, "jobs": true, "login": true,
	"logout": true, "read": true, "readonly": true, "return": true, "set": true,
	"shift": true, "test": true, "times": true, "trap": true, "type": true,
	"ulimit": true, "umask": true, "unalias": true, "unset": true, "wait": true,
	"while": true,
}

// FastArgv splits a recipe line into words the way GNU make does when it
// runs a line without a shell (construct_command_argv_internal). fast is
// false when the line needs the shell: a special character, a leading
// assignment, a shell builtin as command, an unterminated quote. empty
// reports a line with no command at all.
func FastArgv(line string) (argv []string, fast, empty bool) {
	line = strings.TrimLeft(line, " \t")
	if line == "" {
		return nil, false, true
	}
	var (
		cur                    strings.Builder
		inString               byte
		wordHasEquals, seenNon bool
		lastArgEmpty           bool
	)
	// A line without quotes or backslashes has words that are slices of
	// it, line[wordStart:wordEnd], not copies built in cur.
	plain := !strings.ContainsAny(line, "'\"\\")
	wordStart, wordEnd := 0, 0
	word := func(c byte, p int) {
		if !plain {
			cur.WriteByte(c)
			return
		}
		if wordEnd == wordStart {
			wordStart = p
		}
		wordEnd = p + 1
	}
	endWord := func() bool {
		if plain {
			argv = append(argv, line[wordStart:wordEnd])
			wordStart = wordEnd
		} else {
			argv = append(argv, cur.String())
			cur.Reset()
		}
		lastArgEmpty = false
		seenNon = seenNon || !wordHasEquals
		if wordHasEquals && !seenNon {
			return false
		}
		wordHasEquals = false
		if len(argv) == 1 && shBuiltins[argv[0]] {
			return false
		}
		return true
	}
	for p := 0; p < len(line); p++ {
		c := line[p]
		if inString != 0 {
			switch {
			case c == inString:
				inString = 0
				if cur.Len() == 0 {
					lastArgEmpty = true
				}
			case c == '\\' && p+1 < len(line) && line[p+1] == '\n':
				if inString == '"' {
					p++
				} else {
					cur.WriteByte(c)
					p++
					cur.WriteByte(line[p])
				}
			case inString == '"' && strings.IndexByte("\\$`", c) >= 0:
				return nil, false, false
			default:
				cur.WriteByte(c)
			}
			continue
		}
		if strings.IndexByte(shChars, c) >= 0 {
			return nil, false, false
		}
		switch c {
		case '=':
			if !seenNon {
				return nil, false, false
			}
			wordHasEquals = true
			word(c, p)
		case '\\':
			if p+1 < len(line) && line[p+1] == '\n' {
				p++
				if cur.Len() == 0 {
					for p+1 < len(line) && (line[p+1] == ' ' || line[p+1] == '\t') {
						p++
					}
				}
			} else if p+1 < len(line) {
				p++
				cur.WriteByte(line[p])
			}
		case '\'', '"':
			inString = c
		case ' ', '\t':
			if !endWord() {
				return nil, false, false
			}
			for p+1 < len(line) && (line[p+1] == ' ' || line[p+1] == '\t') {
				p++
			}
		default:
			word(c, p)
		}
	}
	if inString != 0 {
		return nil, false, false
	}
	switch {
	case plain && wordEnd > wordStart:
		argv = append(argv, line[wordStart:wordEnd])
	case cur.Len() > 0 || lastArgEmpty:
		argv = append(argv, cur.String())
	}
	if len(argv) == 1 && shBuiltins[argv[0]] {
		return nil, false, false
	}
	if len(argv) == 0 {
		return nil, false, true
	}
	return argv, true, false
}
