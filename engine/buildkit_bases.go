package engine

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/containerd/containerd/v2/core/content"
	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/distribution/reference"
	digest "github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sys/unix"
)

// basesStoreID names the session's content store of local base images.
const basesStoreID = "dmake-bases"

// BasesDir is where a BuildKit build keeps the local engine's FROM images
// as an OCI content store (blobs by digest, shared by all builds), under
// the user's cache directory.
func BasesDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "dmake", "buildkit-bases"), nil
}

// localBases makes the local engine's images of bases (FROM reference →
// image id) available to a BuildKit daemon, which cannot see the engine's
// images: each is saved once into an OCI content store that the build's
// session serves (basesStoreID), and named by the digest of its manifest
// there (FROM reference → digest); baseContexts names them as the FROM
// references' build contexts. A remote daemon fetches only the blobs it
// lacks.
func (e *Engine) localBases(ctx context.Context, bases map[string]string) (content.Store, map[string]digest.Digest, error) {
	dir, err := BasesDir()
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "ids"), 0o755); err != nil {
		return nil, nil, err
	}
	// Other builds may be saving the same base (-j, or another dmake):
	// the store's lock file (flock, one per open) orders the writers.
	lf, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, nil, err
	}
	defer lf.Close()
	if err := unix.Flock(int(lf.Fd()), unix.LOCK_EX); err != nil {
		return nil, nil, fmt.Errorf("locking %s: %w", lf.Name(), err)
	}
	defer unix.Flock(int(lf.Fd()), unix.LOCK_UN)
	store, err := contentlocal.NewStore(dir)
	if err != nil {
		return nil, nil, err
	}
	manifests := map[string]digest.Digest{}
	for ref, id := range bases {
		if _, err := reference.ParseNormalizedNamed(ref); err != nil {
			return nil, nil, fmt.Errorf("FROM %s: %w", ref, err)
		}
		m, err := e.baseManifest(ctx, store, dir, id)
		if err != nil {
			return nil, nil, fmt.Errorf("FROM %s: making the local image %s available to BuildKit: %w", ref, id, err)
		}
		manifests[ref] = m
	}
	return store, manifests, nil
}

// baseContexts are the Dockerfile frontend's attributes naming each FROM
// reference's image in the bases store (localBases' manifests) as its
// build context: "context:NAME" = "oci-layout://STORE@DIGEST".
func baseContexts(manifests map[string]digest.Digest) map[string]string {
	attrs := map[string]string{}
	for ref, m := range manifests {
		named, err := reference.ParseNormalizedNamed(ref)
		if err != nil {
			continue // localBases refused it
		}
		key := "context:" + strings.TrimSuffix(reference.FamiliarString(named), ":latest")
		attrs[key] = "oci-layout://" + basesStoreID + "@" + m.String()
	}
	return attrs
}

// baseManifest returns the digest of the OCI manifest of the engine's
// image id in store, writing it (from the engine's image save) the first
// time.
func (e *Engine) baseManifest(ctx context.Context, store content.Store, dir, id string) (digest.Digest, error) {
	idFile := filepath.Join(dir, "ids", strings.TrimPrefix(id, "sha256:"))
	if b, err := os.ReadFile(idFile); err == nil {
		d, err := digest.Parse(strings.TrimSpace(string(b)))
		if err == nil {
			if _, err := store.Info(ctx, d); err == nil {
				return d, nil
			}
		}
	}
	rc, err := e.c.ImageSave(ctx, []string{id})
	if err != nil {
		return "", err
	}
	defer rc.Close()
	blobs := map[string]ocispec.Descriptor{} // file in the archive → blob
	var manifest []struct {
		Config string
		Layers []string
	}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("reading the engine's image save: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := path.Clean(h.Name)
		if name == "manifest.json" {
			if err := json.NewDecoder(tr).Decode(&manifest); err != nil {
				return "", fmt.Errorf("manifest.json of the engine's image save: %w", err)
			}
			continue
		}
		desc, err := writeBlob(ctx, store, tr, h.Size)
		if err != nil {
			return "", err
		}
		blobs[name] = desc
	}
	if len(manifest) != 1 {
		return "", fmt.Errorf("the engine's image save holds %d images, want 1", len(manifest))
	}
	cfg, ok := blobs[path.Clean(manifest[0].Config)]
	if !ok {
		return "", fmt.Errorf("the engine's image save lacks its config %s", manifest[0].Config)
	}
	m := ocispec.Manifest{
		MediaType: ocispec.MediaTypeImageManifest,
		Config:    ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Digest: cfg.Digest, Size: cfg.Size},
		Layers:    []ocispec.Descriptor{},
	}
	m.SchemaVersion = 2
	for _, l := range manifest[0].Layers {
		d, ok := blobs[path.Clean(l)]
		if !ok {
			return "", fmt.Errorf("the engine's image save lacks its layer %s", l)
		}
		m.Layers = append(m.Layers, ocispec.Descriptor{MediaType: ocispec.MediaTypeImageLayer, Digest: d.Digest, Size: d.Size})
	}
	mb, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	md := digest.FromBytes(mb)
	if err := content.WriteBlob(ctx, store, "manifest-"+md.Encoded(), strings.NewReader(string(mb)), ocispec.Descriptor{MediaType: m.MediaType, Digest: md, Size: int64(len(mb))}); err != nil {
		return "", err
	}
	if err := os.WriteFile(idFile, []byte(md.String()+"\n"), 0o644); err != nil {
		return "", err
	}
	return md, nil
}

