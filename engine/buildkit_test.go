package engine

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	gofs "io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fstypes "github.com/tonistiigi/fsutil/types"
)

// The BuildKit engine tests need, with DMAKE_ENGINE_TESTS=1, a buildkitd
// at DMAKE_BUILDKIT_ADDR (.ci/engine.sh starts one); the tests that start
// daemons of their own (empty state, as a second machine) run the
// buildkitd binary on PATH or at DMAKE_BUILDKITD, and the registry tests
// use the registry at DMAKE_REGISTRY (HOST:PORT).

func needBuildKit(t testing.TB) (*Engine, *BuildKit) {
	t.Helper()
	if os.Getenv("DMAKE_ENGINE_TESTS") != "1" {
		t.Skip("set DMAKE_ENGINE_TESTS=1 (with a Docker engine and a buildkitd at DMAKE_BUILDKIT_ADDR) to run")
	}
	ctx := context.Background()
	e, err := New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	addr := os.Getenv("DMAKE_BUILDKIT_ADDR")
	if addr == "" {
		t.Fatal("DMAKE_ENGINE_TESTS=1 but DMAKE_BUILDKIT_ADDR names no buildkitd (.ci/engine.sh starts one)")
	}
	bk, err := DialBuildKit(ctx, BuildKitOptions{Addr: addr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bk.Close() })
	return e, bk
}

// startBuildKitd starts a buildkitd of the test's own, with an empty state
// directory (a second machine's builder), and connects to it.
func startBuildKitd(t *testing.T) *BuildKit {
	t.Helper()
	dir := runBuildKitd(t, "")
	return waitBuildKit(t, BuildKitOptions{Addr: "unix://" + filepath.Join(dir, "buildkitd.sock")}, dir)
}

// runBuildKitd starts buildkitd with an empty state in a directory of its
// own, which it returns, listening on its socket there and on addr (if
// not ""), with more flags; it is stopped when the test ends.
func runBuildKitd(t *testing.T, addr string, flags ...string) string {
	t.Helper()
	bin := os.Getenv("DMAKE_BUILDKITD")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("buildkitd"); err != nil {
			t.Fatal("DMAKE_ENGINE_TESTS=1 but no buildkitd on PATH or at DMAKE_BUILDKITD")
		}
	}
	dir, err := os.MkdirTemp("", "dmake-bk-")
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--root", filepath.Join(dir, "root"), "--addr", "unix://" + filepath.Join(dir, "buildkitd.sock"),
		"--oci-worker-binary", "/usr/sbin/runc", "--containerd-worker=false"}
	if addr != "" {
		args = append(args, "--addr", addr)
	}
	log, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append(args, flags...)...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		log.Close()
		os.RemoveAll(dir)
	})
	return dir
}

// waitBuildKit connects with opts to the daemon started in dir once it is
// ready (the client's Wait blocks until it answers).
func waitBuildKit(t *testing.T, opts BuildKitOptions, dir string) *BuildKit {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := newBuildKitClient(ctx, opts)
	if err == nil {
		err = c.Wait(ctx)
	}
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		t.Fatalf("the test's buildkitd at %s: %v\n%s", opts.Addr, err, log)
	}
	bk := NewBuildKit(c, opts.Addr)
	t.Cleanup(func() { bk.Close() })
	return bk
}

