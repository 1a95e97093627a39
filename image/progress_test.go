package image

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/engine"
)

// schema is the subset of JSON Schema that progress.schema.json uses.
type schema struct {
	Required   []string `json:"required"`
	Properties map[string]struct {
		Type    string `json:"type"`
		Enum    []any  `json:"enum"`
		Const   any    `json:"const"`
		Minimum *int   `json:"minimum"`
	} `json:"properties"`
	AdditionalProperties bool `json:"additionalProperties"`
}

// validate checks one JSON Lines event against the schema.
func (s *schema) validate(line []byte) error {
	var obj map[string]any
	if err := json.Unmarshal(line, &obj); err != nil {
		return err
	}
	for _, r := range s.Required {
		if _, ok := obj[r]; !ok {
			return errors.New("missing " + r)
		}
	}
	for k, v := range obj {
		p, ok := s.Properties[k]
		if !ok {
			return errors.New("property " + k + " is not in the schema")
		}
		switch p.Type {
		case "string":
			if _, ok := v.(string); !ok {
				return errors.New(k + " is not a string")
			}
		case "object":
			if _, ok := v.(map[string]any); !ok {
				return errors.New(k + " is not an object")
			}
		case "integer":
			f, ok := v.(float64)
			if !ok || f != float64(int64(f)) || (p.Minimum != nil && f < float64(*p.Minimum)) {
				return errors.New(k + " is not an integer in range")
			}
		}
		if p.Enum != nil {
			found := false
			for _, e := range p.Enum {
				found = found || e == v
			}
			if !found {
				return errors.New(k + " is not one of the enum")
			}
		}
		if p.Const != nil && p.Const != v {
			return errors.New(k + " is not the constant")
		}
	}
	return nil
}

