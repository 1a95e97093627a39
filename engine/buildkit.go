package engine

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/log"
	"github.com/docker/cli/cli/config"
	bkclient "github.com/moby/buildkit/client"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/auth/authprovider"
	"github.com/moby/buildkit/util/progress/progressui"
	"github.com/tonistiigi/fsutil"
	fstypes "github.com/tonistiigi/fsutil/types"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sys/unix"
)

// BuildKitOptions say how to reach a BuildKit daemon, with the meanings
// buildctl gives its flags of the same names.
type BuildKitOptions struct {
	// Addr is the daemon's address: tcp://HOST:PORT, unix:///PATH (and
	// the other schemes buildctl takes).
	Addr string
	// TLSServerName is the name the daemon's certificate must carry (""
	// means Addr's host name).
	TLSServerName string
	// TLSCACert, TLSCert and TLSKey are the files of the CA that signed
	// the daemon's certificate and of the client's certificate and key.
	TLSCACert, TLSCert, TLSKey string
	// TLSDir holds ca.pem, cert.pem and key.pem (or ca.crt, tls.crt,
	// tls.key); it excludes the three files above.
	TLSDir string
	// Dialer, if set, makes the connections (e.g. to a BuildKit reached
	// through another engine's endpoint); Addr is then passed to it.
	Dialer func(ctx context.Context, addr string) (net.Conn, error)
}

// BuildKitOptionsFromEnv returns the options buildctl takes from the
// environment: the address in BUILDKIT_HOST ("" when unset).
func BuildKitOptionsFromEnv(getenv func(string) string) BuildKitOptions {
	return BuildKitOptions{Addr: getenv("BUILDKIT_HOST")}
}

// BuildKit is a connection to one BuildKit daemon, on which an Engine can
// build instead of on its classic builder (UseBuildKit).
type BuildKit struct {
	c    *bkclient.Client // nil until ready has run open
	addr string
	// open, when set, makes c on ready's first call: the connection
	// waits until a build needs the daemon (OpenBuildKit).
	open func(context.Context) (*bkclient.Client, error)
	// check, when set, replaces ready's "does the daemon answer" check
	// (the engine's embedded BuildKit says why it is absent).
	check func(context.Context, *bkclient.Client) error
	once  sync.Once // ready's check
	err   error     // its outcome
	// embedded is the engine's own BuildKit (UseEmbeddedBuildKit).
	embedded bool
	// version is what the engine says of its BuildKit's version, once
	// checked (Version).
	version string
}

// DialBuildKit connects to the BuildKit daemon opts name and checks that it
// answers within ctx's deadline (at most 10s).
func DialBuildKit(ctx context.Context, opts BuildKitOptions) (*BuildKit, error) {
	bk, err := OpenBuildKit(ctx, opts)
	if err != nil {
		return nil, err
	}
	if err := bk.ready(ctx); err != nil {
		bk.Close()
		return nil, err
	}
	return bk, nil
}

// OpenBuildKit is DialBuildKit that connects only when the first build
// needs the daemon: a run whose images are all up to date sends nothing,
// and waits for nobody.
func OpenBuildKit(ctx context.Context, opts BuildKitOptions) (*BuildKit, error) {
	if opts.Addr == "" {
		return nil, errors.New("buildkit: no address (--builder ADDR or BUILDKIT_HOST)")
	}
	copts, err := buildKitClientOpts(opts)
	if err != nil {
		return nil, err
	}
	bk := NewBuildKit(nil, opts.Addr)
	bk.open = func(ctx context.Context) (*bkclient.Client, error) {
		c, err := bkclient.New(ctx, opts.Addr, copts...)
		if err != nil {
			return nil, fmt.Errorf("buildkit at %s: %w", opts.Addr, err)
		}
		return c, nil
	}
	return bk, nil
}

// ready connects, once, if bk was opened lazily, and checks that the
// daemon answers within 10s.
func (bk *BuildKit) ready(ctx context.Context) error {
	bk.once.Do(func() {
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if bk.c == nil {
			c, err := bk.open(pctx)
			if err != nil {
				bk.err = err
				return
			}
			bk.c = c
		}
		if bk.check != nil {
			bk.err = bk.check(pctx, bk.c)
			return
		}
		if _, err := bk.c.ListWorkers(pctx); err != nil {
			bk.err = fmt.Errorf("no BuildKit daemon answers at %s: %w\n  start buildkitd (buildkitd --addr %s), or point --builder / BUILDKIT_HOST at one that runs", bk.addr, err, bk.addr)
		}
	})
	return bk.err
}

