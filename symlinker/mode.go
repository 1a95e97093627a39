package symlinker

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
	modeBits = 0o7777 // CHMOD_MODE_BITS
)