func nonce(t *testing.T) string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// fixture is a small build context: FROM the engine's busybox, three
// scripts each COPYed and RUN in a layer of its own; the scripts' content
// carries n, so that no daemon has them cached before the test.
func fixture(t testing.TB, n string) []byte {
	t.Helper()
	files := map[string]string{
		"Dockerfile": "FROM busybox:latest\n" +
			"COPY one.sh /s/one.sh\nRUN sh /s/one.sh\n" +
			"COPY two.sh /s/two.sh\nRUN sh /s/two.sh\n" +
			"COPY three.sh /s/three.sh\nRUN sh /s/three.sh\n" +
			"LABEL dev.dmake.test=" + n + "\n",
		"one.sh":   "echo one " + n + " > /one\n",
		"two.sh":   "echo two " + n + " > /two\n",
		"three.sh": "echo three " + n + " > /three\n",
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range []string{"Dockerfile", "one.sh", "two.sh", "three.sh"} {
		c := files[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(c)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(c))
	}
	tw.Close()
	return buf.Bytes()
}

func bkBuild(t *testing.T, e *Engine, bk *BuildKit, outs Outputs, ctxTar []byte, tag string) (BuildResult, []BuildEvent) {
	t.Helper()
	base, found, err := e.InspectImage(context.Background(), "busybox:latest")
	if err != nil || !found {
		t.Fatalf("the engine has no busybox:latest (%v)", err)
	}
	e.UseBuildKit(bk, outs)
	defer e.UseBuildKit(nil, Outputs{})
	var evs []BuildEvent
	req := BuildRequest{Context: bytes.NewReader(ctxTar), Bases: map[string]string{"busybox:latest": base.ID}}
	if tag != "" {
		req.Tags = []string{tag}
	}
	res, err := e.Build(context.Background(), req, func(ev BuildEvent) { evs = append(evs, ev) })
	if err != nil {
		for _, ev := range evs {
			if ev.Kind == EventOutput {
				t.Log(ev.Text)
			}
		}
		t.Fatalf("build on %s: %v", bk.Addr(), err)
	}
	return res, evs
}

func removeImage(t *testing.T, e *Engine, ref string) {
	t.Cleanup(func() { e.RemoveImage(context.Background(), ref, RemoveImageOptions{Force: true}) })
}

// A build over TCP on the buildkitd at DMAKE_BUILDKIT_ADDR, FROM the engine's
// busybox (which the daemon cannot see: dmake serves it through the
// session), loaded into the engine under its tag; built again, every step
// comes from the daemon's cache.
func TestBuildKitLoad(t *testing.T) {
	e, bk := needBuildKit(t)
	n := nonce(t)
	tag := "dmake-bktest/load:" + n
	removeImage(t, e, tag)
	ctxTar := fixture(t, n)
	res, evs := bkBuild(t, e, bk, Outputs{Load: true}, ctxTar, tag)
	// 8 steps as the classic builder counts them (its LABEL too).
	if res.ImageID == "" || res.Steps != 8 || res.Ran != 6 || res.Cached != 0 {
		t.Errorf("first build: %+v, want an image id, 8 steps, 6 run, none cached", res)
	}
	// busybox's layer (over 1 MiB) is the engine's already: not sent
	// back, and the image loads all the same.
	if bb, found, _ := e.InspectImage(context.Background(), "busybox:latest"); !found || res.LoadSkipped == 0 {
		t.Errorf("the engine's busybox layers %v were sent back with the image (%d bytes left out)", bb.Layers, res.LoadSkipped)
	}
	// Nor did the daemon send them to dmake: it exported into dmake's
	// store, which declined the blobs of the bases it gave the daemon
	// (the same digests: uncompressed, as given); what it sent is the
	// new layers, config and manifest, smaller than busybox's layer.
	t.Logf("--load: %d bytes received, %d declined, %d not loaded", res.LoadReceived, res.LoadDeclined, res.LoadSkipped)
	if res.LoadDeclined < res.LoadSkipped || res.LoadReceived == 0 || res.LoadReceived >= res.LoadSkipped {
		t.Errorf("--load: the daemon sent %d bytes and was spared %d; want the FROM image's %d bytes spared, less sent", res.LoadReceived, res.LoadDeclined, res.LoadSkipped)
	}
	info, found, err := e.InspectImage(context.Background(), tag)
	if err != nil || !found {
		t.Fatalf("%s is not in the engine after --load (%v)", tag, err)
	}
	if info.ID != res.ImageID || info.Labels["dev.dmake.test"] != n {
		t.Errorf("loaded image %s labels %v, want %s with dev.dmake.test=%s", info.ID, info.Labels, res.ImageID, n)
	}
	status := 0
	for _, ev := range evs {
		if ev.Kind == EventStatus {
			status++
		}
	}
	if status == 0 {
		t.Error("no BuildKit status arrived as events")
	}
	res2, _ := bkBuild(t, e, bk, Outputs{Load: true}, ctxTar, tag)
	if res2.Cached != 6 || res2.Ran != 0 || res2.ImageID != res.ImageID {
		t.Errorf("second build: %+v, want all 6 steps cached and the same image %s", res2, res.ImageID)
	}
}

// A failing RUN is a BuildError naming the step, its instruction and the
// exit status.
func TestBuildKitFailure(t *testing.T) {
	e, bk := needBuildKit(t)
	n := nonce(t)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	df := "FROM busybox:latest\nRUN echo " + n + "\nRUN echo failing; exit 3\n"
	tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(df)), Typeflag: tar.TypeReg})
	tw.Write([]byte(df))
	tw.Close()
	base, _, _ := e.InspectImage(context.Background(), "busybox:latest")
	e.UseBuildKit(bk, Outputs{})
	var out []string
	_, err := e.Build(context.Background(), BuildRequest{Context: &buf, Bases: map[string]string{"busybox:latest": base.ID}}, func(ev BuildEvent) {
		if ev.Kind == EventOutput {
			out = append(out, ev.Text)
		}
	})
	be, ok := err.(*BuildError)
	if !ok {
		t.Fatalf("error %v (%T), want a *BuildError", err, err)
	}
	if be.Step != 3 || be.Code != 3 || !strings.HasPrefix(be.Instruction, "RUN echo failing") {
		t.Errorf("BuildError %+v, want step 3, code 3, the RUN's instruction", be)
	}
	if !strings.Contains(strings.Join(out, "\n"), "failing") {
		t.Errorf("the RUN's output did not arrive: %q", out)
	}
}

