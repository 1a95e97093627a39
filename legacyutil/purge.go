package legacyutil

import (
	"context"
	"fmt"
	"strings"

	"github.com/dmake-dev/dmake/engine"
)

func purgeUtility() Utility {
	return Utility{
		Name:    "purge",
		Summary: "remove untagged (dangling) images",
		Main:    purgeMain,
	}
}

func purgeMain(ctx context.Context, stdio Stdio, args []string) int {
	c := newCommand(stdio, "purge", "", "Remove every untagged (dangling) image, listing each, with its untagged parent layers; tagged images are left alone.", true)
	c.details = `Like the legacy bin/purge, it asks nothing. A dangling image that a
container still uses is kept and said so (remove the container first, e.g.
with clean). --only-dmake keeps to images dmake built (label ` + engine.LabelManaged + `=1):
the ones a rebuild left behind when it moved their tag.`
	c.examples = []string{
		"dmake --util purge --dry-run      list the dangling images, remove nothing",
		"dmake --util purge --only-dmake   remove what dmake's rebuilds left behind",
	}
	return sweep{noun: "images", only: "only images dmake built", list: danglingImages}.run(ctx, c, args, "no dangling images")
}

// danglingImages lists the dangling images carrying labels. One that a
// container still uses is kept, and said so.
func danglingImages(ctx context.Context, eng *engine.Engine, labels []string) ([]sweepItem, error) {
	list, err := eng.ListImages(ctx, engine.ListImagesOptions{Dangling: true, Labels: labels})
	if err != nil {
		return nil, err
	}
	items := make([]sweepItem, 0, len(list.Images))
	for _, im := range list.Images {
		line := fmt.Sprintf("%s (created %s, %s)", engine.ShortID(im.ID), im.Created.UTC().Format("2006-01-02 15:04:05"), engine.HumanSize(im.Size))
		items = append(items, sweepItem{line: line, remove: func(ctx context.Context) (string, error) {
			r, err := eng.RemoveImage(ctx, im.ID, engine.RemoveImageOptions{})
			switch {
			case engine.IsNotFound(err):
				return "", nil // removed meanwhile, e.g. as a parent of another
			case engine.IsConflict(err):
				return fmt.Sprintf("kept %s: %v", line, conflictReason(err)), nil
			case err != nil:
				return "", err
			}
			extra := ""
			if n := len(r.Deleted) - 1; n > 0 {
				extra = fmt.Sprintf(" and %d untagged parent layer%s", n, map[bool]string{true: "s"}[n > 1])
			}
			return "removed " + line + extra, nil
		}})
	}
	return items, nil
}

// conflictReason is the engine's reason for keeping an image, without the
// wrapping this package adds.
func conflictReason(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && strings.Contains(s[i:], "container") {
		return s[i+2:]
	}
	return s
}
