package image

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/stdio"
	"golang.org/x/term"
)

// ProgressEvent is one line of --progress=json output; the schema is
// image/testdata/progress.schema.json (and docs in progress.md).
type ProgressEvent struct {
	// V, Time, Source and Event are the envelope every dmake JSON event
	// has, build, check and watch alike (watch.Event): the schema
	// version, the time (RFC 3339, UTC), what reports ("build", or
	// "check" for a check's report) and what happened.
	V           int    `json:"v"`
	Time        string `json:"time"`
	Source      string `json:"source"`
	Image       string `json:"image"`
	Event       string `json:"event"` // step, cached, running, done, output, up-to-date, built, error, cancelled
	Step        int    `json:"step,omitempty"`
	Steps       int    `json:"steps,omitempty"`
	Instruction string `json:"instruction,omitempty"`
	Script      string `json:"script,omitempty"`
	Text        string `json:"text,omitempty"`
	ElapsedMS   int64  `json:"elapsed_ms,omitempty"`
	ImageID     string `json:"image_id,omitempty"`
	Size        int64  `json:"size,omitempty"`
	LayeredSize int64  `json:"layered_size,omitempty"`
	Cached      int    `json:"cached,omitempty"`
	Ran         int    `json:"ran,omitempty"`
	Line        int    `json:"line,omitempty"`
	// Summary is a check report's summary (source check, event report).
	Summary any `json:"summary,omitempty"`
	// Status is one update of BuildKit's status stream, as BuildKit
	// writes it (event status, builds on BuildKit only).
	Status json.RawMessage `json:"status,omitempty"`
}

// NewEvent returns an event of source with the envelope filled in.
func NewEvent(source, image, event string) ProgressEvent {
	return ProgressEvent{V: 1, Time: time.Now().UTC().Format(time.RFC3339Nano), Source: source, Image: image, Event: event}
}

type progress struct {
	mu        sync.Mutex
	kind      string // tty, lines, plain, json, quiet
	w         io.Writer
	name      string
	plan      []Step
	step      int
	steps     int
	instr     string
	state     string
	stepStart time.Time
	start     time.Time
	out       []string // output of the current step
	stop      chan struct{}
	enc       *json.Encoder
	drawn     int // output lines drawn below the tty status line
	// external: BuildKit's own display draws the steps (tty, plain),
	// this progress only the lines around them.
	external bool
	scripts  map[int]string // each started step's script, by step number
}

// ProgressKinds are the kinds of progress output a Builder writes, named
// and meant as docker buildx's --progress: "tty" redraws each image's
// running step in place with its last lines of output, "plain" prints
// every line of every step, "json" writes one JSON event a line
// (progress.schema.json), "quiet" prints nothing but a failure, and
// "auto" is "tty" on a terminal, else one line per finished step (plain's
// step lines without the steps' output).
var ProgressKinds = []string{"auto", "tty", "plain", "json", "quiet"}

// ResolveProgress returns the progress kind a Builder writing to w shows
// for kind: "auto" (or "") is "tty" when w is a terminal, else "lines".
func ResolveProgress(kind string, w io.Writer) string {
	if kind != "" && kind != "auto" {
		return kind
	}
	if f, ok := stdio.File(w); ok && term.IsTerminal(int(f.Fd())) {
		return "tty"
	}
	return "lines"
}

// HidesRecipeEcho reports whether a run with the progress kind (as
// ResolveProgress returns it) hides the recipe echo of an image whose
// build sends nothing: tty and quiet do, as buildx shows no commands.
func HidesRecipeEcho(kind string) bool { return kind == "tty" || kind == "quiet" }

func newProgress(kind string, w io.Writer, name string, steps []Step) *progress {
	kind = ResolveProgress(kind, w)
	p := &progress{kind: kind, w: w, name: name, plan: steps, start: time.Now(), steps: len(steps)}
	if kind == "json" {
		p.enc = json.NewEncoder(w)
	}
	if kind == "tty" {
		p.stop = make(chan struct{})
		go p.tick()
	}
	return p
}

// buildKitDisplay returns where BuildKit's own display of a build goes,
// and in which mode: with tty and plain progress, BuildKit's display
// replaces dmake's step lines; otherwise there is none.
func (p *progress) buildKitDisplay() (io.Writer, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.kind != "tty" && p.kind != "plain" {
		return nil, ""
	}
	p.external = true
	if p.stop != nil {
		close(p.stop)
		p.stop = nil
	}
	return p.w, p.kind
}

func (p *progress) script(step int) string {
	if s, ok := p.scripts[step]; ok {
		return s
	}
	if step >= 1 && step <= len(p.plan) {
		return p.plan[step-1].Script
	}
	return ""
}

