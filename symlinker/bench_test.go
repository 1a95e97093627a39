package symlinker

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// BenchmarkLinkRecipe runs a link recipe of 100 lines (mkdir -p, ln -sf,
// chmod) through an interp runner, with the symlinker and with the real
// binaries: go test -bench LinkRecipe -run '^$' ./symlinker
func BenchmarkLinkRecipe(b *testing.B) {
	var script strings.Builder
	for i := range 100 {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&script, "mkdir -p build/script/%d\n", i)
		case 3:
			fmt.Fprintf(&script, "chmod 755 build/script/%d\n", i-3)
		default:
			fmt.Fprintf(&script, "ln -sf ../../../src/%d.sh build/script/%d/\n", i, i-i%4)
		}
	}
	file, err := syntax.NewParser().Parse(strings.NewReader(script.String()), "recipe")
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"symlinker", "fork"} {
		b.Run(mode, func(b *testing.B) {
			dir := b.TempDir()
			opts := []interp.RunnerOption{
				interp.Dir(dir),
				interp.Env(expand.ListEnviron("PATH=/usr/bin:/bin", "LANG=C.UTF-8")),
				interp.StdIO(nil, io.Discard, io.Discard),
			}
			if mode == "symlinker" {
				opts = append(opts, interp.ExecHandlers(New(Config{Root: dir}).Middleware()))
			}
			r, err := interp.New(opts...)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				r.Reset()
				if err := r.Run(context.Background(), file); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
