package sandbox

import (
	"sort"
	"strings"
)

// Packages is what the package manager of an image's base knows: the
// packages it can install (its apt lists, virtual packages included) and
// those installed (its dpkg status). The driver reads them from the base
// image through the engine (package rootfs) and hands them over; nil in an
// Image means unknown, and then no package name is judged.
type Packages struct {
	// Base names the image the set was read from, for messages.
	Base string
	// Available are the names apt can install: packages and the virtual
	// packages they provide.
	Available map[string]bool
	// Installed are the packages installed in the base.
	Installed map[string]bool
	// Updated says the lists were fetched by dmake (apt-get update in a
	// throwaway container of the base) because the base has none: a
	// script must run apt-get update before it installs.
	Updated bool
}

// checkInstall judges the packages an apt-get install names against the
// base's package set: it returns the names apt cannot locate, or none when
// the set is unknown or the script changed the apt sources (a repository
// added: its packages are not known offline).
func (d *dryRun) checkInstall(names []string) (missing []string, sourcesChanged bool) {
	p := d.pkgs
	if p == nil {
		return nil, false
	}
	for _, n := range names {
		if n == "" || strings.ContainsAny(n, "*?[]^$") || strings.HasSuffix(n, ".deb") || strings.Contains(n, "/") {
			continue // a pattern, a file or a release: not a plain name
		}
		n = strings.TrimRight(n, "+-") // apt-get install pkg- removes it
		if p.Available[n] || p.Installed[n] {
			continue
		}
		missing = append(missing, n)
	}
	if len(missing) > 0 && d.vfs.changedUnder("/etc/apt/") {
		return missing, true
	}
	sort.Strings(missing)
	return missing, false
}
