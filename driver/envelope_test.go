package driver

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dmake-dev/dmake/watch"
)

// The build and check events (image/progress.schema.json) and the watch
// events (watch/events.schema.json) share one envelope: both schemas
// require v (1), time, source (build, check; watch) and event.
func TestJSONEnvelope(t *testing.T) {
	type envelope struct {
		Required   []string                              `json:"required"`
		Properties map[string]map[string]json.RawMessage `json:"properties"`
	}
	var build envelope
	b, err := os.ReadFile(filepath.Join("..", "image", "progress.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &build); err != nil {
		t.Fatal(err)
	}
	var w struct {
		AllOf []struct {
			Ref string `json:"$ref"`
		} `json:"allOf"`
		Defs struct {
			Envelope envelope `json:"envelope"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(watch.EventSchema, &w); err != nil {
		t.Fatal(err)
	}
	if len(w.AllOf) != 1 || w.AllOf[0].Ref != "#/$defs/envelope" {
		t.Errorf("watch events do not all have the envelope: allOf %v", w.AllOf)
	}
	for name, e := range map[string]envelope{"build": build, "watch": w.Defs.Envelope} {
		for _, f := range []string{"v", "time", "source", "event"} {
			if !slices.Contains(e.Required, f) || e.Properties[f] == nil {
				t.Errorf("%s events: %s is not required", name, f)
			}
		}
		if string(e.Properties["v"]["const"]) != "1" {
			t.Errorf("%s events: v is not 1", name)
		}
		var sources []string
		if c := e.Properties["source"]["const"]; c != nil {
			sources = append(sources, "")
			json.Unmarshal(c, &sources[0])
		} else {
			json.Unmarshal(e.Properties["source"]["enum"], &sources)
		}
		if !slices.Contains(sources, name) {
			t.Errorf("%s events: source is one of %q", name, sources)
		}
		if string(e.Properties["time"]["type"]) != `"string"` {
			t.Errorf("%s events: time is not a string", name)
		}
	}
}
