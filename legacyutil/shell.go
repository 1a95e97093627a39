package legacyutil

import (
	"context"

	"github.com/dmake-dev/dmake/engine"
)

// defaultPath is the PATH a container without one searches (the engine's
// default).
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// loginShell returns the shell run-bash and enter-bash run in container id:
// bash, as the legacy scripts, or sh when the container has no bash (as in
// busybox-based images), which it says on standard error naming what (the
// image or container). When neither is found, or the lookup fails, it is
// bash, and the engine's error says what is missing.
func (c *command) loginShell(ctx context.Context, eng *engine.Engine, id, what string) string {
	d, err := eng.InspectContainer(ctx, id, engine.InspectContainerOptions{})
	if err != nil {
		return "bash"
	}
	pathList, ok := d.Getenv("PATH")
	if !ok {
		pathList = defaultPath
	}
	if p, err := eng.LookPath(ctx, id, "bash", pathList); err != nil || p != "" {
		return "bash"
	}
	if p, err := eng.LookPath(ctx, id, "sh", pathList); err != nil || p == "" {
		return "bash"
	}
	c.errorf("%s has no bash; running sh instead", what)
	return "sh"
}
