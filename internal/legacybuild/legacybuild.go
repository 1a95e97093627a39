// Package legacybuild builds the images of the legacy repo legacy-images/ the
// legacy way (bin/build, GNU make, bash, the docker CLI; no dmake) for tests,
// once per test run, and shares them between tests and packages.
//
// Ensure checks whether the tagged images exist and carry a label with the
// content hash of legacy-images/ as it is now (HashLabel); only missing or
// stale images are built again, so every test package of a `go test ./...`
// run after the first finds them ready. The build runs in a temporary copy of
// the repo, so the source tree gets no build/ directories.
package legacybuild

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/internal/enginetest"
)

// Prefix is the IMAGE_PREFIX the shared test images are tagged with
// (dmaketest/base, dmaketest/ssh, dmaketest/web). Tests that only need the
// images should use it, so that the whole run builds them once.
const Prefix = "dmaketest/"

// HashLabel is the image label holding the content hash (TreeHash) of the
// legacy-images/ tree the image was built from.
const HashLabel = "dev.dmake.legacy-hash"

// Names returns the images Ensure builds, parents first: base, ssh (FROM
// base) and web (FROM ssh).
func Names() []string { return []string{"base", "ssh", "web"} }

// Images describes a set of legacy images that exist in the engine.
type Images struct {
	// Prefix is the IMAGE_PREFIX they were built with.
	Prefix string
	// Repo is the legacy-images/ directory their content hash was taken from.
	Repo string
	// Hash is that content hash (the value of HashLabel).
	Hash string
	// Built lists the images this call built; empty when all were current.
	Built []string
}

// Tag returns the tag of the image called name (e.g. "ssh").
func (im Images) Tag(name string) string { return im.Prefix + name }

// ensured remembers, per prefix, what Ensure found or built in this process,
// so that tests of one package do not ask the engine again.
var ensured sync.Map // prefix -> *ensureResult

type ensureResult struct {
	once sync.Once
	im   Images
	err  error
}

// Ensure makes sure base, ssh and web exist tagged with prefix and built from
// the current legacy-images/ tree, building them with bin/build if they are
// missing or stale, and returns them. It calls enginetest.Require first, so
// it skips (or fails, in CI) without an engine. Build output goes to a log
// file named in the failure message.
func Ensure(t testing.TB, prefix string) Images {
	t.Helper()
	enginetest.Require(t)
	v, _ := ensured.LoadOrStore(prefix, &ensureResult{})
	r := v.(*ensureResult)
	r.once.Do(func() {
		r.im, r.err = ensure(context.Background(), t, prefix)
	})
	if r.err != nil {
		t.Fatalf("legacybuild: %v", r.err)
	}
	return r.im
}

func ensure(ctx context.Context, t testing.TB, prefix string) (Images, error) {
	repo, err := RepoDir()
	if err != nil {
		return Images{}, err
	}
	unlock, err := lock(filepath.Join(os.TempDir(), "dmake-legacybuild.lock"))
	if err != nil {
		return Images{}, err
	}
	defer unlock()

	hash, err := TreeHash(repo)
	if err != nil {
		return Images{}, err
	}
	im := Images{Prefix: prefix, Repo: repo, Hash: hash}
	var todo []string
	for _, name := range Names() {
		// Once one image is built again, every image FROM it is too.
		if len(todo) == 0 && ImageLabel(ctx, im.Tag(name), HashLabel) == hash {
			continue
		}
		todo = append(todo, name)
	}
	if len(todo) == 0 {
		t.Logf("legacybuild: %s{%s} are current (hash %s)", prefix, strings.Join(Names(), ","), hash)
		return im, nil
	}

	tmp, err := os.MkdirTemp("", "dmake-legacybuild-")
	if err != nil {
		return im, err
	}
	defer os.RemoveAll(tmp)
	home := filepath.Join(tmp, "legacy-images")
	if err := CopyTree(repo, home); err != nil {
		return im, err
	}
	logFile, err := os.CreateTemp("", "dmake-legacybuild-*.log")
	if err != nil {
		return im, err
	}
	defer logFile.Close()
	logPath := logFile.Name()
	labels := fmt.Sprintf("LABELS=%s=legacybuild %s=%s", enginetest.Label, HashLabel, hash)
	// The stale images these builds replace, removed once nothing needs them.
	var stale []string
	for _, name := range todo {
		if id := imageID(ctx, im.Tag(name)); id != "" {
			stale = append(stale, id)
		}
	}
	defer func() {
		for i := len(stale) - 1; i >= 0; i-- { // children first
			exec.CommandContext(ctx, Docker(), "rmi", stale[i]).Run() // in use or still tagged: kept
		}
	}()
	for _, name := range todo {
		start := time.Now()
		err := Build(ctx, home, name, logFile, "IMAGE_PREFIX="+prefix, labels)
		if err != nil {
			// On a daemon shared with other work, a prune running at the
			// same time can take an intermediate image away; a broken
			// build fails again.
			t.Logf("legacybuild: building %s failed, trying once more: %v%s", im.Tag(name), err, tail(logPath, 5))
			err = Build(ctx, home, name, logFile, "IMAGE_PREFIX="+prefix, labels)
		}
		if err != nil {
			return im, fmt.Errorf("%w (log: %s)%s", err, logPath, tail(logPath, 20))
		}
		t.Logf("legacybuild: built %s in %.1fs", im.Tag(name), time.Since(start).Seconds())
		im.Built = append(im.Built, name)
	}
	return im, nil
}

