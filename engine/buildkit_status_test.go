package engine

import (
	"fmt"
	"slices"
	"testing"
	"time"

	bkclient "github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
)

// TestStatusEventsOnce: each step that runs is reported running once,
// whether BuildKit's status stream says it started before it completed
// (a RUN step: its container runs) or only that it completed (a COPY), and
// a cached step is reported cached; a status repeated by a cache import
// reports nothing again.
func TestStatusEventsOnce(t *testing.T) {
	now := time.Unix(0, 0)
	v := func(name string, started, completed, cached bool) *bkclient.Vertex {
		x := &bkclient.Vertex{Digest: digest.FromString(name), Name: name, Cached: cached}
		if started {
			x.Started = &now
		}
		if completed {
			x.Completed = &now
		}
		return x
	}
	const (
		from = "[1/4] FROM docker.io/library/busybox:latest"
		cp   = "[2/4] COPY a /a"
		run  = "[3/4] RUN sh /a"
		run2 = "[4/4] RUN true"
	)
	df := []byte("FROM busybox:latest\nCOPY a /a\nRUN sh /a\nRUN true\n")
	for _, tc := range []struct {
		name   string
		stream [][]*bkclient.Vertex
		want   []string
	}{
		{"run started then completed", [][]*bkclient.Vertex{
			{v(from, true, false, false), v(cp, true, false, false)},
			{v(from, true, true, false), v(cp, true, true, false), v(run, true, false, false)},
			{v(run, true, true, false)},
			{v(run2, true, true, true)},
		}, []string{"step 1", "step 2", "running 2", "done 2", "step 3", "running 3", "done 3", "step 4", "cached 4"}},
		{"completed at once, reported again", [][]*bkclient.Vertex{
			{v(cp, true, true, false), v(run, true, true, false)},
			{v(cp, true, true, true), v(run, true, true, true)},
		}, []string{"step 2", "running 2", "done 2", "step 3", "running 3", "done 3"}},
		// Another build running at once on the same BuildKit, FROM the
		// same image with a longer Dockerfile: the FROM vertex they
		// share carries its name ("[1/11]"), and its later steps may
		// come through too.
		{"vertices shared with another build", [][]*bkclient.Vertex{
			{v("[1/11] FROM docker.io/library/busybox:latest", true, true, false)},
			{v("[9/11] RUN other", true, true, false), v(cp, true, true, false)},
		}, []string{"step 1", "step 2", "running 2", "done 2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			s := newStatusEvents(func(e BuildEvent) {
				switch e.Kind {
				case EventStep:
					got = append(got, fmt.Sprint("step ", e.Step))
				case EventRunning:
					got = append(got, fmt.Sprint("running ", e.Step))
				case EventCached:
					got = append(got, fmt.Sprint("cached ", e.Step))
				case EventDone:
					got = append(got, fmt.Sprint("done ", e.Step))
				}
			}, df)
			for _, vs := range tc.stream {
				s.update(&bkclient.SolveStatus{Vertexes: vs})
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("events %q, want %q", got, tc.want)
			}
			if s.res.Steps != 4 {
				t.Errorf("%d steps, want the Dockerfile's 4", s.res.Steps)
			}
		})
	}
}
