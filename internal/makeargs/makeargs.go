// Package makeargs takes a GNU make command line apart into a form a flag
// parser (pflag) reads unambiguously: short clusters split, make's aliases
// and attached or detached values made "--long=value", make's optional
// "-j N" number kept. It is the one make argv grammar of dmake, used by the
// command line (cmd/dmake) and the differential test harness
// (internal/maketest).
package makeargs

import (
	"fmt"
	"slices"
	"strings"
)

// shortFlag describes how one of make's single-letter flags takes a value.
type shortFlag struct {
	long  string
	value int // noValue, requiredValue, optionalAttached, optionalNumber
}

const (
	noValue          = iota
	requiredValue    // -C dir or -Cdir
	optionalAttached // -Otarget, or -O alone
	optionalNumber   // -j4, -j 4, or -j alone
)

// shortFlags are make's single-letter flags, each mapped to its long form.
var shortFlags = map[byte]shortFlag{
	'B': {"always-make", noValue},
	'C': {"directory", requiredValue},
	'd': {"debug-all", noValue},
	'E': {"eval", requiredValue},
	'e': {"environment-overrides", noValue},
	'f': {"file", requiredValue},
	'h': {"help", noValue},
	'I': {"include-dir", requiredValue},
	'i': {"ignore-errors", noValue},
	'j': {"jobs", optionalNumber},
	'k': {"keep-going", noValue},
	'L': {"check-symlink-times", noValue},
	'l': {"load-average", optionalNumber},
	'n': {"dry-run", noValue},
	'O': {"output-sync", optionalAttached},
	'o': {"old-file", requiredValue},
	'p': {"print-data-base", noValue},
	'q': {"question", noValue},
	'R': {"no-builtin-variables", noValue},
	'r': {"no-builtin-rules", noValue},
	'S': {"no-keep-going", noValue},
	's': {"silent", noValue},
	't': {"touch", noValue},
	'v': {"version", noValue},
	'W': {"what-if", requiredValue},
	'w': {"print-directory", noValue},
}

// longOptionalNumber are long flags whose value is optional but may stand in
// the next word when that word is a number, as GNU make accepts "--jobs 4".
var longOptionalNumber = map[string]bool{"jobs": true, "load-average": true}

// longAliases are make's other spellings of the same long flags.
var longAliases = map[string]string{
	"just-print": "dry-run",
	"recon":      "dry-run",
	"quiet":      "silent",
	"stop":       "no-keep-going",
	"makefile":   "file",
	"new-file":   "what-if",
	"assume-new": "what-if",
	"assume-old": "old-file",
	"max-load":   "load-average",
}

// Aliases returns make's other long names of the flag long, sorted (for
// the man page and completion).
func Aliases(long string) []string {
	var a []string
	for alias, canon := range longAliases {
		if canon == long {
			a = append(a, alias)
		}
	}
	slices.Sort(a)
	return a
}

// Normalize rewrites make-style arguments into a form pflag parses
// unambiguously: short clusters are split ("-sk" → "--silent --keep-going"),
// attached and detached values become "--long=value" ("-Cdir", "-C dir" →
// "--directory=dir"), make's optional "-j N" keeps its number, and everything
// after "--util NAME" is returned separately as the utility's own arguments.
func Normalize(args []string) (flags []string, util string, utilArgs []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			flags = append(flags, args[i:]...)
			return flags, "", nil, nil
		case a == "--util" || strings.HasPrefix(a, "--util="):
			name := strings.TrimPrefix(strings.TrimPrefix(a, "--util"), "=")
			rest := args[i+1:]
			if a == "--util" {
				if len(rest) == 0 {
					return nil, "", nil, fmt.Errorf("option '--util' requires a utility name")
				}
				name, rest = rest[0], rest[1:]
			}
			return flags, name, rest, nil
		case strings.HasPrefix(a, "--"):
			name, _, hasValue := strings.Cut(a[2:], "=")
			if canon, ok := longAliases[name]; ok && canon != name {
				a = "--" + canon + strings.TrimPrefix(a[2:], name)
				name = canon
			}
			if longOptionalNumber[name] && !hasValue && i+1 < len(args) && (isNumber(args[i+1]) || name == "load-average" && isDecimal(args[i+1])) {
				a += "=" + args[i+1]
				i++
			}
			flags = append(flags, a)
		case len(a) > 1 && a[0] == '-':
			var consumed int
			var expanded []string
			expanded, consumed, err = expandShort(a[1:], args[i+1:])
			if err != nil {
				return nil, "", nil, err
			}
			flags = append(flags, expanded...)
			i += consumed
		default:
			flags = append(flags, a)
		}
	}
	return flags, "", nil, nil
}

// expandShort expands one cluster of short flags (without its dash). next is
// the rest of the command line; consumed says how many words of it were
// taken as values.
func expandShort(cluster string, next []string) (out []string, consumed int, err error) {
	for j := 0; j < len(cluster); j++ {
		c := cluster[j]
		f, ok := shortFlags[c]
		if !ok {
			return nil, 0, fmt.Errorf("invalid option -- '%c'", c)
		}
		rest := cluster[j+1:]
		switch f.value {
		case noValue:
			out = append(out, "--"+f.long)
			continue
		case requiredValue:
			switch {
			case rest != "":
				out = append(out, "--"+f.long+"="+rest)
			case consumed < len(next):
				out = append(out, "--"+f.long+"="+next[consumed])
				consumed++
			default:
				return nil, 0, fmt.Errorf("option requires an argument -- '%c'", c)
			}
			return out, consumed, nil
		case optionalAttached:
			if rest != "" {
				out = append(out, "--"+f.long+"="+rest)
			} else {
				out = append(out, "--"+f.long)
			}
			return out, consumed, nil
		case optionalNumber:
			// As getopt takes an optional value: the rest of the
			// cluster, whatever it is ("-j4s" is -j "4s", which make
			// refuses; "-lfoo" is -l "foo"), or the next word when it
			// is a number.
			switch {
			case rest != "":
				out = append(out, "--"+f.long+"="+rest)
			case consumed < len(next) && (isNumber(next[consumed]) || c == 'l' && isDecimal(next[consumed])):
				out = append(out, "--"+f.long+"="+next[consumed])
				consumed++
			default:
				out = append(out, "--"+f.long)
			}
			return out, consumed, nil
		}
	}
	return out, consumed, nil
}

// isDecimal reports whether s is a number with an optional fraction, as
// -l takes one.
func isDecimal(s string) bool {
	whole, frac, _ := strings.Cut(s, ".")
	return (whole != "" || frac != "") && (whole == "" || isNumber(whole)) && (frac == "" || isNumber(frac))
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
