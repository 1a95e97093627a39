package watch

import (
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is how long the watcher waits after the last file event
// before it looks at what changed.
const DefaultDebounce = 100 * time.Millisecond

// Options tune a Watcher. The zero value is usable.
type Options struct {
	// Debounce is the quiet time after the last event before a batch is
	// made; 0 means DefaultDebounce.
	Debounce time.Duration
	// Clock is the source of time and timers; nil means RealClock.
	Clock Clock
	// Exclude are files and directories never watched (for example the
	// build directories the rebuild itself writes).
	Exclude []string

	hooks *hooks // tests only
}

// hooks let tests in this package see what the watcher goroutine does.
type hooks struct {
	raw       func(name string) // every fsnotify event, before any filtering
	flushed   func(n int)       // after each debounce, with the number of changes
	delivered func()            // after a batch was received from Batches
}

// Stats describe what a Watcher watches.
type Stats struct {
	Watches int // directories with an fsnotify watch
	Files   int // input files tracked with a content hash
}

// A Watcher watches the inputs of a plan and sends a Batch on Batches each
// time a debounced set of events changed at least one input file.
//
// fsnotify does not recurse, so the Watcher adds a watch on each directory
// below an input directory and adds and removes watches as directories come
// and go. An input file is watched through its parent directory, never on
// its own, so editors that save by writing a new file and renaming it over
// the old one (atomic save) are seen like any write.
//
// Events only say where to look: when the debounce runs out, each path
// events touched is compared with what was last seen. A file has changed
// when it appeared, disappeared, its content hash changed, or its executable
// bits changed (a boot script or runit run file that loses +x breaks the
// image, while other mode bits, owners and times do not matter to a build).
// So chmod-only and touch events, temporary files that come and go within
// the debounce, and saves that write the same content, make no batch.
// Editor droppings (vim's 4913 probe, swap files *.swp *.swo *.swx *.swn,
// backups *~, Emacs' .#* locks and #*# autosaves) are ignored outright.
type Watcher struct {
	opt      Options
	clock    Clock
	debounce time.Duration
	fsn      *fsnotify.Watcher
	seed     maphash.Seed
	buf      []byte

	// The watch set, from the Inputs.
	in       Inputs
	inPaths  []string            // in.Paths(), cleaned: files or directories
	makes    []string            // in.Makefiles(), cleaned
	explicit map[string]bool     // input files
	aliases  map[string][]string // symlink target → input files that link to it
	targets  map[string]string   // input file that is a symlink → its target
	roots    []string            // input directories, watched recursively
	trees    []string            // directories above patterns with a glob in the directory part
	patterns []string
	exclude  []string

	dirs  map[string]bool      // directories with an fsnotify watch
	files map[string]fileState // tracked input files, as last seen

	dirty    map[string]bool // paths events touched since the last flush
	needSync bool            // a directory came or went outside the trees
	timer    Timer
	armed    bool
	first    time.Time
	last     time.Time
	out      *Batch // made, not yet delivered

	batches chan Batch
	errs    chan error
	reqs    chan func()
	quit    chan struct{}
	done    chan struct{}
}

type fileState struct {
	hash uint64
	exec bool
}

// New starts watching in. The initial look (walking the input directories
// and hashing every input file) is done before New returns.
func New(in Inputs, opt Options) (*Watcher, error) {
	w := &Watcher{
		opt:      opt,
		clock:    opt.Clock,
		debounce: opt.Debounce,
		seed:     maphash.MakeSeed(),
		buf:      make([]byte, 64<<10),
		dirs:     map[string]bool{},
		files:    map[string]fileState{},
		dirty:    map[string]bool{},
		aliases:  map[string][]string{},
		targets:  map[string]string{},
		batches:  make(chan Batch),
		errs:     make(chan error, 16),
		reqs:     make(chan func()),
		quit:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	if w.clock == nil {
		w.clock = RealClock{}
	}
	if w.debounce <= 0 {
		w.debounce = DefaultDebounce
	}
	for _, e := range opt.Exclude {
		w.exclude = append(w.exclude, absClean(e))
	}
	fsn, err := fsnotify.NewBufferedWatcher(8192)
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	w.fsn = fsn
	if err := w.setInputs(in, false); err != nil {
		fsn.Close()
		return nil, err
	}
	go w.loop()
	return w, nil
}

// Batches delivers the batches. A batch made while the previous one is not
// yet received is merged into it, so a slow receiver gets fewer, larger
// batches and never blocks the watcher.
func (w *Watcher) Batches() <-chan Batch { return w.batches }

// Errors delivers errors of the watching itself (an fsnotify queue overflow
// after which everything is looked at again, a directory that could not be
// watched). Errors not received are dropped once 16 are waiting.
func (w *Watcher) Errors() <-chan error { return w.errs }

// SetInputs replaces the watch set. Files that become inputs are taken as
// they are now (they are not reported as created); files that stop being
// inputs are forgotten.
func (w *Watcher) SetInputs(in Inputs) error {
	var err error
	if !w.do(func() { err = w.setInputs(in, false) }) {
		return errors.New("watch: watcher is closed")
	}
	return err
}

// Stats returns the current numbers of watches and tracked files.
func (w *Watcher) Stats() Stats {
	var s Stats
	w.do(func() { s = Stats{Watches: len(w.dirs), Files: len(w.files)} })
	return s
}

// Close stops watching. Batches and Errors are not closed.
func (w *Watcher) Close() error {
	select {
	case <-w.quit:
		return nil
	default:
	}
	close(w.quit)
	<-w.done
	return w.fsn.Close()
}

// do runs f on the watcher goroutine and reports whether it ran.
func (w *Watcher) do(f func()) bool {
	ran := make(chan struct{})
	select {
	case w.reqs <- func() { f(); close(ran) }:
		<-ran
		return true
	case <-w.done:
		return false
	}
}

func (w *Watcher) loop() {
	defer close(w.done)
	var timerC <-chan time.Time
	for {
		var out chan Batch
		var b Batch
		if w.out != nil {
			out, b = w.batches, *w.out
		}
		select {
		case <-w.quit:
			if w.timer != nil {
				w.timer.Stop()
			}
			return
		case f := <-w.reqs:
			f()
		case ev, ok := <-w.fsn.Events:
			if !ok {
				return
			}
			w.event(ev)
		case err, ok := <-w.fsn.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: look at everything again.
				w.needSync = true
				for p := range w.files {
					w.dirty[p] = true
				}
				w.arm()
				err = fmt.Errorf("watch: %w; looking at every input again", err)
			}
			w.report(err)
		case <-timerC:
			w.armed = false
			w.flush()
		case out <- b:
			w.out = nil
			if w.opt.hooks != nil && w.opt.hooks.delivered != nil {
				w.opt.hooks.delivered()
			}
		}
		timerC = nil
		if w.armed {
			timerC = w.timer.C()
		}
	}
}

func (w *Watcher) report(err error) {
	select {
	case w.errs <- err:
	default:
	}
}

// arm (re)starts the debounce timer.
func (w *Watcher) arm() {
	now := w.clock.Now()
	if !w.armed {
		w.first = now
	}
	w.last = now
	if w.timer == nil {
		w.timer = w.clock.NewTimer(w.debounce)
	} else {
		w.timer.Reset(w.debounce)
	}
	w.armed = true
}

// ignoredName reports whether base names an editor's temporary file.
func ignoredName(base string) bool {
	switch {
	case base == "4913",
		strings.HasSuffix(base, "~"),
		strings.HasPrefix(base, ".#"),
		len(base) > 1 && base[0] == '#' && base[len(base)-1] == '#':
		return true
	}
	switch filepath.Ext(base) {
	case ".swp", ".swo", ".swn", ".swx":
		return true
	}
	return false
}

func (w *Watcher) excluded(p string) bool {
	for _, e := range w.exclude {
		if within(p, e) {
			return true
		}
	}
	return false
}

// inTree reports whether p is a directory or file the recursive part of the
// watch set covers.
func (w *Watcher) inTree(p string) bool {
	for _, r := range w.roots {
		if within(p, r) {
			return true
		}
	}
	for _, r := range w.trees {
		if within(p, r) {
			return true
		}
	}
	return false
}

// wanted reports whether p, if it is a regular file, is an input.
func (w *Watcher) wanted(p string) bool {
	if w.explicit[p] {
		return true
	}
	if ignoredName(filepath.Base(p)) || w.excluded(p) {
		return false
	}
	for _, r := range w.roots {
		if within(p, r) {
			return true
		}
	}
	return matchAny(w.patterns, p)
}

func (w *Watcher) event(ev fsnotify.Event) {
	if w.opt.hooks != nil && w.opt.hooks.raw != nil {
		w.opt.hooks.raw(ev.Name)
	}
	p := filepath.Clean(ev.Name)
	if ignoredName(filepath.Base(p)) || w.excluded(p) {
		return
	}
	touched := false
	for _, l := range w.aliases[p] {
		w.dirty[l] = true
		touched = true
	}
	if w.explicit[p] && ev.Has(fsnotify.Create) {
		// A link made or replaced: follow its new target.
		if fi, err := os.Lstat(p); (err == nil && fi.Mode()&fs.ModeSymlink != 0) || w.targets[p] != "" {
			w.needSync = true
		}
	}
	switch {
	case ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename):
		if w.dirs[p] {
			// A watched directory went away (or moved: its new name
			// arrives as a Create).
			w.dropTree(p)
			w.needSync = true
			touched = true
		}
	case ev.Has(fsnotify.Create):
		if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
			if w.inTree(p) {
				w.addTree(p, true)
			}
			// It may also be (or lead to) a directory of the watch set
			// that was missing.
			w.needSync = true
			touched = true
		}
	}
	if _, tracked := w.files[p]; tracked || w.wanted(p) {
		w.dirty[p] = true
		touched = true
	}
	if touched {
		w.arm()
	}
}

