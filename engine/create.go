package engine

import (
	"context"
	"fmt"
	"io"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// CreateContainerOptions describes a container to create (and start with
// StartContainer). Unlike Run's, the container stays until removed, so its
// logs, exit status and file changes can be read after it exits.
type CreateContainerOptions struct {
	// Name is the container's name; empty lets the engine choose.
	Name string
	// Image is the image to create it from (name or id); it must be local.
	Image string
	// Cmd replaces the image's command; Entrypoint, when not nil, its
	// entrypoint.
	Cmd        []string
	Entrypoint []string
	// Env adds "NAME=value" variables.
	Env []string
	// Labels are set on the container.
	Labels map[string]string
	// NetworkMode is the container's network ("host", "none", a network
	// name…; empty means the engine's default).
	NetworkMode string
	// Binds are bind mounts, "HOST:CONTAINER[:ro]" each.
	Binds []string
	// Memory limits the container's memory in bytes; PidsLimit its number
	// of processes. Zero means no limit.
	Memory    int64
	PidsLimit int64
}

// CreateContainer creates a container and returns its id.
func (e *Engine) CreateContainer(ctx context.Context, opts CreateContainerOptions) (string, error) {
	hc := &container.HostConfig{
		NetworkMode: container.NetworkMode(opts.NetworkMode),
		Binds:       opts.Binds,
	}
	hc.Resources.Memory = opts.Memory
	if opts.PidsLimit != 0 {
		hc.Resources.PidsLimit = &opts.PidsLimit
	}
	r, err := e.c.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: opts.Name,
		Config: &container.Config{Image: opts.Image, Cmd: opts.Cmd, Entrypoint: opts.Entrypoint,
			Env: opts.Env, Labels: opts.Labels},
		HostConfig: hc,
	})
	if err != nil {
		return "", fmt.Errorf("creating a container from %s: %w", opts.Image, err)
	}
	return r.ID, nil
}

// StartContainer starts a created container.
func (e *Engine) StartContainer(ctx context.Context, id string) error {
	if _, err := e.c.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		return fmt.Errorf("starting container %s: %w", ShortID(id), err)
	}
	return nil
}

// ContainerLogs copies what a container (without a terminal) wrote so far
// to its standard output and error into stdout and stderr; a nil writer
// drops that stream.
func (e *Engine) ContainerLogs(ctx context.Context, id string, stdout, stderr io.Writer) error {
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	rc, err := e.c.ContainerLogs(ctx, id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		return fmt.Errorf("logs of container %s: %w", ShortID(id), err)
	}
	defer rc.Close()
	if _, err := stdcopy.StdCopy(stdout, stderr, rc); err != nil {
		return fmt.Errorf("logs of container %s: %w", ShortID(id), err)
	}
	return nil
}

// FileChange is one path a container changed in its file system, as
// docker diff shows it.
type FileChange struct {
	// Kind is 'A' (added), 'C' (changed) or 'D' (deleted).
	Kind byte
	Path string
}

// ContainerChanges lists the paths a container added, changed or deleted
// relative to its image.
func (e *Engine) ContainerChanges(ctx context.Context, id string) ([]FileChange, error) {
	r, err := e.c.ContainerDiff(ctx, id, client.ContainerDiffOptions{})
	if err != nil {
		return nil, fmt.Errorf("changes of container %s: %w", ShortID(id), err)
	}
	out := make([]FileChange, 0, len(r.Changes))
	for _, ch := range r.Changes {
		k := byte('C')
		switch ch.Kind {
		case container.ChangeAdd:
			k = 'A'
		case container.ChangeDelete:
			k = 'D'
		}
		out = append(out, FileChange{Kind: k, Path: ch.Path})
	}
	return out, nil
}

// ExportImage returns the root file system of image ref as an uncompressed
// tar stream, exported from a container created (never started, without a
// network) for the purpose and labelled with labels. Closing the stream
// removes that container.
func (e *Engine) ExportImage(ctx context.Context, ref string, labels map[string]string) (io.ReadCloser, error) {
	id, err := e.CreateContainer(ctx, CreateContainerOptions{Image: ref, Cmd: []string{"/nonexistent"}, Labels: labels, NetworkMode: "none"})
	if err != nil {
		return nil, err
	}
	remove := func() {
		_, _ = e.c.ContainerRemove(context.WithoutCancel(ctx), id, client.ContainerRemoveOptions{Force: true})
	}
	rc, err := e.c.ContainerExport(ctx, id, client.ContainerExportOptions{})
	if err != nil {
		remove()
		return nil, fmt.Errorf("exporting the file system of %s: %w", ref, err)
	}
	return &exportStream{ReadCloser: rc, remove: remove}, nil
}

// exportStream is an export that removes its container when closed.
type exportStream struct {
	io.ReadCloser
	remove func()
}

func (s *exportStream) Close() error {
	err := s.ReadCloser.Close()
	s.remove()
	return err
}
