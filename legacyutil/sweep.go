package legacyutil

import (
	"context"
	"fmt"

	"github.com/dmake-dev/dmake/engine"
)

// sweep is what clean and purge share: their flags (--dry-run,
// --only-dmake, --label), the selection, the listing of each object as it
// goes, and the count of failures.
type sweep struct {
	// noun is the objects' plural ("containers", "images"); only is the
	// help of --only-dmake.
	noun, only string
	// list returns the objects to remove, selected by labels.
	list func(ctx context.Context, eng *engine.Engine, labels []string) ([]sweepItem, error)
}

// sweepItem is one object a sweep removes.
type sweepItem struct {
	// line describes the object after "removed " or "would remove ".
	line string
	// remove removes it. It returns the line to print (empty: nothing,
	// e.g. the object is already gone), or an error to count as a failure.
	remove func(ctx context.Context) (string, error)
}

// run parses args for c and removes what the sweep lists, or only lists it
// with --dry-run. empty is printed when there is nothing to remove.
func (s sweep) run(ctx context.Context, c *command, args []string, empty string) int {
	dry := c.flags.BoolP("dry-run", "n", false, "list what would be removed, remove nothing")
	only := c.flags.Bool("only-dmake", false, s.only)
	labels := labelFlag(c.flags, s.noun)
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
	items, err := s.list(ctx, eng, sel)
	if err != nil {
		return c.fail(err)
	}
	if len(items) == 0 {
		fmt.Fprintln(c.stdio.Out, empty)
		return ExitOK
	}
	failed := 0
	for _, it := range items {
		if *dry {
			fmt.Fprintf(c.stdio.Out, "would remove %s\n", it.line)
			continue
		}
		out, err := it.remove(ctx)
		if err != nil {
			c.errorf("%v", err)
			failed++
			continue
		}
		if out != "" {
			fmt.Fprintln(c.stdio.Out, out)
		}
	}
	if failed > 0 {
		c.errorf("%d of %d %s not removed", failed, len(items), s.noun)
		return ExitFailed
	}
	return ExitOK
}
