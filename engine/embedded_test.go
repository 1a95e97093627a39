package engine_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	bkclient "github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/tonistiigi/fsutil"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
)

// TestEmbeddedBuildKit reaches the BuildKit of the shared engine through its
// /grpc and /session endpoints and runs a build on it that needs both: a
// local directory sent over the session, a RUN on the local busybox image,
// and the result written back to a local directory over the session.
func TestEmbeddedBuildKit(t *testing.T) {
	eng := enginetest.Require(t)
	ctx := t.Context()
	c, err := eng.EmbeddedBuildKit(ctx, func(string) string { return "" })
	if err != nil {
		t.Fatalf("EmbeddedBuildKit: %v", err)
	}
	defer c.Close()
	ws, err := c.ListWorkers(ctx)
	if err != nil || len(ws) == 0 {
		t.Fatalf("ListWorkers = %v, %v", ws, err)
	}

	in, out := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(in, "in"), []byte("from the session\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := llb.Image("docker.io/library/busybox:latest").Run(
		llb.Args([]string{"sh", "-c", "cat /ctx/in > /out/res && echo built by the embedded BuildKit >> /out/res"}),
		llb.AddMount("/ctx", llb.Local("ctx"), llb.Readonly),
		llb.Network(llb.NetModeNone))
	def, err := run.AddMount("/out", llb.Scratch()).Marshal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := fsutil.NewFS(in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Solve(ctx, def, bkclient.SolveOpt{
		LocalMounts: map[string]fsutil.FS{"ctx": fs},
		Exports:     []bkclient.ExportEntry{{Type: bkclient.ExporterLocal, OutputDir: out}},
	}, nil); err != nil {
		t.Fatalf("Solve on the embedded BuildKit: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(out, "res"))
	if want := "from the session\nbuilt by the embedded BuildKit\n"; err != nil || string(got) != want {
		t.Errorf("the build wrote %q, %v; want %q", got, err, want)
	}
}

// TestEmbeddedBuildKitAbsent: where the engine offers no BuildKit, or the
// user asks for the classic builder, EmbeddedBuildKit's error wraps
// ErrNoEmbeddedBuildKit and says why, so the caller falls back.
func TestEmbeddedBuildKitAbsent(t *testing.T) {
	// An engine API that answers pings but has no /grpc endpoint (as an
	// engine built without BuildKit), and one whose ping names the classic
	// builder. Each counts its pings in pings[host].
	pings := map[string]*atomic.Int32{}
	fake := func(builder string) string {
		n := new(atomic.Int32)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/_ping") {
				n.Add(1)
				w.Header().Set("Api-Version", "1.41")
				if builder != "" {
					w.Header().Set("Builder-Version", builder)
				}
				_, _ = w.Write([]byte("OK"))
				return
			}
			http.NotFound(w, r)
		}))
		t.Cleanup(srv.Close)
		host := "tcp://" + strings.TrimPrefix(srv.URL, "http://")
		pings[host] = n
		return host
	}
	for _, tc := range []struct {
		name, host string
		env        map[string]string
		want       string
	}{
		{"no /grpc", fake(""), nil, "does not answer as BuildKit on /grpc"},
		{"Builder-Version 1", fake("1"), nil, "its builder is the classic one"},
		{"DOCKER_BUILDKIT=0", fake("2"), map[string]string{"DOCKER_BUILDKIT": "0"}, "DOCKER_BUILDKIT=0 asks for the classic builder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eng, err := engine.Dial(t.Context(), tc.host)
			if err != nil {
				t.Fatal(err)
			}
			defer eng.Close()
			c, err := eng.EmbeddedBuildKit(t.Context(), func(k string) string { return tc.env[k] })
			if err == nil {
				c.Close()
				t.Fatal("EmbeddedBuildKit: no error")
			}
			if !errors.Is(err, engine.ErrNoEmbeddedBuildKit) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("EmbeddedBuildKit: %v; want ErrNoEmbeddedBuildKit saying %q", err, tc.want)
			}
			// The builder the engine runs is known from the ping of Dial.
			if n := pings[tc.host].Load(); n != 1 {
				t.Errorf("the engine was pinged %d times, want once", n)
			}
		})
	}
	t.Run("DOCKER_BUILDKIT=maybe", func(t *testing.T) {
		eng, err := engine.Dial(context.Background(), fake("2"))
		if err != nil {
			t.Fatal(err)
		}
		defer eng.Close()
		_, err = eng.EmbeddedBuildKit(t.Context(), func(string) string { return "maybe" })
		if err == nil || errors.Is(err, engine.ErrNoEmbeddedBuildKit) || !strings.Contains(err.Error(), `DOCKER_BUILDKIT="maybe"`) {
			t.Errorf("EmbeddedBuildKit with DOCKER_BUILDKIT=maybe: %v; want an error naming the bad value", err)
		}
	})
}

// TestEmbeddedBuildKitCancelled: a build cancelled while the engine's
// BuildKit is being asked for (UseEmbeddedBuildKit with a choice) returns
// the cancellation, and does not fall back to the classic builder nor name
// one: a cancelled run has no reason to.
func TestEmbeddedBuildKitCancelled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/_ping") {
			w.Header().Set("Api-Version", "1.41")
			_, _ = w.Write([]byte("OK"))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	eng, err := engine.Dial(t.Context(), "tcp://"+strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	var chosen []string
	if err := eng.UseEmbeddedBuildKit(t.Context(), func(string) string { return "" }, engine.Outputs{}, func(bk *engine.BuildKit, reason error) error {
		chosen = append(chosen, fmt.Sprint(bk != nil, reason))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := eng.Build(ctx, engine.BuildRequest{Context: strings.NewReader("")}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled build: %v, want context.Canceled", err)
	}
	if len(chosen) > 0 {
		t.Errorf("a cancelled build chose a builder: %q", chosen)
	}
}