// cachedSteps counts, in a build's status stream, the step vertexes
// (Dockerfile instructions after FROM) completed with and without
// BuildKit's Cached flag.
func cachedSteps(t *testing.T, evs []BuildEvent) (cached, ran int) {
	t.Helper()
	type vertex struct {
		Digest    string
		Name      string
		Completed *time.Time
		Cached    bool
	}
	last := map[string]vertex{}
	for _, ev := range evs {
		if ev.Kind != EventStatus {
			continue
		}
		var st struct{ Vertexes []vertex }
		if err := json.Unmarshal(ev.Raw, &st); err != nil {
			t.Fatalf("status %s: %v", ev.Raw, err)
		}
		for _, v := range st.Vertexes {
			if v.Completed != nil {
				last[v.Digest] = v
			}
		}
	}
	for _, v := range last {
		m := vertexRe.FindStringSubmatch(v.Name)
		if m == nil || strings.HasPrefix(m[3], "FROM ") {
			continue
		}
		if v.Cached {
			cached++
		} else {
			ran++
		}
	}
	return cached, ran
}

// The cache travels through a local directory: a build on the shared
// daemon exports it (--cache-to type=local,dest=DIR), and a second daemon
// with its own empty state (another machine) imports it (--cache-from
// type=local,src=DIR) and runs none of the steps: BuildKit's status marks
// every one Cached. The scripts' keys are their content, not paths or
// times: the second build's context is written afresh in another place.
func TestBuildKitCacheLocal(t *testing.T) {
	e, bk := needBuildKit(t)
	n := nonce(t)
	dir := t.TempDir()
	_, evs := bkBuild(t, e, bk, Outputs{CacheTo: []string{"type=local,dest=" + dir}}, fixture(t, n), "")
	if c, r := cachedSteps(t, evs); c != 0 || r != 6 {
		t.Fatalf("first build: %d steps cached, %d ran; want 0 and 6", c, r)
	}
	bk2 := startBuildKitd(t)
	res, evs := bkBuild(t, e, bk2, Outputs{CacheFrom: []string{"type=local,src=" + dir}}, fixture(t, n), "")
	if c, r := cachedSteps(t, evs); c != 6 || r != 0 {
		t.Errorf("second daemon, cache from %s: %d steps cached, %d ran; want 6 and 0", dir, c, r)
	}
	if res.Cached != 6 || res.Ran != 0 {
		t.Errorf("second daemon: result %+v, want 6 cached, 0 ran", res)
	}
}

// needRegistry returns the registry (HOST:PORT) the registry tests push to.
func needRegistry(t *testing.T) string {
	t.Helper()
	r := os.Getenv("DMAKE_REGISTRY")
	if r == "" {
		t.Fatal("DMAKE_ENGINE_TESTS=1 but DMAKE_REGISTRY names no registry (.ci/engine.sh starts Debian's docker-registry)")
	}
	return r
}

