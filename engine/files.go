package engine

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"

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
