package engine

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/moby/moby/client"
)

// ReadFileOptions limits ReadFile.
type ReadFileOptions struct {
	// MaxSize is the largest file accepted, in bytes; zero means 16 MiB.
	MaxSize int64
}

// ReadFileResult is a file read out of a container.
type ReadFileResult struct {
	// Path is the file's path after following symbolic links.
	Path string
	// Data is its content and Mode its permission bits.
	Data []byte
	Mode fs.FileMode
}

// ReadFile reads the regular file at the absolute path p in a container's
// file system (running or stopped) through the engine's archive API,
// following symbolic links. A missing file gives an error for which
// IsNotFound is true.
func (e *Engine) ReadFile(ctx context.Context, containerID, p string, opts ReadFileOptions) (ReadFileResult, error) {
	limit := opts.MaxSize
	if limit <= 0 {
		limit = 16 << 20
	}
	orig := p
	for range 16 {
		hdr, data, err := e.readOne(ctx, containerID, p, limit)
		if err != nil {
			return ReadFileResult{}, fmt.Errorf("reading %s in container %s: %w", orig, ShortID(containerID), err)
		}
		switch hdr.Typeflag {
		case tar.TypeReg:
			return ReadFileResult{Path: p, Data: data, Mode: hdr.FileInfo().Mode().Perm()}, nil
		case tar.TypeSymlink:
			t := hdr.Linkname
			if !path.IsAbs(t) {
				t = path.Join(path.Dir(p), t)
			}
			p = path.Clean(t)
		default:
			return ReadFileResult{}, fmt.Errorf("reading %s in container %s: %s is not a regular file", orig, ShortID(containerID), p)
		}
	}
	return ReadFileResult{}, fmt.Errorf("reading %s in container %s: too many levels of symbolic links", orig, ShortID(containerID))
}

// readOne fetches the first archive entry for p, with its content when it
// is a regular file.
func (e *Engine) readOne(ctx context.Context, containerID, p string, limit int64) (*tar.Header, []byte, error) {
	r, err := e.c.CopyFromContainer(ctx, containerID, client.CopyFromContainerOptions{SourcePath: p})
	if err != nil {
		return nil, nil, err
	}
	defer r.Content.Close()
	tr := tar.NewReader(r.Content)
	hdr, err := tr.Next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("the engine sent an empty archive")
		}
		return nil, nil, err
	}
	if hdr.Typeflag != tar.TypeReg {
		return hdr, nil, nil
	}
	if hdr.Size > limit {
		return nil, nil, fmt.Errorf("file is %d bytes, more than the %d allowed", hdr.Size, limit)
	}
	data, err := io.ReadAll(tr)
	if err != nil {
		return nil, nil, err
	}
	return hdr, data, nil
}

// LookPath finds the executable name in a container's file system (created,
// running or stopped) as a shell would: in each directory of pathList (a
// colon-separated PATH) in turn, following symbolic links. It returns the
// path found, or "" when no directory has a regular file of that name with
// an execute bit.
func (e *Engine) LookPath(ctx context.Context, containerID, name, pathList string) (string, error) {
	for _, dir := range strings.Split(pathList, ":") {
		if !path.IsAbs(dir) {
			continue
		}
		p := path.Join(dir, name)
		ok, err := e.isExecutable(ctx, containerID, p)
		if err != nil {
			return "", fmt.Errorf("looking for %s in container %s: %w", name, ShortID(containerID), err)
		}
		if ok {
			return p, nil
		}
	}
	return "", nil
}

// isExecutable reports whether p, links followed, is a regular file with an
// execute bit.
func (e *Engine) isExecutable(ctx context.Context, containerID, p string) (bool, error) {
	for range 16 {
		r, err := e.c.ContainerStatPath(ctx, containerID, client.ContainerStatPathOptions{Path: p})
		if err != nil {
			if IsNotFound(err) {
				return false, nil
			}
			return false, err
		}
		st := r.Stat
		if st.Mode&fs.ModeSymlink == 0 {
			return st.Mode.IsRegular() && st.Mode.Perm()&0o111 != 0, nil
		}
		t := st.LinkTarget
		if t == "" {
			return false, nil
		}
		if !path.IsAbs(t) {
			t = path.Join(path.Dir(p), t)
		}
		if path.Clean(t) == p {
			return false, nil
		}
		p = path.Clean(t)
	}
	return false, nil
}