// The image is pushed to the registry (--push) with its cache
// (--cache-to type=registry): pulled back into the engine it is the image
// built, and a second daemon with empty state that imports the cache from
// the registry runs none of the steps.
func TestBuildKitRegistry(t *testing.T) {
	e, bk := needBuildKit(t)
	reg := needRegistry(t)
	n := nonce(t)
	ref := reg + "/dmake-bktest/push:" + n
	cache := reg + "/dmake-bktest/cache:" + n
	removeImage(t, e, ref)
	res, _ := bkBuild(t, e, bk, Outputs{Push: true, CacheTo: []string{"type=registry,ref=" + cache}}, fixture(t, n), ref)
	if _, found, _ := e.InspectImage(context.Background(), ref); found {
		t.Fatalf("%s is in the engine after --push alone", ref)
	}
	id, err := e.PullImage(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if id != res.ImageID {
		t.Errorf("pulled back %s as %s, pushed %s", ref, id, res.ImageID)
	}
	bk2 := startBuildKitd(t)
	_, evs := bkBuild(t, e, bk2, Outputs{CacheFrom: []string{"type=registry,ref=" + cache}}, fixture(t, n), "")
	if c, r := cachedSteps(t, evs); c != 6 || r != 0 {
		t.Errorf("second daemon, cache from %s: %d steps cached, %d ran; want 6 and 0", cache, c, r)
	}
}

// With --cache-to type=inline the pushed image carries its cache: a
// second daemon with empty state that imports the cache from the image
// itself runs none of the steps.
func TestBuildKitInline(t *testing.T) {
	e, bk := needBuildKit(t)
	reg := needRegistry(t)
	n := nonce(t)
	ref := reg + "/dmake-bktest/inline:" + n
	bkBuild(t, e, bk, Outputs{Push: true, CacheTo: []string{"type=inline"}}, fixture(t, n), ref)
	bk2 := startBuildKitd(t)
	_, evs := bkBuild(t, e, bk2, Outputs{CacheFrom: []string{"type=registry,ref=" + ref}}, fixture(t, n), "")
	if c, r := cachedSteps(t, evs); c != 6 || r != 0 {
		t.Errorf("second daemon, cache from the image %s: %d steps cached, %d ran; want 6 and 0", ref, c, r)
	}
}

// A daemon on TCP with TLS, as buildctl reaches one: the client's
// certificate and key and the CA from --tlsdir (ca.pem, cert.pem,
// key.pem) build; without a client certificate the daemon refuses.
func TestBuildKitTLS(t *testing.T) {
	e, _ := needBuildKit(t)
	ca := newTestCA(t)
	srvCert, srvKey := ca.issue(t, true)
	cliCert, cliKey := ca.issue(t, false)
	tdir := t.TempDir()
	files := map[string][]byte{"ca.pem": ca.pem, "server.pem": srvCert, "server-key.pem": srvKey, "cert.pem": cliCert, "key.pem": cliKey}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(tdir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "tcp://" + l.Addr().String()
	l.Close()
	dir := runBuildKitd(t, addr, "--tlscacert", filepath.Join(tdir, "ca.pem"), "--tlscert", filepath.Join(tdir, "server.pem"), "--tlskey", filepath.Join(tdir, "server-key.pem"))
	bk := waitBuildKit(t, BuildKitOptions{Addr: addr, TLSDir: tdir}, dir)
	n := nonce(t)
	if res, _ := bkBuild(t, e, bk, Outputs{}, fixture(t, n), ""); res.Ran != 6 {
		t.Errorf("build over TLS: %+v, want 6 steps run", res)
	}
	if bad, err := DialBuildKit(context.Background(), BuildKitOptions{Addr: addr, TLSCACert: filepath.Join(tdir, "ca.pem")}); err == nil {
		bad.Close()
		t.Error("the daemon answered a client without a certificate")
	} else if !strings.Contains(err.Error(), "no BuildKit daemon answers at "+addr) {
		t.Errorf("error without a client certificate: %v", err)
	}
}

// The context the session sends has root's files whoever owns them on
// disk: the COPY steps' cache keys do not depend on the user running dmake.
func TestContextFSOwners(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("SKIPPED: needs root to give a file another owner")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "s.sh")
	if err := os.WriteFile(p, []byte("echo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(p, 1234, 1234); err != nil {
		t.Fatal(err)
	}
	fs, err := contextFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	err = fs.Walk(context.Background(), "", func(path string, d gofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		st, ok := info.Sys().(*fstypes.Stat)
		if !ok {
			t.Fatalf("%s: stat %T, want *types.Stat", path, info.Sys())
		}
		if path == "s.sh" {
			seen++
			if st.Uid != 0 || st.Gid != 0 {
				t.Errorf("s.sh is sent as %d:%d, want 0:0", st.Uid, st.Gid)
			}
		}
		return nil
	})
	if err != nil || seen != 1 {
		t.Fatalf("walk: %v, s.sh seen %d times", err, seen)
	}
}

// Builds run at once (-j, or two dmake runs) on an empty base image store
// save the engine's busybox once between them and both succeed.
func TestBuildKitConcurrentBases(t *testing.T) {
	e, bk := needBuildKit(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	base, found, err := e.InspectImage(context.Background(), "busybox:latest")
	if err != nil || !found {
		t.Fatalf("the engine has no busybox:latest (%v)", err)
	}
	e.UseBuildKit(bk, Outputs{})
	defer e.UseBuildKit(nil, Outputs{})
	errs := make(chan error, 2)
	for range 2 {
		ctxTar := fixture(t, nonce(t))
		go func() {
			_, err := e.Build(context.Background(), BuildRequest{Context: bytes.NewReader(ctxTar), Bases: map[string]string{"busybox:latest": base.ID}}, nil)
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	dir, _ := BasesDir()
	if ids, err := os.ReadDir(filepath.Join(dir, "ids")); err != nil || len(ids) != 1 {
		t.Errorf("the store %s holds %d base ids (%v), want busybox's alone", dir, len(ids), err)
	}
}