// stepScript returns the script of step, which the engine printed as
// instr: the plan's step of that number when its instruction is instr,
// else the step whose instruction is (BuildKit numbers only the steps
// that make a layer, so its numbers may run behind the plan's).
func (p *progress) stepScript(step int, instr string) string {
	same := func(a string) bool {
		return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(instr), " ")
	}
	if step >= 1 && step <= len(p.plan) && same(p.plan[step-1].Instruction) {
		return p.plan[step-1].Script
	}
	for _, st := range p.plan {
		if same(st.Instruction) {
			return st.Script
		}
	}
	return p.script(step)
}

func (p *progress) emit(e ProgressEvent) {
	n := NewEvent("build", p.name, e.Event)
	e.V, e.Time, e.Source, e.Image = n.V, n.Time, n.Source, n.Image
	p.enc.Encode(e)
}

func (p *progress) tick() {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.step > 0 && (p.state == "running" || p.state == "started") {
				p.ttyLine(false)
			}
			p.mu.Unlock()
		}
	}
}

// ttyOutputLines is how many of the running step's last output lines the
// tty view shows under its line, as buildx does.
const ttyOutputLines = 6

// ttyLine draws the current step's line in place: while it runs, with its
// last lines of output under it; final leaves the line alone, its output
// cleared, and the cursor on the next line.
func (p *progress) ttyLine(final bool) {
	width := p.width()
	instr := abbrev(p.instr, 60)
	line := fmt.Sprintf("%-8s [%2d/%2d] %-7s %-60s %5.1fs", p.name, p.step, p.steps, p.state, instr, time.Since(p.stepStart).Seconds())
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\033[%dA", p.drawn) // back to the step's line
	}
	b.WriteString("\r\033[K")
	b.WriteString(fitWidth(line, width))
	p.drawn = 0
	if !final && p.state == "running" {
		tail := p.out
		if len(tail) > ttyOutputLines {
			tail = tail[len(tail)-ttyOutputLines:]
		}
		for _, l := range tail {
			b.WriteString("\n\033[K")
			b.WriteString(cutWidth("  │ "+displayOutput(l), width))
		}
		p.drawn = len(tail)
	}
	b.WriteString("\033[J") // what an earlier, longer draw left below
	if final {
		b.WriteString("\n")
	}
	io.WriteString(p.w, b.String())
}

// displayOutput is an output line as one terminal line shows it: what
// follows its last carriage return (a progress bar's last state), tabs
// as spaces, no other control characters.
func displayOutput(l string) string {
	if i := strings.LastIndexByte(strings.TrimRight(l, "\r"), '\r'); i >= 0 {
		l = l[i+1:]
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case r < ' ' || r == 0x7f:
			return -1
		}
		return r
	}, l)
}

// cutWidth shortens s to fewer than width columns (one rune, one column).
func cutWidth(s string, width int) string {
	r := []rune(s)
	if len(r) < width {
		return s
	}
	return string(r[:max(width-1, 1)])
}

// finishStep closes the current step's line.
func (p *progress) finishStep() {
	if p.step == 0 || p.external {
		return
	}
	switch p.state {
	case "running":
		p.state = "ran"
	case "started":
		p.state = "done" // no container: FROM, or a step the engine just applied
	}
	switch p.kind {
	case "tty":
		p.ttyLine(true)
	case "lines":
		fmt.Fprintf(p.w, "%s [%d/%d] %s %s (%.1fs)\n", p.name, p.step, p.steps, p.state, abbrev(p.instr, 100), time.Since(p.stepStart).Seconds())
	case "json":
		p.emit(ProgressEvent{Event: "done", Step: p.step, Steps: p.steps, Instruction: p.instr, Script: p.script(p.step), Text: p.state, ElapsedMS: time.Since(p.stepStart).Milliseconds()})
	}
}

func (p *progress) event(e engine.BuildEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.Steps > 0 {
		p.steps = e.Steps
	}
	if p.external && e.Kind != engine.EventOutput {
		return
	}
	switch e.Kind {
	case engine.EventStatus:
		if p.kind == "json" {
			p.emit(ProgressEvent{Event: "status", Status: e.Raw})
		}
	case engine.EventOutput:
		if p.kind == "plain" && !p.external {
			fmt.Fprintln(p.w, e.Text)
		}
		if p.kind == "json" && e.Step > 0 && !strings.HasPrefix(e.Text, "Step ") && !strings.HasPrefix(e.Text, " ---> ") {
			p.emit(ProgressEvent{Event: "output", Step: e.Step, Steps: p.steps, Text: ansiRe.ReplaceAllString(e.Text, "")})
		}
		if !strings.HasPrefix(e.Text, "Step ") && !strings.HasPrefix(e.Text, " ---> ") && !strings.HasPrefix(e.Text, "Removing intermediate container") {
			p.out = append(p.out, ansiRe.ReplaceAllString(e.Text, ""))
			if len(p.out) > 200 {
				p.out = p.out[len(p.out)-200:]
			}
		}
	case engine.EventStep:
		p.finishStep()
		p.step, p.instr, p.state, p.stepStart, p.out = e.Step, displayInstruction(e.Text), "started", time.Now(), nil
		if p.scripts == nil {
			p.scripts = map[int]string{}
		}
		p.scripts[e.Step] = p.stepScript(e.Step, e.Text)
		switch p.kind {
		case "json":
			p.emit(ProgressEvent{Event: "step", Step: e.Step, Steps: p.steps, Instruction: p.instr, Script: p.script(e.Step)})
		case "tty":
			p.ttyLine(false)
		}
	case engine.EventCached:
		p.state = "cached"
		if p.kind == "json" {
			p.emit(ProgressEvent{Event: "cached", Step: e.Step, Steps: p.steps, Instruction: p.instr, Script: p.script(e.Step)})
		}
	case engine.EventRunning:
		p.state = "running"
		if p.kind == "json" {
			p.emit(ProgressEvent{Event: "running", Step: e.Step, Steps: p.steps, Instruction: p.instr, Script: p.script(e.Step)})
		}
	}
}

