package legacyutil

import (
	"context"
	"fmt"

	"github.com/dmake-dev/dmake/engine"
)

// stoppedStates are the states of containers that clean removes.
var stoppedStates = []string{"created", "exited", "dead"}

func cleanUtility() Utility {
	return Utility{
		Name:    "clean",
		Summary: "remove stopped containers",
		Main:    cleanMain,
	}
}

func cleanMain(ctx context.Context, stdio Stdio, args []string) int {
	c := newCommand(stdio, "clean", "", "Remove every stopped container (created, exited or dead), listing each; running ones are left alone.", true)
	c.details = `Like the legacy bin/clean, it asks nothing. --only-dmake keeps to the
containers of images dmake built (their label ` + engine.LabelManaged + `=1).`
	c.examples = []string{
		"dmake --util clean --dry-run      list the stopped containers, remove nothing",
		"dmake --util clean --only-dmake   remove the stopped containers of dmake's images",
	}
	dry := c.flags.BoolP("dry-run", "n", false, "list what would be removed, remove nothing")
	only := c.flags.Bool("only-dmake", false, "only containers of images dmake built")
	labels := labelFlag(c.flags, "containers")
	rest, status, ok := c.parse(args)
	if !ok {
		return status
	}
	if len(rest) > 0 {
		return c.usageError("unexpected argument %q", rest[0])
	}
	eng, ok := c.connect(ctx)
	if !ok {
		return ExitEngine
	}
	defer eng.Close()

	sel := *labels
	if *only {
		sel = append(sel, engine.LabelManaged+"=1")
	}
	list, err := eng.ListContainers(ctx, engine.ListContainersOptions{States: stoppedStates, Labels: sel})
	if err != nil {
		return c.fail(err)
	}
	if len(list.Containers) == 0 {
		fmt.Fprintln(stdio.Out, "no stopped containers")
		return ExitOK
	}
	failed := 0
	for _, ct := range list.Containers {
		line := fmt.Sprintf("%s, %s", label(ct), ct.Status)
		if *dry {
			fmt.Fprintf(stdio.Out, "would remove %s\n", line)
			continue
		}
		if _, err := eng.RemoveContainer(ctx, ct.ID, engine.RemoveContainerOptions{}); err != nil {
			if engine.IsNotFound(err) {
				continue // removed meanwhile
			}
			c.errorf("%v", err)
			failed++
			continue
		}
		fmt.Fprintf(stdio.Out, "removed %s\n", line)
	}
	if failed > 0 {
		c.errorf("%d of %d containers not removed", failed, len(list.Containers))
		return ExitFailed
	}
	return ExitOK
}
