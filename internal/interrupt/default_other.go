//go:build !linux

package interrupt

import "syscall"

// setDefault does nothing but signal.Reset outside Linux.
func setDefault(syscall.Signal) {}
