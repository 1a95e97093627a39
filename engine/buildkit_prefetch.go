package engine

import (
	"bytes"
	"context"
	"io"
	"sync"
	"time"

	bkclient "github.com/moby/buildkit/client"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	digest "github.com/opencontainers/go-digest"
)

// A Prefetch runs a build's first steps, those that run nothing (its FROM
// images, the COPY steps before its first RUN), on the BuildKit daemon it
// will run on while the caller does other work (dmake's dry run of the
// scripts): a daemon with an empty state (a second machine, a fresh CI
// runner) fetches and unpacks the FROM images and the cached layers of
// those steps, from the local engine or from the cache of --cache-from,
// then, not after the check. The build that follows
// (BuildRequest.Prefetch) waits for it, showing its progress as one step
// first, and finds those steps done.
type Prefetch struct {
	cancel     context.CancelFunc
	done       chan struct{}
	err        error
	start, end time.Time

	mu       sync.Mutex
	more     chan struct{} // closed, and replaced, when statuses grow
	statuses []*bkclient.SolveStatus
}

// prefetchVertex names the one step a Prefetch shows in a build's display.
const prefetchVertex = "[dmake] the steps before the first RUN, while the scripts are checked"

// Prefetch starts ahead, on the BuildKit daemon e builds on, the steps of
// req that the Dockerfile ahead holds: the first steps of req's own
// Dockerfile, those that run no command (the caller chooses them). It
// returns nil when there is nothing to gain: the classic builder and the
// engine's own BuildKit have the engine's images, and a build without the
// cache (NoCache) would make the steps again. req.Context is read before
// Prefetch returns. Cancelling ctx, or Stop, ends it.
func (e *Engine) Prefetch(ctx context.Context, req BuildRequest, ahead []byte) *Prefetch {
	if len(ahead) == 0 || req.NoCache {
		return nil
	}
	bk, err := e.builder(ctx)
	if err != nil || bk == nil || bk.embedded {
		return nil
	}
	req.Target = "" // the last stage of what runs ahead
	tarBytes, err := io.ReadAll(req.Context)
	if err != nil {
		return nil // the build says what is wrong
	}
	req.Context = bytes.NewReader(tarBytes)
	ctx, cancel := context.WithCancel(ctx)
	p := &Prefetch{cancel: cancel, done: make(chan struct{}), more: make(chan struct{}), start: time.Now()}
	go func() {
		defer close(p.done)
		defer cancel()
		// Saving a FROM image for the daemon the first time
		// (localBases) takes a while too: the check runs meanwhile.
		sv, err := e.solveSetup(ctx, bk, req, ahead)
		if sv != nil {
			defer sv.close()
		}
		if err == nil {
			err = p.run(ctx, bk, sv)
		}
		p.err, p.end = err, time.Now()
	}()
	return p
}

// run solves sv through the Dockerfile frontend and reads the root
// directory of each result, which makes the daemon fetch and unpack the
// layers of the steps, cached ones too.
func (p *Prefetch) run(ctx context.Context, bk *BuildKit, sv *bkSolve) error {
	if err := bk.ready(ctx); err != nil {
		return err
	}
	var imports []gateway.CacheOptionsEntry
	for _, c := range sv.opt.CacheImports {
		imports = append(imports, gateway.CacheOptionsEntry{Type: c.Type, Attrs: c.Attrs})
	}
	frontendAttrs := sv.opt.FrontendAttrs
	opt := sv.opt
	opt.Frontend, opt.FrontendAttrs = "", map[string]string{} // the client adds the cache imports' attributes
	ch := make(chan *bkclient.SolveStatus)
	pumped := make(chan struct{})
	go func() {
		defer close(pumped)
		for s := range ch {
			p.add(s)
		}
	}()
	_, err := bk.c.Build(ctx, opt, "dmake", func(ctx context.Context, c gateway.Client) (*gateway.Result, error) {
		r, err := c.Solve(ctx, gateway.SolveRequest{Frontend: "dockerfile.v0", FrontendOpt: frontendAttrs, CacheImports: imports})
		if err != nil {
			return nil, err
		}
		refs := r.Refs
		if r.Ref != nil {
			refs = map[string]gateway.Reference{"": r.Ref}
		}
		for _, ref := range refs {
			// Reading a directory mounts the result: its layers
			// are fetched and unpacked.
			if ref == nil {
				continue
			}
			if _, err := ref.ReadDir(ctx, gateway.ReadDirRequest{Path: "/"}); err != nil {
				return nil, err
			}
		}
		return gateway.NewResult(), nil
	}, ch)
	<-pumped
	return err
}

// add records status s and wakes whoever follows.
func (p *Prefetch) add(s *bkclient.SolveStatus) {
	p.mu.Lock()
	p.statuses = append(p.statuses, s)
	close(p.more)
	p.more = make(chan struct{})
	p.mu.Unlock()
}

// Follow waits for the prefetch to end and returns its error (a build
// does itself what a failed prefetch left undone). Meanwhile it sends f
// the prefetch's progress, past and to come, as one step of its own
// (prefetchVertex): the fetching and unpacking of layers it did.
func (p *Prefetch) Follow(f func(*bkclient.SolveStatus)) error {
	v := &bkclient.Vertex{Digest: digest.FromString(prefetchVertex), Name: prefetchVertex, Started: &p.start}
	f(&bkclient.SolveStatus{Vertexes: []*bkclient.Vertex{v}})
	send := func(ss []*bkclient.SolveStatus) {
		for _, s := range ss {
			out := &bkclient.SolveStatus{}
			for _, st := range s.Statuses {
				st := *st
				st.Vertex = v.Digest
				out.Statuses = append(out.Statuses, &st)
			}
			if len(out.Statuses) > 0 {
				f(out)
			}
		}
	}
	next := 0
	for {
		p.mu.Lock()
		ss, more := p.statuses[next:], p.more
		next = len(p.statuses)
		p.mu.Unlock()
		send(ss)
		if len(ss) > 0 {
			continue
		}
		select {
		case <-more:
		case <-p.done:
			p.mu.Lock()
			ss := p.statuses[next:]
			p.mu.Unlock()
			send(ss)
			done := *v
			done.Completed = &p.end
			f(&bkclient.SolveStatus{Vertexes: []*bkclient.Vertex{&done}})
			return p.err
		}
	}
}

// Stop ends the prefetch and waits for it.
func (p *Prefetch) Stop() {
	if p == nil {
		return
	}
	p.cancel()
	<-p.done
}
