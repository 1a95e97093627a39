package watch

import (
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Inputs is what a plan tells the watcher: which paths to watch and what a
// change to each of them affects. All paths are absolute (relative ones are
// taken from the working directory) and are compared after filepath.Clean.
type Inputs interface {
	// Paths are the files and directories to watch. A directory is watched
	// recursively: every file below it is an input.
	Paths() []string
	// Makefiles are the files whose change means the Makefiles must be
	// read again (Makefiles and included .mk files). They are watched too.
	Makefiles() []string
	// Patterns are the glob patterns (filepath.Match syntax) of wildcard
	// includes: a file that starts or stops matching one, or that changes
	// while it matches, means the Makefiles must be read again. Files that
	// match are watched.
	Patterns() []string
	// Images are every image of the plan.
	Images() []string
	// Affects returns the images whose build reads path.
	Affects(path string) []string
	// From returns the images of the plan that image is built FROM.
	From(image string) []string
}

// Static is an Inputs held in plain fields, for callers that already know
// their inputs and for tests.
type Static struct {
	Watch     []string            // files and directories to watch (Paths)
	Makes     []string            // Makefiles and included .mk files
	Globs     []string            // wildcard include patterns
	ImageIn   map[string][]string // image → the files and directories its build reads
	ImageFrom map[string][]string // image → the images it is built FROM
}

// Paths returns s.Watch.
func (s *Static) Paths() []string { return s.Watch }

// Makefiles returns s.Makes.
func (s *Static) Makefiles() []string { return s.Makes }

// Patterns returns s.Globs.
func (s *Static) Patterns() []string { return s.Globs }

// Images returns the images named in s.ImageIn and s.ImageFrom, sorted.
func (s *Static) Images() []string {
	set := map[string]bool{}
	for im := range s.ImageIn {
		set[im] = true
	}
	for im, from := range s.ImageFrom {
		set[im] = true
		for _, f := range from {
			set[f] = true
		}
	}
	return sortedKeys(set)
}

// Affects returns the images that list path, or a directory above it, in
// s.ImageIn, sorted.
func (s *Static) Affects(path string) []string {
	path = absClean(path)
	var out []string
	for im, ins := range s.ImageIn {
		for _, in := range ins {
			if within(path, absClean(in)) {
				out = append(out, im)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// From returns s.ImageFrom[image].
func (s *Static) From(image string) []string { return s.ImageFrom[image] }

// Classify fills in b.Reparse and b.Images from b.Changes: Reparse is set
// when a changed path is one of in.Makefiles() or matches one of
// in.Patterns(); Images are the images in.Affects names for the changed
// paths, plus every image built FROM one of them (directly or not), in
// dependency order (an image after the images it is built FROM, ties by
// name).
func Classify(in Inputs, b *Batch) {
	b.Reparse = false
	b.Images = nil
	if in == nil {
		return
	}
	makes := map[string]bool{}
	for _, m := range in.Makefiles() {
		makes[absClean(m)] = true
	}
	var pats []string
	for _, p := range in.Patterns() {
		pats = append(pats, absClean(p))
	}
	affected := map[string]bool{}
	for _, c := range b.Changes {
		if makes[c.Path] || matchAny(pats, c.Path) {
			b.Reparse = true
		}
		for _, im := range in.Affects(c.Path) {
			affected[im] = true
		}
	}
	b.Images = Order(in, affected)
}

// Order returns the images of set plus every image of the plan built FROM
// one of them, directly or not, in dependency order: each image after the
// images of the result it is built FROM; among images free to go next, the
// smallest name goes first. Images caught in a FROM cycle come last, by
// name.
func Order(in Inputs, set map[string]bool) []string {
	if len(set) == 0 {
		return nil
	}
	all := in.Images()
	want := map[string]bool{}
	for im := range set {
		want[im] = true
	}
	// Close over dependents.
	for changed := true; changed; {
		changed = false
		for _, im := range all {
			if want[im] {
				continue
			}
			for _, f := range in.From(im) {
				if want[f] {
					want[im] = true
					changed = true
					break
				}
			}
		}
	}
	// Kahn's algorithm restricted to want.
	indeg := map[string]int{}
	children := map[string][]string{}
	for im := range want {
		indeg[im] += 0
		for _, f := range in.From(im) {
			if want[f] && f != im {
				indeg[im]++
				children[f] = append(children[f], im)
			}
		}
	}
	var ready, out []string
	for im, n := range indeg {
		if n == 0 {
			ready = append(ready, im)
		}
	}
	for len(ready) > 0 {
		sort.Strings(ready)
		im := ready[0]
		ready = ready[1:]
		out = append(out, im)
		for _, c := range children[im] {
			indeg[c]--
			if indeg[c] == 0 {
				ready = append(ready, c)
			}
		}
	}
	if len(out) < len(want) {
		var rest []string
		for im := range want {
			if !slices.Contains(out, im) {
				rest = append(rest, im)
			}
		}
		sort.Strings(rest)
		out = append(out, rest...)
	}
	return out
}

// absClean returns p made absolute and cleaned; if the working directory
// cannot be read, p is only cleaned.
func absClean(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// within reports whether path is dir or lies below it.
func within(path, dir string) bool {
	if path == dir {
		return true
	}
	if dir == string(filepath.Separator) {
		return strings.HasPrefix(path, dir)
	}
	return strings.HasPrefix(path, dir+string(filepath.Separator))
}

// matchAny reports whether path matches one of the patterns.
func matchAny(pats []string, path string) bool {
	for _, p := range pats {
		if ok, _ := filepath.Match(p, path); ok {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
