package watch

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestEventText(t *testing.T) {
	ch := func(kinds ...string) []EventChange {
		var out []EventChange
		for i, k := range kinds {
			out = append(out, EventChange{Path: "/r/script/" + string(rune('a'+i)) + ".sh", Kind: k})
		}
		return out
	}
	sec := int64(time.Second)
	tests := []struct {
		e    Event
		want string
	}{
		{Event{Type: EventDone, Cycle: 1, Changes: ch("modified"), Images: []string{"ssh", "web"}, DurationNs: 2345 * sec / 1000},
			"#1 script/a.sh changed → rebuilt ssh, web in 2.345s"},
		{Event{Type: EventDone, Cycle: 2, Changes: ch("created", "removed", "mode", "modified", "modified"), Reparse: true, Images: []string{"base"}, DurationNs: sec},
			"#2 script/a.sh created, script/b.sh removed, script/c.sh mode changed, 2 more changed; Makefiles re-read → rebuilt base in 1s"},
		{Event{Type: EventDone, Cycle: 3, Changes: ch("modified"), Canceled: true, Images: []string{"web"}, DurationNs: sec / 2},
			"#3 script/a.sh changed → rebuild of web cancelled after 500ms"},
		{Event{Type: EventDone, Cycle: 4, Changes: ch("modified"), Error: "x.sh:1:2: bad", Stage: "rebuild", DurationNs: sec},
			"#4 script/a.sh changed → rebuild of no image failed after 1s: x.sh:1:2: bad (the last good images stay; the next save retries)"},
		{Event{Type: EventStart, Files: 12, Watches: 5, Policy: "finish"},
			"watching 12 files in 5 directories (policy finish); press Ctrl-C to stop"},
		{Event{Type: EventCycle, Cycle: 1, Changes: ch("modified")}, ""},
		{Event{Type: EventRebuild, Cycle: 1}, ""},
		{Event{Type: EventRebuild, Cycle: 5, Changes: ch("modified"), Images: []string{"ssh", "web"}}, "#5 script/a.sh changed → rebuilding ssh, web"},
		{Event{Type: EventError, Error: "fsnotify: queue or buffer overflow"}, "watch: fsnotify: queue or buffer overflow"},
	}
	for _, tt := range tests {
		if got := tt.e.Text("/r"); got != tt.want {
			t.Errorf("Text(%s #%d) =\n%q, want\n%q", tt.e.Type, tt.e.Cycle, got, tt.want)
		}
	}
}

func TestWriters(t *testing.T) {
	var js, txt bytes.Buffer
	jw, tw := JSONWriter(&js), TextWriter(&txt, "/r")
	b := Batch{Changes: []Change{{"/r/a.sh", Modified}}, Images: []string{"base"},
		First: epoch, Last: epoch.Add(time.Millisecond), Ready: epoch.Add(101 * time.Millisecond)}
	events := []Event{
		{Type: EventStart, TimeNs: epoch.UnixNano(), Watches: 1, Files: 1, Policy: "cancel"},
		batchEvent(EventCycle, epoch.Add(102*time.Millisecond), 1, b),
		batchEvent(EventRebuild, epoch.Add(103*time.Millisecond), 1, b),
	}
	done := batchEvent(EventDone, epoch.Add(2*time.Second), 1, b)
	done.DurationNs = int64(1898 * time.Millisecond)
	done.Error, done.Stage = errors.New("boom").Error(), "rebuild"
	events = append(events, done, Event{Type: EventStop, TimeNs: epoch.Add(3 * time.Second).UnixNano()})
	for _, e := range events {
		jw(e)
		tw(e)
	}
	v := newValidator(t, EventSchema)
	lines := bytes.Split(bytes.TrimSpace(js.Bytes()), []byte("\n"))
	if len(lines) != len(events) {
		t.Fatalf("%d JSON lines for %d events", len(lines), len(events))
	}
	for _, l := range lines {
		validateLine(t, v, l)
	}
	want := "dmake --watch: watching 1 files in 1 directories (policy cancel); press Ctrl-C to stop\n" +
		"dmake --watch: #1 a.sh changed → rebuilding base\n" +
		"dmake --watch: #1 a.sh changed → rebuild of base failed after 1.898s: boom (the last good images stay; the next save retries)\n" +
		"dmake --watch: stopped watching\n"
	if txt.String() != want {
		t.Errorf("text output:\n%s\nwant:\n%s", txt.String(), want)
	}
}
