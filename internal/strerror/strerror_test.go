package strerror

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"testing"
)

func TestText(t *testing.T) {
	_, statErr := os.Stat("/no/such/file")
	for _, tt := range []struct {
		err  error
		want string
	}{
		{syscall.ENOENT, "No such file or directory"},
		{syscall.EACCES, "Permission denied"},
		{syscall.Errno(0xffff), "Errno 65535"},
		{statErr, "No such file or directory"},
		{&os.LinkError{Op: "symlink", Old: "a", New: "b", Err: syscall.EEXIST}, "File exists"},
		{os.NewSyscallError("read", syscall.EISDIR), "Is a directory"},
		{fmt.Errorf("wrapped: %w", syscall.ENOTDIR), "Not a directory"},
		{&fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}, "No such file or directory"},
		{fs.ErrExist, "File exists"},
		{errors.New("read-only virtual file"), "Read-only virtual file"},
	} {
		if got := Text(tt.err); got != tt.want {
			t.Errorf("Text(%#v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
