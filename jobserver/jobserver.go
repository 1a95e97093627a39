// Package jobserver is GNU make's jobserver: a pipe holding one byte (a
// token) for each job slot beyond the first of every make in a recursion,
// so that the -jN of the top-level make limits the recipes of the whole
// tree of makes, dmake and GNU make alike.
//
// The top-level make creates the pipe with N-1 tokens (Create) and hands it
// to its recursive sub-makes as inherited descriptors named in MAKEFLAGS by
// --jobserver-auth=R,W (make 4.3's form); a sub-make finds it there (Open),
// which also takes make 4.4's --jobserver-auth=fifo:PATH. Each make runs its
// first job on the slot it was started for, and takes a token (Acquire)
// before each further job that runs at the same time, writing it back
// (Release) when the job ends.
package jobserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ChildAuth is the --jobserver-auth value a recursive child is given for a
// pipe jobserver: the child's descriptors 3 and 4, where it receives
// ChildFiles as its first extra files (exec.Cmd.ExtraFiles).
const ChildAuth = "3,4"

// ErrUnavailable is returned by Open when MAKEFLAGS names descriptors this
// process did not inherit: the parent make did not mark the command that
// started it as recursive, so it closed them. Make then runs one job at a
// time and warns "jobserver unavailable: using -j1.  Add '+' to parent make
// rule.".
var ErrUnavailable = errors.New("jobserver unavailable")

// Jobserver is a pipe or FIFO of job tokens shared with other makes. Its
// methods may be called from several goroutines, but one Acquire at a
// time.
type Jobserver struct {
	// r is this process's own read end: a description of its own, in
	// non-blocking mode, so that a read waits in the runtime's poller and
	// a cancelled context can interrupt it; the shared description stays
	// as other makes expect it (make 3.81 and 4.3 read it blocking).
	r *os.File
	// w is the write end tokens are released to.
	w *os.File
	// child are the shared read and write ends a recursive child
	// inherits (nil for a FIFO, which a child opens by name).
	child []*os.File
	fifo  string
	auth  string

	acquire sync.Mutex
}

// Create makes a new jobserver for slots jobs at once: a pipe holding
// slots-1 tokens, this make's own job taking the first slot.
func Create(slots int) (*Jobserver, error) {
	if slots < 1 {
		return nil, fmt.Errorf("jobserver: %d job slots: want one or more", slots)
	}
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		return nil, fmt.Errorf("jobserver: creating the pipe: %w", err)
	}
	js, err := fromPipe(p[0], p[1], true)
	if err != nil {
		syscall.Close(p[0])
		syscall.Close(p[1])
		return nil, err
	}
	tokens := []byte(strings.Repeat("+", slots-1))
	if _, err := js.w.Write(tokens); err != nil {
		js.Close()
		return nil, fmt.Errorf("jobserver: filling the pipe with %d tokens: %w", slots-1, err)
	}
	return js, nil
}

// fromPipe makes a jobserver of the shared ends of a pipe: own ones
// (Create) are handed to children as they are; inherited ones are opened
// again, so that nothing here changes the mode of the descriptions the
// other makes share.
func fromPipe(rfd, wfd int, own bool) (*Jobserver, error) {
	r, err := reopen(rfd, syscall.O_RDONLY|syscall.O_NONBLOCK)
	if err != nil {
		return nil, err
	}
	if own {
		rf, wf := os.NewFile(uintptr(rfd), "jobserver-r"), os.NewFile(uintptr(wfd), "jobserver-w")
		return &Jobserver{r: r, w: wf, child: []*os.File{rf, wf}, auth: ChildAuth}, nil
	}
	cr, err := reopen(rfd, syscall.O_RDONLY)
	if err != nil {
		r.Close()
		return nil, err
	}
	cw, err := reopen(wfd, syscall.O_WRONLY)
	if err != nil {
		r.Close()
		cr.Close()
		return nil, err
	}
	return &Jobserver{r: r, w: cw, child: []*os.File{cr, cw}, auth: ChildAuth}, nil
}

// reopen opens a description of its own of the pipe end fd, with mode.
func reopen(fd, mode int) (*os.File, error) {
	path := "/proc/self/fd/" + strconv.Itoa(fd)
	nfd, err := syscall.Open(path, mode|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("jobserver: opening the pipe again (%s): %w", path, err)
	}
	return os.NewFile(uintptr(nfd), "jobserver"), nil
}

