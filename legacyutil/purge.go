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
	dry := c.flags.BoolP("dry-run", "n", false, "list what would be removed, remove nothing")
	only := c.flags.Bool("only-dmake", false, "only images dmake built")
	labels := labelFlag(c.flags, "images")
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
	list, err := eng.ListImages(ctx, engine.ListImagesOptions{Dangling: true, Labels: sel})
	if err != nil {
		return c.fail(err)
	}
	if len(list.Images) == 0 {
		fmt.Fprintln(stdio.Out, "no dangling images")
		return ExitOK
	}
	failed := 0
	for _, im := range list.Images {
		line := fmt.Sprintf("%s (created %s, %s)", engine.ShortID(im.ID), im.Created.UTC().Format("2006-01-02 15:04:05"), engine.HumanSize(im.Size))
		if *dry {
			fmt.Fprintf(stdio.Out, "would remove %s\n", line)
			continue
		}
		r, err := eng.RemoveImage(ctx, im.ID, engine.RemoveImageOptions{})
		switch {
		case engine.IsNotFound(err):
			continue // removed meanwhile, e.g. as a parent of another
		case engine.IsConflict(err):
			fmt.Fprintf(stdio.Out, "kept %s: %v\n", line, conflictReason(err))
			continue
		case err != nil:
			c.errorf("%v", err)
			failed++
			continue
		}
		extra := ""
		if n := len(r.Deleted) - 1; n > 0 {
			extra = fmt.Sprintf(" and %d untagged parent layer%s", n, map[bool]string{true: "s"}[n > 1])
		}
		fmt.Fprintf(stdio.Out, "removed %s%s\n", line, extra)
	}
	if failed > 0 {
		c.errorf("%d of %d images not removed", failed, len(list.Images))
		return ExitFailed
	}
	return ExitOK
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
