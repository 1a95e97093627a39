package watch

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// EventSchema is the JSON Schema (draft 2020-12) of the events JSONWriter
// writes, one object per line, for --progress=json.
//
//go:embed events.schema.json
var EventSchema []byte

// EventType names what an Event reports.
type EventType string

// The event types, in the order a cycle produces them.
const (
	EventStart   EventType = "watch.start"   // watching began: Watches, Files, Policy
	EventCycle   EventType = "watch.cycle"   // a cycle begins: Changes, change times, Reparse, Images
	EventRebuild EventType = "watch.rebuild" // Rebuild is about to be called (after any Replan): Images
	EventDone    EventType = "watch.done"    // the cycle ended: Duration, Error, Stage, Canceled
	EventError   EventType = "watch.error"   // the watching itself hit a problem and goes on
	// EventImageLeft and EventImageBack are the caller's: an image can no
	// longer be built (Images; Error says why) and is watched for its
	// return, or it is back.
	EventImageLeft EventType = "watch.image-left"
	EventImageBack EventType = "watch.image-back"
	EventStop      EventType = "watch.stop" // the loop ends (its context was cancelled)
)

// An Event reports one step of the watch loop. Times are Unix nanoseconds
// read from the loop's Clock.
type Event struct {
	// V, Time, Source and Kind are the envelope every dmake JSON event
	// has (image.ProgressEvent too): the schema version, the time (RFC
	// 3339, UTC), "watch", and Type without its "watch." prefix.
	// JSONWriter sets them.
	V       int           `json:"v"`
	Time    string        `json:"time"`
	Source  string        `json:"source"`
	Kind    string        `json:"event"`
	Type    EventType     `json:"type"`
	TimeNs  int64         `json:"time_ns"`
	Cycle   int           `json:"cycle,omitempty"`
	Changes []EventChange `json:"changes,omitempty"`
	Reparse bool          `json:"reparse,omitempty"`
	Images  []string      `json:"images,omitempty"`
	// FirstChangeNs and LastChangeNs are when the first and the last file
	// event of the cycle's changes arrived, ReadyNs when the debounce ran
	// out.
	FirstChangeNs int64 `json:"first_change_ns,omitempty"`
	LastChangeNs  int64 `json:"last_change_ns,omitempty"`
	ReadyNs       int64 `json:"ready_ns,omitempty"`
	// DurationNs is how long the cycle ran (Replan and Rebuild).
	DurationNs int64  `json:"duration_ns,omitempty"`
	Error      string `json:"error,omitempty"`
	// Stage is where a cycle failed: "replan" or "rebuild".
	Stage    string `json:"stage,omitempty"`
	Canceled bool   `json:"canceled,omitempty"`
	Watches  int    `json:"watches,omitempty"`
	Files    int    `json:"files,omitempty"`
	Policy   string `json:"policy,omitempty"`
}

// EventChange is a Change in an Event.
type EventChange struct {
	Path string `json:"path"`
	Kind string `json:"kind"` // created, modified, removed, mode
}

func eventChanges(b Batch) []EventChange {
	out := make([]EventChange, len(b.Changes))
	for i, c := range b.Changes {
		out[i] = EventChange{Path: c.Path, Kind: c.Kind.String()}
	}
	return out
}

func batchEvent(t EventType, now time.Time, cycle int, b Batch) Event {
	return Event{
		Type:          t,
		TimeNs:        now.UnixNano(),
		Cycle:         cycle,
		Changes:       eventChanges(b),
		Reparse:       b.Reparse,
		Images:        b.Images,
		FirstChangeNs: unixNano(b.First),
		LastChangeNs:  unixNano(b.Last),
		ReadyNs:       unixNano(b.Ready),
	}
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// Text returns the human line for e, with paths shown relative to dir when
// they lie below it, or "" for events a person need not see (cycle starts
// and rebuild requests: the done line tells the whole cycle).
func (e Event) Text(dir string) string {
	switch e.Type {
	case EventStart:
		return fmt.Sprintf("watching %d files in %d directories (policy %s); press Ctrl-C to stop", e.Files, e.Watches, e.Policy)
	case EventError:
		return "watch: " + e.Error
	case EventStop:
		return "stopped watching"
	case EventImageLeft:
		return "image " + strings.Join(e.Images, ", ") + " left (" + e.Error + "); watching for its return"
	case EventImageBack:
		return "image " + strings.Join(e.Images, ", ") + " is back"
	case EventRebuild:
		// The change is seen: say so before the rebuild runs.
		if len(e.Images) == 0 {
			return ""
		}
		return fmt.Sprintf("#%d %s → rebuilding %s", e.Cycle, changedText(e.Changes, dir), strings.Join(e.Images, ", "))
	case EventDone:
	default:
		return ""
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "#%d %s", e.Cycle, changedText(e.Changes, dir))
	if e.Reparse {
		sb.WriteString("; Makefiles re-read")
	}
	images := "no image"
	if len(e.Images) > 0 {
		images = strings.Join(e.Images, ", ")
	}
	d := time.Duration(e.DurationNs).Round(time.Millisecond)
	switch {
	case e.Canceled:
		fmt.Fprintf(&sb, " → rebuild of %s cancelled after %s", images, d)
	case e.Error != "":
		fmt.Fprintf(&sb, " → %s of %s failed after %s: %s (the last good images stay; the next save retries)", e.Stage, images, d, e.Error)
	default:
		fmt.Fprintf(&sb, " → rebuilt %s in %s", images, d)
	}
	return sb.String()
}

func changedText(cs []EventChange, dir string) string {
	const show = 3
	verbs := map[string]string{"modified": "changed", "mode": "mode changed"}
	var names []string
	for i, c := range cs {
		if i == show {
			names = append(names, fmt.Sprintf("%d more changed", len(cs)-show))
			break
		}
		p := c.Path
		if dir != "" {
			if rel, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(rel, "..") {
				p = rel
			}
		}
		verb := c.Kind
		if v, ok := verbs[c.Kind]; ok {
			verb = v
		}
		names = append(names, p+" "+verb)
	}
	if len(names) == 0 {
		return "nothing changed"
	}
	return strings.Join(names, ", ")
}

// JSONWriter returns an OnEvent function that writes each event to w as one
// JSON object per line (see EventSchema). It is safe for concurrent use.
func JSONWriter(w io.Writer) func(Event) {
	var mu sync.Mutex
	return func(e Event) {
		e.V, e.Source, e.Kind = 1, "watch", strings.TrimPrefix(string(e.Type), "watch.")
		e.Time = time.Unix(0, e.TimeNs).UTC().Format(time.RFC3339Nano)
		data, err := json.Marshal(e)
		if err != nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		w.Write(append(data, '\n'))
	}
}

// TextWriter returns an OnEvent function that writes the human line of each
// event that has one (see Event.Text) to w, with paths relative to dir. It is
// safe for concurrent use.
func TextWriter(w io.Writer, dir string) func(Event) {
	var mu sync.Mutex
	return func(e Event) {
		line := e.Text(dir)
		if line == "" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		io.WriteString(w, "dmake --watch: "+line+"\n")
	}
}
