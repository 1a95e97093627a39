package image

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
)

// countingProxy serves the Engine API on a unix socket in front of the real
// engine and counts the build requests that pass.
type countingProxy struct {
	builds atomic.Int64
	sock   string
}

func newCountingProxy(t *testing.T) *countingProxy {
	t.Helper()
	target := "/var/run/docker.sock"
	if h := os.Getenv("DOCKER_HOST"); strings.HasPrefix(h, "unix://") {
		target = strings.TrimPrefix(h, "unix://")
	} else if h != "" {
		t.Skipf("SKIPPED: the counting proxy needs a unix socket engine, DOCKER_HOST=%s", h)
	}
	p := &countingProxy{sock: filepath.Join(t.TempDir(), "engine.sock")}
	l, err := net.Listen("unix", p.sock)
	if err != nil {
		t.Fatal(err)
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Scheme, r.Out.URL.Host = "http", "docker"
		},
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", target)
		}},
		FlushInterval: -1,
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/build") {
			p.builds.Add(1)
		}
		rp.ServeHTTP(w, r)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return p
}

// testEngine connects to the engine through a counting proxy.
func testEngine(t *testing.T) (*engine.Engine, *countingProxy) {
	t.Helper()
	enginetest.Require(t)
	p := newCountingProxy(t)
	t.Setenv("DOCKER_HOST", "unix://"+p.sock)
	e, err := engine.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, p
}

// removeTagged removes, at the end of the test, the images tagged with
// prefix and the dangling images dmake labelled for them.
func removeTagged(t *testing.T, e *engine.Engine, prefix string) {
	t.Cleanup(func() {
		ctx := context.Background()
		list, err := e.ListImages(ctx, engine.ListImagesOptions{All: true})
		if err != nil {
			return
		}
		for _, im := range list.Images {
			mine := false // only images of this test: its tag prefix, as a tag or as dmake's tag label
			for _, tag := range im.Tags {
				if strings.HasPrefix(tag, prefix) {
					mine = true
				}
			}
			if strings.HasPrefix(im.Labels[engine.LabelTag], prefix) {
				mine = true
			}
			if !mine {
				continue
			}
			for _, tag := range im.Tags {
				if strings.HasPrefix(tag, prefix) {
					e.RemoveImage(ctx, tag, engine.RemoveImageOptions{Force: true})
				}
			}
			e.RemoveImage(ctx, im.ID, engine.RemoveImageOptions{})
		}
	})
}

