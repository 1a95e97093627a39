package driver

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dmake-dev/dmake/jobserver"
	"github.com/dmake-dev/dmake/makefile"
)

// jobSlots is what a run settled on for -j: the -j MAKEFLAGS shows and the
// jobserver its recipes share with recursive sub-makes, if any.
type jobSlots struct {
	jobs makefile.Jobs
	js   *jobserver.Jobserver
	// fixed says -j was given on the command line: a makefile's
	// MAKEFLAGS cannot change it.
	fixed bool
	// inherited says the slots are a parent make's: a makefile's -jN
	// replaces them, with make's warning.
	inherited bool
}

// auth is the --jobserver-auth of MAKEFLAGS.
func (s *jobSlots) auth() string {
	if s.js == nil {
		return ""
	}
	return s.js.Auth()
}

// close closes the jobserver.
func (s *jobSlots) close() {
	if s.js != nil {
		s.js.Close()
		s.js = nil
	}
}

// envMakeflags is MAKEFLAGS of env.
func envMakeflags(env []string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], "MAKEFLAGS="); ok {
			return v
		}
	}
	return ""
}

// setupJobs decides the job slots of a run before its makefiles are read,
// as make 4.3 does: a jobserver named in the environment's MAKEFLAGS is
// used unless the command line gives -j (make then warns and starts its
// own); otherwise -jN of the command line, else of MAKEFLAGS, above one
// creates a jobserver of N slots. Warnings go to stderr under prog.
func setupJobs(opts Options, env []string, prog string, stderr io.Writer) jobSlots {
	cmd := opts.Jobs
	envFlags := makefile.DecodeMakeflags(envMakeflags(env))
	s := jobSlots{jobs: cmd, fixed: cmd.Given()}
	if envFlags.JobserverAuth != "" {
		if !cmd.Given() {
			js, err := jobserver.Open(envFlags.JobserverAuth)
			switch {
			case err == nil:
				return jobSlots{jobs: envFlags.Jobs, js: js, inherited: true}
			case errors.Is(err, jobserver.ErrUnavailable):
				fmt.Fprintf(stderr, "%s: warning: jobserver unavailable: using -j1.  Add '+' to parent make rule.\n", prog)
			default:
				fmt.Fprintf(stderr, "%s: warning: %v: using -j1\n", prog, err)
			}
			return jobSlots{jobs: 1, inherited: true}
		}
		fmt.Fprintf(stderr, "%s: warning: -j%d forced in submake: resetting jobserver mode.\n", prog, cmd.Slots())
	}
	if !cmd.Given() {
		s.jobs = envFlags.Jobs
	}
	s.create(prog, stderr)
	return s
}

// create makes a jobserver when s.jobs asks for more than one slot.
func (s *jobSlots) create(prog string, stderr io.Writer) {
	if s.jobs <= 1 {
		return
	}
	js, err := jobserver.Create(int(s.jobs))
	if err != nil {
		fmt.Fprintf(stderr, "%s: warning: %v: using -j1\n", prog, err)
		return
	}
	s.js = js
}

// afterLoad applies a makefile's "MAKEFLAGS += -jN" when neither the
// command line nor a parent make decided the slots, and records the
// outcome in the database's MAKEFLAGS.
func (s *jobSlots) afterLoad(db *makefile.Database, prog string, stderr io.Writer) {
	if !s.fixed && db.Flags.Jobs != s.jobs {
		if s.inherited {
			fmt.Fprintf(stderr, "%s: warning: -j%d forced in makefile: resetting jobserver mode.\n", prog, db.Flags.Jobs.Slots())
			s.inherited = false
		}
		s.close()
		s.jobs = db.Flags.Jobs
		s.create(prog, stderr)
	}
	db.SetJobs(s.jobs, s.auth())
}
