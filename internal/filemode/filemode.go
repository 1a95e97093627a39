// Package filemode compiles and applies chmod modes, octal and symbolic,
// as GNU coreutils does (gnulib modechange.c): chmod, mkdir -m and
// install -m of the symlinker's tools and of the sandbox's command models
// share it.
package filemode

// Permission bits, as in <sys/stat.h>.
const (
	sISUID   = 0o4000
	sISGID   = 0o2000
	sISVTX   = 0o1000
	sIRWXU   = 0o700
	sIRWXG   = 0o070
	sIRWXO   = 0o007
	sIRUGO   = 0o444
	sIWUGO   = 0o222
	sIXUGO   = 0o111
	sIRWXUGO = 0o777
	// Bits are the bits a mode sets (CHMOD_MODE_BITS).
	Bits     = 0o7777
	modeBits = Bits
)

// How a modeChange's value is computed (gnulib modechange.c).
const (
	modeOrdinary = iota // value as given
	modeXIfAnyX         // X: execute only if a directory or already executable
	modeCopy            // u, g, o: copy the named class's bits
)

// change is one operation of a compiled mode, as gnulib's mode_change.
type change struct {
	op        byte // '=', '+' or '-'
	flag      int
	affected  uint32 // bits the "who" part selects; 0 means "use the umask"
	value     uint32
	mentioned uint32
}

// Changes is a compiled chmod mode: what chmod, mkdir -m and install -m
// apply to a file's mode.
type Changes []change

// Compile parses an octal or symbolic mode ("755", "u+x,go-w", "a+X",
// "g=u") as gnulib's mode_compile does; ok is false for an invalid mode.
func Compile(s string) (changes Changes, ok bool) {
	if s != "" && s[0] >= '0' && s[0] <= '7' {
		var m uint32
		i := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '7'; i++ {
			m = m*8 + uint32(s[i]-'0')
			if m > modeBits {
				return nil, false
			}
		}
		if i < len(s) {
			return nil, false
		}
		mentioned := uint32(modeBits)
		if i < 5 {
			mentioned = m&(sISUID|sISGID) | sISVTX | sIRWXUGO
		}
		return Changes{{op: '=', flag: modeOrdinary, affected: modeBits, value: m, mentioned: mentioned}}, true
	}
	p := 0
	at := func() byte {
		if p < len(s) {
			return s[p]
		}
		return 0
	}
	for {
		var affected uint32
	who:
		for ; ; p++ {
			switch at() {
			case 'u':
				affected |= sISUID | sIRWXU
			case 'g':
				affected |= sISGID | sIRWXG
			case 'o':
				affected |= sISVTX | sIRWXO
			case 'a':
				affected |= modeBits
			case '=', '+', '-':
				break who
			default:
				return nil, false
			}
		}
		for {
			op := at()
			p++
			var value uint32
			flag := modeCopy
			switch at() {
			case 'u':
				value = sISUID | sIRWXU
				p++
			case 'g':
				value = sISGID | sIRWXG
				p++
			case 'o':
				value = sISVTX | sIRWXO
				p++
			default:
				flag = modeOrdinary
			perms:
				for ; ; p++ {
					switch at() {
					case 'r':
						value |= sIRUGO
					case 'w':
						value |= sIWUGO
					case 'x':
						value |= sIXUGO
					case 'X':
						flag = modeXIfAnyX
					case 's':
						value |= sISUID | sISGID
					case 't':
						value |= sISVTX
					default:
						break perms
					}
				}
			}
			mentioned := value
			if affected != 0 {
				mentioned = affected & value
			}
			changes = append(changes, change{op: op, flag: flag, affected: affected, value: value, mentioned: mentioned})
			if c := at(); c != '=' && c != '+' && c != '-' {
				break
			}
		}
		if at() != ',' {
			break
		}
		p++
	}
	if p != len(s) {
		return nil, false
	}
	return changes, true
}

// Apply applies the changes to oldmode (permission bits, 07777) of a file
// or, if dir, a directory, under umask (used where the mode names no "who",
// as in "+x"), as gnulib's mode_adjust does; it returns the new mode and
// the bits the changes set explicitly.
func (changes Changes) Apply(oldmode uint32, dir bool, umask uint32) (newmode, bits uint32) {
	newmode = oldmode & modeBits
	for _, ch := range changes {
		var omit uint32
		if dir {
			omit = (sISUID | sISGID) &^ ch.mentioned
		}
		value := ch.value
		switch ch.flag {
		case modeCopy:
			value &= newmode
			if value&sIRUGO != 0 {
				value |= sIRUGO
			}
			if value&sIWUGO != 0 {
				value |= sIWUGO
			}
			if value&sIXUGO != 0 {
				value |= sIXUGO
			}
		case modeXIfAnyX:
			if newmode&sIXUGO != 0 || dir {
				value |= sIXUGO
			}
		}
		if ch.affected != 0 {
			value &= ch.affected &^ omit
		} else {
			value &= ^umask &^ omit
		}
		switch ch.op {
		case '=':
			preserved := omit
			if ch.affected != 0 {
				preserved |= ^ch.affected
			}
			bits |= modeBits &^ preserved
			newmode = newmode&preserved | value
		case '+':
			bits |= value
			newmode |= value
		case '-':
			bits |= value
			newmode &^= value
		}
	}
	return newmode, bits
}
