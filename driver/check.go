package driver

import (
	"context"
	"fmt"
)

// runCheckScripts is --check-scripts FILE…: the sandboxed dry run of loose
// scripts, in the order given.
func runCheckScripts(ctx context.Context, opts Options, stdio Stdio) int {
	fmt.Fprintln(stdio.Err, "dmake: --check-scripts is not implemented yet")
	return 2
}
