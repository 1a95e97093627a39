package engine

import (
	"archive/tar"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"github.com/containerd/containerd/v2/core/content"
	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	cerrdefs "github.com/containerd/errdefs"
	"github.com/distribution/reference"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// minSkippedLayer is the size under which a layer the engine has is sent
// all the same: an empty or tiny layer tar can recur later in an image's
// chain of layers, where the engine does not have it.
const minSkippedLayer = 1 << 20

// knownLayers returns the diff IDs of the layers of the local FROM images
// of a build (bases: reference → image id). The built image's layers begin
// with those of its FROM image, so the engine has them, chain and all.
func (e *Engine) knownLayers(ctx context.Context, bases map[string]string) map[string]bool {
	have := map[string]bool{}
	for _, id := range bases {
		info, found, err := e.InspectImage(ctx, id)
		if err != nil || !found {
			continue
		}
		for _, l := range info.Layers {
			have[l] = true
		}
	}
	return have
}

// exportStore is the content store a --load build's exporter writes the
// image into (the docker exporter with tar=false, through the session): a
// blob the store of base images holds (the FROM images' layers and config,
// which dmake gave the daemon) is answered "already exists" before the
// daemon sends a byte of it; the others go into a store of their own (a
// directory the build removes). Reads see both.
type exportStore struct {
	content.Store               // the blobs received
	bases         content.Store // nil: no local bases
	received      atomic.Int64  // bytes written into the store
	declined      atomic.Int64  // bytes of blobs bases had
	skipped       int64         // bytes of layers not loaded (loadExport)
}

// newExportStore returns an exportStore whose own blobs live in dir.
func newExportStore(dir string, bases content.Store) (*exportStore, error) {
	s, err := contentlocal.NewStore(dir)
	if err != nil {
		return nil, err
	}
	return &exportStore{Store: s, bases: bases}, nil
}

// Writer is the daemon's ingest of one blob.
func (s *exportStore) Writer(ctx context.Context, opts ...content.WriterOpt) (content.Writer, error) {
	var wo content.WriterOpts
	for _, o := range opts {
		if err := o(&wo); err != nil {
			return nil, err
		}
	}
	if s.bases != nil && wo.Desc.Digest != "" {
		if info, err := s.bases.Info(ctx, wo.Desc.Digest); err == nil {
			s.declined.Add(info.Size)
			return nil, fmt.Errorf("content %s: %w", wo.Desc.Digest, cerrdefs.ErrAlreadyExists)
		}
	}
	w, err := s.Store.Writer(ctx, opts...)
	if err != nil {
		return nil, err
	}
	return &countingWriter{Writer: w, n: &s.received}, nil
}

// Info looks in the blobs received, then in the bases.
func (s *exportStore) Info(ctx context.Context, dgst digest.Digest) (content.Info, error) {
	info, err := s.Store.Info(ctx, dgst)
	if cerrdefs.IsNotFound(err) && s.bases != nil {
		return s.bases.Info(ctx, dgst)
	}
	return info, err
}

// ReaderAt reads a blob received, else one of the bases.
func (s *exportStore) ReaderAt(ctx context.Context, desc ocispec.Descriptor) (content.ReaderAt, error) {
	ra, err := s.Store.ReaderAt(ctx, desc)
	if cerrdefs.IsNotFound(err) && s.bases != nil {
		return s.bases.ReaderAt(ctx, desc)
	}
	return ra, err
}

// loadExport loads into the engine, under req's tags, the image the
// exporter wrote into s (root: its manifest or index), less the layers of
// req's FROM images, which the engine has.
func (e *Engine) loadExport(ctx context.Context, s *exportStore, root string, req BuildRequest) error {
	d, err := digest.Parse(root)
	if err != nil {
		return fmt.Errorf("loading the built image into the engine: BuildKit's exporter named no image (%q)", root)
	}
	have := e.knownLayers(ctx, req.Bases)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		n, err := writeLoadArchive(ctx, pw, s, d, req.Tags, have)
		s.skipped = n
		pw.CloseWithError(err) // nil: EOF, the archive is whole
		done <- err
	}()
	r, err := e.c.ImageLoad(ctx, pr)
	if err == nil {
		_, err = followBuild(r, func(BuildEvent) {})
		r.Close()
		if err != nil && strings.Contains(err.Error(), "without an image id") {
			err = nil
		}
	}
	pr.CloseWithError(err) // a writer left is told, not blocked
	if werr := <-done; werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		return fmt.Errorf("loading the built image into the engine: %w", err)
	}
	return nil
}

