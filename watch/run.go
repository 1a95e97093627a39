package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Policy says what a change arriving during a rebuild does to it.
type Policy int

const (
	// Cancel cancels the running rebuild's context; once Rebuild has
	// returned, the next one starts with the cancelled batch's changes and
	// the new ones.
	Cancel Policy = iota
	// Finish lets the running rebuild finish, then runs exactly one more
	// for every change that arrived meanwhile.
	Finish
)

// String returns "cancel" or "finish".
func (p Policy) String() string {
	if p == Finish {
		return "finish"
	}
	return "cancel"
}

// ParsePolicy parses "cancel" or "finish" (the --watch-policy values); ""
// means Cancel.
func ParsePolicy(s string) (Policy, error) {
	switch s {
	case "", "cancel":
		return Cancel, nil
	case "finish":
		return Finish, nil
	}
	return Cancel, fmt.Errorf("watch policy %q: want cancel or finish", s)
}

// Config is what Run needs.
type Config struct {
	// Inputs is the initial watch set.
	Inputs Inputs
	// Debounce, Clock and Exclude are as in Options.
	Debounce time.Duration
	Clock    Clock
	Exclude  []string
	// Policy says what a change during a rebuild does.
	Policy Policy
	// Since, if set, is when the caller last read the inputs (before the
	// build that precedes the watch): the inputs modified since then, and
	// so before the watch began, are the first batch. A save during that
	// first build is not lost.
	Since time.Time
	// Replan, if set, is called before Rebuild for a batch with Reparse
	// set. It returns the new plan's Inputs (nil keeps the old ones); the
	// watch set follows them and the batch is classified again against
	// them (Reparse stays set). The images the old plan said the changes
	// affect stay affected when the new plan still has them: a removed
	// included makefile changes the images that read it, though the new
	// plan no longer lists it. An error skips Rebuild and is reported like
	// a rebuild error; the next batch is then re-planned whatever changed.
	Replan func(ctx context.Context, b Batch) (Inputs, error)
	// Rebuild rebuilds what b affects. It must return soon after ctx is
	// cancelled. An error is reported through OnEvent and the loop goes on:
	// the batch's changes are added to the next batch, so the next change
	// retries them.
	Rebuild func(ctx context.Context, b Batch) error
	// Learn, if set, is called after every Rebuild that was not
	// cancelled, failed or not, and returns the inputs that rebuild found
	// (nil keeps the current ones); the watch set follows them. It is for
	// callers that learn their inputs by building: a plain make run reads
	// its makefiles and sends its docker builds' contexts as it goes.
	Learn func() Inputs
	// OnEvent, if set, receives every Event, one at a time.
	OnEvent func(Event)

	hooks *hooks // tests only
}

type result struct {
	b      Batch
	in     Inputs // new inputs from Replan, or nil
	err    error
	stage  string
	cycle  int
	start  time.Time
	byNews bool // cancelled because of a newer batch
}