// newBuildKitClient makes a client for the daemon opts name (grpc dials
// at once, in the background).
func newBuildKitClient(ctx context.Context, opts BuildKitOptions) (*bkclient.Client, error) {
	copts, err := buildKitClientOpts(opts)
	if err != nil {
		return nil, err
	}
	c, err := bkclient.New(ctx, opts.Addr, copts...)
	if err != nil {
		return nil, fmt.Errorf("buildkit at %s: %w", opts.Addr, err)
	}
	return c, nil
}

// buildKitClientOpts checks opts' TLS settings and turns them into client
// options.
func buildKitClientOpts(opts BuildKitOptions) ([]bkclient.ClientOpt, error) {
	ca, cert, key := opts.TLSCACert, opts.TLSCert, opts.TLSKey
	if opts.TLSDir != "" {
		if ca != "" || cert != "" || key != "" {
			return nil, errors.New("buildkit: the TLS directory excludes the CA, certificate and key files")
		}
		var err error
		if ca, cert, key, err = tlsDirFiles(opts.TLSDir); err != nil {
			return nil, err
		}
	}
	var copts []bkclient.ClientOpt
	if ca != "" {
		name := opts.TLSServerName
		if name == "" {
			u, err := url.Parse(opts.Addr)
			if err != nil {
				return nil, fmt.Errorf("buildkit address %s: %w", opts.Addr, err)
			}
			name = u.Hostname()
		}
		copts = append(copts, bkclient.WithServerConfig(name, ca))
	} else if opts.TLSServerName != "" {
		copts = append(copts, bkclient.WithServerConfigSystem(opts.TLSServerName))
	}
	if cert != "" || key != "" {
		copts = append(copts, bkclient.WithCredentials(cert, key))
	}
	if opts.Dialer != nil {
		copts = append(copts, bkclient.WithContextDialer(opts.Dialer))
	}
	return copts, nil
}

// NewBuildKit wraps a BuildKit client made elsewhere (e.g. one reaching an
// engine's embedded BuildKit); addr names it in messages.
func NewBuildKit(c *bkclient.Client, addr string) *BuildKit {
	// BuildKit's client and containerd's content store log through
	// logrus to standard error, warnings included ("failed check for
	// fsverity support"); dmake reports what goes wrong itself.
	log.SetLevel("error")
	return &BuildKit{c: c, addr: addr}
}

// Addr is the daemon's address.
func (bk *BuildKit) Addr() string { return bk.addr }

// Close releases the connection, if there is one.
func (bk *BuildKit) Close() error {
	if bk.c == nil {
		return nil
	}
	return bk.c.Close()
}

func tlsDirFiles(dir string) (ca, cert, key string, err error) {
	one := func(names ...string) (string, error) {
		for _, n := range names {
			p := filepath.Join(dir, n)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
		return "", fmt.Errorf("buildkit TLS directory %s: none of %s", dir, strings.Join(names, ", "))
	}
	if ca, err = one("ca.pem", "ca.crt"); err != nil {
		return
	}
	if cert, err = one("cert.pem", "tls.crt"); err != nil {
		return
	}
	key, err = one("key.pem", "tls.key")
	return
}

// Outputs say where a BuildKit build's result and cache go, as buildx's
// flags of the same names do.
type Outputs struct {
	// Load brings the image into the local engine under its tags.
	Load bool
	// Push sends the image to the registry its tags name, with the
	// credentials of the docker CLI's config.
	Push bool
	// CacheTo and CacheFrom are --cache-to / --cache-from values:
	// type=local,dest=DIR / type=local,src=DIR, type=registry,ref=REF,
	// type=inline (CSV, as buildx takes them).
	CacheTo, CacheFrom []string
	// Attest are the attestations to attach, as buildx's --attest takes
	// them: type=provenance[,mode=min|max], type=sbom[,generator=IMAGE]
	// (the generator is BuildKit's default, docker/buildkit-syft-scanner,
	// unless named).
	Attest []string
}

// ParseAttest parses one --attest value into the Dockerfile frontend's
// attribute ("attest:provenance") and value ("mode=max").
func ParseAttest(s string) (key, value string, err error) {
	var typ string
	var rest []string
	for _, f := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return "", "", fmt.Errorf("attestation %q: %q is not KEY=VALUE", s, f)
		}
		if k == "type" {
			typ = v
		} else {
			rest = append(rest, f)
		}
	}
	switch typ {
	case "provenance", "sbom":
	default:
		return "", "", fmt.Errorf("attestation %q: type is provenance or sbom", s)
	}
	return "attest:" + typ, strings.Join(rest, ","), nil
}

