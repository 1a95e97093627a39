package sandbox

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/dmake-dev/dmake/shellrun/sandbox/debindex"
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
	// IndexFile is the command index of the base's apt sources
	// (debindex's file: which packages ship each command, from the
	// mirror's Contents files, and which packages apt installs with each
	// package), read by the sandbox before it gives up the file system;
	// empty when it could not be had, and then a command that a package
	// installed earlier may ship is "unknown", never "not found".
	IndexFile string
	// index is IndexFile read (loadIndexes).
	index *debindex.Index
}

// loadIndexes reads the command index of the package sets of imgs and of
// their parents, each file once. A set whose index cannot be read is left
// without one (IndexFile emptied: no later attempt), and the first such
// error is returned.
func loadIndexes(imgs []Image) error {
	read := map[string]*debindex.Index{}
	load := func(p *Packages) error {
		if p == nil || p.IndexFile == "" || p.index != nil {
			return nil
		}
		if idx := read[p.IndexFile]; idx != nil {
			p.index = idx
			return nil
		}
		f, err := os.Open(p.IndexFile)
		if err != nil {
			return fmt.Errorf("command index of %s: %w", p.Base, err)
		}
		defer f.Close()
		idx, err := debindex.Map(f) // in the child, which ends after its dry runs
		if err != nil {
			return fmt.Errorf("command index of %s: %s: %w", p.Base, p.IndexFile, err)
		}
		read[p.IndexFile], p.index = idx, idx
		return nil
	}
	var first error
	for i := range imgs {
		for img := &imgs[i]; img != nil; img = img.Parent {
			if err := load(img.Packages); err != nil {
				img.Packages.IndexFile = ""
				if first == nil {
					first = err
				}
			}
		}
	}
	return first
}

// The verdicts of the command index on a command not found along $PATH.
const (
	cmdUnindexed = iota // no index, or no package of the lists ships it
	cmdPresent          // a package installed (or installed with one) ships it
	cmdMissing          // packages ship it, none of them installed
)

// indexedCommand judges command name, which is not along $PATH in the
// virtual FS, by the command index: present when a package installed in
// the base or by an earlier step (with what apt installs with it) ships it
// or may make it an alternative, the packages named; missing when only
// packages not installed ship it, the packages named; else unindexed.
func (d *dryRun) indexedCommand(name string) (verdict int, pkgs []string) {
	if d.pkgs == nil || d.pkgs.index == nil || strings.Contains(name, "/") {
		return cmdUnindexed, nil
	}
	idx := d.pkgs.index
	ships, alts := idx.Commands(name), idx.Alternatives(name)
	if len(ships) == 0 && len(alts) == 0 {
		return cmdUnindexed, nil
	}
	have := d.installedClosure()
	for _, list := range [][]string{ships, alts} {
		for _, p := range list {
			if have[p] {
				return cmdPresent, []string{p}
			}
		}
	}
	if len(ships) == 0 {
		return cmdUnindexed, nil
	}
	// The package named like the command first (sudo before
	// sudo-ldap).
	ships = append([]string(nil), ships...)
	sort.SliceStable(ships, func(i, j int) bool { return ships[i] == name && ships[j] != name })
	return cmdMissing, ships
}

// indexedPresent says the command index has command name installed.
func (d *dryRun) indexedPresent(name string) bool {
	v, _ := d.indexedCommand(name)
	return v == cmdPresent
}

// indexedAny says a package of the command index ships command name
// (so it is no misspelling).
func (d *dryRun) indexedAny(name string) bool {
	return d.pkgs != nil && d.pkgs.index != nil && len(d.pkgs.index.Commands(name)) > 0
}

