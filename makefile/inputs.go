package makefile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/dmake-dev/dmake/internal/relpath"
)

// Inputs is what a Load read besides its Config, recorded when
// Config.RecordInputs is set: every file read or probed, every
// $(wildcard), $(realpath) and parse-time $(shell), the environment
// variables looked up in the process, and the output written while
// reading. While Check finds every input unchanged, a Load with the same
// Config gives the same Database and prints Output again: that is what a
// cache of loaded makefiles needs to know.
type Inputs struct {
	// Items are the inputs in the order Load consumed them.
	Items []Input
	// Output is what Load wrote on Config.Stdout and Config.Stderr, in
	// order ($(info), $(warning), diagnostics, the standard error of
	// $(shell) commands).
	Output []Output
	// Uncacheable, when not empty, says why the load must not be reused
	// (it wrote a file with $(file >…)).
	Uncacheable string
}

// InputKind says what an Input recorded.
type InputKind uint8

// Kinds of Input.
const (
	// InputFile is a file read or probed: Name is its path as the OS
	// sees it (absolute), Stat its state then.
	InputFile InputKind = iota + 1
	// InputGlob is a $(wildcard) pattern (Name) expanded in Dir, with
	// its matches Result.
	InputGlob
	// InputRealpath is a $(realpath) of the absolute name Name, Result
	// holding its answer (none when it did not resolve).
	InputRealpath
	// InputEnv is a variable Name looked up in the process environment
	// (not Config.Env), Result holding its value.
	InputEnv
	// InputShell is a parse-time $(shell …) or != command: Name is the
	// command, Shell, ShellFlags and Dir how it ran (its environment is
	// Config.Env, part of what a cache keys a load by), Stdout, Stderr
	// and Status what it gave.
	InputShell
)

// Input is one recorded input of a Load.
type Input struct {
	Kind InputKind
	Name string
	// Stat is the state of an InputFile; Content says it was read (size,
	// modification and change times and inode count), not only probed
	// (existence and type count). Hash is the SHA-256 of the content of a
	// file read when its modification or change time was too recent to
	// tell a later change within the same clock tick: Check compares the
	// content then.
	Stat    FileStat
	Content bool
	Hash    []byte
	// Dir is the directory of an InputGlob or InputShell.
	Dir    string
	Result []string
	// Listed is what an InputGlob looked at (directories listed, names
	// probed), with its state, unless a directory was modified too
	// recently: Check then compares these instead of globbing again.
	Listed []Listed
	// Shell, ShellFlags, Stdout, Stderr and Status describe an
	// InputShell.
	Shell, ShellFlags string
	Stdout, Stderr    []byte
	Status            int
}

// FileStat is what a Load saw of a file. The times and the size are
// those of regular files and directories only.
type FileStat struct {
	Exists  bool
	Mode    fs.FileMode // the type bits only
	Size    int64
	ModTime int64 // nanoseconds since the Unix epoch
	// ChangeTime is the inode's change time (st_ctim), in nanoseconds
	// since the Unix epoch: no user can set it, so a file replaced with
	// the same size, modification time and inode (cp -p over it, touch
	// -r, rsync --inplace -t) still shows as changed.
	ChangeTime int64
	Inode      uint64
}

// recent reports whether st was modified or changed so recently that a
// later change within the same clock tick could leave it as it is.
func (st FileStat) recent() bool {
	return time.Since(time.Unix(0, max(st.ModTime, st.ChangeTime))) < racySlack
}

// Listed is a name a glob looked at, and its state then.
type Listed struct {
	Path string
	Kind ListedKind
	Stat FileStat
}

// ListedKind says how a glob looked at a name.
type ListedKind uint8

// Kinds of Listed.
const (
	// ListedDir is a directory listed: its modification and change
	// times and inode count (symbolic links followed).
	ListedDir ListedKind = iota
	// ListedLstat is a name whose existence and type were probed, not
	// following a final symbolic link.
	ListedLstat
	// ListedStat is one probed following symbolic links.
	ListedStat
)

// state returns the state of l's name now, as l looks at it.
func (l *Listed) state() FileStat {
	var fi fs.FileInfo
	var err error
	if l.Kind == ListedLstat {
		fi, err = os.Lstat(l.Path)
	} else {
		fi, err = os.Stat(l.Path)
	}
	if err != nil {
		return FileStat{}
	}
	st := statOf(fi)
	if l.Kind != ListedDir {
		st = FileStat{Exists: true, Mode: st.Mode}
	}
	return st
}

// Output is one write of a Load on its standard output (Stderr false) or
// standard error, or of its debugging output (Debug: Config.DebugOut).
type Output struct {
	Stderr bool
	Debug  bool
	Data   []byte
}