// Open finds the jobserver that auth, the value of --jobserver-auth in
// MAKEFLAGS, names: "R,W", descriptors this process inherited, or
// "fifo:PATH". It returns an error wrapping ErrUnavailable when R and W are
// not descriptors inherited from the parent.
func Open(auth string) (*Jobserver, error) {
	if path, ok := strings.CutPrefix(auth, "fifo:"); ok {
		return openFIFO(path)
	}
	rs, ws, ok := strings.Cut(auth, ",")
	rfd, err1 := strconv.Atoi(rs)
	wfd, err2 := strconv.Atoi(ws)
	if !ok || err1 != nil || err2 != nil || rfd < 0 || wfd < 0 {
		return nil, fmt.Errorf("jobserver: internal error: invalid --jobserver-auth string '%s'", auth)
	}
	if !inherited(rfd, syscall.O_RDONLY) || !inherited(wfd, syscall.O_WRONLY) {
		return nil, fmt.Errorf("%w: descriptors %d and %d are not the inherited ends of a pipe", ErrUnavailable, rfd, wfd)
	}
	// Only the recursive commands get the pipe, as extra files.
	syscall.CloseOnExec(rfd)
	syscall.CloseOnExec(wfd)
	return fromPipe(rfd, wfd, false)
}

// inherited reports whether fd is the end of a pipe or FIFO open for mode
// that this process inherited: open, and without close-on-exec (every
// descriptor a Go program opens has it, so one of the runtime's own that
// happens to have the number is not taken for the jobserver).
func inherited(fd, mode int) bool {
	flags, err := fcntl(fd, syscall.F_GETFD)
	if err != nil || flags&syscall.FD_CLOEXEC != 0 {
		return false
	}
	fl, err := fcntl(fd, syscall.F_GETFL)
	if err != nil || fl&syscall.O_ACCMODE != mode && fl&syscall.O_ACCMODE != syscall.O_RDWR {
		return false
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return false
	}
	return st.Mode&syscall.S_IFMT == syscall.S_IFIFO
}

func fcntl(fd, cmd int) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), uintptr(cmd), 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// openFIFO opens make 4.4's named jobserver.
func openFIFO(path string) (*Jobserver, error) {
	rfd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("jobserver: cannot open jobserver %s: %w", path, err)
	}
	wfd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		syscall.Close(rfd)
		return nil, fmt.Errorf("jobserver: cannot open jobserver %s: %w", path, err)
	}
	return &Jobserver{
		r: os.NewFile(uintptr(rfd), "jobserver-r"), w: os.NewFile(uintptr(wfd), "jobserver-w"),
		fifo: path, auth: "fifo:" + path,
	}, nil
}

// Auth is the value of --jobserver-auth in the MAKEFLAGS of a recursive
// child: ChildAuth for a pipe, "fifo:PATH" for a FIFO.
func (js *Jobserver) Auth() string { return js.auth }

// ChildFiles are the files a recursive child must get as its first extra
// files (descriptors 3 and 4) for Auth to name them; nil for a FIFO.
func (js *Jobserver) ChildFiles() []*os.File { return js.child }

// Acquire takes a token, waiting until another job of any make of the
// recursion releases one. It returns ctx's error when ctx is done first.
func (js *Jobserver) Acquire(ctx context.Context) (byte, error) {
	js.acquire.Lock()
	defer js.acquire.Unlock()
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	_ = js.r.SetReadDeadline(time.Time{})
	stop := context.AfterFunc(ctx, func() { _ = js.r.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	var b [1]byte
	for {
		n, err := js.r.Read(b[:])
		if n == 1 {
			return b[0], nil
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		switch {
		case err == nil || errors.Is(err, syscall.EINTR) || errors.Is(err, syscall.EAGAIN):
			continue
		case errors.Is(err, io.EOF):
			return 0, errors.New("jobserver: the pipe was closed")
		default:
			return 0, fmt.Errorf("jobserver: reading a token: %w", err)
		}
	}
}

// Release gives a token back.
func (js *Jobserver) Release(token byte) error {
	if _, err := js.w.Write([]byte{token}); err != nil {
		return fmt.Errorf("jobserver: releasing a token: %w", err)
	}
	return nil
}

// Close closes this process's ends of the jobserver.
func (js *Jobserver) Close() error {
	err := js.r.Close()
	for _, f := range js.child {
		if f != js.w {
			f.Close()
		}
	}
	if e := js.w.Close(); err == nil {
		err = e
	}
	return err
}
