package executor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dmake-dev/dmake/makefile"
)

// maxRestarts bounds how often the makefiles are read again after being
// remade (make would loop forever on a makefile that is always remade).
const maxRestarts = 10

// LoadMakefiles reads the makefiles of cfg as make does: it loads them,
// remakes the makefiles and the missing included files that have rules
// (RemakeMakefiles, with opts for the recipes' output, jobs and
// middlewares; opts.Goals is ignored), and reads them again when one was
// remade. Errors are printed on cfg.Stderr in make's words with
// cfg.ProgramName; a nil database comes with make's exit status.
func LoadMakefiles(ctx context.Context, cfg makefile.Config, opts Options) (*makefile.Database, int) {
	prog := cfg.ProgramName
	if prog == "" {
		prog = "make"
	}
	for restarts := 0; ; restarts++ {
		db, err := makefile.Load(ctx, cfg)
		var mie *makefile.MissingIncludeError
		var me *makefile.Error
		switch {
		case err == nil:
		case errors.As(err, &mie):
			db = mie.DB
		case errors.As(err, &me):
			if !me.Printed && cfg.Stderr != nil {
				fmt.Fprintln(cfg.Stderr, me.Format(prog))
			}
			return nil, StatusError
		default:
			if cfg.Stderr != nil {
				fmt.Fprintf(cfg.Stderr, "%s: %v\n", prog, err)
			}
			return nil, StatusError
		}
		missing := append([]string(nil), db.MissingIncludes...)
		if mie != nil {
			missing = append(missing, mie.Files...)
		}
		remade := false
		if restarts < maxRestarts {
			var st int
			remade, st, err = RemakeMakefiles(ctx, db, missing, opts)
			if err != nil && ctx.Err() != nil {
				return nil, StatusInterrupted
			}
			if st != 0 {
				return nil, st
			}
		}
		if remade {
			// make re-executes itself with MAKE_RESTARTS counting the
			// restarts.
			env := make([]string, 0, len(cfg.Env)+1)
			for _, kv := range cfg.Env {
				if !strings.HasPrefix(kv, "MAKE_RESTARTS=") {
					env = append(env, kv)
				}
			}
			cfg.Env = append(env, "MAKE_RESTARTS="+strconv.Itoa(restarts+1))
			continue
		}
		if mie != nil {
			if cfg.Stderr != nil {
				fmt.Fprintln(cfg.Stderr, mie.Notice)
				fmt.Fprintln(cfg.Stderr, mie.Err.Format(prog))
			}
			return nil, StatusError
		}
		return db, StatusOK
	}
}