// addTree watches dir and every directory below it, and marks the input
// files found below it dirty (report) or takes them as they are.
func (w *Watcher) addTree(dir string, report bool) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil
		}
		if w.excluded(p) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			w.watchDir(p)
			return nil
		}
		if w.wanted(p) {
			w.track(p, report)
		}
		return nil
	})
}

// track records that p is an input: when report is set, the next flush
// compares it with what was seen before (nothing, for a new file); otherwise
// its current state becomes the baseline.
func (w *Watcher) track(p string, report bool) {
	if report {
		w.dirty[p] = true
		return
	}
	if _, ok := w.files[p]; ok {
		return
	}
	if st, ok := w.look(p); ok {
		w.files[p] = st
	}
}

func (w *Watcher) watchDir(p string) {
	if w.dirs[p] {
		return
	}
	if err := w.fsn.Add(p); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			w.report(fmt.Errorf("watch: %s: %w", p, err))
		}
		return
	}
	w.dirs[p] = true
}

// dropTree forgets the watches on dir and below, and marks the tracked files
// below it dirty.
func (w *Watcher) dropTree(dir string) {
	for d := range w.dirs {
		if within(d, dir) {
			// The kernel may have dropped the watch already.
			w.fsn.Remove(d)
			delete(w.dirs, d)
		}
	}
	for p := range w.files {
		if within(p, dir) {
			w.dirty[p] = true
		}
	}
}