// countingWriter counts the bytes written into a content.Writer.
type countingWriter struct {
	content.Writer
	n *atomic.Int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.Writer.Write(p)
	w.n.Add(int64(n))
	return n, err
}

// imageBlob is the part of a manifest or an index that writeLoadArchive
// reads.
type imageBlob struct {
	MediaType string               `json:"mediaType"`
	Config    ocispec.Descriptor   `json:"config"`
	Layers    []ocispec.Descriptor `json:"layers"`
	Manifests []ocispec.Descriptor `json:"manifests"`
}

// writeLoadArchive writes to w the docker-archive of the image whose
// manifest (or index of manifests: attestations are left out) is blob root
// of store, tagged tags, for the engine's load: manifest.json, and the
// config and layer files under blobs/sha256/. The files of the layers that
// have lists (by digest, which is the diff ID of an uncompressed layer) of
// at least minSkippedLayer bytes are left out: the engine's load never
// opens the file of a layer whose chain it has, so the FROM image's layers
// (most of an image's bytes) need not travel. It returns the bytes left
// out.
func writeLoadArchive(ctx context.Context, w io.Writer, store content.Provider, root digest.Digest, tags []string, have map[string]bool) (skipped int64, err error) {
	var repoTags []string
	for _, t := range tags {
		named, err := reference.ParseNormalizedNamed(t)
		if err != nil {
			return 0, fmt.Errorf("tag %s: %w", t, err)
		}
		if nt, ok := reference.TagNameOnly(named).(reference.NamedTagged); ok {
			repoTags = append(repoTags, reference.FamiliarString(nt))
		}
	}
	readJSON := func(d digest.Digest) (imageBlob, error) {
		var b imageBlob
		p, err := content.ReadBlob(ctx, store, ocispec.Descriptor{Digest: d})
		if err != nil {
			return b, fmt.Errorf("the exported image's %s: %w", d, err)
		}
		if err := json.Unmarshal(p, &b); err != nil {
			return b, fmt.Errorf("the exported image's %s: %w", d, err)
		}
		return b, nil
	}
	top, err := readJSON(root)
	if err != nil {
		return 0, err
	}
	images := []imageBlob{top}
	if len(top.Manifests) > 0 {
		images = nil
		for _, m := range top.Manifests {
			if m.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
				continue
			}
			im, err := readJSON(m.Digest)
			if err != nil {
				return 0, err
			}
			images = append(images, im)
		}
	}
	if len(images) != 1 {
		return 0, fmt.Errorf("the exported image %s holds %d images; --load takes one", root, len(images))
	}
	tw := tar.NewWriter(w)
	written, left := map[digest.Digest]bool{}, map[digest.Digest]bool{}
	file := func(d digest.Digest) (string, error) {
		name := "blobs/" + d.Algorithm().String() + "/" + d.Encoded()
		if written[d] {
			return name, nil
		}
		written[d] = true
		ra, err := store.ReaderAt(ctx, ocispec.Descriptor{Digest: d})
		if err != nil {
			return "", fmt.Errorf("the exported image's %s: %w", d, err)
		}
		defer ra.Close()
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: ra.Size(), Typeflag: tar.TypeReg}); err != nil {
			return "", err
		}
		_, err = io.Copy(tw, io.NewSectionReader(ra, 0, ra.Size()))
		return name, err
	}
	im := images[0]
	if err := im.Config.Digest.Validate(); err != nil {
		return 0, fmt.Errorf("the exported image %s: no config: %w", root, err)
	}
	entry := struct {
		Config   string
		RepoTags []string
		Layers   []string
	}{RepoTags: repoTags}
	if entry.Config, err = file(im.Config.Digest); err != nil {
		return skipped, err
	}
	for _, l := range im.Layers {
		if l.Size >= minSkippedLayer && have[l.Digest.String()] {
			entry.Layers = append(entry.Layers, "blobs/"+l.Digest.Algorithm().String()+"/"+l.Digest.Encoded())
			if !left[l.Digest] {
				left[l.Digest] = true
				skipped += l.Size
			}
			continue
		}
		name, err := file(l.Digest)
		if err != nil {
			return skipped, err
		}
		entry.Layers = append(entry.Layers, name)
	}
	mj, err := json.Marshal([]any{entry})
	if err != nil {
		return skipped, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: "manifest.json", Mode: 0o644, Size: int64(len(mj)), Typeflag: tar.TypeReg}); err != nil {
		return skipped, err
	}
	if _, err := tw.Write(mj); err != nil {
		return skipped, err
	}
	return skipped, tw.Close()
}
