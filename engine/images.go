package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/moby/moby/client"
)

// Image is one local image as the engine lists it.
type Image struct {
	// ID is the image id ("sha256:…").
	ID string
	// Tags are its names ("legacy/ssh:latest"); none for a dangling image.
	Tags []string
	// Created is when the image was built.
	Created time.Time
	// Labels are the image's labels.
	Labels map[string]string
	// Size is the image's size in bytes, its parents included.
	Size int64
}

// ListImagesOptions selects images.
type ListImagesOptions struct {
	// Dangling keeps only untagged top-level images (the "<none>" ones a
	// rebuild leaves behind when it moves the tag).
	Dangling bool
	// Labels keeps only images carrying every one of these labels, each
	// "KEY" or "KEY=VALUE".
	Labels []string
	// All includes the intermediate images of classic builds.
	All bool
}

// ListImagesResult is the images found, newest first.
type ListImagesResult struct {
	Images []Image
}

// ListImages lists the local images that opts selects.
func (e *Engine) ListImages(ctx context.Context, opts ListImagesOptions) (ListImagesResult, error) {
	f := make(client.Filters)
	if opts.Dangling {
		f.Add("dangling", "true")
	}
	if len(opts.Labels) > 0 {
		f.Add("label", opts.Labels...)
	}
	r, err := e.c.ImageList(ctx, client.ImageListOptions{All: opts.All, Filters: f})
	if err != nil {
		return ListImagesResult{}, fmt.Errorf("listing images: %w", err)
	}
	res := ListImagesResult{Images: make([]Image, 0, len(r.Items))}
	for _, s := range r.Items {
		var tags []string
		for _, t := range s.RepoTags {
			if t != "<none>:<none>" {
				tags = append(tags, t)
			}
		}
		res.Images = append(res.Images, Image{
			ID:      s.ID,
			Tags:    tags,
			Created: time.Unix(s.Created, 0),
			Labels:  s.Labels,
			Size:    s.Size,
		})
	}
	sort.SliceStable(res.Images, func(i, j int) bool {
		return res.Images[i].Created.After(res.Images[j].Created)
	})
	return res, nil
}

// RemoveImageOptions says how to remove an image.
type RemoveImageOptions struct {
	// Force removes the image even when stopped containers use it, and
	// untags it from every name.
	Force bool
	// KeepParents keeps the image's untagged parents (by default they go
	// with it, as with docker rmi).
	KeepParents bool
}

// RemoveImageResult is what the engine did.
type RemoveImageResult struct {
	// Untagged are the names removed; Deleted the image ids deleted (the
	// image itself and untagged parents).
	Untagged, Deleted []string
}

// RemoveImage removes an image by name or id. An image that a container
// still uses gives an error for which IsConflict is true.
func (e *Engine) RemoveImage(ctx context.Context, ref string, opts RemoveImageOptions) (RemoveImageResult, error) {
	r, err := e.c.ImageRemove(ctx, ref, client.ImageRemoveOptions{Force: opts.Force, PruneChildren: !opts.KeepParents})
	if err != nil {
		return RemoveImageResult{}, fmt.Errorf("removing image %s: %w", displayRef(ref), err)
	}
	var res RemoveImageResult
	for _, d := range r.Items {
		if d.Untagged != "" {
			res.Untagged = append(res.Untagged, d.Untagged)
		}
		if d.Deleted != "" {
			res.Deleted = append(res.Deleted, d.Deleted)
		}
	}
	return res, nil
}

// ResolveImageOptions is reserved for future use.
type ResolveImageOptions struct{}

// ResolveImageResult identifies a local image.
type ResolveImageResult struct {
	// ID is the image id ("sha256:…").
	ID string
	// Tags are its names.
	Tags []string
	// Cmd and Entrypoint are the image's default command and entrypoint.
	Cmd, Entrypoint []string
}

// ResolveImage finds the local image that ref (a name, name:tag, or id)
// names. An unknown image gives an error for which IsNotFound is true.
func (e *Engine) ResolveImage(ctx context.Context, ref string, _ ResolveImageOptions) (ResolveImageResult, error) {
	r, err := e.c.ImageInspect(ctx, ref)
	if err != nil {
		return ResolveImageResult{}, fmt.Errorf("looking up image %s: %w", ref, err)
	}
	res := ResolveImageResult{ID: r.ID, Tags: r.RepoTags}
	if r.Config != nil {
		res.Cmd = r.Config.Cmd
		res.Entrypoint = r.Config.Entrypoint
	}
	return res, nil
}

// displayRef shortens ref for messages when it is an image id.
func displayRef(ref string) string {
	id := strings.TrimPrefix(ref, "sha256:")
	if len(id) == 64 && strings.Trim(id, "0123456789abcdef") == "" {
		return ShortID(id)
	}
	return ref
}

// ImportImage makes image ref from the file system in the tar stream fs,
// with Dockerfile-style changes ("LABEL k=v", "CMD [...]"), as docker
// import does, and returns the new image's id.
func (e *Engine) ImportImage(ctx context.Context, fs io.Reader, ref string, changes []string) (string, error) {
	r, err := e.c.ImageImport(ctx, client.ImageImportSource{Source: fs, SourceName: "-"}, ref, client.ImageImportOptions{Changes: changes})
	if err != nil {
		return "", fmt.Errorf("importing %s: %w", ref, err)
	}
	body, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		return "", fmt.Errorf("importing %s: %w", ref, err)
	}
	var msg struct {
		Status string `json:"status"`
		Error  string `json:"error"`
	}
	for _, line := range bytes.Split(body, []byte("\n")) {
		if json.Unmarshal(line, &msg) == nil && msg.Error != "" {
			return "", fmt.Errorf("importing %s: %s", ref, msg.Error)
		}
	}
	info, found, err := e.InspectImage(ctx, ref)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("importing %s: the engine made no such image", ref)
	}
	return info.ID, nil
}

// PullImage fetches ref from its registry into the engine, as docker pull
// does, and returns the image's id.
func (e *Engine) PullImage(ctx context.Context, ref string) (string, error) {
	r, err := e.c.ImagePull(ctx, ref, client.ImagePullOptions{})
	if err != nil {
		return "", fmt.Errorf("pulling %s: %w", ref, err)
	}
	body, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		return "", fmt.Errorf("pulling %s: %w", ref, err)
	}
	var msg struct {
		Error string `json:"error"`
	}
	for _, line := range bytes.Split(body, []byte("\n")) {
		if json.Unmarshal(line, &msg) == nil && msg.Error != "" {
			return "", fmt.Errorf("pulling %s: %s", ref, msg.Error)
		}
	}
	info, found, err := e.InspectImage(ctx, ref)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("pulling %s: the engine has no such image after the pull", ref)
	}
	return info.ID, nil
}