// look returns the state of p if it is a regular file (after symlinks).
func (w *Watcher) look(p string) (fileState, bool) {
	f, err := os.Open(p)
	if err != nil {
		return fileState{}, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return fileState{}, false
	}
	var h maphash.Hash
	h.SetSeed(w.seed)
	// A plain read loop: io.CopyBuffer would take *os.File's WriteTo and
	// allocate a buffer per file.
	for {
		n, err := f.Read(w.buf)
		h.Write(w.buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			return fileState{}, false
		}
	}
	return fileState{hash: h.Sum64(), exec: fi.Mode()&0o111 != 0}, true
}

// setInputs computes the watch set of in and brings the watches and tracked
// files in line with it. With report, files that appear or disappear are
// marked dirty; without, the current state is taken as the baseline.
func (w *Watcher) setInputs(in Inputs, report bool) error {
	w.in = in
	w.inPaths, w.makes, w.trees, w.patterns = nil, nil, nil, nil
	if in != nil {
		for _, p := range in.Paths() {
			w.inPaths = append(w.inPaths, absClean(p))
		}
		for _, p := range in.Makefiles() {
			w.makes = append(w.makes, absClean(p))
		}
		for _, p := range in.Patterns() {
			p = absClean(p)
			w.patterns = append(w.patterns, p)
			if dir := filepath.Dir(p); hasMeta(dir) {
				w.trees = append(w.trees, staticPrefix(dir))
			}
		}
	}
	return w.sync(report)
}