// racySlack is how close to the time of reading a file's modification
// or change time must be for a change in the same clock tick to go unseen
// by its size and times: such files are compared by content.
const racySlack = 2 * time.Second

func statOf(fi fs.FileInfo) FileStat {
	st := FileStat{Exists: true, Mode: fi.Mode().Type()}
	sys, _ := fi.Sys().(*syscall.Stat_t)
	if sys != nil {
		st.Inode = sys.Ino
	}
	if fi.Mode().IsRegular() {
		st.Size = fi.Size()
	}
	if fi.Mode().IsRegular() || fi.IsDir() {
		st.ModTime = fi.ModTime().UnixNano()
		if sys != nil {
			st.ChangeTime = sys.Ctim.Nano()
		}
	}
	return st
}

// statNow is statOf(os.Stat(path)) (the zero FileStat when it fails),
// without os.Stat's allocations: Check stats every file a load read.
func statNow(path string) FileStat {
	var sys syscall.Stat_t
	for {
		err := syscall.Stat(path, &sys)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return FileStat{}
		}
		break
	}
	st := FileStat{Exists: true, Inode: sys.Ino}
	switch sys.Mode & syscall.S_IFMT {
	case syscall.S_IFREG:
		st.Size = sys.Size
		st.ModTime = sys.Mtim.Nano()
		st.ChangeTime = sys.Ctim.Nano()
	case syscall.S_IFDIR:
		st.Mode = fs.ModeDir
		st.ModTime = sys.Mtim.Nano()
		st.ChangeTime = sys.Ctim.Nano()
	case syscall.S_IFBLK:
		st.Mode = fs.ModeDevice
	case syscall.S_IFCHR:
		st.Mode = fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFIFO:
		st.Mode = fs.ModeNamedPipe
	case syscall.S_IFLNK:
		st.Mode = fs.ModeSymlink
	case syscall.S_IFSOCK:
		st.Mode = fs.ModeSocket
	}
	return st
}

// recorder collects the Inputs of one Load.
type recorder struct {
	in        Inputs
	files     map[string]int // path → index in in.Items
	lastShell int            // index of the last shell item, -1 if none
}

func newRecorder() *recorder {
	return &recorder{files: make(map[string]int), lastShell: -1}
}

// file records the state of path (from a stat); content reports that the
// file's content was read, data being that content.
func (r *recorder) file(path string, st FileStat, content bool, data []byte) {
	it := Input{Kind: InputFile, Name: path, Stat: st, Content: content}
	if content && st.Exists && st.recent() {
		h := sha256.Sum256(data)
		it.Hash = h[:]
	}
	if i, ok := r.files[path]; ok && i > r.lastShell {
		old := &r.in.Items[i]
		if old.Stat == st || !content && sameProbe(old.Stat, st) {
			if content && !old.Content {
				*old = it
			}
			return
		}
	}
	r.files[path] = len(r.in.Items)
	r.in.Items = append(r.in.Items, it)
}

func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

func sameProbe(a, b FileStat) bool { return a.Exists == b.Exists && a.Mode == b.Mode }

// glob records a $(wildcard) of pattern p in dir and its result.
func (r *recorder) glob(p, dir string, result []string, deps *globDeps) {
	it := Input{Kind: InputGlob, Name: p, Dir: dir, Result: result}
	seen := make(map[Listed]bool, len(deps.deps))
	for _, l := range deps.deps {
		if seen[l] {
			continue
		}
		seen[l] = true
		l.Stat = l.state()
		if l.Kind == ListedDir && l.Stat.Exists && l.Stat.recent() {
			it.Listed = nil
			break
		}
		it.Listed = append(it.Listed, l)
	}
	r.add(it)
}

func (r *recorder) add(it Input) {
	if it.Kind == InputShell {
		r.lastShell = len(r.in.Items)
	}
	r.in.Items = append(r.in.Items, it)
}

// recWriter passes writes on to w (nil discards) and records them in the
// output when log is set, and in extra when not nil.
type recWriter struct {
	w      io.Writer
	rec    *recorder
	stderr bool
	debug  bool
	log    bool
	extra  *bytes.Buffer // a $(shell) command's own record of its stderr
}

func (w *recWriter) Write(p []byte) (int, error) {
	if w.log {
		out := &w.rec.in.Output
		if n := len(*out); n > 0 && (*out)[n-1].Stderr == w.stderr && (*out)[n-1].Debug == w.debug {
			(*out)[n-1].Data = append((*out)[n-1].Data, p...)
		} else {
			*out = append(*out, Output{Stderr: w.stderr, Debug: w.debug, Data: append([]byte(nil), p...)})
		}
	}
	if w.extra != nil {
		w.extra.Write(p)
	}
	if w.w == nil {
		return len(p), nil
	}
	return w.w.Write(p)
}

