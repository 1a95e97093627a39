// Package statedir is where dmake keeps its state in a repository: the
// .dmake directory at the repository's root, which holds the repository
// lock and what --no-build writes. The directory ignores itself: Make
// writes a .gitignore of "*" into it, so that a repository's git status
// stays clean without an entry in the repository's own .gitignore.
package statedir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Name is the state directory's name under a repository's root.
const Name = ".dmake"

// ignoreFile is the .gitignore Make writes: it ignores everything in the
// directory, itself included.
const ignoreFile = "# dmake's state (lock, --no-build output): never committed.\n*\n"

// Path returns the state directory of the repository at root.
func Path(root string) string { return filepath.Join(root, Name) }

// Make creates the state directory of the repository at root, if need be,
// with its .gitignore, and returns its path. A .gitignore already there is
// left as it is.
func Make(root string) (string, error) {
	dir := Path(root)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return "", fmt.Errorf("dmake state directory: %w", err)
	}
	ignore := filepath.Join(dir, ".gitignore")
	f, err := os.OpenFile(ignore, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if errors.Is(err, fs.ErrExist) {
		return dir, nil
	}
	if err != nil {
		return "", fmt.Errorf("dmake state directory: %w", err)
	}
	_, err = f.WriteString(ignoreFile)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("dmake state directory: %s: %w", ignore, err)
	}
	return dir, nil
}
