package engine

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/moby/moby/client"
)

// pruneState keeps RemoveDangling from racing with the builds in flight
// on the same Engine. Removing an old image with its untagged parents
// (PruneChildren) can take an intermediate image of the classic builder
// that another build running at the same time has just found in its cache
// and is about to start a step's container from: with -j, copies of one
// image share that chain. So a removal waits until no build of this
// Engine is in flight, and no build starts while one runs.
type pruneState struct {
	mu      sync.Mutex
	builds  int               // builds in flight
	pending map[string]string // tag → the image to keep, removals waiting for builds to end
}

// buildStarted counts a build in flight; it waits while removals run.
func (e *Engine) buildStarted() {
	e.prune.mu.Lock()
	e.prune.builds++
	e.prune.mu.Unlock()
}

// buildEnded uncounts a build; the last one to end runs the removals that
// waited for it.
func (e *Engine) buildEnded(ctx context.Context) {
	e.prune.mu.Lock()
	defer e.prune.mu.Unlock()
	e.prune.builds--
	if e.prune.builds > 0 {
		return
	}
	if len(e.prune.pending) == 0 {
		return
	}
	// The removals are other images' tidying: a cancelled last build
	// does not cancel them, but a slow engine does not hold it up long.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	for tag, keep := range e.prune.pending {
		_, _ = e.removeDangling(ctx, tag, keep) // best effort, as a removal is
	}
	e.prune.pending = nil
}

// RemoveDangling removes the untagged images labelled LabelTag=tag that
// dmake's earlier builds of tag left behind, except keep, with their
// untagged parents. It returns the ids removed. Images still used (by a
// container or as another image's parent) are left alone. While other
// builds of this Engine are in flight, the removal waits for the last of
// them to end and RemoveDangling returns no ids.
func (e *Engine) RemoveDangling(ctx context.Context, tag, keep string) ([]string, error) {
	e.prune.mu.Lock()
	defer e.prune.mu.Unlock()
	if e.prune.builds > 0 {
		if e.prune.pending == nil {
			e.prune.pending = map[string]string{}
		}
		e.prune.pending[tag] = keep
		return nil, nil
	}
	delete(e.prune.pending, tag)
	return e.removeDangling(ctx, tag, keep)
}

// removeDangling is RemoveDangling's removal, with prune.mu held.
func (e *Engine) removeDangling(ctx context.Context, tag, keep string) ([]string, error) {
	f := make(client.Filters).Add("dangling", "true").Add("label", LabelManaged+"=1", LabelTag+"="+tag)
	list, err := e.c.ImageList(ctx, client.ImageListOptions{Filters: f})
	if err != nil {
		return nil, fmt.Errorf("listing dangling images of %s: %w", tag, err)
	}
	var removed []string
	for _, im := range list.Items {
		if im.ID == keep {
			continue
		}
		if _, err := e.c.ImageRemove(ctx, im.ID, client.ImageRemoveOptions{PruneChildren: true}); err != nil {
			continue // in use: leave it
		}
		removed = append(removed, im.ID)
	}
	return removed, nil
}