// recipeLines returns the commands of make's build goal for image name, as
// make -n prints them (one shell each).
func recipeLines(t *testing.T, root, name string, vars ...string) []string {
	t.Helper()
	args := append([]string{"-n", "-s", "-C", filepath.Join(root, "images", name), "build"}, vars...)
	cmd := exec.Command("make", args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOME="+root)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("make -n build: %v", err)
	}
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// buildViaRecipe runs the build goal's recipe lines through the
// interpreter with b's middleware, and returns the JSON progress events.
func buildViaRecipe(t *testing.T, b *Builder, root, name string, vars ...string) []ProgressEvent {
	t.Helper()
	var out strings.Builder
	b.Out, b.Progress = &out, "json"
	for _, l := range recipeLines(t, root, name, vars...) {
		if o, err := runRecipe(t, b, filepath.Join(root, "images", name), l); err != nil {
			t.Fatalf("recipe line %q: %v\n%s\n%s", l, err, o, out.String())
		}
	}
	var evs []ProgressEvent
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if l == "" {
			continue
		}
		var ev ProgressEvent
		dec := json.NewDecoder(strings.NewReader(l))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("progress line %q: %v", l, err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// ranScripts lists the scripts whose RUN step ran (not cached), in order.
func ranScripts(evs []ProgressEvent) []string {
	var out []string
	for _, e := range evs {
		if e.Event == "running" && strings.HasPrefix(e.Instruction, "RUN ") {
			s := e.Script
			if s == "" {
				s = fmt.Sprint("step", e.Step)
			}
			out = append(out, s)
		}
	}
	return out
}

func lastResult(t *testing.T, b *Builder) *Result {
	t.Helper()
	rs := b.Results()
	if len(rs) == 0 {
		t.Fatal("no build happened")
	}
	return rs[len(rs)-1]
}

func stepOf(t *testing.T, p *Plan, instr string) int {
	t.Helper()
	for i, s := range p.Steps {
		if s.Instruction == instr {
			return i + 1
		}
	}
	t.Fatalf("no step %q", instr)
	return 0
}

func uniquePrefix(t *testing.T) string {
	return fmt.Sprintf("dmake-test-%d/", time.Now().UnixNano()%1e9)
}

// The link-style fixture through the engine: cold build, no-op, one edited
// script, --bust, and what makes the no-op check build again.
func TestEngineLayeredBuild(t *testing.T) {
	e, proxy := testEngine(t)
	needMake(t)
	ctx := context.Background()
	prefix := uniquePrefix(t)
	removeTagged(t, e, prefix)
	root := t.TempDir()
	copyTree(t, bbRepo, root)
	// A base of its own, so no other test's layers are in the cache.
	base := prefix + "base"
	newBase := func(v string) {
		t.Helper()
		if _, err := e.Build(ctx, engine.BuildRequest{
			Context: mustContext(t, "FROM busybox:latest\nLABEL dev.dmake.test.base="+v+"\n"),
			BuildSettings: engine.BuildSettings{
				Tags:        []string{base},
				Labels:      map[string]string{enginetest.Label: "1"},
				NetworkMode: "host",
			},
		}, nil); err != nil {
			t.Fatal(err)
		}
	}
	newBase(prefix)
	vars := []string{"IMAGE_PREFIX=" + prefix, "FROM=" + base, "DOCKER_ARGS=--label " + enginetest.Label + "=1"}
	tag := prefix + "bb"
	newBuilder := func() *Builder { return &Builder{Engine: e, TempDir: t.TempDir()} }

	// Cold: every RUN runs.
	b := newBuilder()
	evs := buildViaRecipe(t, b, root, "bb", vars...)
	r := lastResult(t, b)
	if !r.Built || r.Plan.Layout != "layered" {
		t.Fatalf("cold build: %+v", r)
	}
	if got := strings.Join(ranScripts(evs), " "); got != "00_init.sh 02_tool.sh 03_app.sh 99_cleanup.sh step17" {
		t.Errorf("cold build ran %q", got)
	}
	info, found, err := e.InspectImage(ctx, tag)
	if err != nil || !found {
		t.Fatalf("image %s: found=%v %v", tag, found, err)
	}
	for k, want := range map[string]string{
		engine.LabelInputs: r.Digest, engine.LabelComponents: "init tool app cleanup", engine.LabelLayout: "layered",
		engine.LabelScriptPrefix + "03_app.sh": r.Plan.Scripts["03_app.sh"], "org.opencontainers.image.title": "bb",
		engine.LabelBase: info.Labels[engine.LabelBase], enginetest.Label: "1",
	} {
		if info.Labels[k] != want || want == "" {
			t.Errorf("label %s = %q, want %q", k, info.Labels[k], want)
		}
	}

	// No-op: nothing is sent.
	before := proxy.builds.Load()
	b = newBuilder()
	start := time.Now()
	buildViaRecipe(t, b, root, "bb", vars...)
	if r := lastResult(t, b); !r.UpToDate {
		t.Errorf("second run built: %+v", r)
	}
	if n := proxy.builds.Load() - before; n != 0 {
		t.Errorf("no-op run sent %d builds", n)
	}
	t.Logf("no-op run (recipe lines incl. tar) took %v", time.Since(start))

	// Edit the late 03_ script: exactly the steps from its COPY on rebuild.
	oldID := info.ID
	app := filepath.Join(root, "script", "03_app.sh")
	os.WriteFile(app, []byte(strings.Replace(readFile(t, app), "version 1", "version 2", 1)), 0o644)
	b = newBuilder()
	evs = buildViaRecipe(t, b, root, "bb", vars...)
	r = lastResult(t, b)
	k := stepOf(t, r.Plan, "COPY script/03_app.sh /build/script/03_app.sh")
	if r.Cached != k-2 {
		t.Errorf("after editing 03_app.sh: %d steps cached, want the %d before its COPY (step %d)", r.Cached, k-2, k)
	}
	if got := strings.Join(ranScripts(evs), " "); got != "03_app.sh 99_cleanup.sh step17" {
		t.Errorf("after editing 03_app.sh ran %q", got)
	}
	if len(r.Removed) == 0 || r.Removed[0] != oldID {
		t.Errorf("the old image %s was not removed as dangling: removed %v", oldID, r.Removed)
	}

	// --bust a component: that step and the later ones re-run.
	b = newBuilder()
	b.Bust = []string{"tool"}
	evs = buildViaRecipe(t, b, root, "bb", vars...)
	r = lastResult(t, b)
	k = stepOf(t, r.Plan, "RUN /bin/sh /build/script/02_tool.sh # dmake-bust="+b.bustToken())
	if r.Cached != k-2 {
		t.Errorf("--bust tool: %d steps cached, want %d", r.Cached, k-2)
	}
	if got := strings.Join(ranScripts(evs), " "); got != "02_tool.sh 03_app.sh 99_cleanup.sh step17" {
		t.Errorf("--bust tool ran %q", got)
	}

	// Not a stamp: each of these makes the next run build.
	noop := func(what string, want bool) {
		t.Helper()
		before := proxy.builds.Load()
		b := newBuilder()
		buildViaRecipe(t, b, root, "bb", vars...)
		sent := proxy.builds.Load() - before
		if want && sent != 0 || !want && sent != 1 {
			t.Errorf("%s: %d builds sent, want a no-op=%v", what, sent, want)
		}
	}
	// The bust sticks: a plain run keeps the busted image (the token stays
	// in 02_tool.sh's step), it does not bring back the layers from before.
	bustedID := r.ImageID
	noop("after --bust, unchanged", true)
	if info, _, _ := e.InspectImage(ctx, tag); info.ID != bustedID {
		t.Errorf("after --bust, a plain run tagged %s, want the busted %s", info.ID, bustedID)
	}
	// Until the busted script changes: then its token goes, and the steps
	// from its COPY on build again.
	tool := filepath.Join(root, "script", "02_tool.sh")
	os.WriteFile(tool, []byte(readFile(t, tool)+"\n# edited\n"), 0o644)
	b = newBuilder()
	buildViaRecipe(t, b, root, "bb", vars...)
	r = lastResult(t, b)
	if !r.Built || strings.Contains(string(r.Plan.Dockerfile), "dmake-bust") {
		t.Errorf("after editing the busted script: built=%v\n%s", r.Built, r.Plan.Dockerfile)
	}
	noop("unchanged", true)
	if _, err := e.RemoveImage(ctx, tag, engine.RemoveImageOptions{KeepParents: true}); err != nil {
		t.Fatal(err)
	}
	noop("image removed", false)
	if err := e.Tag(ctx, "busybox:latest", tag); err != nil {
		t.Fatal(err)
	}
	noop("tag moved to another image", false)
	noop("unchanged again", true)
	// A new base image under the same name.
	newBase(prefix + "2")
	noop("base image id changed", false)
}

func mustContext(t *testing.T, dockerfile string) *strings.Reader {
	t.Helper()
	var sb strings.Builder
	if _, _, err := WriteContext(&sb, "Dockerfile", []byte(dockerfile), nil, "", ContextOptions{}); err != nil {
		t.Fatal(err)
	}
	return strings.NewReader(sb.String())
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// --mode prod: PRODUCTION=1 reaches 99_cleanup.sh, the image is flattened
// (the removed build-only files take no room), the layered image is kept as
// the cache, and a second prod run is a no-op.
func TestEngineProdMode(t *testing.T) {
	e, proxy := testEngine(t)
	needMake(t)
	ctx := context.Background()
	prefix := uniquePrefix(t)
	removeTagged(t, e, prefix)
	root := t.TempDir()
	copyTree(t, bbRepo, root)
	vars := []string{"IMAGE_PREFIX=" + prefix, "DOCKER_ARGS=--label " + enginetest.Label + "=1"}
	tag := prefix + "bb"
	b := &Builder{Engine: e, TempDir: t.TempDir(), Mode: "prod"}
	buildViaRecipe(t, b, root, "bb", vars...)
	r := lastResult(t, b)
	if !r.Flattened || r.Size <= 0 || r.LayeredSize <= 0 || r.Size > r.LayeredSize {
		t.Errorf("prod result: flattened %v size %d layered %d", r.Flattened, r.Size, r.LayeredSize)
	}
	info, found, err := e.InspectImage(ctx, tag)
	if err != nil || !found {
		t.Fatal(found, err)
	}
	if info.ID != r.ImageID || info.Labels[engine.LabelMode] != "prod" || info.Labels[engine.LabelInputs] != r.Digest {
		t.Errorf("prod image %s labels %v", info.ID, info.Labels)
	}
	if got := strings.Join(info.Cmd, " "); got != "/sbin/my_init" || !slicesContains(info.Env, "BB=1") || !slicesContains(info.Ports, "8080/tcp") {
		t.Errorf("prod image config: cmd %q env %q ports %q", got, info.Env, info.Ports)
	}
	if _, found, _ := e.InspectImage(ctx, LayersTag(tag)); !found {
		t.Errorf("the layered image is not kept as %s", LayersTag(tag))
	}
	var out strings.Builder
	res, err := e.Run(ctx, engine.RunOptions{Image: tag, Entrypoint: []string{"/bin/sh", "-c", "ls /opt/tmp-pkg; cat /etc/legacy/packages.temporary; echo end"},
		Labels: map[string]string{enginetest.Label: "1"}, Streams: engine.Streams{Out: &out, Err: &out}})
	if err != nil || res.ExitCode != 0 || out.String() != "end\n" {
		t.Errorf("build-only files in the prod image: %q %v", out.String(), err)
	}
	before := proxy.builds.Load()
	b = &Builder{Engine: e, TempDir: t.TempDir(), Mode: "prod"}
	buildViaRecipe(t, b, root, "bb", vars...)
	if !lastResult(t, b).UpToDate || proxy.builds.Load() != before {
		t.Error("second prod run was not a no-op")
	}
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// A FROM image that is neither local nor built is an error that names it,
// and nothing is sent.
func TestEngineMissingFrom(t *testing.T) {
	e, proxy := testEngine(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM dmake-test-nosuch/base:1\nRUN true\n"), 0o644)
	b := &Builder{Engine: e}
	_, err := b.Build(context.Background(), Request{ContextDir: dir, Settings: engine.BuildSettings{Tags: []string{"dmake-test-nosuch/x"}}})
	if err == nil || !strings.Contains(err.Error(), `FROM image "dmake-test-nosuch/base:1" is neither a local image nor built earlier in this run`) || !strings.Contains(err.Error(), "--pull") {
		t.Errorf("err = %v", err)
	}
	if proxy.builds.Load() != 0 {
		t.Error("a build was sent")
	}
}

// The docker build flags of a recipe reach the engine: --add-host is in a
// RUN step's /etc/hosts, --target builds that stage (dmake's labels land on
// it), and a --platform the engine cannot build for is an error that leaves
// no image under the tag, never an image of the host's platform.
func TestEngineBuildFlags(t *testing.T) {
	e, _ := testEngine(t)
	ctx := context.Background()
	prefix := uniquePrefix(t)
	removeTagged(t, e, prefix)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(`FROM busybox:latest AS dev
RUN grep -q '10.0.0.5[[:space:]]*db' /etc/hosts && echo dev > /stage
FROM busybox:latest
RUN echo final > /stage
`), 0o644)
	b := &Builder{Engine: e, TempDir: t.TempDir()}
	tag := prefix + "flags"
	line := "docker build -qt " + tag + " --add-host db:10.0.0.5 --target dev --label " + enginetest.Label + "=1 ."
	if out, err := runRecipe(t, b, dir, line); err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	r := lastResult(t, b)
	out, err := exec.Command("docker", "run", "--rm", "--network", "none", "--label", enginetest.Label+"=1", r.ImageID, "cat", "/stage").CombinedOutput()
	if err != nil || string(out) != "dev\n" {
		t.Errorf("/stage of the --target dev image: %q %v", out, err)
	}
	info, _, err := e.InspectImage(ctx, tag)
	if err != nil || info.ID != r.ImageID || info.Labels[engine.LabelInputs] != r.Digest {
		t.Errorf("tag %s: %+v %v, want the built image with dmake's labels", tag, info, err)
	}

	// Without --add-host the grep fails: the flag is what made it pass.
	// (The classic builder's cache key leaves the hosts out, so no cache.)
	b = &Builder{Engine: e, TempDir: t.TempDir()}
	if out, err := runRecipe(t, b, dir, "docker build --no-cache -t "+prefix+"nohost --target dev --label "+enginetest.Label+"=1 ."); err == nil {
		t.Errorf("built without --add-host:\n%s", out)
	}

	foreign := "linux/arm64"
	if runtime.GOARCH == "arm64" {
		foreign = "linux/amd64"
	}
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM busybox:latest\nRUN true\n"), 0o644)
	b = &Builder{Engine: e, TempDir: t.TempDir()}
	ptag := prefix + "platform"
	out2, err := runRecipe(t, b, dir, "docker build -t "+ptag+" --platform "+foreign+" --label "+enginetest.Label+"=1 .")
	if err == nil {
		t.Errorf("--platform %s built:\n%s", foreign, out2)
	}
	if _, found, _ := e.InspectImage(ctx, ptag); found {
		t.Errorf("--platform %s: an image is tagged %s", foreign, ptag)
	}
	if !strings.Contains(out2, "--platform "+foreign+": FROM image busybox:latest is linux/") {
		t.Errorf("--platform %s: the error does not name the flag and the FROM image's platform:\n%s", foreign, out2)
	}
	// Past that check, the engine layer checks the built image's platform
	// (the classic builder of a 20.10 engine builds for its own): still
	// an error, still no image tagged.
	_, err = e.Build(ctx, engine.BuildRequest{
		Context: mustContext(t, "FROM busybox:latest\nRUN true\n"),
		BuildSettings: engine.BuildSettings{
			Tags: []string{ptag}, Platform: foreign, NetworkMode: "host",
			Labels: map[string]string{enginetest.Label: "1"},
		},
	}, nil)
	if _, found, _ := e.InspectImage(ctx, ptag); err == nil || found || !strings.Contains(err.Error(), "--platform "+foreign+": the builder made a linux/") {
		t.Errorf("engine build --platform %s: err %v, tagged %v", foreign, err, found)
	}
	t.Logf("--platform %s: %s", foreign, out2)
}

// A script that fails under "set -e" is reported with its file and line,
// the failing command and its status, in the error and in the JSON error
// event; stdout and stderr come in the order written, and the JSON output
// events carry no colour codes. A failure in a sourced helper names the
// helper's line.
func TestEngineFailingScriptLine(t *testing.T) {
	e, _ := testEngine(t)
	ctx := context.Background()
	prefix := uniquePrefix(t)
	removeTagged(t, e, prefix)
	for _, tt := range []struct {
		name, script, helper string
		file                 string
		line                 int
		detail               string
	}{
		{"script", "#!/bin/bash\nset -e\necho out1\necho err2 >&2\nprintf '\\033[31mred\\033[0m\\n'\necho out3\nfalse || true\nls /no-such-dir\necho never\n",
			"", "03_fail.sh", 8, "ls /no-such-dir: exit status 2"},
		{"helper", "#!/bin/bash\nset -e\n. /build/script/functions.sh\necho out1\necho err2 >&2\nprintf '\\033[31mred\\033[0m\\n'\necho out3\nfail_here\necho never\n",
			"fail_here() {\n  echo in helper\n  test -e /no-such-file\n}\n", "functions.sh", 3, "test -e /no-such-file: exit status 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			os.MkdirAll(filepath.Join(dir, "script"), 0o755)
			os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM debian:bookworm\nADD . /build\nRUN bash /build/install.sh\n"), 0o644)
			os.WriteFile(filepath.Join(dir, "install.sh"), []byte("#!/bin/bash\nset -e\nfor s in /build/script/[0-9]*.sh; do bash $s; done\n"), 0o755)
			os.WriteFile(filepath.Join(dir, "script", "03_fail.sh"), []byte(tt.script), 0o755)
			if tt.helper != "" {
				os.WriteFile(filepath.Join(dir, "script", "functions.sh"), []byte(tt.helper), 0o644)
			}
			var out strings.Builder
			b := &Builder{Engine: e, TempDir: t.TempDir(), Progress: "json", Out: &out, Network: "none"}
			_, err := b.Build(ctx, Request{ContextDir: dir, Settings: engine.BuildSettings{Tags: []string{prefix + tt.name}, Labels: map[string]string{enginetest.Label: "1"}}})
			f, ok := err.(*FailedStep)
			if !ok {
				t.Fatalf("err = %v (%T), want a *FailedStep", err, err)
			}
			want := fmt.Sprintf("%s:%d: %s", filepath.Join(dir, "script", tt.file), tt.line, tt.detail)
			if f.Line != tt.line || !strings.Contains(f.Error(), want) {
				t.Errorf("error:\n%v\nwant line %d and %q", f, tt.line, want)
			}
			var outputs []string
			var errEv *ProgressEvent
			for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				var ev ProgressEvent
				if err := json.Unmarshal([]byte(l), &ev); err != nil {
					t.Fatalf("progress line %q: %v", l, err)
				}
				switch ev.Event {
				case "output":
					if strings.Contains(ev.Text, "\x1b") {
						t.Errorf("output event with a control sequence: %q", ev.Text)
					}
					outputs = append(outputs, ev.Text)
				case "error":
					errEv = &ev
				}
			}
			if errEv == nil || errEv.Line != tt.line || errEv.Script != tt.file || !strings.Contains(errEv.Text, want) {
				t.Errorf("error event %+v, want line %d of %s", errEv, tt.line, tt.file)
			}
			got := strings.Join(outputs, "\n")
			if !strings.Contains(got, "out1\nerr2\nred\nout3\n") {
				t.Errorf("output out of order:\n%s", got)
			}
			if strings.Contains(got, "never") {
				t.Errorf("the script ran past its failing line:\n%s", got)
			}
		})
	}
}

// cancelOnRunning is a JSON progress writer that cancels the build when a
// step starts running in a container.
type cancelOnRunning struct {
	mu     sync.Mutex
	buf    strings.Builder
	cancel context.CancelFunc
}

func (w *cancelOnRunning) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if strings.Contains(string(p), `"event":"running"`) {
		w.cancel()
	}
	return w.buf.Write(p)
}

// A build cancelled while a step runs (a newer change in --watch) is shown
// as cancelled, not as a failure: the step's done event says "cancelled",
// a cancelled event follows, and there is no error event.
func TestEngineBuildCancelled(t *testing.T) {
	e, _ := testEngine(t)
	prefix := uniquePrefix(t)
	removeTagged(t, e, prefix)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM busybox:latest\nRUN sleep 60\n"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &cancelOnRunning{cancel: cancel}
	b := &Builder{Engine: e, TempDir: t.TempDir(), Progress: "json", Out: w, Network: "none"}
	_, err := b.Build(ctx, Request{ContextDir: dir, Settings: engine.BuildSettings{Tags: []string{prefix + "cancel"}, Labels: map[string]string{enginetest.Label: "1"}, NoCache: true}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var events []string
	for _, l := range strings.Split(strings.TrimSpace(w.buf.String()), "\n") {
		var ev ProgressEvent
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("progress line %q: %v", l, err)
		}
		s := ev.Event
		if ev.Event == "done" {
			s += ":" + ev.Text
		}
		events = append(events, s)
	}
	got := strings.Join(events, " ")
	if !strings.HasSuffix(got, "running done:cancelled cancelled") || strings.Contains(got, "error") || strings.Contains(got, "FAILED") {
		t.Errorf("events %s, want the running step done:cancelled, then cancelled, no error", got)
	}
}

// A Dockerfile fetching from the build host with wget options dmake does
// not turn into a copy (-U) is sent as written, and the file comes from
// dmake's own HTTP server on the port of the web server the recipe would
// have started (not started), serving its directory for the build only.
func TestEngineHostFetchServed(t *testing.T) {
	e, _ := testEngine(t)
	prefix := uniquePrefix(t)
	removeTagged(t, e, prefix)
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	os.MkdirAll(filepath.Join(dir, "www", "config"), 0o755)
	os.WriteFile(filepath.Join(dir, "www", "config", "app.conf"), []byte("served by dmake\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM busybox:latest\nENV HOST_ADDR 127.0.0.1\nENV HOST_PORT "+port+
		"\nRUN wget -U legacy -q -O /etc/app.conf $HOST_ADDR:$HOST_PORT/config/app.conf\n"), 0o644)
	b := &Builder{Engine: e, TempDir: t.TempDir()}
	if out, err := runRecipe(t, b, dir, "python3 -m http.server "+port+" --directory www >/dev/null 2>&1"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	tag := prefix + "hostfetch"
	out, err := runRecipe(t, b, dir, "docker build -t "+tag+" --label "+enginetest.Label+"=1 .")
	if err != nil {
		t.Fatalf("docker build: %v\n%s", err, out)
	}
	if !strings.Contains(out, "sent as written; dmake serves /config/app.conf over HTTP on port "+port) {
		t.Errorf("the build does not say the line is sent as written and served:\n%s", out)
	}
	got, err := exec.Command("docker", "run", "--rm", "--network", "none", "--label", enginetest.Label+"=1", tag, "cat", "/etc/app.conf").CombinedOutput()
	if err != nil || string(got) != "served by dmake\n" {
		t.Errorf("/etc/app.conf of the image: %q %v", got, err)
	}
	if ln, err := net.Listen("tcp", ":"+port); err != nil {
		t.Errorf("port %s still taken after the build: %v", port, err)
	} else {
		ln.Close()
	}
}
