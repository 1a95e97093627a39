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
	return sweep{noun: "containers", only: "only containers of images dmake built", list: stoppedContainers}.run(ctx, c, args, "no stopped containers")
}

// stoppedContainers lists the stopped containers carrying labels.
func stoppedContainers(ctx context.Context, eng *engine.Engine, labels []string) ([]sweepItem, error) {
	list, err := eng.ListContainers(ctx, engine.ListContainersOptions{States: stoppedStates, Labels: labels})
	if err != nil {
		return nil, err
	}
	items := make([]sweepItem, 0, len(list.Containers))
	for _, ct := range list.Containers {
		line := fmt.Sprintf("%s, %s", label(ct), ct.Status)
		items = append(items, sweepItem{line: line, remove: func(ctx context.Context) (string, error) {
			_, err := eng.RemoveContainer(ctx, ct.ID, engine.RemoveContainerOptions{})
			switch {
			case engine.IsNotFound(err):
				return "", nil // removed meanwhile
			case err != nil:
				return "", err
			}
			return "removed " + line, nil
		}})
	}
	return items, nil
}
