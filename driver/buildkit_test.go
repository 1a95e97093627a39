package driver

import (
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/internal/enginetest"
)

// needBuilder returns the address of the buildkitd the BuildKit tests
// build on (.ci/engine.sh starts one and names it in DMAKE_BUILDKIT_ADDR).
func needBuilder(t *testing.T) string {
	t.Helper()
	return enginetest.Var(t, "DMAKE_BUILDKIT_ADDR")
}

// TestWatchBuildKit is --watch unchanged with a remote builder: the first
// build of bb2 (and of bb, its parent) runs on the buildkitd after the
// scripts' check before sending, each loaded into the engine; an edit of bb's script rebuilds
// bb from that script's COPY on, every step before it cached by BuildKit,
// and bb2 after it.
func TestWatchBuildKit(t *testing.T) {
	c := enginetest.Require(t)
	addr := needBuilder(t)
	root := copyRepo(t)
	removeImages(t, c, "bb", "bb2")
	opts := Options{
		Watch:     true,
		Debounce:  50 * time.Millisecond,
		Dir:       []string{root},
		Goals:     []string{"bb2"},
		Progress:  "json",
		Check:     true,
		Builder:   addr,
		Variables: []string{"IMAGE_PREFIX=" + watchPrefix, "DOCKER_ARGS=--label " + enginetest.Label + "=1"},
	}
	w := startWatchOpts(t, root, opts)
	var status int
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

	w.writeFile("script/03_app.sh", readRepo(t, root, "script/03_app.sh")+unique("app"))
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
		if i < at && how[i] != "cached" || i >= at && how[i] != "ran" {
			t.Errorf("bb step %q: %s (the change is at %q)", instr[i], how[i], instr[at])
		}
	}
}

// The builder is --builder, else BUILDKIT_HOST of the run's environment
// (as buildctl reads it), else none; the TLS flags go with it.
func TestBuilderOptions(t *testing.T) {
	for _, tc := range []struct {
		builder string
		env     []string
		want    string
	}{
		{"", []string{"PATH=/bin"}, ""},
		{"", []string{"BUILDKIT_HOST=tcp://a:1234"}, "tcp://a:1234"},
		{"unix:///run/b.sock", []string{"BUILDKIT_HOST=tcp://a:1234"}, "unix:///run/b.sock"},
		{"tcp://c:1", nil, "tcp://c:1"},
	} {
		bo := builderOptions(Options{Builder: tc.builder, Env: tc.env, BuilderTLSDir: "/certs"})
		if bo.Addr != tc.want || bo.TLSDir != "/certs" {
			t.Errorf("--builder %q, env %q: %+v, want address %q with the TLS directory", tc.builder, tc.env, bo, tc.want)
		}
	}
}

// --load, --push and the cache flags are for a BuildKit builder: without
// one dmake says so instead of building on the classic builder; bad cache
// values are refused with the flag's name, --attest without --push too.
func TestBuilderFlagsNeedBuilder(t *testing.T) {
	if err := (Options{CacheTo: []string{"type=local"}}).Validate(); err == nil || !strings.Contains(err.Error(), "--cache-to") || !strings.Contains(err.Error(), "dest=DIR") {
		t.Errorf("--cache-to type=local: %v, want an error asking for dest=DIR", err)
	}
	if err := (Options{CacheFrom: []string{"type=s3,bucket=x"}}).Validate(); err == nil || !strings.Contains(err.Error(), "--cache-from") {
		t.Errorf("--cache-from type=s3: %v, want an error", err)
	}
	if err := (Options{CacheTo: []string{"type=registry,ref=r/c"}, CacheFrom: []string{"r/c"}}).Validate(); err != nil {
		t.Errorf("registry cache: %v", err)
	}
	// An image loaded into the engine would keep no attestation, silently.
	if err := (Options{Load: true, Attest: []string{"type=sbom"}}).Validate(); err == nil || !strings.Contains(err.Error(), "--attest type=sbom needs --push") {
		t.Errorf("--attest type=sbom with --load: %v, want an error asking for --push", err)
	}
	if err := (Options{Push: true, Attest: []string{"type=sbom,generator=r/s:1"}}).Validate(); err != nil {
		t.Errorf("--attest type=sbom,generator=… --push: %v", err)
	}
	enginetest.Require(t) // newEngine connects to the engine first
	_, err := newEngine(t.Context(), Options{Push: true, Env: []string{"PATH=/bin"}}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--builder ADDR or BUILDKIT_HOST") {
		t.Errorf("--push without a builder: %v, want an error naming --builder and BUILDKIT_HOST", err)
	}
}