func loadSchema(t *testing.T) *schema {
	t.Helper()
	b, err := os.ReadFile("progress.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var s schema
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// Every kind of event the JSON progress writes fits the documented schema.
func TestProgressJSONSchema(t *testing.T) {
	s := loadSchema(t)
	var buf bytes.Buffer
	steps := []Step{{Instruction: "FROM x"}, {Instruction: "RUN /bin/sh /build/script/03_a.sh", Script: "03_a.sh"}}
	p := newProgress("json", &buf, "img", steps)
	for _, e := range []engine.BuildEvent{
		{Kind: engine.EventOutput, Text: "Step 1/2 : FROM x"},
		{Kind: engine.EventStep, Step: 1, Steps: 2, Text: "FROM x"},
		{Kind: engine.EventStep, Step: 2, Steps: 2, Text: "RUN /bin/sh /build/script/03_a.sh"},
		{Kind: engine.EventCached, Step: 2, Steps: 2},
		{Kind: engine.EventRunning, Step: 2, Steps: 2, Text: "abc"},
		{Kind: engine.EventOutput, Step: 2, Steps: 2, Text: "hello"},
		{Kind: engine.EventStatus, Steps: 2, Raw: []byte(`{"vertexes":[{"digest":"sha256:0","name":"[2/2] RUN x","cached":true}]}`)},
	} {
		p.event(e)
	}
	p.done(&Result{ImageID: "sha256:1", Size: 10, Steps: 2, Cached: 1, Ran: 1})
	p2 := newProgress("json", &buf, "img", steps)
	p2.upToDate(&Result{ImageID: "sha256:1", Size: 10})
	p3 := newProgress("json", &buf, "img", steps)
	p3.event(engine.BuildEvent{Kind: engine.EventStep, Step: 2, Steps: 2, Text: "RUN x"})
	p3.failed(&FailedStep{Image: "img", Step: 2, Steps: 2, Line: 3, Engine: "boom"})
	kinds := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if err := s.validate([]byte(l)); err != nil {
			t.Errorf("%s: %v", l, err)
		}
		var ev ProgressEvent
		json.Unmarshal([]byte(l), &ev)
		kinds[ev.Event] = true
	}
	for _, k := range []string{"step", "cached", "running", "output", "done", "built", "up-to-date", "error", "status"} {
		if !kinds[k] {
			t.Errorf("no %q event written", k)
		}
	}
}

// The line view prints one line per finished step and a summary.
func TestProgressLines(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress("lines", &buf, "img", []Step{{Instruction: "FROM x"}, {Instruction: "RUN y"}})
	p.event(engine.BuildEvent{Kind: engine.EventStep, Step: 1, Steps: 2, Text: "FROM x"})
	p.event(engine.BuildEvent{Kind: engine.EventStep, Step: 2, Steps: 2, Text: "RUN y"})
	p.event(engine.BuildEvent{Kind: engine.EventCached, Step: 2, Steps: 2})
	p.done(&Result{ImageID: "sha256:0123456789abcdef", Tag: "p/img", Steps: 2, Cached: 1})
	got := buf.String()
	for _, want := range []string{"img [1/2] done FROM x", "img [2/2] cached RUN y", "img: built 0123456789ab as p/img"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// The TTY view redraws the running step's line and leaves one line per step.
func TestProgressTTY(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress("tty", &buf, "img", []Step{{Instruction: "FROM x"}, {Instruction: "RUN y"}})
	p.event(engine.BuildEvent{Kind: engine.EventStep, Step: 1, Steps: 2, Text: "FROM x"})
	p.event(engine.BuildEvent{Kind: engine.EventStep, Step: 2, Steps: 2, Text: "RUN y"})
	p.event(engine.BuildEvent{Kind: engine.EventRunning, Step: 2, Steps: 2, Text: "c0ffee"})
	p.done(&Result{ImageID: "sha256:0123456789abcdef", Tag: "p/img", Steps: 2, Ran: 1})
	got := buf.String()
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "[ 1/ 2] done") || !strings.Contains(lines[1], "[ 2/ 2] ran") || !strings.HasPrefix(lines[2], "img: built") {
		t.Errorf("tty view:\n%q", got)
	}
	if !strings.Contains(got, "\r\033[K") {
		t.Error("no line redraw")
	}
}

// A tty progress line fits the terminal's width, one column left free, so
// that its redraws never wrap; the elapsed time stays at its end.
func TestFitWidth(t *testing.T) {
	long := fmt.Sprintf("%-8s [%2d/%2d] %-7s %-60s %5.1fs", "ssh", 4, 10, "running", "RUN /bin/bash /build/script/03_sshd.sh", 12.3)
	for _, w := range []int{40, 80, 100, 200} {
		got := fitWidth(long, w)
		if n := len([]rune(got)); n >= w {
			t.Errorf("width %d: %d columns: %q", w, n, got)
		}
		if !strings.HasSuffix(got, " 12.3s") {
			t.Errorf("width %d: %q lost the elapsed time", w, got)
		}
		if w > len(long) && got != long {
			t.Errorf("width %d: %q changed a line that fits", w, got)
		}
	}
}

// BuildKit numbers only the steps that make a layer: a step whose number
// names another instruction of the plan gets the script of the step with
// its instruction.
func TestProgressScriptByInstruction(t *testing.T) {
	var buf bytes.Buffer
	steps := []Step{{Instruction: "FROM x"}, {Instruction: "ENV A=1"}, {Instruction: "COPY s.sh /s.sh", Script: "s.sh"}, {Instruction: "RUN sh /s.sh", Script: "s.sh"}, {Instruction: "COPY t.sh /t.sh", Script: "t.sh"}}
	p := newProgress("json", &buf, "img", steps)
	p.event(engine.BuildEvent{Kind: engine.EventStep, Step: 4, Steps: 5, Text: "COPY t.sh  /t.sh"})
	p.event(engine.BuildEvent{Kind: engine.EventCached, Step: 4, Steps: 5})
	var ev ProgressEvent
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Script != "t.sh" {
			t.Errorf("%s event of step 4 (COPY t.sh): script %q, want t.sh", ev.Event, ev.Script)
		}
	}
}

// A build without a tag (docker build without -t) says so in its summary.
func TestProgressLinesUntagged(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress("lines", &buf, "app", []Step{{Instruction: "FROM x"}})
	p.done(&Result{ImageID: "sha256:0123456789abcdef", Steps: 1})
	if got, want := buf.String(), "app: built 0123456789ab (untagged) in"; !strings.Contains(got, want) {
		t.Errorf("output lacks %q:\n%s", want, got)
	}
}

// A build that fails before its first step (the frontend refused the
// Dockerfile) says so, not "step 0/N failed".
func TestFailedBeforeFirstStep(t *testing.T) {
	f := &FailedStep{Image: "app", Steps: 3, Engine: "dockerfile parse error line 3: unknown instruction: ECHO"}
	if got, want := f.Error(), "app: the build failed before its first step\nengine: dockerfile parse error"; !strings.HasPrefix(got, want) {
		t.Errorf("%q, want it to start %q", got, want)
	}
}
