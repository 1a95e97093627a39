// Command makefile-load is the dmake side of bench/makefile.sh: it reads
// and evaluates a Makefile with the makefile package, plans GOAL with the
// graph package and expands every recipe of the plan, as "make -n GOAL"
// does, without running anything.
//
//	makefile-load -C DIR [-f FILE] GOAL
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"github.com/dmake-dev/dmake/graph"
	"github.com/dmake-dev/dmake/internal/maketest"
	"github.com/dmake-dev/dmake/makefile"
)

func main() {
	dir := flag.String("C", ".", "directory")
	file := flag.String("f", "", "makefile")
	verbose := flag.Bool("v", false, "print phase times to stderr")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	goal := flag.Arg(0)
	ctx := context.Background()
	t0 := time.Now()
	cfg := makefile.Config{Dir: *dir, Env: os.Environ(), ProgramName: "dmake", Stdout: os.Stdout, Stderr: os.Stderr, Shell: maketest.ShellCapture, Flags: makefile.Flags{DryRun: true}}
	if *file != "" {
		cfg.Makefiles = []string{*file}
	}
	if goal != "" {
		cfg.Goals = []string{goal}
	}
	db, err := makefile.Load(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		pprof.StopCPUProfile()
		os.Exit(2)
	}
	t1 := time.Now()
	if goal == "" {
		goal = db.DefaultGoal()
	}
	g := graph.New(ctx, db, graph.Options{Dir: *dir})
	targets := g.Targets([]string{goal})
	t2 := time.Now()
	lines := 0
	for _, t := range targets {
		tg := db.Target(t.Name)
		if tg == nil {
			continue
		}
		sc := db.ScopeFor(t.Name, nil)
		for _, r := range tg.Rules {
			first := ""
			if len(r.Prereqs) > 0 {
				first = r.Prereqs[0]
			}
			cmds, err := db.ExpandRecipe(ctx, sc, r.Recipe, &makefile.AutoVars{Target: t.Name, First: first, All: r.Prereqs, AllDup: r.Prereqs, Newer: r.Prereqs, OrderOnly: r.OrderOnly})
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			for _, c := range cmds {
				io.WriteString(io.Discard, c.Text)
				lines++
			}
		}
	}
	t3 := time.Now()
	if *verbose {
		fmt.Fprintf(os.Stderr, "load %v plan %v (%d targets) expand %v (%d commands)\n", t1.Sub(t0), t2.Sub(t1), len(targets), t3.Sub(t2), lines)
	}
}
