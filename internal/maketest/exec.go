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
	var db *makefile.Database
	// make remakes its makefiles (and missing includes) first, and reads
	// them again when it did.
	for restarts := 0; ; restarts++ {
		d, err := makefile.Load(ctx, cfg)
		var mie *makefile.MissingIncludeError
		switch e := err.(type) {
		case nil:
		case *makefile.MissingIncludeError:
			mie = e
			d = e.DB
		case *makefile.Error:
			fmt.Fprintln(stderr, e.Format(prog))
			return 2
		default:
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			return 2
		}
		missing := append([]string(nil), d.MissingIncludes...)
		if mie != nil {
			missing = append(missing, mie.Files...)
		}
		remade := false
		if restarts < 10 {
			var st int
			remade, st, _ = executor.RemakeMakefiles(ctx, d, missing, execOptions(cfg, d, inv, stdout, stderr))
			if st != 0 {
				return st
			}
		}
		if remade {
			continue
		}
		if mie != nil {
			fmt.Fprintln(stderr, mie.Notice)
			fmt.Fprintln(stderr, mie.Err.Format(prog))
			return 2
		}
		db = d
		break
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
	f := db.Flags
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
