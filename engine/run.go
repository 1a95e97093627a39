package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// RunOptions describes a throwaway container: created, started with its
// streams attached, and removed by the engine when it exits.
type RunOptions struct {
	// Image is the image to run (name or id); it must be local.
	Image string
	// Cmd replaces the image's command; Entrypoint, when not nil, its
	// entrypoint (an empty non-nil slice clears it).
	Cmd        []string
	Entrypoint []string
	// Env adds "NAME=value" variables; User and WorkingDir override the
	// image's.
	Env        []string
	User       string
	WorkingDir string
	// Labels are set on the container.
	Labels map[string]string
	// NetworkMode is the container's network ("host", "none"…; empty
	// means the engine's default).
	NetworkMode string
	Streams
}

// RunResult is how the container ended.
type RunResult struct {
	// ID is the container's id (already removed).
	ID string
	// ExitCode is its main process's exit status.
	ExitCode int
}

// Run runs a throwaway container and returns its exit status once it has
// exited and been removed. When ctx is cancelled, or anything fails after
// the container was created, the container is removed by force.
func (e *Engine) Run(ctx context.Context, opts RunOptions) (res RunResult, err error) {
	cfg := &container.Config{
		Image:        opts.Image,
		Cmd:          opts.Cmd,
		Entrypoint:   opts.Entrypoint,
		Env:          opts.Env,
		User:         opts.User,
		WorkingDir:   opts.WorkingDir,
		Labels:       opts.Labels,
		Tty:          opts.TTY,
		AttachStdin:  opts.In != nil,
		OpenStdin:    opts.In != nil,
		StdinOnce:    opts.In != nil,
		AttachStdout: true,
		AttachStderr: true,
	}
	hc := &container.HostConfig{
		AutoRemove:  true,
		NetworkMode: container.NetworkMode(opts.NetworkMode),
	}
	if opts.TTY && opts.Size != (TermSize{}) {
		hc.ConsoleSize = [2]uint{opts.Size.Height, opts.Size.Width}
	}
	cr, err := e.c.ContainerCreate(ctx, client.ContainerCreateOptions{Config: cfg, HostConfig: hc})
	if err != nil {
		return RunResult{}, fmt.Errorf("creating a container from %s: %w", opts.Image, err)
	}
	res.ID = cr.ID
	defer func() {
		if err != nil {
			// Best effort, and even when ctx is cancelled: leave nothing behind.
			_, _ = e.c.ContainerRemove(context.WithoutCancel(ctx), cr.ID, client.ContainerRemoveOptions{Force: true})
		}
	}()
	ar, err := e.c.ContainerAttach(ctx, cr.ID, client.ContainerAttachOptions{
		Stream: true, Stdin: opts.In != nil, Stdout: true, Stderr: true,
	})
	if err != nil {
		return res, fmt.Errorf("attaching to container %s: %w", ShortID(cr.ID), err)
	}
	// Ask for the exit status before starting, so that AutoRemove cannot
	// remove the container before the engine has told it.
	waitCtx, cancelWait := context.WithCancel(ctx)
	defer cancelWait()
	w := e.c.ContainerWait(waitCtx, cr.ID, client.ContainerWaitOptions{Condition: container.WaitConditionRemoved})
	if _, err := e.c.ContainerStart(ctx, cr.ID, client.ContainerStartOptions{}); err != nil {
		ar.Close()
		return res, fmt.Errorf("starting container %s: %w", ShortID(cr.ID), err)
	}
	resize := func(s TermSize) error {
		_, err := e.c.ContainerResize(ctx, cr.ID, client.ContainerResizeOptions{Height: s.Height, Width: s.Width})
		return err
	}
	if err := pump(ctx, &ar.HijackedResponse, opts.Streams, resize); err != nil {
		return res, fmt.Errorf("container %s: %w", ShortID(cr.ID), err)
	}
	select {
	case r := <-w.Result:
		res.ExitCode = int(r.StatusCode)
		if r.Error != nil && r.Error.Message != "" {
			return res, fmt.Errorf("container %s: %s", ShortID(cr.ID), r.Error.Message)
		}
		return res, nil
	case err := <-w.Error:
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			err = ctx.Err()
		}
		return res, fmt.Errorf("waiting for container %s: %w", ShortID(cr.ID), err)
	}
}