// writeBlob writes size bytes of r into store, returning their descriptor.
func writeBlob(ctx context.Context, store content.Store, r io.Reader, size int64) (ocispec.Descriptor, error) {
	tmp, err := os.CreateTemp("", "dmake-blob-")
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	dg := digest.Canonical.Digester()
	if _, err := io.Copy(io.MultiWriter(tmp, dg.Hash()), r); err != nil {
		return ocispec.Descriptor{}, err
	}
	desc := ocispec.Descriptor{Digest: dg.Digest(), Size: size}
	if _, err := store.Info(ctx, desc.Digest); err == nil {
		return desc, nil
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return ocispec.Descriptor{}, err
	}
	if err := content.WriteBlob(ctx, store, "blob-"+desc.Digest.Encoded(), tmp, desc); err != nil {
		return ocispec.Descriptor{}, err
	}
	return desc, nil
}

// ErrBasesInUse is CleanBases' error when a build is reading the store.
var ErrBasesInUse = errors.New("in use by a running build")

// useBases marks the store of base images in dir in use until release (a
// shared lock on its file "inuse"), so that CleanBases, which takes that
// lock alone, never removes blobs a build's daemon is fetching or its load
// is reading. A build holds it from before it saves its bases until it
// ends. The lock is taken on the file the path names once it is held: a
// store removed meanwhile is made again.
func useBases(dir string) (release func(), err error) {
	for {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(filepath.Join(dir, "inuse"), os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			return nil, err
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_SH); err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", f.Name(), err)
		}
		held, err1 := f.Stat()
		named, err2 := os.Stat(f.Name())
		if err1 == nil && err2 == nil && os.SameFile(held, named) {
			return func() { f.Close() }, nil // closing drops the lock
		}
		f.Close() // CleanBases removed the store while we waited
	}
}

// CleanBases removes the store of base images BasesDir holds (all of it is
// dmake's: blobs, ids, unfinished writes) and returns how many files and
// bytes went; the next BuildKit build saves its bases again. While a
// build uses the store (useBases) it removes nothing and returns an error
// wrapping ErrBasesInUse.
func CleanBases() (files int, bytes int64, err error) {
	dir, err := BasesDir()
	if err != nil {
		return 0, 0, err
	}
	if f, err := os.OpenFile(filepath.Join(dir, "inuse"), os.O_RDWR, 0); err == nil {
		defer f.Close()
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); errors.Is(err, unix.EWOULDBLOCK) {
			return 0, 0, fmt.Errorf("%s: %w; not removed (run --clean-cache again when it ends)", dir, ErrBasesInUse)
		} else if err != nil {
			return 0, 0, fmt.Errorf("locking %s: %w", f.Name(), err)
		}
	}
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return filepath.SkipAll
			}
			return err
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				files++
				bytes += info.Size()
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return files, bytes, os.RemoveAll(dir)
}