// installedClosure is the set of packages installed: the base's (its
// dpkg status says which: its packages' dependencies, not what they
// recommend) and those apt-get install named so far, with what apt
// installs with them by the command index (their dependencies, and what
// they recommend unless the install said --no-install-recommends; of
// alternatives, one already there or the first; of a virtual package, all
// its providers). It is computed again only when the installs changed.
func (d *dryRun) installedClosure() map[string]bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closure != nil && d.closureGen == d.installedGen {
		return d.closure
	}
	base := make([]string, 0, len(d.pkgs.Installed))
	for p := range d.pkgs.Installed {
		base = append(base, p)
	}
	var plain, rec []string
	for p := range d.installed {
		if d.recommended[p] {
			rec = append(rec, p)
		} else {
			plain = append(plain, p)
		}
	}
	have := closure(d.pkgs.index, nil, base, false)
	have = closure(d.pkgs.index, have, rec, true)
	have = closure(d.pkgs.index, have, plain, false)
	d.closure, d.closureGen = have, d.installedGen
	return have
}

// closure returns the packages of have (which it does not change) and
// roots with what apt installs with them by idx (their dependencies and,
// with recommends, what they recommend, transitively): of a group of
// alternatives, nothing when one is there (or provided by one there),
// else the first; of a virtual package, all its providers (unless one is
// there): which one apt takes is not known, and a command is judged
// present if any of them has it.
func closure(idx *debindex.Index, have map[string]bool, roots []string, recommends bool) map[string]bool {
	out := make(map[string]bool, len(have)+len(roots))
	for p := range have {
		out[p] = true
	}
	var queue []string
	push := func(p string) {
		if !out[p] {
			out[p] = true
			queue = append(queue, p)
		}
	}
	for _, p := range roots {
		push(p)
	}
	there := func(a string) bool {
		return out[a] || slices.ContainsFunc(idx.Providers(a), func(p string) bool { return out[p] })
	}
	for len(queue) > 0 {
		p := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		deps, _ := idx.Depends(p)
		if recommends {
			deps = append(deps, idx.Recommends(p)...)
		}
		if provs := idx.Providers(p); len(deps) == 0 && len(provs) > 0 && !slices.ContainsFunc(provs, func(q string) bool { return out[q] && q != p }) {
			for _, q := range provs {
				push(q)
			}
		}
		for _, g := range deps {
			if alts := strings.Split(g, "|"); !slices.ContainsFunc(alts, there) {
				push(alts[0])
			}
		}
	}
	return out
}

// aptWouldAsk says whether apt-get install of names, without -y, would
// ask before it installs other packages than those named (their
// dependencies and recommendations not yet installed): in a build, with
// no terminal, it then aborts. It returns some of those packages, none
// when it would not ask or cannot tell (no command index).
func (d *dryRun) aptWouldAsk(names []string) []string {
	if d.pkgs == nil || d.pkgs.index == nil {
		return nil
	}
	have := d.installedClosure()
	named := map[string]bool{}
	for _, n := range names {
		named[n] = true
	}
	var extra []string
	for p := range closure(d.pkgs.index, have, names, true) {
		if !have[p] && !named[p] {
			if _, known := d.pkgs.index.Depends(p); known {
				extra = append(extra, p)
			}
		}
	}
	sort.Strings(extra)
	return extra
}

// uncertainCommands are the packages installed earlier whose commands
// are unknown: those whose files the models do not know, less those the
// command index knows.
func (d *dryRun) uncertainCommands() []string {
	d.mu.Lock()
	unc := append([]string(nil), d.uncertain...)
	d.mu.Unlock()
	if d.pkgs == nil || d.pkgs.index == nil {
		return unc
	}
	var out []string
	for _, p := range unc {
		if _, known := d.pkgs.index.Depends(p); !known {
			out = append(out, p)
		}
	}
	return out
}

// missingPackages says which packages ship a command none of them
// installed: "package sudo" or "package sudo or sudo-ldap".
func missingPackages(pkgs []string) string {
	if len(pkgs) > 3 {
		pkgs = append(pkgs[:3:3], "…")
	}
	return "package " + strings.Join(pkgs, " or ")
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
