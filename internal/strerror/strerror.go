// Package strerror gives the C library's (glibc's) text for an error, as
// make, the shell and coreutils print it after a file name: "No such file
// or directory", not Go's "open x: no such file or directory". It is the
// one such helper of the recipe runner, the dry-run sandbox, the symlinker
// and the makefile reader.
package strerror

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// Text returns strerror's text for err. A *fs.PathError, *os.LinkError or
// *os.SyscallError is looked through; an errno gives its message
// capitalised as glibc has it ("Unknown error" when it has none); an error
// without an errno that is fs.ErrNotExist or fs.ErrExist gives ENOENT's or
// EEXIST's text; any other error is its own text capitalised.
func Text(err error) string {
	switch e := err.(type) {
	case *fs.PathError:
		err = e.Err
	case *os.LinkError:
		err = e.Err
	case *os.SyscallError:
		err = e.Err
	}
	var errno syscall.Errno
	switch {
	case errors.As(err, &errno):
		if errno.Error() == "" {
			return "Unknown error"
		}
		return capitalize(errno.Error())
	case errors.Is(err, fs.ErrNotExist):
		return capitalize(syscall.ENOENT.Error())
	case errors.Is(err, fs.ErrExist):
		return capitalize(syscall.EEXIST.Error())
	}
	return capitalize(err.Error())
}

func capitalize(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}
