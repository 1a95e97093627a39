package driver

import (
	"context"
	"fmt"
	"os"

	"github.com/dmake-dev/dmake/shellrun/sandbox"
)

// runCheckScripts is --check-scripts FILE…: the sandboxed dry run of loose
// scripts, in the order given, as one image would run them. It prints the
// report, writes the JSON report to --check-report, and returns 1 when the
// dry run found errors.
func runCheckScripts(ctx context.Context, opts Options, stdio Stdio) int {
	if len(opts.Goals) == 0 {
		fmt.Fprintln(stdio.Err, "dmake: --check-scripts needs script files")
		return 2
	}
	img, err := sandbox.LooseImage("scripts", opts.Goals)
	if err != nil {
		fmt.Fprintf(stdio.Err, "dmake: %v\n", err)
		return 2
	}
	if rootfs := os.Getenv("DMAKE_CHECK_ROOTFS"); rootfs != "" {
		img.Rootfs = rootfs
	}
	return checkImages(ctx, []sandbox.Image{img}, opts, stdio)
}

// checkImages dry-runs images in the sandbox and reports: the text report
// on stdout, the JSON one in opts.CheckReport. It returns the exit status.
func checkImages(ctx context.Context, imgs []sandbox.Image, opts Options, stdio Stdio) int {
	reports, err := sandbox.Check(ctx, imgs, sandbox.Options{})
	if err != nil {
		fmt.Fprintf(stdio.Err, "dmake: check: %v\n", err)
		return 2
	}
	status := 0
	for _, r := range reports {
		r.WriteText(stdio.Out)
		if !r.OK() {
			status = 1
		}
	}
	if opts.CheckReport != "" {
		f, err := os.Create(opts.CheckReport)
		if err == nil {
			err = sandbox.WriteJSON(f, reports)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(stdio.Err, "dmake: --check-report: %v\n", err)
			return 2
		}
	}
	return status
}
