package engine

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// IsNotFound reports whether err is the engine saying that the container,
// image or exec it was asked about does not exist.
func IsNotFound(err error) bool { return cerrdefs.IsNotFound(err) }

// IsConflict reports whether err is the engine refusing an operation because
// of the object's state, such as removing an image a container still uses.
func IsConflict(err error) bool { return cerrdefs.IsConflict(err) }

// Container is one container as the engine lists it.
type Container struct {
	// ID is the full container id.
	ID string
	// Names are the container's names, without the engine's leading "/".
	Names []string
	// Image is the image as the container was created from it (a name,
	// or an id when the name has since moved).
	Image string
	// ImageID is the id of that image.
	ImageID string
	// Created is when the container was created (to the second).
	Created time.Time
	// State is "created", "running", "paused", "restarting", "removing",
	// "exited" or "dead".
	State string
	// Status is the engine's human description ("Up 3 minutes").
	Status string
	// Command is the container's command line as docker ps shows it.
	Command string
	// Labels are the container's labels, including those it inherited
	// from its image.
	Labels map[string]string
}

// Name returns the container's first name, or its short id when it has none.
func (c Container) Name() string {
	if len(c.Names) > 0 {
		return c.Names[0]
	}
	return ShortID(c.ID)
}

// ShortID returns the 12-character form of a container or image id, without
// any "sha256:" prefix.
func ShortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// HumanSize formats a byte count as the docker CLI does: decimal units,
// three significant digits ("1.04 MB" for 1 040 000 bytes).
func HumanSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, i := float64(n), 0
	units := []string{"kB", "MB", "GB", "TB", "PB"}
	for f /= unit; f >= unit && i < len(units)-1; f /= unit {
		i++
	}
	return fmt.Sprintf("%.3g %s", f, units[i])
}

// ListContainersOptions selects containers.
type ListContainersOptions struct {
	// All includes containers that are not running.
	All bool
	// States keeps only containers in one of these states ("exited"…);
	// empty means any (within All).
	States []string
	// Labels keeps only containers carrying every one of these labels,
	// each "KEY" (any value) or "KEY=VALUE".
	Labels []string
}

// ListContainersResult is the containers found, newest first.
type ListContainersResult struct {
	Containers []Container
}

// ListContainers lists the engine's containers that opts selects.
func (e *Engine) ListContainers(ctx context.Context, opts ListContainersOptions) (ListContainersResult, error) {
	f := make(client.Filters)
	if len(opts.States) > 0 {
		f.Add("status", opts.States...)
	}
	if len(opts.Labels) > 0 {
		f.Add("label", opts.Labels...)
	}
	all := opts.All || len(opts.States) > 0
	r, err := e.c.ContainerList(ctx, client.ContainerListOptions{All: all, Filters: f})
	if err != nil {
		return ListContainersResult{}, fmt.Errorf("listing containers: %w", err)
	}
	res := ListContainersResult{Containers: make([]Container, 0, len(r.Items))}
	for _, s := range r.Items {
		c := Container{
			ID:      s.ID,
			Image:   s.Image,
			ImageID: s.ImageID,
			Created: time.Unix(s.Created, 0),
			State:   string(s.State),
			Status:  s.Status,
			Command: s.Command,
			Labels:  s.Labels,
		}
		for _, n := range s.Names {
			c.Names = append(c.Names, strings.TrimPrefix(n, "/"))
		}
		res.Containers = append(res.Containers, c)
	}
	sort.SliceStable(res.Containers, func(i, j int) bool {
		return res.Containers[i].Created.After(res.Containers[j].Created)
	})
	return res, nil
}

// ContainerDetails is what InspectContainer reports about one container.
type ContainerDetails struct {
	ID      string
	Name    string // without the leading "/"
	Image   string // as given at creation
	ImageID string
	// Running is true while the container's process runs (also when paused).
	Running bool
	// State is as in Container.
	State string
	// StartedAt is when the container was last started (zero if never).
	StartedAt time.Time
	// ExitCode is the exit status of its last run (0 while it runs).
	ExitCode int
	// Env is the container's environment, "NAME=value" each.
	Env []string
	// Labels are the container's labels.
	Labels map[string]string
	// NetworkMode is the host config's network mode ("host", "none",
	// "bridge", "default", a network name…).
	NetworkMode string
	// IPAddresses are the container's IPv4/IPv6 addresses, one per network
	// it is attached to, sorted by network name.
	IPAddresses []netip.Addr
}

