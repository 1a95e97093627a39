package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
)

// Flatten makes a single-layer image holding the file tree of image src,
// with src's configuration (env, cmd, entrypoint, exposed ports, working
// dir, user, labels), and tags it tag. Files deleted in a later layer of src
// no longer take room: this is how a production build that removes its
// build-only packages in a last step gets smaller. It returns the new id.
func (e *Engine) Flatten(ctx context.Context, src, tag string) (string, error) {
	ins, err := e.c.ImageInspect(ctx, src)
	if err != nil {
		return "", fmt.Errorf("flatten %s: %w", src, err)
	}
	cr, err := e.c.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{
			Image:      src,
			Entrypoint: []string{"/dmake-flatten-never-started"},
			Labels:     map[string]string{LabelManaged: "1"},
		},
		HostConfig: &container.HostConfig{NetworkMode: "none"},
	})
	if err != nil {
		return "", fmt.Errorf("flatten %s: %w", src, err)
	}
	defer e.c.ContainerRemove(context.WithoutCancel(ctx), cr.ID, client.ContainerRemoveOptions{Force: true})
	rc, err := e.c.ContainerExport(ctx, cr.ID, client.ContainerExportOptions{})
	if err != nil {
		return "", fmt.Errorf("flatten %s: exporting: %w", src, err)
	}
	defer rc.Close()

	var changes []string
	if c := ins.Config; c != nil {
		for _, env := range c.Env {
			k, v, _ := strings.Cut(env, "=")
			changes = append(changes, fmt.Sprintf("ENV %s=%s", k, quoteChange(v)))
		}
		if c.Cmd != nil {
			b, _ := json.Marshal(c.Cmd)
			changes = append(changes, "CMD "+string(b))
		}
		if c.Entrypoint != nil {
			b, _ := json.Marshal(c.Entrypoint)
			changes = append(changes, "ENTRYPOINT "+string(b))
		}
		var ports []string
		for p := range c.ExposedPorts {
			ports = append(ports, p)
		}
		sort.Strings(ports)
		if len(ports) > 0 {
			changes = append(changes, "EXPOSE "+strings.Join(ports, " "))
		}
		if c.WorkingDir != "" {
			changes = append(changes, "WORKDIR "+c.WorkingDir)
		}
		if c.User != "" {
			changes = append(changes, "USER "+c.User)
		}
		if c.StopSignal != "" {
			changes = append(changes, "STOPSIGNAL "+c.StopSignal)
		}
		var keys []string
		for k := range c.Labels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			changes = append(changes, fmt.Sprintf("LABEL %s=%s", quoteChange(k), quoteChange(c.Labels[k])))
		}
	}
	res, err := e.c.ImageImport(ctx, client.ImageImportSource{Source: rc, SourceName: "-"}, tag,
		client.ImageImportOptions{Changes: changes, Message: "dmake: flattened " + src})
	if err != nil {
		return "", fmt.Errorf("flatten %s: importing: %w", src, err)
	}
	defer res.Close()
	var id string
	dec := json.NewDecoder(res)
	for {
		var m jsonstream.Message
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return "", fmt.Errorf("flatten %s: %w", src, err)
		}
		if m.Error != nil {
			return "", fmt.Errorf("flatten %s: %s", src, m.Error.Message)
		}
		if strings.HasPrefix(m.Status, "sha256:") {
			id = strings.TrimSpace(m.Status)
		}
	}
	if id == "" {
		return "", fmt.Errorf("flatten %s: the engine returned no image id", src)
	}
	return id, nil
}

// quoteChange quotes a value for a Dockerfile-syntax change line.
func quoteChange(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
