package legacyutil

import (
	"context"
	"fmt"

	"github.com/dmake-dev/dmake/engine"
)

// containerEnvScript is the file my_init writes with the container
// environment for login shells; enter sources it first, as legacy bin/enter.
const containerEnvScript = "/etc/container_environment.sh"

func enterUtility() Utility {
	return Utility{
		Name:    "enter",
		Summary: "run a command in a running container",
		Main: func(ctx context.Context, stdio Stdio, args []string) int {
			return enterMain(ctx, stdio, "enter", args)
		},
	}
}

func enterBashUtility() Utility {
	return Utility{
		Name:    "enter-bash",
		Summary: "an interactive login bash in a running container",
		Main: func(ctx context.Context, stdio Stdio, args []string) int {
			return enterMain(ctx, stdio, "enter-bash", args)
		},
	}
}

func enterMain(ctx context.Context, stdio Stdio, name string, args []string) int {
	var c *command
	if name == "enter" {
		c = newCommand(stdio, name, "CONTAINER CMD [ARG]...", "Run CMD in a running container, through the engine's exec API.", false)
		c.examples = []string{
			"dmake --util enter web ps aux        processes of the newest container of image web (or named web)",
			"dmake --util enter 3f2a sh -c 'exit 3'   exits with status 3",
		}
	} else {
		c = newCommand(stdio, name, "CONTAINER", "Run an interactive login bash (bash -l) in a running container (sh -l when it has no bash).", false)
		c.examples = []string{"dmake --util enter-bash legacy/ssh"}
	}
	c.details = `CONTAINER is a container id, id prefix or name, or an image name: then
the newest running container of that image. A terminal is allocated when
standard input is one; standard input is passed on. When the container has
` + containerEnvScript + ` (written by the legacy init), the command runs with
that environment, as with the legacy bin/enter. The exit status is the
command's (126: cannot execute, 127: not found).`
	user := c.flags.StringP("user", "u", "", "run as `USER` (name or uid[:gid])")
	workdir := c.flags.StringP("workdir", "w", "", "run in `DIR`")
	env := c.flags.StringArrayP("env", "e", nil, "set `NAME=VALUE` (repeatable)")
	rest, status, ok := c.parse(args)
	if !ok {
		return status
	}
	var cmd []string
	switch {
	case len(rest) == 0:
		return c.usageError("missing CONTAINER")
	case name == "enter" && len(rest) < 2:
		return c.usageError("missing CMD to run in %s", rest[0])
	case name == "enter-bash" && len(rest) > 1:
		return c.usageError("unexpected argument %q (enter-bash takes only CONTAINER; use enter to run a command)", rest[1])
	case name == "enter":
		cmd = rest[1:]
	default:
		cmd = []string{"bash", "-l"}
	}
	eng, ok := c.connect(ctx)
	if !ok {
		return ExitEngine
	}
	defer eng.Close()
	ct, err := findRunning(ctx, eng, rest[0])
	if err != nil {
		return c.fail(err)
	}
	if name == "enter-bash" {
		cmd[0] = c.loginShell(ctx, eng, ct.ID, "container "+ct.Name)
	}
	if _, err := eng.ReadFile(ctx, ct.ID, containerEnvScript, engine.ReadFileOptions{}); err == nil {
		// As bin/enter, with bash: my_init writes the file with bash's
		// printf %q, whose quoting a POSIX sh may not read.
		cmd = append([]string{"bash", "-c", `. ` + containerEnvScript + `; exec "$@"`, name}, cmd...)
	}
	t := openTerminal(stdio)
	r, err := eng.Exec(ctx, ct.ID, engine.ExecOptions{
		Cmd:        cmd,
		Env:        *env,
		User:       *user,
		WorkingDir: *workdir,
		Streams:    t.streams(stdio),
	})
	t.close()
	if err != nil {
		return c.failRun(ctx, fmt.Errorf("%s (%s): %w", ct.Name, engine.ShortID(ct.ID), err))
	}
	return r.ExitCode
}
