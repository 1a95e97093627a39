// Package rootfs exports a base image's root filesystem from the Docker
// engine, once, as the read-only lower layer of the sandboxed dry run
// (sandbox.Image.Rootfs).
package rootfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dmake-dev/dmake/engine"
)

// Dir returns the directory of exported root filesystems:
// os.UserCacheDir()/dmake/rootfs ($XDG_CACHE_HOME, else ~/.cache).
func Dir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, "dmake", "rootfs"), nil
}

// Clean removes the exported root filesystems of Dir (they are exported
// again when next needed): the files named as Export names them and their
// unfinished ".part" files, then the directory if that leaves it empty.
// It returns how many files it removed and their size.
func Clean() (files int, bytes int64, err error) {
	dir, err := Dir()
	if err != nil {
		return 0, 0, fmt.Errorf("base rootfs cache: %w", err)
	}
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("base rootfs cache: %w", err)
	}
	for _, e := range ents {
		id, _, _ := strings.Cut(e.Name(), ".")
		if !e.Type().IsRegular() || len(id) != 64 || strings.Trim(id, "0123456789abcdef") != "" ||
			!(e.Name() == id+".tar" || strings.HasSuffix(e.Name(), ".part")) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return files, bytes, fmt.Errorf("base rootfs cache: %w", err)
		}
		files++
		bytes += fi.Size()
	}
	os.Remove(dir) // only if empty
	return files, bytes, nil
}

// Export returns the root filesystem of image ref as an uncompressed
// tar, the read-only lower layer of a dry run: exported once from a created
// (never started) container and cached under the user's cache directory
// (os.UserCacheDir()/dmake/rootfs/IMAGE-ID.tar), so later runs cost nothing.
func Export(ctx context.Context, e *engine.Engine, ref string) (string, error) {
	img, found, err := e.InspectImage(ctx, ref)
	if err != nil {
		return "", fmt.Errorf("base rootfs of %s: %w", ref, err)
	}
	if !found {
		return "", fmt.Errorf("base rootfs of %s: no such image", ref)
	}
	dir, err := Dir()
	if err != nil {
		return "", fmt.Errorf("base rootfs of %s: %w", ref, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	id := strings.TrimPrefix(img.ID, "sha256:")
	file := filepath.Join(dir, id+".tar")
	if _, err := os.Stat(file); err == nil {
		return file, nil
	}
	rc, err := e.ExportImage(ctx, img.ID, map[string]string{"dev.dmake.rootfs-export": ref})
	if err != nil {
		return "", fmt.Errorf("base rootfs of %s: %w", ref, err)
	}
	defer rc.Close()
	tmp, err := os.CreateTemp(dir, id+".*.part")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, rc); err != nil {
		tmp.Close()
		return "", fmt.Errorf("base rootfs of %s: %w", ref, err)
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return "", err
	}
	return file, nil
}
