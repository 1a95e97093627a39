package maketest

import (
	"context"
	"fmt"
	"io"

	"github.com/dmake-dev/dmake/executor"
	"github.com/dmake-dev/dmake/makefile"
)

// Exec is the dmake Runner of the whole make pipeline: the makefile
// package reads the makefiles, the graph and the executor make the goals
// (implicit rules, timestamps, -j, -k, -n, -q, -t, -O…), recipes run
// in-process through shellrun. Messages carry the program name "dmake".
func Exec(ctx context.Context, dir string, args, env []string, stdout, stderr io.Writer) int {
	const prog = "dmake"
	inv := ParseArgs(dir, args)
	if inv.Err != "" {
		fmt.Fprintf(stderr, "%s: %s\n", prog, inv.Err)
		return 2
	}
	cfg := inv.Config
	cfg.Env = env
	cfg.ProgramName = prog
	cfg.MakePath = "/usr/bin/" + prog
	cfg.Stdout = stdout
	cfg.Stderr = stderr
	cfg.Shell = ShellCapture
	// make remakes its makefiles (and missing includes) first, and reads
	// them again when it did.
	db, st := executor.LoadMakefiles(ctx, cfg, execOptions(cfg, nil, inv, stdout, stderr))
	if db == nil {
		return st
	}
	if cfg.Flags.PrintDatabase {
		db.PrintDatabase(stdout)
	}
	status, _ := executor.Run(ctx, db, nil, execOptions(cfg, db, inv, stdout, stderr))
	return status
}

// execOptions are the executor options of a run: the effective flags (the
// command line's, MAKEFLAGS from the environment and as the makefiles left
// it).
func execOptions(cfg makefile.Config, db *makefile.Database, inv Invocation, stdout, stderr io.Writer) executor.Options {
	const prog = "dmake"
	f := cfg.Flags
	if db != nil {
		f = db.Flags
	}
	jobs := f.Jobs
	if jobs == 0 {
		jobs = 1
	}
	return executor.Options{
		Goals:        cfg.Goals,
		Dir:          cfg.Dir,
		Jobs:         jobs,
		KeepGoing:    f.KeepGoing,
		DryRun:       f.DryRun,
		Silent:       f.Silent,
		IgnoreErrors: f.IgnoreErrors,
		Question:     f.Question,
		Touch:        f.Touch,
		AlwaysMake:   f.AlwaysMake,
		OutputSync:   inv.OutputSync,
		WhatIf:       f.WhatIf,
		OldFiles:     f.OldFiles,
		ProgramName:  prog,
		Stdout:       stdout,
		Stderr:       stderr,
		Env:          cfg.Env,
	}
}
