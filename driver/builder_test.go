package driver

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
)

// builderContext is a build context whose image says which builder made it
// only through the build itself: a RUN writes a file, a LABEL marks it.
func builderContext(t *testing.T, mark string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	df := fmt.Sprintf("FROM busybox:latest\nRUN echo %s > /mark\nLABEL %s=1\n", mark, enginetest.Label)
	if err := tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(df)), ModTime: time.Unix(0, 0)}); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte(df))
	tw.Close()
	return buf.Bytes()
}

// TestEngineBuilderSelection: by default (and with --builder auto) the
// engine's embedded BuildKit builds, and the output names it once, with its
// version; where the engine offers none (here DOCKER_BUILDKIT=0, as the
// docker CLI takes it) the classic builder does, and the output says so and
// why; --builder classic and --builder engine choose without falling back
// (nor saying); --builder ADDR (or BUILDKIT_HOST) is the standalone daemon.
// Each build's image is checked in the engine.
func TestEngineBuilderSelection(t *testing.T) {
	// The engine's BuildKit, named with its version (BuildKit's own, or
	// the engine's where its BuildKit does not say) and the engine.
	const embeddedSaid = `^dmake: builder: the engine's BuildKit \((v[0-9.]+|Docker Engine [^ )]+)\) at [a-z]+://\S+\n$`
	c := enginetest.Require(t)
	remote := os.Getenv("DMAKE_BUILDKIT_ADDR")
	for _, tc := range []struct {
		name    string
		builder string
		env     []string
		want    string // "embedded", "classic", "remote", or an error's text
		said    string // what stderr says (a regular expression)
	}{
		{name: "default", want: "embedded", said: embeddedSaid},
		{name: "--builder auto", builder: BuilderAuto, want: "embedded", said: embeddedSaid},
		{name: "--builder auto, DOCKER_BUILDKIT=1", builder: BuilderAuto, env: []string{"DOCKER_BUILDKIT=1"}, want: "embedded", said: embeddedSaid},
		{name: "default, fallback", env: []string{"DOCKER_BUILDKIT=0"}, want: "classic",
			said: `^dmake: builder: the engine's classic builder \(the engine offers no BuildKit: DOCKER_BUILDKIT=0 asks for the classic builder\)\n$`},
		{name: "--builder auto, fallback", builder: BuilderAuto, env: []string{"DOCKER_BUILDKIT=0"}, want: "classic",
			said: `^dmake: builder: the engine's classic builder \(the engine offers no BuildKit: DOCKER_BUILDKIT=0 asks for the classic builder\)\n$`},
		{name: "--builder classic", builder: BuilderClassic, want: "classic"},
		{name: "--builder engine", builder: BuilderEngine, want: "embedded"},
		{name: "--builder engine, DOCKER_BUILDKIT=0", builder: BuilderEngine, env: []string{"DOCKER_BUILDKIT=0"},
			want: "DOCKER_BUILDKIT=0 asks for the classic builder"},
		{name: "--builder ADDR", builder: remote, want: "remote"},
		{name: "BUILDKIT_HOST", env: []string{"BUILDKIT_HOST=" + remote}, want: "remote"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == "remote" {
				enginetest.Var(t, "DMAKE_BUILDKIT_ADDR")
			}
			var stderr bytes.Buffer
			eng, err := newEngine(t.Context(), Options{Builder: tc.builder, Env: append([]string{"PATH=" + os.Getenv("PATH")}, tc.env...)}, &stderr)
			if tc.want != "embedded" && tc.want != "classic" && tc.want != "remote" {
				if err == nil {
					eng.Close()
					t.Fatalf("newEngine: no error, want one saying %q", tc.want)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("newEngine: %v, want an error saying %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer eng.Close()
			if stderr.Len() > 0 {
				t.Errorf("choosing the builder said %q before a build needs it", stderr.String())
			}
			got := "classic"
			if bk := eng.BuildKit(); bk != nil && bk.Embedded() {
				got = "embedded"
			} else if bk != nil {
				got = "remote"
			}
			if got != tc.want {
				t.Fatalf("builds on the %s builder, want %s", got, tc.want)
			}
			if tc.said == "" && stderr.Len() > 0 || tc.said != "" && !regexp.MustCompile(tc.said).MatchString(stderr.String()) {
				t.Errorf("stderr %q, want it to match %q", stderr.String(), tc.said)
			}

			mark := fmt.Sprintf("builder-%s-%d", strings.NewReplacer(" ", "", "=", "", "-", "", ",", "").Replace(tc.name), time.Now().UnixNano())
			tag := "dmaketest-builder/" + strings.ToLower(mark)
			t.Cleanup(func() { c.RemoveImage(context.Background(), tag, engine.RemoveImageOptions{}) })
			var status int
			res, err := eng.Build(t.Context(), engine.BuildRequest{Context: bytes.NewReader(builderContext(t, mark)),
				BuildSettings: engine.BuildSettings{Tags: []string{tag}, NetworkMode: "none"}},
				func(e engine.BuildEvent) {
					if e.Kind == engine.EventStatus {
						status++
					}
				})
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			if tc.said == "" && stderr.Len() > 0 || tc.said != "" && strings.Count(stderr.String(), "builder:") != 1 {
				t.Errorf("after the build, stderr %q: want the builder named once (or not at all when chosen by name)", stderr.String())
			}
			// BuildKit reports its status stream; the classic builder has none.
			if (status > 0) != (got != "classic") {
				t.Errorf("%d BuildKit status events from the %s builder", status, got)
			}
			info, found, err := c.InspectImage(t.Context(), tag)
			if err != nil || !found || info.ID != res.ImageID || info.Labels[enginetest.Label] != "1" {
				t.Errorf("the engine's image %s: %+v, found %v, %v; want id %s, labelled", tag, info, found, err, res.ImageID)
			}
		})
	}
}

// TestBuilderFallbackNoBuildKit: with --builder auto, an engine that
// offers no BuildKit (its API answers, its /grpc endpoint does not) gets
// the classic builder, named with the reason; --builder engine there is an
// error.
func TestBuilderFallbackNoBuildKit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/_ping") {
			w.Header().Set("Api-Version", "1.41")
			w.Write([]byte("OK"))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	t.Setenv("DOCKER_HOST", "tcp://"+strings.TrimPrefix(srv.URL, "http://"))
	t.Setenv("DOCKER_CONTEXT", "")
	var stderr bytes.Buffer
	eng, err := newEngine(t.Context(), Options{Builder: BuilderAuto, Env: []string{}}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if eng.BuildKit() != nil {
		t.Errorf("builds on %s, want the classic builder", eng.BuildKit().Addr())
	}
	if want := "dmake: builder: the engine's classic builder (the engine offers no BuildKit: the engine at "; !strings.HasPrefix(stderr.String(), want) ||
		!strings.Contains(stderr.String(), "does not answer as BuildKit on /grpc") {
		t.Errorf("stderr %q, want it to start %q and name /grpc", stderr.String(), want)
	}

	stderr.Reset()
	if eng, err := newEngine(t.Context(), Options{Builder: BuilderEngine, Env: []string{}}, &stderr); err == nil {
		eng.Close()
		t.Error("--builder engine at an engine without BuildKit: no error")
	} else if !strings.Contains(err.Error(), "does not answer as BuildKit on /grpc") {
		t.Errorf("--builder engine at an engine without BuildKit: %v", err)
	}
}

// TestBuilderAutoAsksLate: with --builder auto, choosing the builder asks
// the engine only for its ping; its BuildKit (/grpc) is asked when a build
// first needs the builder, so a run with nothing to build sends nothing to
// it. An engine without one still gets the classic builder then.
func TestBuilderAutoAsksLate(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Path)
		mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/_ping") {
			w.Header().Set("Api-Version", "1.41")
			w.Write([]byte("OK"))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	t.Setenv("DOCKER_HOST", "tcp://"+strings.TrimPrefix(srv.URL, "http://"))
	t.Setenv("DOCKER_CONTEXT", "")
	var stderr bytes.Buffer
	eng, err := newEngine(t.Context(), Options{Builder: BuilderAuto, Env: []string{}}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	grpc := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.ContainsFunc(asked, func(p string) bool { return strings.HasSuffix(p, "/grpc") })
	}
	if grpc() || stderr.Len() > 0 {
		t.Errorf("choosing the builder asked %q and said %q; want no /grpc request and nothing said", asked, stderr.String())
	}
	if eng.BuildKit() != nil {
		t.Errorf("builds on %s, want the classic builder", eng.BuildKit().Addr())
	}
	if !grpc() || !strings.Contains(stderr.String(), "builder: the engine's classic builder") {
		t.Errorf("the first look at the builder asked %q and said %q; want /grpc asked and the fallback said", asked, stderr.String())
	}
}

// TestWatchEmbeddedBuildKit: --watch --check with --builder auto on the bb
// repo builds on the engine's own BuildKit (its status stream in the
// events, no fallback said), the images land in the engine, and after a
// script edit the steps before it are cached and the rest run again.
func TestWatchEmbeddedBuildKit(t *testing.T) {
	c := enginetest.Require(t)
	root := copyRepo(t)
	removeImages(t, c, "bb", "bb2")
	w := startWatchOpts(t, root, Options{
		Watch:     true,
		Debounce:  50 * time.Millisecond,
		Dir:       []string{root},
		Goals:     []string{"bb2"},
		Progress:  "json",
		Check:     true,
		Builder:   BuilderAuto,
		Variables: []string{"IMAGE_PREFIX=" + watchPrefix, "DOCKER_ARGS=--label " + enginetest.Label + "=1"},
	})
	if strings.Contains(w.stderr.String(), "classic builder") {
		t.Fatalf("--builder auto fell back to the classic builder:\n%s", w.stderr.String())
	}
	status := 0
	for _, e := range progressEvents(w.stderr.String()) {
		if e.Event == "status" {
			status++
		}
	}
	if status == 0 {
		t.Errorf("the first build sent no BuildKit status events:\n%s", w.stderr.String())
	}
	for _, n := range []string{"bb", "bb2"} {
		info, found, err := c.InspectImage(t.Context(), watchPrefix+n)
		if err != nil || !found || info.Labels["dev.dmake.layout"] == "" {
			t.Fatalf("%s%s is not in the engine after the first build (%v)", watchPrefix, n, err)
		}
	}

	w.writeFile("script/03_app.sh", readRepo(t, root, "script/03_app.sh")+unique("embedded"))
	cy := w.nextCycle()
	cy.expectOK(t)
	if got, want := cy.built(), []string{"bb", "bb2"}; !slices.Equal(got, want) {
		t.Errorf("built %v, want %v", got, want)
	}
	instr, how := cy.steps("bb")
	at := slices.IndexFunc(instr, func(s string) bool { return strings.HasPrefix(s, "COPY script/03_app.sh") })
	if at < 1 {
		t.Fatalf("bb has no COPY step for 03_app.sh after another: %q", instr)
	}
	for i := range instr {
		if strings.HasPrefix(instr[i], "FROM ") {
			continue // neither cached nor run, as on the classic builder
		}
		if i < at && how[i] != "cached" || i >= at && how[i] != "ran" {
			t.Errorf("bb step %q: %s (the change is at %q)", instr[i], how[i], instr[at])
		}
	}
	if how, _ := stepFor(cy, "bb", "03_app.sh"); how != "ran" {
		t.Errorf("03_app.sh step %q, want ran", how)
	}
}

// --platform takes os/arch[/variant] items; several need --push for a
// build (a manifest list lives in a registry, not in the engine's image
// store), not for what builds nothing.
func TestPlatformOption(t *testing.T) {
	for _, c := range []struct {
		o    Options
		want string // in the error; "" for none
	}{
		{Options{Platform: "linux/386"}, ""},
		{Options{Platform: "linux/amd64,linux/386", Push: true}, ""},
		{Options{Platform: "linux/amd64,linux/386"}, "add --push"},
		{Options{Platform: "linux/amd64,linux/386", Watch: true}, "add --push"},
		// What builds nothing needs no registry.
		{Options{Platform: "linux/amd64,linux/386", Check: true}, ""},
		{Options{Platform: "linux/amd64,linux/386", CheckScripts: true}, ""},
		{Options{Platform: "linux/amd64,linux/386", Graph: "json"}, ""},
		{Options{Platform: "linux/amd64,linux/386", NoBuild: true}, ""},
		{Options{Platform: "linux/amd64,linux/386", DryRun: true}, ""},
		{Options{Platform: "linux/amd64,"}, `invalid platform ""`},
		{Options{Platform: "linux/arm/v7/x"}, `invalid platform "linux/arm/v7/x"`},
	} {
		err := c.o.Validate()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("--platform %s (push %v): %v, want %q", c.o.Platform, c.o.Push, err, c.want)
		}
	}
}
