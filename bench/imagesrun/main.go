// Command imagesrun builds a legacy image with image.Builder alone, without
// dmake's make, for bench/images.sh (DMAKE=imagesrun) to measure the image
// layer apart from the rest: it takes the recipe lines of make's build goal
// (as GNU make -n prints them), runs each through mvdan.cc/sh with image.Builder's middleware in front of the real
// exec handler (so docker build goes through the Engine API, layered), and
// reports what the Builder did.
//
//	imagesrun [-progress auto|plain|json|lines] [-bust STEP] DIR [VAR=value...]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/image"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

func main() {
	progress := flag.String("progress", "lines", "progress view")
	bust := flag.String("bust", "", "step to bust")
	mode := flag.String("mode", "dev", "dev or prod")
	flag.Parse()
	if flag.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: imagesrun [flags] DIR [VAR=value...]")
		os.Exit(2)
	}
	dir, vars := flag.Arg(0), flag.Args()[1:]
	start := time.Now()
	ctx := context.Background()
	e, err := engine.New(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "imagesrun:", err)
		os.Exit(1)
	}
	b := &image.Builder{Engine: e, Progress: *progress, Mode: *mode, Out: os.Stderr}
	if *bust != "" {
		b.Bust = []string{*bust}
	}
	out, err := exec.Command("make", append([]string{"-n", "-s", "-C", dir, "build"}, vars...)...).Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "imagesrun: make -n build:", err)
		os.Exit(1)
	}
	planned := time.Now()
	parser := syntax.NewParser()
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f, err := parser.Parse(strings.NewReader(line), "recipe")
		if err != nil {
			fmt.Fprintln(os.Stderr, "imagesrun:", err)
			os.Exit(1)
		}
		r, _ := interp.New(interp.Dir(dir), interp.Env(expand.ListEnviron(os.Environ()...)),
			interp.StdIO(os.Stdin, os.Stdout, os.Stderr), interp.ExecHandlers(b.Middleware()))
		if err := r.Run(ctx, f); err != nil {
			fmt.Fprintf(os.Stderr, "imagesrun: %s: %v\n", line, err)
			os.Exit(1)
		}
	}
	for _, r := range b.Results() {
		fmt.Fprintf(os.Stderr, "imagesrun: %s up-to-date=%v steps=%d cached=%d ran=%d build=%.3fs (make -n %.3fs, total %.3fs)\n",
			r.Tag, r.UpToDate, r.Steps, r.Cached, r.Ran, r.Duration.Seconds(), planned.Sub(start).Seconds(), time.Since(start).Seconds())
	}
}
