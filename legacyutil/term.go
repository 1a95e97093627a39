package legacyutil

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/dmake-dev/dmake/engine"
	"golang.org/x/term"
)

// terminal is the local side of a TTY session: the caller's terminal in
// raw mode, its size, and its size changes.
type terminal struct {
	tty    bool
	size   engine.TermSize
	resize chan engine.TermSize
	stop   func()
}

// openTerminal puts stdin in raw mode when it is a terminal and reports its
// size and size changes (SIGWINCH) until close. When stdin is no terminal,
// tty is false and close does nothing.
func openTerminal(stdio Stdio) *terminal {
	t := &terminal{stop: func() {}}
	f, ok := stdio.In.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return t
	}
	fd := int(f.Fd())
	t.tty = true
	if w, h, err := term.GetSize(fd); err == nil {
		t.size = engine.TermSize{Height: uint(h), Width: uint(w)}
	}
	old, err := term.MakeRaw(fd)
	restore := func() {}
	if err == nil {
		restore = func() { _ = term.Restore(fd, old) }
	}
	t.resize = make(chan engine.TermSize, 1)
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-winch:
				w, h, err := term.GetSize(fd)
				if err != nil {
					continue
				}
				select { // keep only the latest size
				case <-t.resize:
				default:
				}
				t.resize <- engine.TermSize{Height: uint(h), Width: uint(w)}
			}
		}
	}()
	t.stop = func() {
		signal.Stop(winch)
		close(done)
		restore()
	}
	return t
}

// close restores the terminal.
func (t *terminal) close() { t.stop() }

// streams returns the engine streams for a session on this terminal.
func (t *terminal) streams(stdio Stdio) engine.Streams {
	s := engine.Streams{In: stdio.In, Out: stdio.Out, Err: stdio.Err, TTY: t.tty}
	if t.tty {
		s.Size = t.size
		s.Resize = t.resize
	}
	return s
}