// attestMinVersion is the first BuildKit release whose Dockerfile frontend
// attaches attestations; an older daemon ignores the attest: attributes and
// would push the image without them.
const attestMinVersion = "v0.11"

// checkAttest refuses a build with attestations on a daemon that cannot
// attach them: one older than attestMinVersion, or one that does not say
// its version (the Info call is as old as attestations).
func (bk *BuildKit) checkAttest(ctx context.Context) error {
	info, err := bk.c.Info(ctx)
	if err != nil {
		return fmt.Errorf("--attest: the BuildKit at %s does not say its version (%v); attestations need BuildKit %s or later", bk.addr, err, attestMinVersion)
	}
	return attestVersionOK(bk.addr, info.BuildkitVersion.Version)
}

// attestVersionOK says whether BuildKit version (v0.34.2, v0.10.6…) of the
// daemon at addr attaches attestations; a version that does not parse (a
// development build) is given the benefit of the doubt.
func attestVersionOK(addr, version string) error {
	var major, minor int
	if _, err := fmt.Sscanf(version, "v%d.%d", &major, &minor); err != nil {
		return nil
	}
	if major == 0 && minor < 11 {
		return fmt.Errorf("--attest: the BuildKit at %s is %s; attestations need BuildKit %s or later", addr, version, attestMinVersion)
	}
	return nil
}

// ParseCacheOption parses one --cache-to / --cache-from value: "type=T,K=V,…"
// (a value without "type=" is a registry reference). For export, mode
// defaults to max: every step's layer, not only the result's.
func ParseCacheOption(s string, export bool) (bkclient.CacheOptionsEntry, error) {
	e := bkclient.CacheOptionsEntry{Attrs: map[string]string{}}
	if !strings.Contains(s, "type=") {
		e.Type, e.Attrs["ref"] = "registry", s
	} else {
		for _, f := range strings.Split(s, ",") {
			k, v, ok := strings.Cut(f, "=")
			if !ok {
				return e, fmt.Errorf("cache option %q: %q is not KEY=VALUE", s, f)
			}
			if k == "type" {
				e.Type = v
			} else {
				e.Attrs[k] = v
			}
		}
	}
	switch e.Type {
	case "local":
		k := "src"
		if export {
			k = "dest"
		}
		if e.Attrs[k] == "" {
			return e, fmt.Errorf("cache option %q: type=local needs %s=DIR", s, k)
		}
	case "registry":
		if e.Attrs["ref"] == "" {
			return e, fmt.Errorf("cache option %q: type=registry needs ref=REF", s)
		}
	case "inline":
	default:
		return e, fmt.Errorf("cache option %q: type is local, registry or inline", s)
	}
	if export && e.Type != "inline" && e.Attrs["mode"] == "" {
		e.Attrs["mode"] = "max"
	}
	return e, nil
}

// UseBuildKit makes e's builds run on bk, their results going where outs
// say; the engine's other calls (images, containers) stay on e.
func (e *Engine) UseBuildKit(bk *BuildKit, outs Outputs) {
	e.bk, e.outs = bk, outs
}

// BuildKit returns the BuildKit daemon e builds on, nil for the classic
// builder. An embedded BuildKit not yet checked (UseEmbeddedBuildKit with a
// choice) is checked now.
func (e *Engine) BuildKit() *BuildKit {
	bk, _ := e.builder(context.Background())
	return bk
}

// builder returns the BuildKit daemon e builds on, nil for the classic
// builder, first checking, once, an embedded BuildKit that
// UseEmbeddedBuildKit left unchecked, falling back to the classic builder
// where the engine offers none, and telling choose which it is; the error
// is choose's.
func (e *Engine) builder(ctx context.Context) (*BuildKit, error) {
	if e.choose == nil {
		return e.bk, nil
	}
	e.once.Do(func() {
		err := e.bk.ready(ctx)
		if err == nil {
			e.chooseErr = e.choose(e.bk, nil)
			return
		}
		if !errors.Is(err, ErrNoEmbeddedBuildKit) {
			return // a build reports other errors (ready keeps them)
		}
		e.bk.Close()
		e.bk = nil
		e.chooseErr = e.choose(nil, err)
	})
	return e.bk, e.chooseErr
}

