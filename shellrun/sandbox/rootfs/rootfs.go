// Package rootfs exports a base image's root filesystem from the Docker
// engine, once, as the read-only lower layer of the sandboxed dry run
// (sandbox.Image.Rootfs).
package rootfs

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/shellrun/sandbox/debindex"
)

// Dir returns the directory of exported root filesystems:
// os.UserCacheDir()/dmake/rootfs ($XDG_CACHE_HOME, else ~/.cache).
func Dir() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, "dmake", "rootfs"), nil
}

// Clean removes the exported root filesystems of Dir and what is derived
// from them (they are made again when next needed): the files named by
// image ID as Export, LowerIndexFile, UpdatedApt, BaseApt and IndexFile
// name them and
// their unfinished ".part" files, then the directory if that leaves it
// empty.
// It returns how many files it removed and their size.
func Clean() (files int, bytes int64, err error) {
	dir, err := Dir()
	if err != nil {
		return 0, 0, fmt.Errorf("base rootfs cache: %w", err)
	}
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("base rootfs cache: %w", err)
	}
	for _, e := range ents {
		id, _, _ := strings.Cut(e.Name(), ".")
		if !e.Type().IsRegular() || len(id) != 64 || strings.Trim(id, "0123456789abcdef") != "" ||
			!(e.Name() == id+".tar" || e.Name() == id+".apt" || e.Name() == id+".aptstate" || e.Name() == id+".lower" || e.Name() == id+".index" || e.Name() == id+".noindex" || strings.HasSuffix(e.Name(), ".part")) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return files, bytes, fmt.Errorf("base rootfs cache: %w", err)
		}
		files++
		bytes += fi.Size()
	}
	os.Remove(dir) // only if empty
	return files, bytes, nil
}

// Export returns the root filesystem of image ref as an uncompressed
// tar, the read-only lower layer of a dry run: exported once from a created
// (never started) container and cached under the user's cache directory
// (os.UserCacheDir()/dmake/rootfs/IMAGE-ID.tar), so later runs cost nothing.
func Export(ctx context.Context, e *engine.Engine, ref string) (string, error) {
	img, found, err := e.InspectImage(ctx, ref)
	if err != nil {
		return "", fmt.Errorf("base rootfs of %s: %w", ref, err)
	}
	if !found {
		return "", fmt.Errorf("base rootfs of %s: no such image", ref)
	}
	dir, err := Dir()
	if err != nil {
		return "", fmt.Errorf("base rootfs of %s: %w", ref, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	id := strings.TrimPrefix(img.ID, "sha256:")
	file := filepath.Join(dir, id+".tar")
	if _, err := os.Stat(file); err == nil {
		return file, nil
	}
	rc, err := e.ExportImage(ctx, img.ID, map[string]string{"dev.dmake.rootfs-export": ref})
	if err != nil {
		return "", fmt.Errorf("base rootfs of %s: %w", ref, err)
	}
	defer rc.Close()
	tmp, err := os.CreateTemp(dir, id+".*.part")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, rc); err != nil {
		tmp.Close()
		return "", fmt.Errorf("base rootfs of %s: %w", ref, err)
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return "", err
	}
	return file, nil
}

// LowerIndexFile names the file where the sandbox keeps the index of the
// headers of tarFile, a root filesystem Export wrote
// (sandbox.Image.RootfsIndex): IMAGE-ID.lower, next to it.
func LowerIndexFile(tarFile string) string {
	return strings.TrimSuffix(tarFile, ".tar") + ".lower"
}

// AptState is what a base image's package manager knows, read from its
// root filesystem: the packages apt can install (its lists, with the
// virtual packages they provide) and those dpkg has installed.
type AptState struct {
	Available map[string]bool
	Installed map[string]bool
	// Lists says the image has package lists (a base that has none,
	// such as the official images, needs apt-get update first).
	Lists bool
	// Updated says Available are the lists of UpdatedApt, not the
	// image's own (BaseApt, for a base that keeps none).
	Updated bool
}

// ReadApt reads the apt lists (/var/lib/apt/lists/*_Packages, as apt
// keeps them uncompressed) and the dpkg status of the root filesystem tar
// that Export wrote. The tar reader seeks past the contents of the other
// files: it reads the headers and those files alone, not the whole tar.
func ReadApt(tarFile string) (*AptState, error) {
	f, err := os.Open(tarFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st := &AptState{Available: map[string]bool{}, Installed: map[string]bool{}}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return st, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tarFile, err)
		}
		name := strings.TrimPrefix(strings.TrimPrefix(h.Name, "./"), "/")
		switch {
		case h.Typeflag != tar.TypeReg:
		case strings.HasPrefix(name, "var/lib/apt/lists/") && strings.HasSuffix(name, "_Packages"):
			st.Lists = true
			if err := readStanzas(tr, func(pkg, provides, status string) {
				st.Available[pkg] = true
				for _, p := range strings.Split(provides, ",") {
					if p, _, _ = strings.Cut(strings.TrimSpace(p), " "); p != "" {
						st.Available[p] = true
					}
				}
			}); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", tarFile, name, err)
			}
		case name == "var/lib/dpkg/status":
			if err := readStanzas(tr, func(pkg, _, status string) {
				if strings.HasSuffix(status, " installed") {
					st.Installed[pkg] = true
				}
			}); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", tarFile, name, err)
			}
		}
	}
}