// Getenv returns the value of the variable name in the container's
// environment, and whether it is set.
func (d ContainerDetails) Getenv(name string) (string, bool) {
	for i := len(d.Env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(d.Env[i], name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// InspectContainerOptions is reserved for future use.
type InspectContainerOptions struct{}

// InspectContainer returns the details of the container with this id or
// name. An unknown container gives an error for which IsNotFound is true.
func (e *Engine) InspectContainer(ctx context.Context, ref string, _ InspectContainerOptions) (ContainerDetails, error) {
	r, err := e.c.ContainerInspect(ctx, ref, client.ContainerInspectOptions{})
	if err != nil {
		return ContainerDetails{}, fmt.Errorf("inspecting container %s: %w", ref, err)
	}
	in := r.Container
	d := ContainerDetails{
		ID:      in.ID,
		Name:    strings.TrimPrefix(in.Name, "/"),
		ImageID: in.Image,
	}
	if in.State != nil {
		d.Running = in.State.Running
		d.State = string(in.State.Status)
		d.ExitCode = in.State.ExitCode
		if t, err := time.Parse(time.RFC3339Nano, in.State.StartedAt); err == nil && t.Year() > 1 {
			d.StartedAt = t
		}
	}
	if in.Config != nil {
		d.Image = in.Config.Image
		d.Env = in.Config.Env
		d.Labels = in.Config.Labels
	}
	if in.HostConfig != nil {
		d.NetworkMode = string(in.HostConfig.NetworkMode)
	}
	if in.NetworkSettings != nil {
		names := make([]string, 0, len(in.NetworkSettings.Networks))
		for n := range in.NetworkSettings.Networks {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			ep := in.NetworkSettings.Networks[n]
			if ep == nil {
				continue
			}
			if ep.IPAddress.IsValid() {
				d.IPAddresses = append(d.IPAddresses, ep.IPAddress)
			} else if ep.GlobalIPv6Address.IsValid() {
				d.IPAddresses = append(d.IPAddresses, ep.GlobalIPv6Address)
			}
		}
	}
	return d, nil
}

// StopContainerOptions says how to stop a container.
type StopContainerOptions struct {
	// Timeout is how long the engine waits after the stop signal before it
	// kills the container; negative means the container's own default.
	Timeout time.Duration
	// Signal replaces the container's stop signal (SIGTERM by default).
	Signal string
}

// StopContainerResult is empty: a stopped container has no more to say.
type StopContainerResult struct{}

// StopContainer sends the container its stop signal, waits up to the timeout
// for it to exit, then kills it. It returns once the container has stopped.
func (e *Engine) StopContainer(ctx context.Context, id string, opts StopContainerOptions) (StopContainerResult, error) {
	o := client.ContainerStopOptions{Signal: opts.Signal}
	if opts.Timeout >= 0 {
		secs := int((opts.Timeout + time.Second - 1) / time.Second)
		o.Timeout = &secs
	}
	if _, err := e.c.ContainerStop(ctx, id, o); err != nil {
		return StopContainerResult{}, fmt.Errorf("stopping container %s: %w", ShortID(id), err)
	}
	return StopContainerResult{}, nil
}

// KillContainerOptions says which signal to send.
type KillContainerOptions struct {
	// Signal is a name ("KILL", "SIGHUP") or number; empty means SIGKILL.
	Signal string
}

// KillContainerResult is empty.
type KillContainerResult struct{}

// KillContainer sends a signal to the container's main process.
func (e *Engine) KillContainer(ctx context.Context, id string, opts KillContainerOptions) (KillContainerResult, error) {
	if _, err := e.c.ContainerKill(ctx, id, client.ContainerKillOptions{Signal: opts.Signal}); err != nil {
		return KillContainerResult{}, fmt.Errorf("killing container %s: %w", ShortID(id), err)
	}
	return KillContainerResult{}, nil
}

// RemoveContainerOptions says how to remove a container.
type RemoveContainerOptions struct {
	// Force kills a running container first.
	Force bool
	// Volumes also removes the container's anonymous volumes.
	Volumes bool
}

// RemoveContainerResult is empty.
type RemoveContainerResult struct{}

// RemoveContainer removes a container.
func (e *Engine) RemoveContainer(ctx context.Context, id string, opts RemoveContainerOptions) (RemoveContainerResult, error) {
	_, err := e.c.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: opts.Force, RemoveVolumes: opts.Volumes})
	if err != nil {
		return RemoveContainerResult{}, fmt.Errorf("removing container %s: %w", ShortID(id), err)
	}
	return RemoveContainerResult{}, nil
}

// WaitContainerOptions says what to wait for.
type WaitContainerOptions struct {
	// Removed waits until the container is removed, not only stopped.
	Removed bool
}

// WaitContainerResult is how the container ended.
type WaitContainerResult struct {
	ExitCode int
}

// WaitContainer waits for a running container to stop and returns its exit
// status.
func (e *Engine) WaitContainer(ctx context.Context, id string, opts WaitContainerOptions) (WaitContainerResult, error) {
	cond := container.WaitConditionNotRunning
	if opts.Removed {
		cond = container.WaitConditionRemoved
	}
	w := e.c.ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: cond})
	select {
	case r := <-w.Result:
		if r.Error != nil && r.Error.Message != "" {
			return WaitContainerResult{ExitCode: int(r.StatusCode)}, fmt.Errorf("waiting for container %s: %s", ShortID(id), r.Error.Message)
		}
		return WaitContainerResult{ExitCode: int(r.StatusCode)}, nil
	case err := <-w.Error:
		return WaitContainerResult{}, fmt.Errorf("waiting for container %s: %w", ShortID(id), err)
	}
}
