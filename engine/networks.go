package engine

import (
	"context"
	"fmt"

	"github.com/moby/moby/client"
)

// Network is one network of the engine.
type Network struct {
	ID   string
	Name string
}

// CreateNetwork creates a network named name with driver ("bridge"…) and
// returns its id.
func (e *Engine) CreateNetwork(ctx context.Context, name, driver string) (string, error) {
	r, err := e.c.NetworkCreate(ctx, name, client.NetworkCreateOptions{Driver: driver})
	if err != nil {
		return "", fmt.Errorf("creating network %s: %w", name, err)
	}
	return r.ID, nil
}

// ListNetworks lists the engine's networks, the predefined ones (host,
// none, bridge) included.
func (e *Engine) ListNetworks(ctx context.Context) ([]Network, error) {
	r, err := e.c.NetworkList(ctx, client.NetworkListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing networks: %w", err)
	}
	out := make([]Network, 0, len(r.Items))
	for _, n := range r.Items {
		out = append(out, Network{ID: n.ID, Name: n.Name})
	}
	return out, nil
}

// RemoveNetwork removes a network by name or id.
func (e *Engine) RemoveNetwork(ctx context.Context, ref string) error {
	if _, err := e.c.NetworkRemove(ctx, ref, client.NetworkRemoveOptions{}); err != nil {
		return fmt.Errorf("removing network %s: %w", ref, err)
	}
	return nil
}