// readStanzas calls fn with the Package, Provides and Status fields of
// each stanza of a Debian control file.
func readStanzas(r io.Reader, fn func(pkg, provides, status string)) error {
	return debindex.Stanzas(r, func(f map[string]string) {
		if f["Package"] != "" {
			fn(f["Package"], f["Provides"], f["Status"])
		}
	})
}

// updateScript fetches the package lists in a throwaway container of a
// base that has none and prints the fields ReadApt needs.
const updateScript = `apt-get update -qq >/dev/null 2>&1 || exit 100
for f in /var/lib/apt/lists/*_Packages; do grep -h -E '^(Package|Provides):|^$' "$f"; echo; done`

// UpdatedApt returns the packages apt can install in image ref after an
// apt-get update, for a base that keeps no package lists (the official
// images remove theirs): apt-get update runs in a throwaway container of
// the base (network host, to reach its mirrors), once; the lists' fields
// are cached by image ID under Dir (IMAGE-ID.apt). Installed is left
// empty (ReadApt reads it from the root filesystem).
func UpdatedApt(ctx context.Context, e *engine.Engine, ref string) (*AptState, error) {
	img, found, err := e.InspectImage(ctx, ref)
	if err != nil || !found {
		return nil, fmt.Errorf("apt lists of %s: no such image (%v)", ref, err)
	}
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	id := strings.TrimPrefix(img.ID, "sha256:")
	file := filepath.Join(dir, id+".apt")
	if _, err := os.Stat(file); err != nil {
		tmp, err := os.CreateTemp(dir, id+".*.part")
		if err != nil {
			return nil, err
		}
		defer os.Remove(tmp.Name())
		res, err := e.Run(ctx, engine.RunOptions{Image: img.ID, Entrypoint: []string{"/bin/sh", "-c", updateScript}, Cmd: []string{},
			Labels: map[string]string{"dev.dmake.apt-update": ref}, NetworkMode: "host", Streams: engine.Streams{Out: tmp, Err: io.Discard}})
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil && res.ExitCode != 0 {
			err = fmt.Errorf("apt-get update in a container of %s: exit status %d", ref, res.ExitCode)
		}
		if err != nil {
			return nil, fmt.Errorf("apt lists of %s: %w", ref, err)
		}
		if err := os.Rename(tmp.Name(), file); err != nil {
			return nil, err
		}
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st := &AptState{Available: map[string]bool{}, Installed: map[string]bool{}, Lists: true}
	err = readStanzas(f, func(pkg, provides, _ string) {
		st.Available[pkg] = true
		for _, p := range strings.Split(provides, ",") {
			if p, _, _ = strings.Cut(strings.TrimSpace(p), " "); p != "" {
				st.Available[p] = true
			}
		}
	})
	return st, err
}