// bkSolve is what a solve of a BuildRequest on a BuildKit daemon's
// Dockerfile frontend needs: the session's options (the frontend's
// attributes among them), the store of the local bases it serves, and the
// build context extracted to dir.
type bkSolve struct {
	opt     bkclient.SolveOpt
	bases   content.Store
	dir     string
	release func() // the bases store's use (useBases)
}

// close removes the extracted context and ends the use of the bases
// store: after the solve and what reads the bases (the load).
func (s *bkSolve) close() {
	if s.release != nil {
		s.release()
	}
	os.RemoveAll(s.dir)
}

// solveSetup makes the bkSolve of req on bk (the caller closes it, also
// on an error): the context extracted, the Dockerfile frontend's
// attributes from req's settings, the local bases served, the cache
// imports of --cache-from. With dockerfile set, the frontend reads that
// Dockerfile instead of the context's.
func (e *Engine) solveSetup(ctx context.Context, bk *BuildKit, req BuildRequest, dockerfile []byte) (*bkSolve, error) {
	dir, err := os.MkdirTemp("", "dmake-bk-context-")
	if err != nil {
		return nil, err
	}
	s := &bkSolve{dir: dir}
	// A context may be empty (docker build - < Dockerfile).
	if err := os.Mkdir(filepath.Join(dir, "context"), 0o755); err != nil {
		return s, err
	}
	if err := extractTar(req.Context, filepath.Join(dir, "context")); err != nil {
		return s, fmt.Errorf("buildkit build context: %w", err)
	}
	cfs, err := contextFS(filepath.Join(dir, "context"))
	if err != nil {
		return s, err
	}
	dfs := cfs
	attrs := map[string]string{"filename": req.Dockerfile}
	if req.Dockerfile == "" {
		attrs["filename"] = "Dockerfile"
	}
	if dockerfile != nil {
		if err := os.Mkdir(filepath.Join(dir, "dockerfile"), 0o755); err != nil {
			return s, err
		}
		if err := os.WriteFile(filepath.Join(dir, "dockerfile", "Dockerfile"), dockerfile, 0o644); err != nil {
			return s, err
		}
		if dfs, err = contextFS(filepath.Join(dir, "dockerfile")); err != nil {
			return s, err
		}
		attrs["filename"] = "Dockerfile"
	}
	for k, v := range req.BuildArgs {
		if v != nil {
			attrs["build-arg:"+k] = *v
		}
	}
	for k, v := range req.Labels {
		attrs["label:"+k] = v
	}
	if req.NoCache {
		attrs["no-cache"] = ""
	}
	if req.Target != "" {
		attrs["target"] = req.Target
	}
	if req.Platform != "" {
		attrs["platform"] = req.Platform
	}
	if len(req.ExtraHosts) > 0 {
		var hs []string
		for _, h := range req.ExtraHosts {
			hs = append(hs, strings.Replace(h, ":", "=", 1))
		}
		attrs["add-hosts"] = strings.Join(hs, ",")
	}
	switch req.NetworkMode {
	case "", "host", "default":
		// The daemon's own network (host for a buildkitd without CNI);
		// asking for host explicitly needs the network.host entitlement.
	case "none":
		attrs["force-network-mode"] = "none"
	default:
		return s, fmt.Errorf("buildkit build: network %q: a BuildKit build runs on the daemon's network or none", req.NetworkMode)
	}
	s.opt = bkclient.SolveOpt{
		Frontend:      "dockerfile.v0",
		FrontendAttrs: attrs,
		LocalMounts:   map[string]fsutil.FS{"context": cfs, "dockerfile": dfs},
		Session: []session.Attachable{authprovider.NewDockerAuthProvider(authprovider.DockerAuthProviderConfig{
			AuthConfigProvider: authprovider.LoadAuthConfig(config.LoadDefaultConfigFile(io.Discard)),
		})},
	}
	if bk.embedded {
		embeddedSolve(&s.opt, req)
		req.Bases = nil
	}
	if len(req.Bases) > 0 {
		dir, err := BasesDir()
		if err != nil {
			return s, err
		}
		if s.release, err = useBases(dir); err != nil {
			return s, err
		}
		store, manifests, err := e.localBases(ctx, req.Bases)
		if err != nil {
			return s, err
		}
		for k, v := range baseContexts(manifests) {
			attrs[k] = v
		}
		s.bases = store
		s.opt.OCIStores = map[string]content.Store{basesStoreID: store}
	}
	for _, c := range e.outs.CacheFrom {
		c, err := ParseCacheOption(c, false)
		if err != nil {
			return s, err
		}
		s.opt.CacheImports = append(s.opt.CacheImports, c)
	}
	return s, nil
}