// stat stats path (an OS path) as os.Stat does, recording the answer.
func (ev *evaluator) stat(path string) (fs.FileInfo, error) {
	fi, err := os.Stat(path)
	if ev.rec != nil {
		var st FileStat
		if err == nil {
			st = statOf(fi)
		}
		ev.rec.file(path, st, false, nil)
	}
	return fi, err
}

// fileExists reports whether path exists and is not a directory.
func (ev *evaluator) fileExists(path string) bool {
	st, err := ev.stat(path)
	return err == nil && !st.IsDir()
}

// regularFile reports whether path is a regular file.
func (ev *evaluator) regularFile(path string) bool {
	st, err := ev.stat(path)
	return err == nil && st.Mode().IsRegular()
}

// openRead opens path for reading as make does, waiting for a writer when
// it is a FIFO, but giving up when ctx is done (a signal ends dmake while
// it waits): the wait is left to a goroutine, which closes the file if its
// open ever returns.
func openRead(ctx context.Context, path string) (*os.File, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	// Without blocking first: only a FIFO needs the wait.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.Mode()&fs.ModeNamedPipe != 0 {
		f.Close()
		type opened struct {
			f   *os.File
			err error
		}
		c := make(chan opened, 1)
		go func() {
			f, err := os.Open(path)
			c <- opened{f, err}
		}()
		select {
		case o := <-c:
			if o.err != nil {
				return nil, o.err
			}
			f = o.f
		case <-ctx.Done():
			go func() {
				if o := <-c; o.f != nil {
					o.f.Close()
				}
			}()
			return nil, &os.PathError{Op: "open", Path: path, Err: context.Cause(ctx)}
		}
	}
	return f, nil
}

// readFile reads the file at path (an OS path), recording its state as
// found before reading. It reads at most max bytes: a longer file (or an
// endless one such as /dev/zero) is an error. A FIFO that no one writes
// ends the read when ev's context is done.
func (ev *evaluator) readFile(path string, max int) ([]byte, error) {
	f, err := openRead(ev.ctx, path)
	if err != nil {
		if ev.rec != nil {
			ev.rec.file(path, FileStat{}, true, nil)
		}
		return nil, err
	}
	defer f.Close()
	if ev.ctx != nil {
		// A FIFO or terminal that never writes: the read fails.
		stop := context.AfterFunc(ev.ctx, func() { f.SetReadDeadline(time.Unix(1, 0)) })
		defer stop()
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if ev.rec != nil && !fi.Mode().IsRegular() && ev.rec.in.Uncacheable == "" {
		ev.rec.in.Uncacheable = "read " + path + ", which is not a regular file"
	}
	size := fi.Size() + 1
	if size > int64(max)+1 || size < 512 {
		size = 512
	}
	data := make([]byte, 0, size)
	for {
		if len(data) == cap(data) {
			data = slices.Grow(data, min(len(data), max+1-len(data)))
		}
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if len(data) > max {
			return nil, &os.PathError{Op: "read", Path: path, Err: errTooLarge(max)}
		}
		if err == io.EOF {
			break
		}
		if errors.Is(err, os.ErrDeadlineExceeded) && ev.ctx != nil && ev.ctx.Err() != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: context.Cause(ev.ctx)}
		}
		if err != nil {
			return nil, err
		}
	}
	if ev.rec != nil {
		ev.rec.file(path, statOf(fi), true, data)
	}
	return data, nil
}

// errTooLarge is the error of reading a file longer than the limit.
type errTooLarge int

func (e errTooLarge) Error() string {
	return "file is larger than " + sizeText(int(e)) + " (the limit on a value's size)"
}

// getenv looks name up in the process environment, recording the answer.
func (ev *evaluator) getenv(name string) string {
	v := os.Getenv(name)
	if ev.rec != nil {
		ev.rec.add(Input{Kind: InputEnv, Name: name, Result: []string{v}})
	}
	return v
}

// startRecording makes ev record its inputs and output. The output is
// recorded also when Config.Stdout or Stderr is nil (it goes nowhere
// then): a later load with the same Config but streams may replay it.
func (ev *evaluator) startRecording() {
	ev.rec = newRecorder()
	ev.stdout = &recWriter{w: ev.stdout, rec: ev.rec, log: true}
	ev.stderr = &recWriter{w: ev.stderr, rec: ev.rec, stderr: true, log: true}
	ev.debugOut = &recWriter{w: ev.debugOut, rec: ev.rec, debug: true, log: true}
}

