package engine

import (
	"archive/tar"
	"context"
	"io"
	"path"
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

// skipKnownLayers copies the docker-archive tar stream of r (BuildKit's
// docker exporter: blobs/sha256/HEX files, manifest.json) to w, less the
// files of uncompressed layers whose digest (their diff ID) have lists,
// of at least minSkippedLayer bytes. The engine's load never opens the
// file of a layer whose chain it has, so the FROM image's layers (most of
// an image's bytes, sent again at every build) need not travel; everything
// else is copied as it came. It returns the bytes left out.
func skipKnownLayers(w io.Writer, r io.Reader, have map[string]bool) (skipped int64, err error) {
	tr := tar.NewReader(r)
	tw := tar.NewWriter(w)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return skipped, tw.Close()
		}
		if err != nil {
			return skipped, err
		}
		if hdr.Typeflag == tar.TypeReg && hdr.Size >= minSkippedLayer && path.Dir(hdr.Name) == "blobs/sha256" &&
			have["sha256:"+path.Base(hdr.Name)] {
			n, err := io.Copy(io.Discard, tr)
			skipped += n
			if err != nil {
				return skipped, err
			}
			continue
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return skipped, err
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return skipped, err
		}
	}
}
