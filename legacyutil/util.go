// Package legacyutil holds dmake's built-in replacements for the legacy bin/
// utilities (build, make, clean, purge, killall, stopall, run-bash, ssh,
// enter, enter-bash). Each is reached as "dmake --util NAME ARGS…" or by
// invoking dmake through a link named like the utility.
//
// Every utility talks to the Docker engine through its API (the engine that
// DOCKER_HOST names, the local socket by default), never the docker CLI, and
// exits with a status a script can rely on:
//
//	0    done
//	1    the operation failed: an object could not be removed, stopped or
//	     killed, or a container or image name is unknown or ambiguous
//	2    usage error (unknown flag, missing argument)
//	125  no engine answers, or the engine failed a request that is not
//	     about one object (listing, creating a container), as docker run
//
// enter, enter-bash, run-bash and ssh exit with their command's own status
// once it ran (ssh with the ssh client's, 255 for a connection failure;
// enter with the engine's 126 for a command it cannot start), and with 130
// when interrupted; build and make with make's.
package legacyutil

import (
	"context"
	"sort"

	"github.com/dmake-dev/dmake/internal/stdio"
)

// Stdio is the standard streams a utility talks to.
type Stdio = stdio.Streams

// A Utility is one built-in command. Main receives the arguments after the
// utility's name and returns the process exit status.
type Utility struct {
	Name    string
	Summary string
	Main    func(ctx context.Context, stdio Stdio, args []string) int
}

// Set is a collection of utilities by name. The zero value is empty.
type Set map[string]Utility

// Add registers u in s, replacing any utility of the same name.
func (s Set) Add(u Utility) { s[u.Name] = u }

// Lookup returns the utility called name.
func (s Set) Lookup(name string) (Utility, bool) {
	u, ok := s[name]
	return u, ok
}

// Names returns the names of the utilities in s, sorted.
func (s Set) Names() []string {
	names := make([]string, 0, len(s))
	for n := range s {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Default returns the set of all built-in utilities, with no hooks: build
// and make fail, saying they have no make to run. See New.
func Default() Set {
	return New(Hooks{})
}

// New returns the set of all built-in utilities, lending them hooks.
func New(h Hooks) Set {
	s := Set{}
	for _, u := range []Utility{
		buildUtility(h),
		makeUtility(h),
		cleanUtility(),
		purgeUtility(),
		stopallUtility(),
		killallUtility(),
		runBashUtility(),
		enterUtility(),
		enterBashUtility(),
		sshUtility(),
		installLinksUtility(),
	} {
		s.Add(u)
	}
	return s
}

// Hooks are what the rest of dmake lends the utilities.
type Hooks struct {
	// Make runs dmake's make as "make -C req.Dir req.Args…" would and
	// returns its exit status; build and make call it. When nil they
	// fail, saying they have no make to run.
	Make func(ctx context.Context, stdio Stdio, req MakeRequest) int
}

// MakeRequest is one make run that build or make asks for.
type MakeRequest struct {
	// Home is the legacy repository's root (DOCKER_HOME).
	Home string
	// Dir is the image's directory, Home/images/IMAGE: make runs there.
	Dir string
	// Args are the goals and VAR=value words, in order ("build", or the
	// user's TARGET and assignments).
	Args []string
}
