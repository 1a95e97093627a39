package engine

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/containerd/containerd/v2/core/content"
	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	cerrdefs "github.com/containerd/errdefs"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func putBlob(t *testing.T, s content.Ingester, b []byte) ocispec.Descriptor {
	t.Helper()
	d := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageLayer, Digest: digest.FromBytes(b), Size: int64(len(b))}
	if err := content.WriteBlob(context.Background(), s, d.Digest.String(), bytes.NewReader(b), d); err != nil {
		t.Fatal(err)
	}
	return d
}

// The export store declines the blobs of the bases (nothing of them
// written) and keeps the others; writeLoadArchive makes of it the archive
// the engine loads, less the files of the big layers the engine has.
func TestExportStoreLoadArchive(t *testing.T) {
	ctx := context.Background()
	bases, err := contentlocal.NewStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	big, small := bytes.Repeat([]byte("x"), minSkippedLayer), []byte("tiny layer")
	baseBig := putBlob(t, bases, big)
	baseSmall := putBlob(t, bases, small)
	s, err := newExportStore(t.TempDir(), bases)
	if err != nil {
		t.Fatal(err)
	}
	// The daemon's writes: the bases' two layers declined, a new one
	// taken.
	for _, b := range [][]byte{big, small} {
		d := ocispec.Descriptor{Digest: digest.FromBytes(b), Size: int64(len(b))}
		if _, err := s.Writer(ctx, content.WithRef("r"), content.WithDescriptor(d)); !cerrdefs.IsAlreadyExists(err) {
			t.Fatalf("writing a blob of the bases: %v, want already exists", err)
		}
	}
	newBig := putBlob(t, s, bytes.Repeat([]byte("y"), minSkippedLayer))
	cfg := putBlob(t, s, []byte(`{"architecture":"amd64"}`))
	m, _ := json.Marshal(ocispec.Manifest{Config: cfg, Layers: []ocispec.Descriptor{baseBig, baseSmall, newBig}})
	root := putBlob(t, s, m)
	if got, want := s.received.Load(), newBig.Size+cfg.Size+root.Size; got != want {
		t.Errorf("%d bytes received, want %d (the new blobs only)", got, want)
	}
	if got, want := s.declined.Load(), baseBig.Size+baseSmall.Size; got != want {
		t.Errorf("%d bytes declined, want %d (the bases' blobs)", got, want)
	}

	have := map[string]bool{baseBig.Digest.String(): true, baseSmall.Digest.String(): true}
	var out bytes.Buffer
	skipped, err := writeLoadArchive(ctx, &out, s, root.Digest, []string{"dmake-test/img", "reg:5000/x:v1"}, have)
	if err != nil || skipped != baseBig.Size {
		t.Fatalf("%d bytes skipped, %v; want %d (the big base layer)", skipped, err, baseBig.Size)
	}
	tr := tar.NewReader(&out)
	got := map[string][]byte{}
	var names []string
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		got[hdr.Name] = b
		names = append(names, hdr.Name)
	}
	file := func(d ocispec.Descriptor) string { return "blobs/sha256/" + d.Digest.Encoded() }
	if want := []string{file(cfg), file(baseSmall), file(newBig), "manifest.json"}; strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("archive: %v, want %v", names, want)
	}
	if !bytes.Equal(got[file(baseSmall)], small) || len(got[file(newBig)]) != int(newBig.Size) {
		t.Error("layer files not as stored")
	}
	want := `[{"Config":"` + file(cfg) + `","RepoTags":["dmake-test/img:latest","reg:5000/x:v1"],"Layers":["` +
		file(baseBig) + `","` + file(baseSmall) + `","` + file(newBig) + `"]}]`
	if string(got["manifest.json"]) != want {
		t.Errorf("manifest.json:\n%s\nwant\n%s", got["manifest.json"], want)
	}
	// A root that is no image is an error, not an empty load.
	if _, err := writeLoadArchive(ctx, io.Discard, s, cfg.Digest, nil, have); err == nil {
		t.Error("an archive of a config: no error")
	}
}
