// Package rootfs exports a base image's root filesystem from the Docker
// engine, once, as the read-only lower layer of the sandboxed dry run
// (sandbox.Image.Rootfs).
package rootfs

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// Export returns the root filesystem of image ref as an uncompressed
// tar, the read-only lower layer of a dry run: exported once from a created
// (never started) container and cached under the user's cache directory
// (os.UserCacheDir()/dmake/rootfs/IMAGE-ID.tar), so later runs cost nothing.
func Export(ctx context.Context, c *client.Client, ref string) (string, error) {
	img, err := c.ImageInspect(ctx, ref)
	if err != nil {
		return "", fmt.Errorf("base rootfs of %s: %w", ref, err)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("base rootfs of %s: %w", ref, err)
	}
	dir := filepath.Join(cache, "dmake", "rootfs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	id := strings.TrimPrefix(img.ID, "sha256:")
	file := filepath.Join(dir, id+".tar")
	if _, err := os.Stat(file); err == nil {
		return file, nil
	}
	created, err := c.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config:     &container.Config{Image: img.ID, Cmd: []string{"/nonexistent"}, Labels: map[string]string{"dev.dmake.rootfs-export": ref}},
		HostConfig: &container.HostConfig{NetworkMode: "none"},
	})
	if err != nil {
		return "", fmt.Errorf("base rootfs of %s: %w", ref, err)
	}
	defer c.ContainerRemove(context.WithoutCancel(ctx), created.ID, client.ContainerRemoveOptions{Force: true})
	rc, err := c.ContainerExport(ctx, created.ID, client.ContainerExportOptions{})
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