func (p *progress) stepOutput() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.out...)
}

func (p *progress) close() {
	if p.stop != nil {
		close(p.stop)
		p.stop = nil
	}
}

func (p *progress) upToDate(r *Result) {
	p.close()
	p.mu.Lock()
	defer p.mu.Unlock()
	switch p.kind {
	case "json":
		p.emit(ProgressEvent{Event: "up-to-date", ImageID: r.ImageID, Size: r.Size, ElapsedMS: r.Duration.Milliseconds()})
		return
	case "quiet":
		return
	}
	fmt.Fprintf(p.w, "%s: up to date (%s, inputs unchanged since it was built), nothing sent\n", p.name, engine.ShortID(r.ImageID))
}

func (p *progress) done(r *Result) {
	p.close()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finishStep()
	switch p.kind {
	case "json":
		p.emit(ProgressEvent{Event: "built", ImageID: r.ImageID, Size: r.Size, LayeredSize: r.LayeredSize, Steps: r.Steps, Cached: r.Cached, Ran: r.Ran, ElapsedMS: r.Duration.Milliseconds()})
		return
	case "quiet":
		return
	}
	size := engine.HumanSize(r.Size)
	if r.NotLocal {
		size = "not in the local engine" // pushed only: no size to say
	}
	if r.Flattened {
		size = fmt.Sprintf("prod %s, flattened from the layered %s (kept as %s)", engine.HumanSize(r.Size), engine.HumanSize(r.LayeredSize), LayersTag(r.Tag))
	}
	as := " as " + r.Tag
	if r.Tag == "" {
		as = " (untagged)" // docker build without -t
	}
	fmt.Fprintf(p.w, "%s: built %s%s in %.1fs: %d steps, %d cached, %d ran; %s\n", p.name, engine.ShortID(r.ImageID), as, r.Duration.Seconds(), r.Steps, r.Cached, r.Ran, size)
}

// cancelled closes the progress of a build whose context was cancelled:
// the running step says "cancelled", not FAILED, and no failure is shown.
func (p *progress) cancelled() {
	p.close()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state = "cancelled"
	p.finishStep()
	switch p.kind {
	case "json":
		p.emit(ProgressEvent{Event: "cancelled", Step: p.step, Steps: p.steps, Script: p.script(p.step)})
	case "plain", "quiet":
	default:
		fmt.Fprintf(p.w, "%s: build cancelled\n", p.name)
	}
}

func (p *progress) failed(err error) {
	p.close()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state = "FAILED"
	p.finishStep()
	if p.kind == "json" {
		e := ProgressEvent{Event: "error", Step: p.step, Steps: p.steps, Script: p.script(p.step), Text: err.Error()}
		if f, ok := err.(*FailedStep); ok {
			e.Line = f.Line
			if f.Script != "" {
				e.Script = f.Script // a helper the script sourced, when it failed there
			}
		}
		p.emit(e)
		return
	}
	if p.kind != "plain" {
		out := p.out
		if len(out) > 15 {
			out = out[len(out)-15:]
		}
		for _, l := range out {
			fmt.Fprintf(p.w, "%s | %s\n", p.name, l)
		}
	}
}

// ansiRe matches the terminal control sequences (colours, cursor moves) a
// step's output may carry.
var ansiRe = regexp.MustCompile("\x1b\\[[0-9;?]*[A-Za-z]")

// abbrev shortens an instruction for a progress line.
func abbrev(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

// width returns the columns of the terminal p writes to (80 when unknown),
// read at each redraw so that a resize is followed.
func (p *progress) width() int {
	if f, ok := stdio.File(p.w); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 80
}

// fitWidth shortens a progress line to fit in width columns (one left
// free, so that the terminal never wraps it and a redraw stays on its
// line): the instruction is cut, the elapsed time at the end kept.
func fitWidth(line string, width int) string {
	r := []rune(line)
	if len(r) < width {
		return line
	}
	if width < 20 {
		return string(r[:max(width-1, 1)])
	}
	const tail = 7 // " 12.3s"
	return string(r[:width-1-tail-3]) + "..." + string(r[len(r)-tail:])
}
