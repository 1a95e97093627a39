package interrupt

import (
	"syscall"
	"unsafe"
)

// setDefault restores the default action of sig: the Go runtime, once it
// has caught a signal, ignores those it has no action of its own for
// (SIGALRM) when the program stops catching them.
func setDefault(sig syscall.Signal) {
	var act [8]uint64 // a struct sigaction (or more) zeroed: SIG_DFL, no flags, empty mask
	syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
}
