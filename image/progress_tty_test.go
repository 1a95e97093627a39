package image

import (
	"bytes"
	"github.com/dmake-dev/dmake/internal/stdio"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/creack/pty"
	"github.com/dmake-dev/dmake/engine"
)

// screen is as much of a VT100 as the tty progress view uses: printable
// runes, \r, \n, ESC[K, ESC[J, ESC[nA and SGR (ignored). It records
// whether any line wrapped at the right margin.
type screen struct {
	width    int
	rows     [][]rune
	row, col int
	wrapped  bool
}

func (s *screen) line() []rune {
	for len(s.rows) <= s.row {
		s.rows = append(s.rows, nil)
	}
	return s.rows[s.row]
}

func (s *screen) write(b []byte) {
	r := []rune(string(b))
	for i := 0; i < len(r); i++ {
		switch c := r[i]; {
		case c == '\r':
			s.col = 0
		case c == '\n':
			s.row++
			s.line()
		case c == 0x1b && i+1 < len(r) && r[i+1] == '[':
			j := i + 2
			for j < len(r) && (r[j] >= '0' && r[j] <= '9' || r[j] == ';' || r[j] == '?') {
				j++
			}
			if j == len(r) {
				return
			}
			n, _ := strconv.Atoi(string(r[i+2 : j]))
			switch r[j] {
			case 'K':
				l := s.line()
				if s.col < len(l) {
					s.rows[s.row] = l[:s.col]
				}
			case 'J':
				l := s.line()
				if s.col < len(l) {
					s.rows[s.row] = l[:s.col]
				}
				s.rows = s.rows[:s.row+1]
			case 'A':
				s.row = max(s.row-max(n, 1), 0)
			}
			i = j
		default:
			if s.col >= s.width {
				s.wrapped = true
				s.row++
				s.col = 0
			}
			l := s.line()
			for len(l) <= s.col {
				l = append(l, ' ')
			}
			l[s.col] = c
			s.rows[s.row] = l
			s.col++
		}
	}
}

func (s *screen) lines() []string {
	var out []string
	for _, l := range s.rows {
		out = append(out, strings.TrimRight(string(l), " "))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// ptyReader collects what is written to a pty of 80 columns, up to marks.
type ptyReader struct {
	master, tty *os.File
	buf         bytes.Buffer
}

func newPTY(t *testing.T, cols int) *ptyReader {
	t.Helper()
	master, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("pty: %v", err)
	}
	t.Cleanup(func() { master.Close(); tty.Close() })
	if err := pty.Setsize(tty, &pty.Winsize{Cols: uint16(cols), Rows: 40}); err != nil {
		t.Fatal(err)
	}
	return &ptyReader{master: master, tty: tty}
}

// upTo writes an unused SGR sequence (the screen ignores it) and returns
// everything written before it.
func (r *ptyReader) upTo(t *testing.T, mark int) []byte {
	t.Helper()
	seq := []byte("\x1b[" + strconv.Itoa(900+mark) + "m")
	if _, err := r.tty.Write(seq); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 4096)
	for !bytes.Contains(r.buf.Bytes(), seq) {
		n, err := r.master.Read(b)
		if err != nil && err != io.EOF {
			t.Fatal(err)
		}
		r.buf.Write(b[:n])
	}
	out, _, _ := bytes.Cut(r.buf.Bytes(), seq)
	return out
}

// On an 80-column terminal the tty view shows the running step's line
// with its last lines of output under it, no line wrapping; when the step
// is done, its line stays and its output goes.
func TestProgressTTYOutputLines(t *testing.T) {
	term := newPTY(t, 80)
	steps := []Step{{Instruction: "FROM busybox"}, {Instruction: "RUN /bin/bash /build/script/03_sshd.sh", Script: "03_sshd.sh"}}
	p := newProgress("tty", term.tty, "ssh", steps)
	if p.kind != "tty" || p.width() != 80 {
		t.Fatalf("kind %q, width %d on an 80-column pty", p.kind, p.width())
	}
	p.event(engine.BuildEvent{Kind: engine.EventStep, Step: 1, Steps: 2, Text: "FROM busybox"})
	p.event(engine.BuildEvent{Kind: engine.EventStep, Step: 2, Steps: 2, Text: "RUN /bin/bash /build/script/03_sshd.sh"})
	p.event(engine.BuildEvent{Kind: engine.EventRunning, Step: 2, Steps: 2, Text: "c0ffee"})
	for i := 1; i <= 9; i++ {
		text := "line " + strconv.Itoa(i)
		switch i {
		case 7:
			text = "\x1b[1;32mgreen\x1b[0m\tdone"
		case 8:
			text = strings.Repeat("long ", 40)
		case 9:
			text = "Progress: 10%\rProgress: 100%"
		}
		p.event(engine.BuildEvent{Kind: engine.EventOutput, Step: 2, Steps: 2, Text: text})
	}
	p.mu.Lock()
	p.ttyLine(false)
	p.ttyLine(false) // a redraw draws over itself
	p.mu.Unlock()
	p.close() // no timer redraw from here on

	s := &screen{width: 80}
	s.write(term.upTo(t, 1))
	got := s.lines()
	want := []string{"ssh      [ 1/ 2] done", "ssh      [ 2/ 2] running RUN /bin/bash", "  │ line 4", "  │ line 5", "  │ line 6", "  │ green done", "  │ long long", "  │ Progress: 100%"}
	if len(got) != len(want) {
		t.Fatalf("screen while running:\n%s", strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("screen line %d is %q, want it to begin %q", i+1, got[i], want[i])
		}
	}
	if s.wrapped {
		t.Errorf("a line wrapped at 80 columns:\n%s", strings.Join(got, "\n"))
	}

	p.done(&Result{ImageID: "sha256:0123456789abcdef", Tag: "p/ssh", Steps: 2, Ran: 1})
	s = &screen{width: 80}
	s.write(term.upTo(t, 2))
	got = s.lines()
	if len(got) != 3 || !strings.Contains(got[1], "[ 2/ 2] ran") || !strings.HasPrefix(got[2], "ssh: built") || s.wrapped {
		t.Errorf("screen when done (wrapped %v):\n%s", s.wrapped, strings.Join(got, "\n"))
	}
}

// A terminal behind the stream wrapper that prints make's "Entering
// directory" first (-C, a sub-make: stdio.Announcer) is still a
// terminal: "auto" progress is the tty view, of the terminal's width.
func TestResolveProgressThroughAnnouncer(t *testing.T) {
	p := newPTY(t, 100)
	w := stdio.NewAnnouncer(io.Discard, "dmake: Entering directory '/x'\n").Wrap(p.tty)
	if got := ResolveProgress("auto", w); got != "tty" {
		t.Errorf("ResolveProgress(auto, terminal behind the announcer) = %q, want tty", got)
	}
	if got := (&progress{w: w}).width(); got != 100 {
		t.Errorf("width of a 100-column terminal behind the announcer = %d", got)
	}
	var b bytes.Buffer
	if got := ResolveProgress("auto", stdio.NewAnnouncer(io.Discard, "").Wrap(&b)); got != "lines" {
		t.Errorf("ResolveProgress(auto, a buffer behind the announcer) = %q, want lines", got)
	}
}
