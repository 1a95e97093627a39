// Package util holds dmake's built-in replacements for the legacy bin/
// utilities (build, make, clean, purge, killall, stopall, run-bash, ssh,
// enter, enter-bash). Each is reached as "dmake --util NAME ARGS…" or by
// invoking dmake through a link named like the utility.
package util

import (
	"context"
	"io"
	"sort"
)

// Stdio is the standard streams a utility talks to.
type Stdio struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

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

// Default returns the set of all built-in utilities.
func Default() Set {
	return Set{}
}