// Build runs `bin/build name vars...` in the legacy repo home (its
// DOCKER_HOME), the legacy way, with the docker CLI that Docker returns,
// writing make's and docker's output to out.
func Build(ctx context.Context, home, name string, out io.Writer, vars ...string) error {
	args := append([]string{name, "DOCKER=" + Docker()}, vars...)
	cmd := exec.CommandContext(ctx, filepath.Join(home, "bin", "build"), args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOME="+home)
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s/bin/build %s: %w", home, strings.Join(args, " "), err)
	}
	return nil
}

// Docker returns the docker CLI to use: Debian's /usr/bin/docker, which
// matches the engine .ci/engine.sh starts, when present, else "docker".
func Docker() string {
	if _, err := os.Stat("/usr/bin/docker"); err == nil {
		return "/usr/bin/docker"
	}
	return "docker"
}

// ImageLabel returns the value of label on image ref, or "" when the image
// or the label does not exist.
func ImageLabel(ctx context.Context, ref, label string) string {
	out, err := exec.CommandContext(ctx, Docker(), "image", "inspect",
		"-f", fmt.Sprintf("{{index .Config.Labels %q}}", label), ref).Output()
	if err != nil {
		return ""
	}
	v := strings.TrimSpace(string(out))
	if v == "<no value>" {
		return ""
	}
	return v
}

// imageID returns the id of image ref, "" when it does not exist.
func imageID(ctx context.Context, ref string) string {
	out, err := exec.CommandContext(ctx, Docker(), "image", "inspect", "-f", "{{.Id}}", ref).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// RepoDir returns the absolute path of legacy-images/ in this module.
func RepoDir() (string, error) {
	var tried []string
	if _, file, _, ok := runtime.Caller(0); ok {
		dir := filepath.Join(filepath.Dir(file), "..", "..", "legacy-images")
		if isRepo(dir) {
			return filepath.Abs(dir)
		}
		tried = append(tried, dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, "legacy-images")
		if isRepo(cand) {
			return cand, nil
		}
		tried = append(tried, cand)
		if filepath.Dir(dir) == dir {
			break
		}
	}
	return "", fmt.Errorf("legacy-images/ not found (tried %s)", strings.Join(tried, ", "))
}

func isRepo(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "bin", "build"))
	return err == nil && !st.IsDir()
}

// skip reports whether rel (slash-separated, relative to the repo root) is
// not source: build output (images/NAME/build and below) or the state
// directories of tools (.dmake, .git) at the top.
func skip(rel string) bool {
	parts := strings.Split(rel, "/")
	switch {
	case parts[0] == ".dmake" || parts[0] == ".git":
		return true
	case len(parts) >= 3 && parts[0] == "images" && parts[2] == "build":
		return true
	}
	return false
}

// TreeHash returns a content hash of the legacy repo at dir: every file's
// path, kind, executable bit and content, every symlink's target, in path
// order. Build output (images/*/build), tool state (.dmake, .git) and
// documentation (*.md) are left out. Two trees with the same hash build the same images.
func TreeHash(dir string) (string, error) {
	type entry struct {
		rel  string
		path string
		mode fs.FileMode
	}
	var entries []entry
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if skip(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && strings.HasSuffix(rel, ".md") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		entries = append(entries, entry{rel, path, info.Mode()})
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].rel < entries[j].rel })
	h := sha256.New()
	for _, e := range entries {
		switch {
		case e.mode.IsDir():
			fmt.Fprintf(h, "d %s\x00", e.rel)
		case e.mode&fs.ModeSymlink != 0:
			target, err := os.Readlink(e.path)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(h, "l %s\x00%s\x00", e.rel, target)
		case e.mode.IsRegular():
			data, err := os.ReadFile(e.path)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(h, "f %s %t %d\x00", e.rel, e.mode&0o111 != 0, len(data))
			h.Write(data)
		default:
			return "", fmt.Errorf("%s: unexpected file type %v", e.path, e.mode.Type())
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// CopyTree copies the legacy repo src to dst (which must not exist):
// directories, regular files with their modes, symlinks as symlinks. Build
// output (images/*/build) and tool state (.dmake, .git) are left out.
func CopyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if skip(filepath.ToSlash(rel)) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.Mkdir(target, info.Mode().Perm()|0o700)
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case info.Mode().IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, info.Mode().Perm())
		default:
			return fmt.Errorf("%s: unexpected file type %v", path, info.Mode().Type())
		}
	})
}

// tail returns the last n lines of the file at path, indented, for an error
// message; "" when it cannot be read.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("\n\t")
		b.Write(l)
	}
	return b.String()
}