// buildKitBuild runs req on bk's Dockerfile frontend.
func (e *Engine) buildKitBuild(ctx context.Context, bk *BuildKit, req BuildRequest, events func(BuildEvent)) (BuildResult, error) {
	outs := e.outs
	if err := bk.ready(ctx); err != nil {
		return BuildResult{}, err
	}
	if bk.embedded {
		outs.Load = false
	}
	sv, err := e.solveSetup(ctx, bk, req, req.DockerfileText)
	if sv != nil {
		defer sv.close()
	}
	if err != nil {
		return BuildResult{}, err
	}
	opt, attrs, bases := sv.opt, sv.opt.FrontendAttrs, sv.bases
	for _, s := range outs.CacheTo {
		c, err := ParseCacheOption(s, true)
		if err != nil {
			return BuildResult{}, err
		}
		opt.CacheExports = append(opt.CacheExports, c)
	}
	if len(outs.Attest) > 0 && !bk.embedded {
		if err := bk.checkAttest(ctx); err != nil {
			return BuildResult{}, err
		}
	}
	for _, s := range outs.Attest {
		k, v, err := ParseAttest(s)
		if err != nil {
			return BuildResult{}, err
		}
		attrs[k] = v
	}
	names := strings.Join(req.Tags, ",")
	if outs.Push {
		if names == "" {
			return BuildResult{}, errors.New("buildkit build: --push needs a tag naming the registry")
		}
		opt.Exports = append(opt.Exports, bkclient.ExportEntry{Type: bkclient.ExporterImage, Attrs: map[string]string{"name": names, "push": "true"}})
	}
	g, gctx := errgroup.WithContext(ctx)
	var export *exportStore
	if outs.Load {
		// The docker exporter writes the image into a content store of
		// the session's (tar=false), which declines the blobs of the
		// bases: the daemon sends only the layers it made. Uncompressed:
		// the engine unpacks the layers at once, compressing them costs
		// the builder's CPU for nothing, and the FROM image's layers
		// keep the digests of the bases' blobs.
		xdir, err := os.MkdirTemp("", "dmake-bk-export-")
		if err != nil {
			return BuildResult{}, err
		}
		defer os.RemoveAll(xdir)
		if export, err = newExportStore(xdir, bases); err != nil {
			return BuildResult{}, err
		}
		opt.Exports = append(opt.Exports, bkclient.ExportEntry{Type: bkclient.ExporterDocker,
			Attrs:       map[string]string{"compression": "uncompressed", "tar": "false"},
			OutputStore: export})
	}

	ch := make(chan *bkclient.SolveStatus)
	dockerfile := req.DockerfileText
	if dockerfile == nil {
		dockerfile, _ = os.ReadFile(filepath.Join(sv.dir, "context", filepath.FromSlash(attrs["filename"])))
	}
	st := newStatusEvents(events, dockerfile)
	var display chan *bkclient.SolveStatus
	if req.Display != nil {
		d, err := progressui.NewDisplay(req.Display, progressui.DisplayMode(req.DisplayMode))
		if err != nil && req.DisplayMode == "tty" {
			// No terminal to draw on (a pipe, a file): BuildKit's
			// plain display, as buildx falls back to it.
			d, err = progressui.NewDisplay(req.Display, progressui.PlainMode)
		}
		if err != nil {
			// tty asked of what is no terminal: BuildKit's plain
			// display, as buildx falls back.
			d, err = progressui.NewDisplay(req.Display, progressui.PlainMode)
		}
		if err != nil {
			return BuildResult{}, err
		}
		display = make(chan *bkclient.SolveStatus)
		g.Go(func() error {
			_, err := d.UpdateFrom(context.WithoutCancel(gctx), display)
			return err
		})
	}
	g.Go(func() error {
		for s := range ch {
			st.update(s)
			if display != nil {
				display <- s
			}
		}
		if display != nil {
			close(display)
		}
		return nil
	})
	var resp *bkclient.SolveResponse
	g.Go(func() error {
		if req.Prefetch != nil {
			// Its error is left: the build fetches what it lacks.
			// Its status goes to the display and the events before
			// the build's own (no status of the build arrives yet).
			req.Prefetch.Follow(func(s *bkclient.SolveStatus) {
				st.update(s)
				if display != nil {
					display <- s
				}
			})
		}
		var err error
		resp, err = bk.c.Solve(gctx, nil, opt, ch)
		return err
	})
	err = g.Wait()
	if err == nil && export != nil {
		err = e.loadExport(ctx, export, resp.ExporterResponse["containerimage.digest"], req)
	}
	res := st.result()
	if export != nil {
		res.LoadReceived, res.LoadDeclined, res.LoadSkipped = export.received.Load(), export.declined.Load(), export.skipped
	}
	if resp != nil {
		res.ImageID = resp.ExporterResponse["containerimage.config.digest"]
		if res.ImageID == "" {
			// The engine's "moby" exporter names the image by its id.
			res.ImageID = resp.ExporterResponse["containerimage.digest"]
		}
	}
	if err != nil {
		be := &BuildError{Message: err.Error()}
		if v := st.failed; v != nil {
			be.Step, be.Instruction, be.Code = v.step, v.instr, v.code
			be.Message = v.msg
		}
		events(BuildEvent{Kind: EventError, Step: be.Step, Steps: res.Steps, Text: be.Message})
		return res, be
	}
	return res, nil
}

