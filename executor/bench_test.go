package executor_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"mvdan.cc/sh/v3/interp"

	"github.com/dmake-dev/dmake/executor"
	"github.com/dmake-dev/dmake/internal/maketest"
	"github.com/dmake-dev/dmake/makefile"
	"github.com/dmake-dev/dmake/symlinker"
)

// genTree writes a legacy-style repository of n components into dir: one
// script per component and one .mk file per component that links it into
// build/script (a file target, so that a second run has nothing to do),
// included by wildcard as legacy Makefiles do; and the equivalent
// build.ninja.
func genTree(tb testing.TB, dir string, n int) {
	tb.Helper()
	for _, d := range []string{"script", "make"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	var ninja strings.Builder
	ninja.WriteString("rule ln\n  command = ln -sfn $in $out\nrule mkdir\n  command = mkdir -p $out\nbuild build/script: mkdir\n")
	var all []string
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("%02d_c%d.sh", 10+i%90, i)
		script := filepath.Join(dir, "script", name)
		os.WriteFile(script, []byte("#!/bin/bash\necho component "+strconv.Itoa(i)+"\n"), 0o755)
		mk := fmt.Sprintf("LINKS += %[1]s\n$(BUILD)/script/%[1]s: $(HOME)/script/%[1]s | $(BUILD)/script\n\tln -sfn $< $@\n", name)
		os.WriteFile(filepath.Join(dir, "make", fmt.Sprintf("c%d.mk", i)), []byte(mk), 0o644)
		fmt.Fprintf(&ninja, "build build/script/%s: ln %s || build/script\n", name, script)
		all = append(all, "build/script/"+name)
	}
	fmt.Fprintf(&ninja, "build all: phony %s\ndefault all\n", strings.Join(all, " "))
	os.WriteFile(filepath.Join(dir, "build.ninja"), []byte(ninja.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte(`HOME := $(CURDIR)
BUILD = build
all:
include $(wildcard $(HOME)/make/*.mk)
all: $(addprefix $(BUILD)/script/,$(LINKS))
$(BUILD)/script:
	mkdir -p $@
`), 0o644)
}

// dmakeOnce reads the makefiles and makes the default goal as dmake does,
// with the symlinker plugged in.
func dmakeOnce(tb testing.TB, dir string, out io.Writer) {
	ctx := context.Background()
	env := []string{"PATH=/usr/bin:/bin"}
	db, err := makefile.Load(ctx, makefile.Config{Dir: dir, Env: env, ProgramName: "dmake", Stdout: out, Stderr: out, Shell: maketest.ShellCapture})
	if err != nil {
		tb.Fatal(err)
	}
	sl := symlinker.New(symlinker.Config{Root: dir})
	st, err := executor.Run(ctx, db, nil, executor.Options{Dir: dir, ProgramName: "dmake", Stdout: out, Stderr: out, Env: env,
		ExecMiddlewares: []func(interp.ExecHandlerFunc) interp.ExecHandlerFunc{sl.Middleware()}})
	if st != 0 || err != nil {
		tb.Fatalf("dmake: status %d, %v", st, err)
	}
}

// runTool runs a program in dir and returns the CPU time it used.
func runTool(tb testing.TB, dir, tool string, args ...string) time.Duration {
	cmd := exec.Command(tool, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("%s: %v\n%s", tool, err, out)
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// selfCPU is the CPU time this process has used (all threads).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuMetric reports CPU milliseconds per operation: on a loaded machine
// wall time says more about the neighbours than about the programs.
func cpuMetric(b *testing.B, d time.Duration) {
	b.ReportMetric(float64(d)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkLinkTree times, for generated trees of N components, a full run
// of the link recipes (build/ removed first) and a no-op re-run, by dmake
// (in-process: makefile.Load + executor.Run + symlinker) and by GNU make
// (a process); the no-op also by ninja when it is installed. bench/exec.sh
// prints the ratios.
func BenchmarkLinkTree(b *testing.B) {
	sizes := []int{100, 1000}
	if s := os.Getenv("DMAKE_BENCH_SIZES"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			n, _ := strconv.Atoi(f)
			sizes = append(sizes, n)
		}
	}
	_, errMake := exec.LookPath("make")
	_, errNinja := exec.LookPath("ninja")
	for _, n := range sizes {
		dir := b.TempDir()
		genTree(b, dir, n)
		build := filepath.Join(dir, "build")
		b.Run(fmt.Sprintf("N=%d/full/dmake", n), func(b *testing.B) {
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				os.RemoveAll(build)
				b.StartTimer()
				c := selfCPU()
				dmakeOnce(b, dir, io.Discard)
				cpu += selfCPU() - c
			}
			cpuMetric(b, cpu)
		})
		if errMake == nil {
			b.Run(fmt.Sprintf("N=%d/full/make", n), func(b *testing.B) {
				var cpu time.Duration
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					os.RemoveAll(build)
					b.StartTimer()
					cpu += runTool(b, dir, "make", "-s")
				}
				cpuMetric(b, cpu)
			})
		}
		os.RemoveAll(build)
		runTool(b, dir, "make", "-s")
		var buf bytes.Buffer
		dmakeOnce(b, dir, &buf)
		if !strings.Contains(buf.String(), "Nothing to be done") {
			b.Fatalf("second run not a no-op: %s", buf.String())
		}
		b.Run(fmt.Sprintf("N=%d/noop/dmake", n), func(b *testing.B) {
			c := selfCPU()
			for i := 0; i < b.N; i++ {
				dmakeOnce(b, dir, io.Discard)
			}
			cpuMetric(b, selfCPU()-c)
		})
		if errMake == nil {
			b.Run(fmt.Sprintf("N=%d/noop/make", n), func(b *testing.B) {
				var cpu time.Duration
				for i := 0; i < b.N; i++ {
					cpu += runTool(b, dir, "make", "-s")
				}
				cpuMetric(b, cpu)
			})
		}
		if errNinja == nil {
			runTool(b, dir, "ninja")
			b.Run(fmt.Sprintf("N=%d/noop/ninja", n), func(b *testing.B) {
				var cpu time.Duration
				for i := 0; i < b.N; i++ {
					cpu += runTool(b, dir, "ninja")
				}
				cpuMetric(b, cpu)
			})
		}
	}
}
