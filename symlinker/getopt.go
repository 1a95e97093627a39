package symlinker

import "strings"

// longOpt is one --long option of a command.
type longOpt struct {
	name   string
	c      rune // the short option it stands for, or a private code
	hasArg bool // takes an argument, in the next word or after '='
	optArg bool // may take an argument, only after '='
}

// opt is one parsed option.
type opt struct {
	c   rune
	arg string
}

// getopt parses args as GNU getopt_long does with permutation: options may
// follow operands, "--" ends them, "-" is an operand, long options may be
// abbreviated to a unique prefix. short lists option letters, each one
// followed by ':' when it takes an argument. ok is false on anything the
// real getopt would report as an error: the caller then defers to the real
// binary, which prints its own diagnostic.
func getopt(args []string, short string, long []longOpt) (opts []opt, operands []string, ok bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return opts, append(operands, args[i+1:]...), true
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			var match *longOpt
			for j := range long {
				l := &long[j]
				if l.name == name {
					match = l
					break
				}
				if strings.HasPrefix(l.name, name) {
					if match != nil && match.c != l.c {
						return nil, nil, false // ambiguous
					}
					match = l
				}
			}
			if match == nil {
				return nil, nil, false
			}
			switch {
			case match.hasArg && hasVal:
				opts = append(opts, opt{match.c, val})
			case match.optArg:
				opts = append(opts, opt{match.c, val})
			case match.hasArg:
				if i+1 >= len(args) {
					return nil, nil, false
				}
				i++
				opts = append(opts, opt{match.c, args[i]})
			case hasVal:
				return nil, nil, false
			default:
				opts = append(opts, opt{c: match.c})
			}
		case len(a) > 1 && a[0] == '-':
			for k := 1; k < len(a); k++ {
				c := a[k]
				j := strings.IndexByte(short, c)
				if c == ':' || j < 0 {
					return nil, nil, false
				}
				if j+1 < len(short) && short[j+1] == ':' {
					if k+1 < len(a) {
						opts = append(opts, opt{rune(c), a[k+1:]})
					} else if i+1 < len(args) {
						i++
						opts = append(opts, opt{rune(c), args[i]})
					} else {
						return nil, nil, false
					}
					break
				}
				opts = append(opts, opt{c: rune(c)})
			}
		default:
			operands = append(operands, a)
		}
	}
	return opts, operands, true
}