// sync brings the watches and tracked files in line with the watch set.
func (w *Watcher) sync(report bool) error {
	// An input path is a directory (watched recursively) or a file (watched
	// through its directory) as it is now: a missing one counts as a file
	// until a directory of that name appears.
	w.explicit = map[string]bool{}
	w.roots = nil
	for _, p := range w.inPaths {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			w.roots = append(w.roots, p)
		} else {
			w.explicit[p] = true
		}
	}
	for _, p := range w.makes {
		w.explicit[p] = true
	}
	wantDirs := map[string]bool{}
	anchor := func(dir string) {
		if d := existingDir(dir); d != "" {
			wantDirs[d] = true
		}
	}
	wantFiles := map[string]bool{}
	clear(w.aliases)
	clear(w.targets)
	for p := range w.explicit {
		anchor(filepath.Dir(p))
		wantFiles[p] = true
		// An input file that is a symlink changes when its target does.
		if t, err := filepath.EvalSymlinks(p); err == nil && t != p {
			w.aliases[t] = append(w.aliases[t], p)
			w.targets[p] = t
			anchor(filepath.Dir(t))
		}
	}
	for _, r := range append(append([]string(nil), w.roots...), w.trees...) {
		anchor(filepath.Dir(r))
		filepath.WalkDir(r, func(p string, d fs.DirEntry, err error) error {
			if err != nil || w.excluded(p) {
				if d != nil && d.IsDir() && p != r {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				wantDirs[p] = true
			} else if w.wanted(p) {
				wantFiles[p] = true
			}
			return nil
		})
	}
	for _, pat := range w.patterns {
		anchor(filepath.Dir(pat))
		if matches, err := filepath.Glob(pat); err == nil {
			for _, m := range matches {
				wantFiles[m] = true
			}
		}
	}
	for d := range w.dirs {
		if !wantDirs[d] {
			w.fsn.Remove(d)
			delete(w.dirs, d)
		}
	}
	var errs []error
	for d := range wantDirs {
		if w.dirs[d] {
			continue
		}
		if err := w.fsn.Add(d); err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("watch: %s: %w", d, err))
			}
			continue
		}
		w.dirs[d] = true
	}
	for p := range w.files {
		if !wantFiles[p] && !w.wanted(p) {
			if report {
				w.dirty[p] = true
			} else {
				delete(w.files, p)
			}
		}
	}
	for p := range wantFiles {
		if _, ok := w.files[p]; !ok {
			w.track(p, report)
		}
	}
	return errors.Join(errs...)
}

// flush compares every dirty path with what was last seen and queues a batch
// of the differences.
func (w *Watcher) flush() {
	if w.needSync {
		w.needSync = false
		if err := w.sync(true); err != nil {
			w.report(err)
		}
	}
	var changes []Change
	for p := range w.dirty {
		old, had := w.files[p]
		cur, ok := fileState{}, false
		if w.wanted(p) {
			cur, ok = w.look(p)
		}
		switch {
		case !had && ok:
			changes = append(changes, Change{Path: p, Kind: Created})
			w.files[p] = cur
		case had && !ok:
			changes = append(changes, Change{Path: p, Kind: Removed})
			delete(w.files, p)
		case had && ok && cur.hash != old.hash:
			changes = append(changes, Change{Path: p, Kind: Modified})
			w.files[p] = cur
		case had && ok && cur.exec != old.exec:
			changes = append(changes, Change{Path: p, Kind: Mode})
			w.files[p] = cur
		}
	}
	clear(w.dirty)
	if w.opt.hooks != nil && w.opt.hooks.flushed != nil {
		w.opt.hooks.flushed(len(changes))
	}
	if len(changes) == 0 {
		return
	}
	sortChanges(changes)
	b := Batch{Changes: changes, First: w.first, Last: w.last, Ready: w.clock.Now()}
	Classify(w.in, &b)
	if w.out != nil {
		w.out.Merge(b)
		Classify(w.in, w.out)
	} else {
		w.out = &b
	}
}

// existingDir returns dir or its nearest existing ancestor directory.
func existingDir(dir string) string {
	for {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[\`) }

// staticPrefix returns the longest leading part of dir without glob
// metacharacters.
func staticPrefix(dir string) string {
	for hasMeta(dir) {
		dir = filepath.Dir(dir)
	}
	return dir
}