// contextFS is the build context in dir as the session sends it: its
// files are root's, as in the tar the classic builder gets, so that a
// COPY's cache key (the files' content hash, which counts owners) is the
// same whoever runs dmake, on any machine.
func contextFS(dir string) (fsutil.FS, error) {
	fs, err := fsutil.NewFS(dir)
	if err != nil {
		return nil, err
	}
	return fsutil.NewFilterFS(fs, &fsutil.FilterOpt{Map: func(_ string, st *fstypes.Stat) fsutil.MapResult {
		st.Uid, st.Gid = 0, 0
		return fsutil.MapResultKeep
	}})
}

// realTime says whether t is a file's own time, which extractTar gives
// the file: not the fixed time of a legacy build directory's context
// (epoch) nor none. BuildKit's context transfer takes a file of the same
// size and time as the one it has from an earlier build of that context
// for the same file: a fixed time would keep an edit of the same size
// from it, so such a file gets the time it is written at.
func realTime(t time.Time) bool { return t.After(time.Unix(0, 0)) }

// extractTar writes the tar stream r into dir.
func extractTar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	// The directories' times are set last: what goes into one changes it.
	type dirTime struct {
		path string
		t    time.Time
	}
	var dirs []dirTime
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			for _, d := range slices.Backward(dirs) {
				if err := os.Chtimes(d.path, d.t, d.t); err != nil {
					return err
				}
			}
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(filepath.FromSlash(h.Name))
		if name == "." {
			continue
		}
		if !filepath.IsLocal(name) {
			return fmt.Errorf("%s: outside the context", h.Name)
		}
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(h.Mode).Perm()
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
			if err := os.Chmod(p, mode); err != nil {
				return err
			}
			if realTime(h.ModTime) {
				dirs = append(dirs, dirTime{p, h.ModTime})
			}
		case tar.TypeSymlink:
			if err := os.Symlink(h.Linkname, p); err != nil {
				return err
			}
			if realTime(h.ModTime) {
				ts := []unix.Timeval{unix.NsecToTimeval(h.ModTime.UnixNano()), unix.NsecToTimeval(h.ModTime.UnixNano())}
				if err := unix.Lutimes(p, ts); err != nil {
					return err
				}
			}
		case tar.TypeReg:
			f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			if err := os.Chmod(p, mode); err != nil {
				return err
			}
			// The file's own time, which BuildKit's COPY keeps (the
			// docker CLI sends it).
			if realTime(h.ModTime) {
				if err := os.Chtimes(p, h.ModTime, h.ModTime); err != nil {
					return err
				}
			}
		}
	}
}
