package maketest

import (
	"context"
	"fmt"
	"io"

	"github.com/dmake-dev/dmake/driver"
)

// Exec is the dmake Runner of the whole make pipeline, in-process: the
// driver, as the dmake command runs it (the makefile package reads the
// makefiles, the graph and the executor make the goals, recipes run
// through shellrun with the symlinker in front). Messages carry the
// program name "dmake"; $(MAKE) is /usr/bin/dmake.
func Exec(ctx context.Context, dir string, args, env []string, stdout, stderr io.Writer) int {
	return execWith(ctx, dir, args, env, stdout, stderr, nil)
}

// ExecCached is Exec with the cache of loaded makefiles in cacheDir, its
// log (a line per lookup and store: "dmake: load cache: hit"…) going to
// log.
func ExecCached(cacheDir string, log io.Writer) Runner {
	return func(ctx context.Context, dir string, args, env []string, stdout, stderr io.Writer) int {
		return execWith(ctx, dir, args, env, stdout, stderr, func(o *driver.Options) {
			o.LoadCache = cacheDir
			o.LoadCacheLog = log
		})
	}
}

func execWith(ctx context.Context, dir string, args, env []string, stdout, stderr io.Writer, tweak func(*driver.Options)) int {
	inv := ParseArgs(dir, args)
	if inv.Err != "" {
		fmt.Fprintf(stderr, "dmake: %s\n", inv.Err)
		return 2
	}
	cfg := inv.Config
	f := cfg.Flags
	opts := driver.Options{
		Argv:             append([]string{"/usr/bin/dmake"}, args...),
		WorkDir:          dir,
		Dir:              inv.Chdirs,
		Env:              env,
		MakePath:         "/usr/bin/dmake",
		Makefiles:        cfg.Makefiles,
		IncludeDirs:      cfg.IncludeDirs,
		DryRun:           f.DryRun,
		Jobs:             f.Jobs,
		KeepGoing:        f.KeepGoing,
		AlwaysMake:       f.AlwaysMake,
		Silent:           f.Silent,
		Question:         f.Question,
		IgnoreErrors:     f.IgnoreErrors,
		EnvOverrides:     f.EnvOverrides,
		Touch:            f.Touch,
		PrintDatabase:    f.PrintDatabase,
		NoBuiltinRules:   f.NoBuiltinRules,
		NoBuiltinVars:    f.NoBuiltinVars,
		OutputSync:       inv.OutputSync,
		WhatIf:           f.WhatIf,
		OldFiles:         f.OldFiles,
		PrintDirectory:   f.PrintDirectory,
		NoPrintDirectory: f.NoPrintDir,
		Debug:            f.Debug,
		DebugFlags:       f.DebugFlags,
		LoadAverage:      f.LoadAverage,
		CheckSymlinks:    f.CheckSymlinks,
		Trace:            f.Trace,
		WarnUndefined:    f.WarnUndefined,
		Eval:             f.Eval,
		Variables:        cfg.CommandLineVars,
		Goals:            cfg.Goals,
	}
	if tweak != nil {
		tweak(&opts)
	}
	return driver.Run(ctx, opts, driver.Stdio{In: nil, Out: stdout, Err: stderr})
}
