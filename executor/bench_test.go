package executor_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
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

// linkPairs lists the links of genTree's dir: target and link name.
func linkPairs(tb testing.TB, dir string) [][2]string {
	tb.Helper()
	names, err := os.ReadDir(filepath.Join(dir, "script"))
	if err != nil {
		tb.Fatal(err)
	}
	var pairs [][2]string
	for _, e := range names {
		pairs = append(pairs, [2]string{filepath.Join(dir, "script", e.Name()), filepath.Join(dir, "build", "script", e.Name())})
	}
	return pairs
}

// buildDmake builds the dmake command into a temporary directory: the
// benchmark times what a user runs, a process that reads the makefiles
// (through the cache of loaded makefiles), remakes them, then the goals.
func buildDmake(tb testing.TB) string {
	tb.Helper()
	exe := filepath.Join(tb.TempDir(), "dmake")
	cmd := exec.Command("go", "build", "-o", exe, "github.com/dmake-dev/dmake/cmd/dmake")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return exe
}

// runTool runs a program in dir and returns the CPU time it used.
func runTool(tb testing.TB, dir, tool string, args ...string) time.Duration {
	_, cpu := runToolEnv(tb, dir, nil, tool, args...)
	return cpu
}

// runToolEnv runs a program in dir with env (nil: this process's) and
// returns its output and the CPU time it used.
func runToolEnv(tb testing.TB, dir string, env []string, tool string, args ...string) (string, time.Duration) {
	cmd := exec.Command(tool, args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("%s: %v\n%s", tool, err, out)
	}
	return string(out), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// selfCPU returns the user and system time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// symlinkLoop makes build, build/script and the links of links (target,
// name) in a bare loop, and returns the CPU time this process used
// meanwhile (RUSAGE_SELF).
func symlinkLoop(b *testing.B, build string, links [][2]string) time.Duration {
	before := selfCPU()
	if err := os.Mkdir(build, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(build, "script"), 0o755); err != nil {
		b.Fatal(err)
	}
	for _, l := range links {
		if err := os.Symlink(l[0], l[1]); err != nil {
			b.Fatal(err)
		}
	}
	return selfCPU() - before
}

// removeBuild removes build, then waits for the clock's next second: ext4
// without a journal hands out again at once only the inodes freed in the
// current second (its recently_deleted: a deletion time before now, within
// the last minute, is skipped), so a side that makes its links within the
// second of the removal reuses them cheaply and one that starts later
// (dmake, after its start and load) scans past them for every link: 0.5 s
// against 1.8 s for the same 10 000 links. Both sides start after it.
func removeBuild(build string) {
	os.RemoveAll(build)
	end := time.Now().Unix()
	for time.Now().Unix() <= end {
		time.Sleep(time.Until(time.Unix(end+1, 0)))
	}
}

// cpuMetric reports CPU milliseconds per operation: on a loaded machine
// wall time says more about the neighbours than about the programs.
func cpuMetric(b *testing.B, d time.Duration) {
	b.ReportMetric(float64(d)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkLinkTree times, for generated trees of N components, a full run
// of the link recipes (build/ removed first) and a no-op re-run, by dmake
// (the command, built once, as a process: reading the makefiles, remaking
// them, the goals) and by GNU make; the no-op by dmake with a cold cache
// of loaded makefiles (emptied before each run: every makefile read, the
// remake phase's implicit rule search done) and a warm one, and by ninja
// when it is installed; the full run also against a bare loop of the same
// symlink(2) calls, apart and in turns with dmake (dmake-per-loop: the
// ratios of their CPU and wall times). Every full run starts in the
// second after build/ was removed (removeBuild). Every other time is of a
// process; cpu-ms/op is its user and system time. bench/exec.sh prints
// the ratios.
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
	dmake := buildDmake(b)
	for _, n := range sizes {
		dir := b.TempDir()
		genTree(b, dir, n)
		build := filepath.Join(dir, "build")
		cache := b.TempDir()
		env := append(os.Environ(), "DMAKE_CACHE_DIR="+cache)
		b.Run(fmt.Sprintf("N=%d/full/dmake", n), func(b *testing.B) {
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				removeBuild(build)
				b.StartTimer()
				_, c := runToolEnv(b, dir, env, dmake, "-s")
				cpu += c
			}
			cpuMetric(b, cpu)
		})
		// The floor of a full run: the same symlink(2) calls (and the
		// one mkdir) in a bare loop, timed in the same run.
		// Its CPU time is this process's (RUSAGE_SELF) during the loop.
		b.Run(fmt.Sprintf("N=%d/full/symlink-loop", n), func(b *testing.B) {
			links := linkPairs(b, dir)
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				removeBuild(build)
				b.StartTimer()
				cpu += symlinkLoop(b, build, links)
			}
			cpuMetric(b, cpu)
		})
		// Both in turns, so that they meet the same load of a shared
		// machine and the same state of the file system (the time of a
		// symlink(2) call swings by 10x from one run to the next): the
		// ratios of their CPU and wall times are the steadier figures.
		b.Run(fmt.Sprintf("N=%d/full/dmake-per-loop", n), func(b *testing.B) {
			links := linkPairs(b, dir)
			var cd, cl, wd, wl time.Duration
			for i := 0; i < b.N; i++ {
				removeBuild(build)
				start := time.Now()
				_, c := runToolEnv(b, dir, env, dmake, "-s")
				wd, cd = wd+time.Since(start), cd+c
				removeBuild(build)
				start = time.Now()
				cl += symlinkLoop(b, build, links)
				wl += time.Since(start)
			}
			b.ReportMetric(float64(cd)/float64(cl), "cpu-ratio")
			b.ReportMetric(float64(wd)/float64(wl), "wall-ratio")
		})
		if errMake == nil {
			b.Run(fmt.Sprintf("N=%d/full/make", n), func(b *testing.B) {
				var cpu time.Duration
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					removeBuild(build)
					b.StartTimer()
					cpu += runTool(b, dir, "make", "-s")
				}
				cpuMetric(b, cpu)
			})
		}
		os.RemoveAll(build)
		runTool(b, dir, "make", "-s")
		if errNinja == nil {
			runTool(b, dir, "ninja") // (its log, a new file in the tree's directory)
		}
		// The files are older than the cache's racy window (2s) from here:
		// a recently modified makefile or directory is checked by content
		// or listed again, which is not what a no-op usually meets.
		old := time.Now().Add(-time.Minute)
		filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
			if err == nil {
				os.Chtimes(p, old, old)
			}
			return nil
		})
		if out, _ := runToolEnv(b, dir, env, dmake); !strings.Contains(out, "Nothing to be done") {
			b.Fatalf("second run not a no-op: %s", out)
		}
		b.Run(fmt.Sprintf("N=%d/noop/dmake-cold", n), func(b *testing.B) {
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				os.RemoveAll(cache)
				b.StartTimer()
				_, c := runToolEnv(b, dir, env, dmake, "-s")
				cpu += c
			}
			cpuMetric(b, cpu)
		})
		b.Run(fmt.Sprintf("N=%d/noop/dmake", n), func(b *testing.B) {
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				_, c := runToolEnv(b, dir, env, dmake, "-s")
				cpu += c
			}
			cpuMetric(b, cpu)
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
			b.Run(fmt.Sprintf("N=%d/noop/ninja", n), func(b *testing.B) {
				var cpu time.Duration
				for i := 0; i < b.N; i++ {
					cpu += runTool(b, dir, "ninja")
				}
				cpuMetric(b, cpu)
			})
			// dmake (warm) and ninja in turns, so that both meet the
			// same load of a shared machine: the ratio of their CPU
			// times is the steadier figure.
			b.Run(fmt.Sprintf("N=%d/noop/dmake-per-ninja", n), func(b *testing.B) {
				var cd, cn time.Duration
				for i := 0; i < b.N; i++ {
					_, c := runToolEnv(b, dir, env, dmake, "-s")
					cd += c
					cn += runTool(b, dir, "ninja")
				}
				b.ReportMetric(float64(cd)/float64(cn), "cpu-ratio")
			})
		}
	}
}
