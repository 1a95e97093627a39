package watch

import (
	"sort"
	"time"
)

// Kind says how a watched file changed between two debounced looks.
type Kind int

// The kinds of change. A file whose content and executable bits are the same
// as at the last look has not changed, whatever events it produced.
const (
	Created  Kind = iota + 1 // the file did not exist (or was not an input) and now does
	Modified                 // the content changed
	Removed                  // the file is gone (or is no longer a regular file)
	Mode                     // only the executable bits changed
)

var kindNames = [...]string{Created: "created", Modified: "modified", Removed: "removed", Mode: "mode"}

// String returns the lower-case name of k, as in the JSON events.
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// A Change is one changed input file.
type Change struct {
	Path string // absolute, cleaned
	Kind Kind
}

// A Batch is the debounced set of changes the loop rebuilds for.
type Batch struct {
	Changes []Change // sorted by path, one per path
	// Reparse reports that the Makefiles must be read again: a Makefile or
	// included .mk file changed, or a file started or stopped matching a
	// wildcard include. Otherwise only files the plan reads (scripts,
	// component files) changed and the plan still holds.
	Reparse bool
	// Images are the images the changes affect plus the images built FROM
	// them, in dependency order (see Order). When Reparse is set, they are
	// what the old plan says; the caller re-plans.
	Images []string
	// First and Last are when the first and last file event of the batch
	// arrived; Ready is when the debounce ran out.
	First, Last, Ready time.Time
}

// Paths returns the changed paths, sorted.
func (b *Batch) Paths() []string {
	out := make([]string, len(b.Changes))
	for i, c := range b.Changes {
		out[i] = c.Path
	}
	return out
}

// Merge adds o's changes to b (a later kind replaces an earlier one, except
// that a file created and then modified stays Created) and widens the times.
// Reparse and Images are or-ed and united; call Classify to recompute them
// against the current inputs.
func (b *Batch) Merge(o Batch) {
	kinds := map[string]Kind{}
	for _, c := range b.Changes {
		kinds[c.Path] = c.Kind
	}
	for _, c := range o.Changes {
		if old, ok := kinds[c.Path]; ok && old == Created && c.Kind != Removed {
			continue
		}
		kinds[c.Path] = c.Kind
	}
	b.Changes = b.Changes[:0]
	for p, k := range kinds {
		b.Changes = append(b.Changes, Change{Path: p, Kind: k})
	}
	sortChanges(b.Changes)
	b.Reparse = b.Reparse || o.Reparse
	seen := map[string]bool{}
	for _, im := range b.Images {
		seen[im] = true
	}
	for _, im := range o.Images {
		if !seen[im] {
			b.Images = append(b.Images, im)
			seen[im] = true
		}
	}
	if b.First.IsZero() || (!o.First.IsZero() && o.First.Before(b.First)) {
		b.First = o.First
	}
	if o.Last.After(b.Last) {
		b.Last = o.Last
	}
	if o.Ready.After(b.Ready) {
		b.Ready = o.Ready
	}
}

func sortChanges(cs []Change) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].Path < cs[j].Path })
}
