package makefile

import (
	"fmt"
	"io"
	"strings"
)

// DebugLevel is what make's -d and --debug=FLAGS ask it to print (make's
// db_level): a set of the Debug bits.
type DebugLevel uint8

// The kinds of make's debugging output. dmake prints DebugBasic's,
// DebugVerbose's and, with DebugMakefiles, both while it remakes the
// makefiles; not DebugImplicit's (the implicit rule search) nor
// DebugJobs' (children started and reaped).
const (
	DebugBasic     DebugLevel = 1 << iota // b: what is out of date, what is remade
	DebugVerbose                          // v: every target considered, and why not remade
	DebugImplicit                         // i: the implicit rule search
	DebugJobs                             // j: the jobs run
	DebugMakefiles                        // m: all of the above while remaking the makefiles too

	DebugAll = DebugBasic | DebugVerbose | DebugImplicit | DebugJobs | DebugMakefiles
)

// DebugLevel decodes -d (all) and --debug=FLAGS as make does
// (decode_debug_flags): each word of FLAGS counts by its first letter, a,
// b, i, j, m, n or v in either case ("basic", "verbose"…), and ends at a
// comma or space; n turns off what came before; i, m and v imply b. A
// word of another letter is make's fatal error, which names FLAGS from
// that word on.
func (f Flags) DebugLevel() (DebugLevel, error) {
	var l DebugLevel
	if f.Debug {
		l = DebugAll
	}
	if f.DebugFlags == "" {
		return l, nil
	}
	p := f.DebugFlags
	for {
		var c byte
		if p != "" {
			c = p[0] | 0x20
		}
		switch c {
		case 'a':
			l |= DebugAll
		case 'b':
			l |= DebugBasic
		case 'i':
			l |= DebugBasic | DebugImplicit
		case 'j':
			l |= DebugJobs
		case 'm':
			l |= DebugBasic | DebugMakefiles
		case 'n':
			l = 0
		case 'v':
			l |= DebugBasic | DebugVerbose
		default:
			return 0, fmt.Errorf("unknown debug level specification '%s'", p)
		}
		i := strings.IndexAny(p[1:], ", ")
		if i < 0 {
			return l, nil
		}
		p = p[1+i+1:]
		if p == "" {
			return l, nil
		}
	}
}

// readingf prints a line of make's debugging output of level l while the
// makefiles are read ("Reading makefiles...").
func (ev *evaluator) readingf(l DebugLevel, format string, args ...any) {
	if ev.debug&l != 0 && ev.debugOut != nil {
		fmt.Fprintf(ev.debugOut, format, args...)
	}
}

// DebugStream is where debugging output goes: DebugOut, else Stdout.
func (cfg *Config) DebugStream() io.Writer {
	if cfg.DebugOut != nil {
		return cfg.DebugOut
	}
	return cfg.Stdout
}