// Run watches cfg.Inputs and calls cfg.Rebuild for each batch of changes
// until ctx is cancelled; then it cancels a running rebuild, waits for it to
// return and returns nil. Errors from Replan and Rebuild never end the loop;
// Run returns an error only when watching cannot start.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Rebuild == nil {
		return errors.New("watch: Config.Rebuild is nil")
	}
	w, err := New(cfg.Inputs, Options{Debounce: cfg.Debounce, Clock: cfg.Clock, Exclude: cfg.Exclude, hooks: cfg.hooks})
	if err != nil {
		return err
	}
	defer w.Close()
	clock := w.clock

	var emitMu sync.Mutex
	emit := func(e Event) {
		if cfg.OnEvent == nil {
			return
		}
		emitMu.Lock()
		defer emitMu.Unlock()
		cfg.OnEvent(e)
	}
	// The inputs saved since cfg.Since, looked at once the watcher is
	// live (so no save falls between) and before it says it watches (so a
	// save after that is a change the watcher sees).
	var first *Batch
	if !cfg.Since.IsZero() {
		if b, ok := changedSince(cfg.Inputs, cfg.Exclude, cfg.Since); ok {
			b.First, b.Last, b.Ready = clock.Now(), clock.Now(), clock.Now()
			first = &b
		}
	}
	st := w.Stats()
	emit(Event{Type: EventStart, TimeNs: clock.Now().UnixNano(), Watches: st.Watches, Files: st.Files, Policy: cfg.Policy.String()})

	var (
		in          = cfg.Inputs
		cycle       int
		running     *result // the running cycle, nil when idle
		cancelBuild context.CancelFunc
		results     = make(chan result, 1)
		pending     *Batch // waiting for the running cycle to end
		retry       *Batch // failed, added to the next batch
		replanAgain bool   // the last Replan failed
	)
	start := func(b Batch) {
		if retry != nil {
			r := *retry
			r.Merge(b)
			b, retry = r, nil
		}
		Classify(in, &b)
		if replanAgain {
			b.Reparse = true
		}
		cycle++
		running = &result{b: b, cycle: cycle, start: clock.Now()}
		emit(batchEvent(EventCycle, running.start, cycle, b))
		var bctx context.Context
		bctx, cancelBuild = context.WithCancel(ctx)
		go func(r result) {
			defer func() { results <- r }()
			if r.b.Reparse && cfg.Replan != nil {
				newIn, err := cfg.Replan(bctx, r.b)
				if err != nil {
					r.err, r.stage = err, "replan"
					return
				}
				if newIn != nil {
					if err := w.SetInputs(newIn); err != nil {
						emit(Event{Type: EventError, TimeNs: clock.Now().UnixNano(), Cycle: r.cycle, Error: err.Error()})
					}
					r.in = newIn
					oldImages := r.b.Images
					Classify(newIn, &r.b)
					r.b.Images = keepImages(newIn, oldImages, r.b.Images)
					r.b.Reparse = true
				}
			}
			emit(batchEvent(EventRebuild, clock.Now(), r.cycle, r.b))
			r.err, r.stage = cfg.Rebuild(bctx, r.b), "rebuild"
			if cfg.Learn != nil && bctx.Err() == nil {
				if newIn := cfg.Learn(); newIn != nil {
					if err := w.SetInputs(newIn); err != nil {
						emit(Event{Type: EventError, TimeNs: clock.Now().UnixNano(), Cycle: r.cycle, Error: err.Error()})
					}
					r.in = newIn
				}
			}
		}(*running)
	}
	finish := func(r result) {
		cancelBuild()
		r.byNews = running.byNews
		running = nil
		canceled := r.err != nil && (r.byNews || ctx.Err() != nil)
		e := batchEvent(EventDone, clock.Now(), r.cycle, r.b)
		e.DurationNs = int64(clock.Now().Sub(r.start))
		e.Canceled = canceled
		if r.err != nil && !canceled {
			e.Error, e.Stage = r.err.Error(), r.stage
		}
		emit(e)
		if r.in != nil {
			in = r.in
		}
		switch {
		case r.err == nil:
			replanAgain = false
		case canceled && pending != nil:
			// Redo the cancelled changes with the new ones.
			b := r.b
			b.Merge(*pending)
			pending = &b
			if r.stage == "replan" {
				replanAgain = true
			}
		default:
			b := r.b
			retry = &b
			if r.stage == "replan" {
				replanAgain = true
			}
		}
	}

	if first != nil {
		start(*first)
	}
	for {
		select {
		case <-ctx.Done():
			if running != nil {
				finish(<-results)
			}
			emit(Event{Type: EventStop, TimeNs: clock.Now().UnixNano()})
			return nil
		case b := <-w.Batches():
			if pending == nil {
				pending = &b
			} else {
				pending.Merge(b)
			}
			if running != nil && cfg.Policy == Cancel {
				running.byNews = true
				cancelBuild()
			}
		case r := <-results:
			finish(r)
		case err := <-w.Errors():
			emit(Event{Type: EventError, TimeNs: clock.Now().UnixNano(), Error: err.Error()})
		}
		if running == nil && pending != nil {
			b := *pending
			pending = nil
			start(b)
		}
	}
}

// keepImages returns the images of now plus those of before that in still
// has, in dependency order.
func keepImages(in Inputs, before, now []string) []string {
	if len(before) == 0 {
		return now
	}
	set := map[string]bool{}
	for _, im := range now {
		set[im] = true
	}
	all := map[string]bool{}
	for _, im := range in.Images() {
		all[im] = true
	}
	for _, im := range before {
		if all[im] {
			set[im] = true
		}
	}
	return Order(in, set)
}

// changedSince returns the batch of the files of in (below its directories
// too, but not below exclude) modified after since.
func changedSince(in Inputs, exclude []string, since time.Time) (Batch, bool) {
	seen := map[string]bool{}
	var b Batch
	excluded := func(p string) bool {
		for _, x := range exclude {
			if p == x || strings.HasPrefix(p, x+string(filepath.Separator)) {
				return true
			}
		}
		return false
	}
	for _, root := range append(in.Paths(), in.Makefiles()...) {
		filepath.WalkDir(filepath.Clean(root), func(p string, d fs.DirEntry, err error) error {
			if err != nil || excluded(p) {
				if d != nil && d.IsDir() && err == nil {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() || seen[p] {
				return nil
			}
			seen[p] = true
			if fi, err := d.Info(); err == nil && fi.ModTime().After(since) {
				b.Changes = append(b.Changes, Change{Path: p, Kind: Modified})
			}
			return nil
		})
	}
	sort.Slice(b.Changes, func(i, j int) bool { return b.Changes[i].Path < b.Changes[j].Path })
	return b, len(b.Changes) > 0
}
