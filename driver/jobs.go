package driver

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dmake-dev/dmake/jobserver"
	"github.com/dmake-dev/dmake/makefile"
)

// jobSlots is what a run settled on for -j: the number MAKEFLAGS shows
// (0: none given, -1: -j without a number) and the jobserver its recipes
// share with recursive sub-makes, if any.
type jobSlots struct {
	jobs int
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

// commandLineJobs is -j of the command line in makefile.Flags' terms: 0
// when not given, -1 without a number.
func commandLineJobs(opts Options) int {
	switch {
	case opts.Jobs == 0:
		return -1
	case opts.Jobs == 1 && !opts.JobsSet:
		return 0
	}
	return opts.Jobs
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
	cmd := commandLineJobs(opts)
	envFlags := makefile.DecodeMakeflags(envMakeflags(env))
	s := jobSlots{jobs: cmd, fixed: cmd != 0}
	if envFlags.JobserverAuth != "" {
		if cmd == 0 {
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
		n := cmd
		if n < 0 {
			n = 0
		}
		fmt.Fprintf(stderr, "%s: warning: -j%d forced in submake: resetting jobserver mode.\n", prog, n)
	}
	if cmd == 0 {
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
	js, err := jobserver.Create(s.jobs)
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
			n := max(db.Flags.Jobs, 0)
			fmt.Fprintf(stderr, "%s: warning: -j%d forced in makefile: resetting jobserver mode.\n", prog, n)
			s.inherited = false
		}
		s.close()
		s.jobs = db.Flags.Jobs
		s.create(prog, stderr)
	}
	db.SetJobs(s.jobs, s.auth())
}