// stopRecording ends the recording and returns what it saw.
func (ev *evaluator) stopRecording() *Inputs {
	if ev.rec == nil {
		return nil
	}
	in := &ev.rec.in
	ev.rec = nil
	ev.stdout, ev.stderr, ev.debugOut = ev.cfg.Stdout, ev.cfg.Stderr, ev.cfg.DebugStream()
	return in
}

// Check reports whether every input is as recorded, for a Load with cfg:
// "" if so, else a description of the first change found. Files, globs,
// realpaths and environment variables are checked first; then, if there
// are $(shell) commands, they run again through cfg.Shell (the standard
// error captured, not printed) in their order, each input recorded after
// a command being checked again after it ran, as the command may have
// changed it. A command therefore runs again on every Check, also when
// a later input turns out changed and Load must run it once more.
func (in *Inputs) Check(ctx context.Context, cfg Config) string {
	if in.Uncacheable != "" {
		return in.Uncacheable
	}
	// Files are statted by their names from the working directory when
	// they lie under it: the kernel walks fewer components.
	paths := relpath.New(cfg.Dir)
	firstShell := -1
	for i := range in.Items {
		it := &in.Items[i]
		if it.Kind == InputShell {
			if firstShell < 0 {
				firstShell = i
			}
			continue
		}
		if d := it.check(ctx, paths); d != "" {
			return d
		}
	}
	if firstShell < 0 {
		return ""
	}
	prog := cfg.ProgramName
	if prog == "" {
		prog = "make"
	}
	for i := firstShell; i < len(in.Items); i++ {
		it := &in.Items[i]
		if it.Kind != InputShell {
			if d := it.check(ctx, paths); d != "" {
				return d
			}
			continue
		}
		if cfg.Shell == nil {
			return "no shell to run $(shell " + it.Name + ")"
		}
		env := cfg.Env
		if env == nil {
			env = []string{}
		}
		var stderr bytes.Buffer
		out, status, err := cfg.Shell.Shell(ctx, ShellCall{Command: it.Name, Shell: it.Shell, ShellFlags: it.ShellFlags,
			Dir: it.Dir, Env: env, Stderr: &stderr, Program: prog})
		if err != nil {
			out, status = nil, 127
		}
		if !bytes.Equal(out, it.Stdout) || status != it.Status || !bytes.Equal(stderr.Bytes(), it.Stderr) {
			return "$(shell " + it.Name + ") gives another result"
		}
	}
	return ""
}

func (it *Input) check(ctx context.Context, paths relpath.Resolver) string {
	switch it.Kind {
	case InputFile:
		path := paths.Path(it.Name)
		st := statNow(path)
		if !it.Content {
			if !sameProbe(st, it.Stat) {
				return it.Name + " appeared, disappeared or changed type"
			}
			return ""
		}
		if st != it.Stat {
			return it.Name + " changed"
		}
		if it.Hash != nil {
			data, err := readRegular(path)
			h := sha256.Sum256(data)
			if err != nil || !bytes.Equal(h[:], it.Hash) {
				return it.Name + " changed"
			}
		}
	case InputGlob:
		if len(it.Listed) > 0 {
			same := true
			for _, l := range it.Listed {
				if l.state() != l.Stat {
					same = false
					break
				}
			}
			if same {
				return ""
			}
		}
		if !slices.Equal(globAt(ctx, it.Dir, it.Name, nil, nil), it.Result) {
			return "$(wildcard " + it.Name + ") changed"
		}
	case InputRealpath:
		if r := realpathOf(it.Name); !slices.Equal(r, it.Result) {
			return "$(realpath " + it.Name + ") changed"
		}
	case InputEnv:
		if v := os.Getenv(it.Name); len(it.Result) != 1 || v != it.Result[0] {
			return "environment variable " + it.Name + " changed"
		}
	default:
		return "unknown input kind " + strconv.Itoa(int(it.Kind))
	}
	return ""
}

// readRegular reads the file at path if it is a regular file, without
// blocking on anything else put there since it was statted.
func readRegular(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, &os.PathError{Op: "read", Path: path, Err: errors.New("not a regular file")}
	}
	return io.ReadAll(f)
}

// realpathOf is $(realpath) of the absolute name p: its resolved name, or
// none.
func realpathOf(p string) []string {
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		return nil
	}
	if _, err := os.Stat(r); err != nil {
		return nil
	}
	return []string{r}
}

// Replay writes the recorded output again, in order, on stdout, stderr
// and debug (nil discards).
func (in *Inputs) Replay(stdout, stderr, debug io.Writer) {
	for _, o := range in.Output {
		w := stdout
		switch {
		case o.Stderr:
			w = stderr
		case o.Debug:
			w = debug
		}
		if w != nil {
			w.Write(o.Data)
		}
	}
}
