package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ChildEnv is the environment variable that turns a process that links
// this package (dmake itself, or a test binary) into a sandbox child when
// it calls Init. Check sets it when it re-executes os.Executable.
const ChildEnv = "DMAKE_SANDBOX_CHILD"

// ChildProfileEnv, for developers, names a file that the sandbox child
// writes a CPU profile of its run to (go tool pprof reads it). Check
// creates the file and hands the child a pipe to it: the child may write
// no file itself (RLIMIT_FSIZE is 0).
const ChildProfileEnv = "DMAKE_SANDBOX_CPUPROFILE"

// exit statuses of the child.
const (
	childExitMemory = 3 // the memory watchdog stopped it
	childExitSetup  = 4 // bad request or setup failure
)

// initCalled records that the program called Init, so that Check does not
// re-execute a program that would not act as its child.
var initCalled atomic.Bool

// Init is the sandbox child's entry point. When Check started this process
// (ChildEnv is set), Init reads the request on stdin, dry-runs it under
// limits and exits; otherwise it returns at once. Since Check re-executes
// os.Executable, a program that calls Check must call Init first thing in
// main (cmd/dmake does), and a test binary in TestMain.
func Init() {
	if os.Getenv(ChildEnv) == "1" {
		stop := childProfile(os.Getenv(ChildProfileEnv), os.Stderr)
		code := childMain(os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	initCalled.Store(true)
}

// request is what Check sends its child, as one gob value on its stdin.
type request struct {
	Options Options
	Images  []Image
	Index   []int // the caller's index of each image
	// StopAt, for each image, is the script that killed an earlier child
	// (it and the later ones are not run), or -1.
	StopAt  []int
	Workers int
	Jail    string // empty directory to chroot into (as root)
	// PackageSets are the images' package sets, each once (a base's set
	// is large, and gob would send it again with every image built FROM
	// that base); PackageSet names, for each image and then each of its
	// parents, its set's index in PackageSets, or -1.
	PackageSets []*Packages
	PackageSet  [][]int
}

// sharePackages moves the package sets of req's images (and their
// parents) to req.PackageSets, each once, leaving the images (copied, the
// caller's are not touched) without them.
func (req *request) sharePackages() {
	seen := map[*Packages]int{}
	for i := range req.Images {
		var refs []int
		for img := &req.Images[i]; img != nil; img = img.Parent {
			n := -1
			if p := img.Packages; p != nil {
				j, ok := seen[p]
				if !ok {
					j = len(req.PackageSets)
					seen[p] = j
					req.PackageSets = append(req.PackageSets, p)
				}
				n = j
			}
			refs = append(refs, n)
			img.Packages = nil
			if img.Parent != nil {
				parent := *img.Parent
				img.Parent = &parent
			}
		}
		req.PackageSet = append(req.PackageSet, refs)
	}
}

// restorePackages gives the images back the package sets sharePackages
// moved, one value per set.
func (req *request) restorePackages() {
	for i := range req.Images {
		if i >= len(req.PackageSet) {
			return
		}
		refs := req.PackageSet[i]
		n := 0
		for img := &req.Images[i]; img != nil && n < len(refs); img = img.Parent {
			if j := refs[n]; j >= 0 && j < len(req.PackageSets) {
				img.Packages = req.PackageSets[j]
			}
			n++
		}
	}
}

// event is one thing the child tells its parent (sent as a wireEvent).
type event struct {
	Start  *int // image index started
	Script *int // script index started (with Image)
	Image  int
	Done   *int // image index finished
	// Tainted names an image whose script was stopped by a budget or the
	// deadline: images that ran beside it may have been starved.
	Tainted *int
	Report  *Report
}

// wireEvent is an event as the child sends it. The stream is gob, not
// JSON, and a report is in its own compact form (wire.go): the parent
// decodes every report the child makes. Gob leaves out zero values, so the
// kind of event is a field rather than which pointer is set.
type wireEvent struct {
	Kind   uint8 // eventStart, eventScript, eventTainted, eventDone
	Image  int
	Script int
	Report []byte // encodeReport
}

const (
	eventStart = iota + 1
	eventScript
	eventTainted
	eventDone
)

func (e event) wire() wireEvent {
	w := wireEvent{Image: e.Image}
	if e.Report != nil {
		w.Report = encodeReport(e.Report)
	}
	switch {
	case e.Start != nil:
		w.Kind, w.Image = eventStart, *e.Start
	case e.Script != nil:
		w.Kind, w.Script = eventScript, *e.Script
	case e.Tainted != nil:
		w.Kind, w.Image = eventTainted, *e.Tainted
	case e.Done != nil:
		w.Kind, w.Image = eventDone, *e.Done
	}
	return w
}

func (w wireEvent) event() (event, error) {
	e := event{Image: w.Image}
	if w.Report != nil {
		rep, err := decodeReport(w.Report)
		if err != nil {
			return e, err
		}
		e.Report = rep
	}
	img, script := w.Image, w.Script
	switch w.Kind {
	case eventStart:
		e.Start = &img
	case eventScript:
		e.Script = &script
	case eventTainted:
		e.Tainted = &img
	case eventDone:
		e.Done = &img
		if e.Report != nil {
			e.Report.fillEmpty()
		}
	}
	return e, nil
}

// childProfile starts a CPU profile written to the file descriptor named
// by fd (a pipe from the parent), if not empty, and returns the function
// that ends it.
func childProfile(fd string, stderr io.Writer) func() {
	n, err := strconv.Atoi(fd)
	if fd == "" || err != nil {
		return func() {}
	}
	f := os.NewFile(uintptr(n), "cpuprofile")
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(stderr, "dmake sandbox: %s: %v\n", ChildProfileEnv, err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// parentProfile creates the file of ChildProfileEnv, if set, and returns
// the write end of a pipe copied to it, for the child's descriptor 3.
// wait waits for the copy to end, after the child exits.
func parentProfile() (w *os.File, wait func(), err error) {
	path := os.Getenv(ChildProfileEnv)
	if path == "" {
		return nil, func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox: %s: %w", ChildProfileEnv, err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	done := make(chan struct{})
	go func() {
		io.Copy(f, r)
		r.Close()
		f.Close()
		close(done)
	}()
	return w, func() { <-done }, nil
}

// childMain runs in the sandbox child.
func childMain(stdin io.Reader, stdout, stderr io.Writer) int {
	var req request
	if err := gob.NewDecoder(bufio.NewReaderSize(stdin, 1<<16)).Decode(&req); err != nil {
		fmt.Fprintf(stderr, "dmake sandbox: bad request: %v\n", err)
		return childExitSetup
	}
	req.restorePackages()
	// Gob sends an empty slice as nil; a script's Source of nil means
	// "read File", and the parent has read every script of the images.
	for i := range req.Images {
		for j := range req.Images[i].Scripts {
			if s := &req.Images[i].Scripts[j]; s.Source == nil {
				s.Source = []byte{}
			}
		}
	}
	opts := req.Options.withDefaults()
	opts.InProcess = true
	limit := opts.MemoryLimit
	// Limits first: nothing below may exceed them.
	unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{Cur: 0, Max: 0})
	unix.Setrlimit(unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: 0, Max: 0})
	// The address-space limit is a backstop: the runtime reserves far more
	// address space than it uses, so it sits well above the watchdog's.
	as := uint64(limit) + 4<<30
	unix.Setrlimit(unix.RLIMIT_AS, &unix.Rlimit{Cur: as, Max: as})
	// Almost everything a dry run allocates is garbage at once, and what
	// stays (reports, the virtual FS) is small: the collector runs only
	// when the heap nears a quarter of the limit, not as it grows. (At
	// GOGC=400 it took a twentieth of the CPU of a run of short scripts.)
	debug.SetMemoryLimit(limit / 4)
	debug.SetGCPercent(-1)
	debug.SetMaxStack(64 << 20)
	debug.SetTraceback("single")

	// Open every base rootfs before giving up the filesystem.
	lowers := map[string]lowerFS{}
	for _, img := range req.Images {
		if img.Rootfs == "" || lowers[img.Rootfs] != nil {
			continue
		}
		l, _, err := openLower(img.Rootfs, img.RootfsIndex)
		if err != nil {
			fmt.Fprintf(stderr, "dmake sandbox: %v\n", err)
			continue
		}
		lowers[img.Rootfs] = l
	}
	// And every context file placed unread.
	defer openSources(req.Images, stderr)()
	// And every command index: without it, commands are judged as
	// without one.
	if err := loadIndexes(req.Images); err != nil {
		fmt.Fprintf(stderr, "dmake sandbox: %v\n", err)
	}
	if req.Jail != "" && os.Geteuid() == 0 {
		// As root: lock the process into an empty directory and become
		// nobody, so that even a bug in the handlers cannot reach a file.
		if err := syscall.Chroot(req.Jail); err != nil {
			fmt.Fprintf(stderr, "dmake sandbox: chroot: %v\n", err)
			return childExitSetup
		}
		if err := syscall.Chdir("/"); err != nil {
			return childExitSetup
		}
		syscall.Setgroups(nil)
		if err := syscall.Setgid(65534); err != nil {
			fmt.Fprintf(stderr, "dmake sandbox: setgid: %v\n", err)
			return childExitSetup
		}
		if err := syscall.Setuid(65534); err != nil {
			fmt.Fprintf(stderr, "dmake sandbox: setuid: %v\n", err)
			return childExitSetup
		}
	}
	progress, err := mapProgress(os.Getenv(progressEnv))
	if err != nil {
		fmt.Fprintf(stderr, "dmake sandbox: %v\n", err)
		return childExitSetup
	}
	go memoryWatchdog(limit, stderr)
	hugeHeap(int(min(128<<20, limit/8)))

	var mu sync.Mutex
	enc := gob.NewEncoder(stdout)
	emit := func(e event) {
		mu.Lock()
		defer mu.Unlock()
		enc.Encode(e.wire())
	}
	workers := max(1, min(req.Workers, runtime.GOMAXPROCS(0)))
	jobs := make(chan int)
	// A script stopped by a budget or the deadline may leave goroutines
	// behind (pipelines of a fork bomb): the child then takes no more
	// images, and the parent starts a fresh one for the rest.
	var tainted atomic.Bool
	var wg sync.WaitGroup
	for slot := range workers {
		wg.Go(func() {
			for i := range jobs {
				if tainted.Load() {
					continue // left for a fresh child
				}
				idx := req.Index[i]
				progress.set(slot, idx, -1)
				emit(event{Start: &idx, Image: idx})
				img := req.Images[i]
				rep := dryRunImage(context.Background(), img, opts, lowers[img.Rootfs], func(j int) {
					if progress != nil {
						progress.set(slot, idx, j)
					} else {
						emit(event{Script: &j, Image: idx})
					}
				}, stopAt(req.StopAt, i))
				bad := runtime.NumGoroutine() > 1000
				for _, c := range rep.Contained {
					switch c.What {
					case "timeout", "loop-budget", "recursion-limit", "fork-bomb":
						bad = true
					}
				}
				if bad {
					tainted.Store(true)
					emit(event{Tainted: &idx, Image: idx})
				}
				emit(event{Done: &idx, Image: idx, Report: rep})
			}
		})
	}
	for i := range req.Images {
		if tainted.Load() {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return 0
}

// openSources opens the host file of every context file of imgs (and
// their parents, and their scripts' steps) placed unread (ContextFile.Src),
// each path once, for the child to read after it has given up the
// filesystem; a file that cannot be opened reads as empty, said on stderr.
// It returns the function that closes them.
func openSources(imgs []Image, stderr io.Writer) (closeAll func()) {
	opened := map[string]*os.File{}
	open := func(files []ContextFile) {
		for i := range files {
			f := &files[i]
			if f.Src == "" || f.src != nil {
				continue
			}
			if o, ok := opened[f.Src]; ok {
				f.src = o
				continue
			}
			o, err := openSrc(f.Src)
			if err != nil {
				// Empty, and never opened by name once jailed.
				fmt.Fprintf(stderr, "dmake sandbox: context file %s: %v\n", f.Name, err)
				f.Src = ""
				continue
			}
			opened[f.Src], f.src = o, o
		}
	}
	walk := func(img *Image) {
		for ; img != nil; img = img.Parent {
			open(img.Files)
			for j := range img.Scripts {
				open(img.Scripts[j].Files)
			}
		}
	}
	for i := range imgs {
		walk(&imgs[i])
	}
	return func() {
		for _, f := range opened {
			f.Close()
		}
	}
}

// stopAt returns the i-th of stops, -1 if there is none.
func stopAt(stops []int, i int) int {
	if i < len(stops) {
		return stops[i]
	}
	return -1
}

// hugeHeap grows the heap by size bytes at once and asks the kernel for
// transparent huge pages there (where THP is "madvise", as on most
// systems, the Go heap gets none). A dry run allocates fast and, with the
// collector held back, mostly fresh memory: with 4 KiB pages a fifth of
// the child's CPU went to page faults, with 2 MiB pages a twelfth. The
// pages are only touched as the heap uses them; where THP is off or the
// advice fails nothing changes.
func hugeHeap(size int) {
	if size <= 0 {
		return
	}
	b := make([]byte, size)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	b = nil
	runtime.GC() // the span is free again, and stays mapped for the heap
	const huge = 2 << 20
	start := (p + huge - 1) &^ (huge - 1)
	end := (p + uintptr(size)) &^ (huge - 1)
	if start < end {
		unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_HUGEPAGE)
	}
}

// memoryWatchdog ends the child when its heap passes soft, before the
// address-space limit turns the overrun into an allocation failure.
func memoryWatchdog(soft int64, stderr io.Writer) {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	for {
		time.Sleep(5 * time.Millisecond)
		metrics.Read(s)
		if s[0].Value.Kind() == metrics.KindUint64 && int64(s[0].Value.Uint64()) > soft {
			fmt.Fprintf(stderr, "dmake sandbox: memory limit: %d bytes in use\n", s[0].Value.Uint64())
			os.Exit(childExitMemory)
		}
	}
}

// Check dry-runs the images' scripts in a child process (a re-execution of
// this binary) under an address-space limit, a step budget and a deadline
// per script, as root also chrooted into an empty directory as nobody.
// Images run in parallel (two at a time).
//
// A script that kills its child (memory, stack, a crash, or an expansion
// that outlives its deadline) loses nothing of its image's earlier
// scripts: the image is run again in a fresh child up to that script,
// which is reported failed with what was contained, and the later scripts
// not-run. The other images in flight are run again in a fresh child.
// Options.InProcess runs everything in this process instead (trusted
// scripts only).
func Check(ctx context.Context, images []Image, opts Options) ([]*Report, error) {
	opts = opts.withDefaults()
	imgs := make([]Image, len(images))
	for i, img := range images {
		imgs[i] = img
		imgs[i].Scripts = append([]Script(nil), img.Scripts...)
		for j := range imgs[i].Scripts {
			if err := loadScript(img.Root, &imgs[i].Scripts[j]); err != nil {
				return nil, err
			}
		}
	}
	// The index of each base's tar, where it is kept: made now, by this
	// process, as the child cannot write.
	for i := range imgs {
		for img := &imgs[i]; img != nil; img = img.Parent {
			if img.Rootfs != "" && img.RootfsIndex != "" {
				ensureLowerIndex(img.Rootfs, img.RootfsIndex) // without it, the child indexes the tar
			}
		}
	}
	reports := make([]*Report, len(imgs))
	if opts.InProcess {
		for i, img := range imgs {
			reports[i] = DryRunInProcess(ctx, img, opts)
		}
		return reports, nil
	}
	if !initCalled.Load() {
		return nil, errors.New("sandbox: this program cannot run the sandbox child: its main (or TestMain) does not call sandbox.Init")
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("sandbox: cannot find this program to run the sandbox child: %w", err)
	}
	pending := make([]int, len(imgs))
	for i := range pending {
		pending[i] = i
	}
	// Two images at a time, on two threads; a lone image gets one thread:
	// a second would only hand its goroutines (here-documents, pipelines)
	// across threads, which costs a tenth of the CPU.
	workers := min(2, len(pending))
	run := &childRun{exe: exe, imgs: imgs, opts: opts, reports: reports, stopAt: make([]int, len(imgs)), deaths: map[int]death{}}
	for i := range run.stopAt {
		run.stopAt[i] = -1
	}
	for len(pending) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		retry, err := run.child(ctx, pending, workers)
		if err != nil {
			return nil, err
		}
		pending = retry
		workers = 1
	}
	for i, dth := range run.deaths {
		pos := ""
		if dth.script >= 0 {
			pos = imgs[i].Scripts[dth.script].Path
		}
		reports[i].contain(pos, dth.what, "%s", dth.msg)
		reports[i].errorf(pos, dth.what, "the sandbox stopped this script: %s", dth.msg)
	}
	return reports, nil
}

// childRun is the state of Check across the sandbox children it starts.
type childRun struct {
	exe     string
	imgs    []Image
	opts    Options
	reports []*Report
	// stopAt is, for each image, the script that killed a child, or -1:
	// the image is run again up to it.
	stopAt []int
	// deaths are the images whose script killed a child.
	deaths map[int]death
}

// death says which script of an image killed a sandbox child, and how.
type death struct {
	script    int // -1: before the image's first script
	what, msg string
}

// setupBudget is how long an image may take before its first script: the
// install scripts of the images it is built from run then, each with its
// own deadline.
func setupBudget(img Image, timeout time.Duration) time.Duration {
	n := 1
	for p := img.Parent; p != nil && n < 64; p = p.Parent {
		for _, s := range p.Scripts {
			if s.Role == RoleInstall {
				n++
			}
		}
	}
	return time.Duration(n) * timeout
}

// loadScript reads a script's text and mode from its file, not through a
// link out of root (ReadFile).
func loadScript(root string, s *Script) error {
	if s.File == "" {
		return nil
	}
	if s.Source != nil && s.Mode != 0 {
		return nil
	}
	b, fi, err := ReadFile(root, s.File)
	if err != nil && s.Path != s.File {
		return fmt.Errorf("%s: %w", s.Path, err)
	}
	if err != nil {
		return err // it names the file
	}
	if s.Source == nil {
		s.Source = b
	}
	if s.Mode == 0 {
		s.Mode = fi.Mode()
	}
	return nil
}

// child runs the pending images in one child and fills reports. It
// returns the images to run again (those in flight beside a crash, and
// the one whose script killed the child, up to that script).
func (run *childRun) child(ctx context.Context, pending []int, workers int) ([]int, error) {
	exe, imgs, opts, reports := run.exe, run.imgs, run.opts, run.reports
	req := request{Options: opts, Workers: workers, Index: pending}
	for _, i := range pending {
		req.Images = append(req.Images, imgs[i])
		req.StopAt = append(req.StopAt, run.stopAt[i])
	}
	req.sharePackages()
	if os.Geteuid() == 0 {
		jail, err := os.MkdirTemp("", "dmake-sandbox-jail-")
		if err == nil {
			defer os.Remove(jail)
			req.Jail = jail
		}
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(req); err != nil {
		return nil, err
	}
	body := buf.Bytes()
	var stderr boundedBuffer
	stderr.max = 16 << 10
	var extra []*os.File
	env := []string{ChildEnv + "=1", "GOMAXPROCS=" + fmt.Sprint(max(workers, 1)), "GOTRACEBACK=single"}
	// Without a progress page (no memfd) the child reports each script.
	progress, _ := newProgress()
	if progress != nil {
		defer progress.Close()
		env = append(env, fmt.Sprintf("%s=%d", progressEnv, 3+len(extra)))
		extra = append(extra, progress)
	}
	prof, profWait, err := parentProfile()
	if err != nil {
		return nil, err
	}
	if prof != nil {
		env = append(env, fmt.Sprintf("%s=%d", ChildProfileEnv, 3+len(extra)))
		extra = append(extra, prof)
	}
	cmd, out, err := startChild(exe, body, env, extra, &stderr)
	if prof != nil {
		prof.Close() // the child has its copy
		defer profWait()
	}
	if err != nil {
		return nil, err
	}
	kill := func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	events := make(chan event)
	go func() {
		// The events end with the child's output; a child that dies in
		// the middle of one leaves a message the decoder refuses.
		dec := gob.NewDecoder(bufio.NewReaderSize(out, 1<<16))
		for {
			var w wireEvent
			if dec.Decode(&w) != nil {
				break
			}
			e, err := w.event()
			if err != nil {
				break
			}
			events <- e
		}
		io.Copy(io.Discard, out)
		close(events)
	}()
	type flight struct {
		since  time.Time
		script int
	}
	inflight := map[int]*flight{}
	started := map[int]time.Time{}
	suspect := map[int]bool{}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	timedOut := -1
loop:
	for {
		select {
		case e, ok := <-events:
			if !ok {
				break loop
			}
			switch {
			case e.Start != nil:
				inflight[*e.Start] = &flight{since: time.Now(), script: -1}
				started[*e.Start] = time.Now()
			case e.Tainted != nil:
				// Whatever ran beside the culprit is run again alone.
				if workers > 1 {
					for i := range inflight {
						if i != *e.Tainted {
							suspect[i] = true
						}
					}
					for i, t := range started {
						if i != *e.Tainted && reports[i] != nil && !t.Before(started[*e.Tainted]) {
							suspect[i] = true
						}
					}
				}
			case e.Script != nil:
				if f := inflight[e.Image]; f != nil {
					f.script, f.since = *e.Script, time.Now()
				}
			case e.Done != nil:
				delete(inflight, *e.Done)
				reports[*e.Done] = e.Report
				if suspect[*e.Done] {
					reports[*e.Done] = nil
				}
			}
		case <-tick.C:
			// Each script has its own deadline: the page says which runs.
			if progress != nil && len(inflight) > 0 {
				if at, err := readProgress(progress); err == nil {
					for i, f := range inflight {
						if j, ok := at[i]; ok && j != f.script {
							f.script, f.since = j, time.Now()
						}
					}
				}
			}
			for i, f := range inflight {
				limit := opts.Timeout
				if f.script < 0 {
					limit = setupBudget(imgs[i], opts.Timeout)
				}
				if time.Since(f.since) > limit+2*time.Second {
					timedOut = i
					kill()
				}
			}
		case <-ctx.Done():
			kill()
			cmd.Wait()
			return nil, ctx.Err()
		}
	}
	werr := cmd.Wait()
	if progress != nil && len(inflight) > 0 {
		if at, err := readProgress(progress); err == nil {
			for i, f := range inflight {
				if j, ok := at[i]; ok {
					f.script = j
				}
			}
		}
	}
	for i := range suspect {
		reports[i] = nil
	}
	if len(inflight) == 0 {
		var missing []int
		for _, i := range pending {
			if reports[i] == nil {
				missing = append(missing, i)
			}
		}
		if len(missing) == len(pending) {
			return nil, fmt.Errorf("sandbox child failed (%v): %s", werr, firstLines(stderr.String()))
		}
		// The child stopped taking images after a tainting one.
		return missing, nil
	}
	if len(inflight) > 1 && timedOut < 0 {
		// Several images were in flight: run them again one at a time
		// to find which one broke the child.
		var retry []int
		for i := range inflight {
			retry = append(retry, i)
		}
		for _, i := range pending {
			if reports[i] == nil && inflight[i] == nil {
				retry = append(retry, i)
			}
		}
		return retry, nil
	}
	what, msg := classify(werr, stderr.String())
	var retry []int
	for i, f := range inflight {
		if timedOut >= 0 && i != timedOut {
			retry = append(retry, i)
			continue
		}
		if timedOut >= 0 {
			what, msg = "timeout", fmt.Sprintf("the dry run did not end within %v (an expansion or loop that never returns to the interpreter); the sandbox child was killed", opts.Timeout)
		}
		run.deaths[i] = death{script: f.script, what: what, msg: msg}
		if f.script >= 0 && (run.stopAt[i] < 0 || f.script < run.stopAt[i]) {
			// Run the image again up to the script: the findings of
			// the scripts before it are those of a run that ends there.
			run.stopAt[i] = f.script
			reports[i] = nil
			retry = append(retry, i)
			continue
		}
		// Nothing ran yet (the images it is built from, or the set-up,
		// killed the child), or a run up to the script died earlier.
		rep := newReport(imgs[i].Name)
		for j, s := range imgs[i].Scripts {
			st := "not-run"
			if j == f.script {
				st = "failed"
			}
			rep.Scripts = append(rep.Scripts, ScriptResult{Path: s.Path, Role: s.Role, Shell: shellOf(&s), Status: st})
		}
		reports[i] = rep
	}
	for _, i := range pending {
		if reports[i] == nil && inflight[i] == nil {
			retry = append(retry, i)
		}
	}
	return retry, nil
}

// startChild starts the sandbox child. It also gets namespaces of its own:
// no network, its own pids ($$ and $PPID reached through ${!x} show 1 and
// 0, not host pids), mounts, IPC and host name; not as root, in a user
// namespace of its own where the system allows one. Where namespaces are
// not allowed (an unprivileged container) the chroot and nobody (as root)
// and the limits remain.
func startChild(exe string, body []byte, env []string, extra []*os.File, stderr io.Writer) (*exec.Cmd, io.ReadCloser, error) {
	const ns = syscall.CLONE_NEWNET | syscall.CLONE_NEWPID | syscall.CLONE_NEWNS | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS
	flags := []uintptr{ns, 0}
	if os.Geteuid() != 0 {
		flags[0] |= syscall.CLONE_NEWUSER
	}
	var err error
	for _, f := range flags {
		cmd := exec.Command(exe)
		cmd.Env = env
		cmd.ExtraFiles = extra
		cmd.Dir = "/"
		cmd.Stdin = bytes.NewReader(body)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, Cloneflags: f}
		if f&syscall.CLONE_NEWUSER != 0 {
			// The same ids inside: the child stays who it was.
			cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: os.Geteuid(), HostID: os.Geteuid(), Size: 1}}
			cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: os.Getegid(), HostID: os.Getegid(), Size: 1}}
		}
		cmd.Stderr = stderr
		out, perr := cmd.StdoutPipe()
		if perr != nil {
			return nil, nil, perr
		}
		if err = cmd.Start(); err == nil {
			return cmd, out, nil
		}
		out.Close()
	}
	return nil, nil, fmt.Errorf("sandbox: starting the child: %w", err)
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "\n"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// classify names why the child died.
func classify(err error, stderr string) (string, string) {
	var ee *exec.ExitError
	code := -1
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	switch {
	case code == childExitMemory || strings.Contains(stderr, "memory limit"):
		return "memory-limit", "the script's memory use passed the sandbox limit (a memory bomb); the sandbox child was stopped"
	case strings.Contains(stderr, "stack exceeds") || strings.Contains(stderr, "stack overflow"):
		return "stack-limit", "the script overflowed the sandbox's stack limit (unbounded recursion or nesting); the sandbox child was stopped"
	case strings.Contains(stderr, "out of memory") || strings.Contains(stderr, "cannot allocate memory"):
		return "memory-limit", "the script's memory use passed the sandbox's address-space limit; the sandbox child was stopped"
	}
	return "crash", fmt.Sprintf("the sandbox child died (%v): %s", err, lastLine(stderr))
}

// firstLines returns the start of a crash message.
func firstLines(s string) string {
	lines := strings.SplitN(strings.TrimSpace(s), "\n", 12)
	if len(lines) > 11 {
		lines = lines[:11]
	}
	return strings.Join(lines, "\n")
}
