package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	bkclient "github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
)

// A prefetch on a daemon with an empty state (a second machine) fetches
// and unpacks the FROM image, so that the build after it unpacks nothing
// of it; on another empty daemon, without one, the build does. The
// prefetch's progress arrives through the build's display, before the
// build's own.
func TestBuildKitPrefetch(t *testing.T) {
	e, _ := needBuildKit(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	ctx := context.Background()
	base, found, err := e.InspectImage(ctx, "busybox:latest")
	if err != nil || !found || len(base.Layers) == 0 {
		t.Fatalf("the engine has no busybox:latest (%v)", err)
	}
	bases := map[string]string{"busybox:latest": base.ID}
	// extracted reports whether the build's status stream unpacked a
	// layer of busybox (the prefetch's statuses, forwarded under its own
	// vertex, left out).
	extracted := func(evs []BuildEvent) bool {
		for _, ev := range evs {
			if ev.Kind != EventStatus {
				continue
			}
			var s bkclient.SolveStatus
			if err := json.Unmarshal(ev.Raw, &s); err != nil {
				t.Fatal(err)
			}
			for _, st := range s.Statuses {
				if st.Vertex == digest.FromString(prefetchVertex) {
					continue // the prefetch's, forwarded: not the build's
				}
				for _, l := range base.Layers {
					if st.ID == "extracting "+l {
						return true
					}
				}
			}
		}
		return false
	}
	build := func(bk *BuildKit, ctxTar []byte, p *Prefetch, display *bytes.Buffer) []BuildEvent {
		t.Helper()
		e.UseBuildKit(bk, Outputs{})
		defer e.UseBuildKit(nil, Outputs{})
		var evs []BuildEvent
		req := BuildRequest{Context: bytes.NewReader(ctxTar), Bases: bases, Prefetch: p}
		if display != nil {
			req.Display, req.DisplayMode = display, "plain"
		}
		if _, err := e.Build(ctx, req, func(ev BuildEvent) { evs = append(evs, ev) }); err != nil {
			t.Fatalf("build on %s: %v", bk.Addr(), err)
		}
		return evs
	}

	if evs := build(startBuildKitd(t), fixture(t, nonce(t)), nil, nil); !extracted(evs) {
		t.Fatalf("without a prefetch, the build on an empty daemon unpacked no layer of busybox %v: the test cannot tell", base.Layers)
	}

	bk := startBuildKitd(t)
	e.UseBuildKit(bk, Outputs{})
	ctxTar := fixture(t, nonce(t))
	// The fixture's steps before its first RUN.
	ahead := []byte("FROM busybox:latest\nCOPY one.sh /s/one.sh\n")
	p := e.Prefetch(ctx, BuildRequest{Context: bytes.NewReader(ctxTar), Bases: bases}, ahead)
	e.UseBuildKit(nil, Outputs{})
	if p == nil {
		t.Fatal("no prefetch of a local base on a remote daemon")
	}
	var display bytes.Buffer
	evs := build(bk, ctxTar, p, &display)
	if extracted(evs) {
		t.Errorf("the build after the prefetch unpacked busybox's layers %v again", base.Layers)
	}
	if cached, _ := cachedSteps(t, evs); cached != 1 {
		t.Errorf("the build after the prefetch found %d steps cached, want 1 (COPY one.sh)", cached)
	}
	// The events carry it too (BuildKit's status, as JSON), as no step.
	prefetched := false
	for _, ev := range evs {
		if ev.Kind == EventStatus && strings.Contains(string(ev.Raw), prefetchVertex) {
			prefetched = true
		}
		if ev.Kind == EventStep && strings.Contains(ev.Text, "dmake") {
			t.Errorf("the prefetch counted as a step: %+v", ev)
		}
	}
	if !prefetched {
		t.Error("no status event of the prefetch")
	}
	out := display.String()
	i, j := strings.Index(out, prefetchVertex), strings.Index(out, "load build definition")
	if i < 0 || j < i || strings.Contains(out, "ERROR") || strings.Count(out, "COPY one.sh") != 1 {
		t.Errorf("the display shows no prefetch as one step before the build, or an error:\n%s", out)
	}

	// The classic builder needs none.
	if p := e.Prefetch(ctx, BuildRequest{Context: bytes.NewReader(ctxTar), Bases: bases}, ahead); p != nil {
		p.Stop()
		t.Error("a prefetch for the classic builder")
	}
}
