package legacyutil

import (
	"context"
	"fmt"
	"strings"

	"github.com/dmake-dev/dmake/engine"
)

// lookupError is a container or image reference that names nothing, or
// more than one thing, or a container that is not running.
type lookupError struct {
	msg string
}

func (e *lookupError) Error() string { return e.msg }

// findRunning resolves ref to one running container: an exact id or name
// first, then a unique id prefix, then an image (name or id) whose newest
// running container is taken. It fails with a *lookupError when ref names
// nothing running, or is ambiguous (the candidates are listed). At a
// repository built through its bin/build, a short image name is resolved
// as run-bash resolves it (repoImageRef).
func findRunning(ctx context.Context, eng *engine.Engine, ref string) (engine.ContainerDetails, error) {
	if ref == "" {
		return engine.ContainerDetails{}, &lookupError{"empty container name"}
	}
	list, err := eng.ListContainers(ctx, engine.ListContainersOptions{All: true})
	if err != nil {
		return engine.ContainerDetails{}, err
	}
	all := list.Containers
	name := strings.TrimPrefix(ref, "/")

	// Exact id or name: what the engine itself would pick.
	for _, c := range all {
		if c.ID == ref || hasName(c, name) {
			return runningDetails(ctx, eng, c, ref)
		}
	}

	var byPrefix []engine.Container
	if isHexPrefix(ref) {
		for _, c := range all {
			if strings.HasPrefix(c.ID, ref) {
				byPrefix = append(byPrefix, c)
			}
		}
	}
	if len(byPrefix) > 1 {
		return engine.ContainerDetails{}, ambiguous(ref, fmt.Sprintf("it is the id prefix of %d containers", len(byPrefix)), byPrefix)
	}

	byImage, imageKnown, err := containersOfImage(ctx, eng, ref, all)
	if err != nil {
		return engine.ContainerDetails{}, err
	}
	var running []engine.Container
	for _, c := range byImage {
		if c.State == "running" || c.State == "paused" || c.State == "restarting" {
			running = append(running, c)
		}
	}

	switch {
	case len(byPrefix) == 1 && len(running) > 0 && !(len(running) == 1 && running[0].ID == byPrefix[0].ID):
		return engine.ContainerDetails{}, ambiguous(ref, "it is the id prefix of one container and the image of other running ones", append(byPrefix, running...))
	case len(byPrefix) == 1:
		return runningDetails(ctx, eng, byPrefix[0], ref)
	case len(running) > 0:
		return newest(ctx, eng, running)
	case len(byImage) > 0:
		return engine.ContainerDetails{}, &lookupError{fmt.Sprintf("no running container of image %s (%d stopped: %s)", ref, len(byImage), describe(byImage))}
	case imageKnown:
		return engine.ContainerDetails{}, &lookupError{fmt.Sprintf("no running container of image %s", ref)}
	}
	// A short image name at a repository built through its bin/build
	// (base for someprefix/base:latest), as run-bash resolves it.
	if r, err := repoImageRef(ctx, eng, ref); err != nil {
		return engine.ContainerDetails{}, &lookupError{err.Error()}
	} else if r != ref && len(byPrefix) == 0 {
		return findRunning(ctx, eng, r)
	}
	return engine.ContainerDetails{}, &lookupError{fmt.Sprintf("no such container: %s (not a container id or name, nor an image with a running container)", ref)}
}

// runningDetails inspects c and checks that it runs.
func runningDetails(ctx context.Context, eng *engine.Engine, c engine.Container, ref string) (engine.ContainerDetails, error) {
	d, err := eng.InspectContainer(ctx, c.ID, engine.InspectContainerOptions{})
	if err != nil {
		if engine.IsNotFound(err) { // removed meanwhile
			return d, &lookupError{fmt.Sprintf("no such container: %s", ref)}
		}
		return d, err
	}
	if !d.Running {
		return d, &lookupError{fmt.Sprintf("container %s (%s) is not running (%s)", d.Name, engine.ShortID(d.ID), d.State)}
	}
	return d, nil
}

// newest returns the details of the most recently started container.
func newest(ctx context.Context, eng *engine.Engine, cs []engine.Container) (engine.ContainerDetails, error) {
	var best engine.ContainerDetails
	for _, c := range cs {
		d, err := eng.InspectContainer(ctx, c.ID, engine.InspectContainerOptions{})
		if engine.IsNotFound(err) || (err == nil && !d.Running) {
			continue // gone or stopped meanwhile
		}
		if err != nil {
			return d, err
		}
		if best.ID == "" || d.StartedAt.After(best.StartedAt) {
			best = d
		}
	}
	if best.ID == "" {
		return best, &lookupError{"the running containers of that image stopped meanwhile"}
	}
	return best, nil
}

// containersOfImage returns the containers (of all) created from the image
// ref names, and whether such an image exists.
func containersOfImage(ctx context.Context, eng *engine.Engine, ref string, all []engine.Container) ([]engine.Container, bool, error) {
	img, err := eng.ResolveImage(ctx, ref, engine.ResolveImageOptions{})
	if err != nil && !engine.IsNotFound(err) {
		return nil, false, err
	}
	known := err == nil
	var out []engine.Container
	for _, c := range all {
		if (known && c.ImageID == img.ID) || sameImageName(c.Image, ref) {
			out = append(out, c)
		}
	}
	return out, known, nil
}

// matchImages returns the ids of the images refs name; an unknown one is a
// *lookupError.
func matchImages(ctx context.Context, eng *engine.Engine, refs []string) (map[string]bool, error) {
	ids := map[string]bool{}
	for _, r := range refs {
		img, err := eng.ResolveImage(ctx, r, engine.ResolveImageOptions{})
		if engine.IsNotFound(err) {
			return nil, &lookupError{fmt.Sprintf("no such image: %s", r)}
		}
		if err != nil {
			return nil, err
		}
		ids[img.ID] = true
	}
	return ids, nil
}

// sameImageName reports whether a container's image field and ref name the
// same image, ":latest" being implied.
func sameImageName(a, b string) bool {
	norm := func(s string) string {
		if i := strings.LastIndexByte(s, ':'); i < 0 || strings.ContainsRune(s[i:], '/') {
			s += ":latest"
		}
		return s
	}
	return a != "" && b != "" && norm(a) == norm(b)
}

func hasName(c engine.Container, name string) bool {
	for _, n := range c.Names {
		if n == name {
			return true
		}
	}
	return false
}

func isHexPrefix(s string) bool {
	return s != "" && len(s) <= 64 && strings.Trim(s, "0123456789abcdef") == ""
}

// ambiguous makes the error listing the candidates for ref.
func ambiguous(ref, why string, cs []engine.Container) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%q is ambiguous: %s:", ref, why)
	for _, c := range cs {
		fmt.Fprintf(&b, "\n\t%s  %s  %s  %s", engine.ShortID(c.ID), c.Name(), c.Image, c.State)
	}
	b.WriteString("\nname one by its full id or its name")
	return &lookupError{b.String()}
}

// describe lists containers briefly: "name (id), …".
func describe(cs []engine.Container) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%s (%s)", c.Name(), engine.ShortID(c.ID))
	}
	return strings.Join(parts, ", ")
}

// label returns how a container is shown in listings: "id name (image)".
func label(c engine.Container) string {
	return fmt.Sprintf("%s %s (%s)", engine.ShortID(c.ID), c.Name(), c.Image)
}
