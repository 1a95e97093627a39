package image

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dmake-dev/dmake/internal/tempdir"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// ContextOptions say how WriteContext sends what a legacy repository's
// build directory holds and what a plain Makefile's context holds.
type ContextOptions struct {
	// KeepLinks sends every symbolic link as the link itself, as the
	// docker CLI sends it (a plain Makefile's context); otherwise a link
	// is followed while it stays in root (a legacy build directory's
	// links are how its files get there).
	KeepLinks bool
	// Times sends each entry's own modification time, as the CLI does, so
	// that the image's files have them (a make in a RUN compares them);
	// otherwise every entry carries a fixed time (epoch).
	Times bool
}

// readDockerignore reads the .dockerignore of the context directory dir
// (nil when there is none).
func readDockerignore(dir string) (*patternmatcher.PatternMatcher, error) {
	f, err := os.Open(filepath.Join(dir, ".dockerignore"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("build context: %w", err)
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("build context: %s: %w", f.Name(), err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, fmt.Errorf("build context: %s: %w", f.Name(), err)
	}
	return pm, nil
}

// epoch is the modification time of every context entry: the classic
// builder keys COPY layers on content and mode, so a fixed time keeps the
// context tar (and the input digest) a function of what matters only.
var epoch = time.Unix(0, 0)

// WriteContext writes the build context of files, plus the Dockerfile text
// under dockerfileName unless that is empty, as an uncompressed tar to w.
// A whole context directory (a File named ".") is sent without what its
// .dockerignore excludes, as the docker CLI sends it. Symbolic links are
// followed (a link to a file outside the context would fail in the engine)
// while they stay inside root: a link whose target lies outside root (the
// repository) is sent as the link itself, as the docker CLI sends every
// link, so no file out of the repository is read (the sandbox's rule,
// ReadFile); those links are returned. An empty root sets no limit.
// Entries are sorted and owned by root; opts say how links and times are
// sent. digest is the SHA-256 of the names, types, modes, link targets
// and contents of the entries, not of their times (the input digest).
func WriteContext(w io.Writer, dockerfileName string, dockerfile []byte, files []File, root string, opts ContextOptions) (linksOut []string, digest string, err error) {
	keepLinks := opts.KeepLinks
	tw := tar.NewWriter(w)
	// sum is the digest of what the context holds, whatever the times.
	sum := sha256.New()
	type ent struct {
		name string
		src  string
		mode os.FileMode
		link string // the target of a link sent as a link
	}
	var all []ent
	seen := map[string]bool{}
	realRoot := ""
	if root != "" {
		if realRoot, err = filepath.EvalSymlinks(root); err != nil {
			return nil, "", fmt.Errorf("build context: %w", err)
		}
	}
	// out reports whether src is a link that leads out of root, and its
	// target as written.
	out := func(src string) (string, bool) {
		if realRoot == "" {
			return "", false
		}
		if fi, err := os.Lstat(src); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			return "", false
		}
		target, err := os.Readlink(src)
		if err != nil {
			return "", false
		}
		real, err := filepath.EvalSymlinks(src)
		if err != nil {
			// Dangling, or through a link out: judged by where it
			// points, as far as it resolves.
			real = target
			if !filepath.IsAbs(real) {
				real = filepath.Join(filepath.Dir(src), real)
			}
		}
		rel, err := filepath.Rel(realRoot, real)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return "", false
		}
		return target, true
	}
	// ignore is the .dockerignore of a whole context directory (File "."),
	// applied as the docker CLI applies it, before anything is sent.
	var ignore *patternmatcher.PatternMatcher
	ignored := func(name string) bool {
		if ignore == nil || name == "." {
			return false
		}
		m, err := ignore.MatchesOrParentMatches(name)
		return err == nil && m
	}
	var walk func(name, src string, mode os.FileMode, stack []string) error
	walk = func(name, src string, mode os.FileMode, stack []string) error {
		skip := ignored(name)
		if skip && (ignore == nil || !ignore.Exclusions()) {
			return nil // neither it nor anything below it is sent
		}
		if keepLinks && name != "." {
			if fi, err := os.Lstat(src); err == nil && fi.Mode()&os.ModeSymlink != 0 {
				target, err := os.Readlink(src)
				if err != nil {
					return fmt.Errorf("build context: %w", err)
				}
				if !skip && !seen[name] {
					seen[name] = true
					all = append(all, ent{name: name, src: src, link: target})
				}
				return nil
			}
		}
		if target, ok := out(src); ok {
			if skip {
				return nil
			}
			if !seen[name] {
				seen[name] = true
				all = append(all, ent{name: name, src: src, link: target})
				linksOut = append(linksOut, src)
			}
			return nil
		}
		fi, err := os.Stat(src)
		if err != nil {
			return fmt.Errorf("build context: %s: %w", src, err)
		}
		if !fi.IsDir() {
			if skip {
				return nil
			}
			if name != dockerfileName && !seen[name] {
				seen[name] = true
				all = append(all, ent{name: name, src: src, mode: mode})
			}
			return nil
		}
		real, err := filepath.EvalSymlinks(src)
		if err != nil {
			return fmt.Errorf("build context: %w", err)
		}
		for _, s := range stack {
			if s == real {
				return fmt.Errorf("build context: %s: symbolic link loop", src)
			}
		}
		// An ignored directory is looked into only for what a "!"
		// pattern takes back.
		if name != "." && !skip && !seen[name+"/"] {
			seen[name+"/"] = true
			all = append(all, ent{name: name + "/", src: src})
		}
		des, err := os.ReadDir(src)
		if err != nil {
			return fmt.Errorf("build context: %w", err)
		}
		for _, de := range des {
			child := de.Name()
			if name != "." {
				child = name + "/" + de.Name()
			}
			if err := walk(child, filepath.Join(src, de.Name()), 0, append(stack, real)); err != nil {
				return err
			}
		}
		return nil
	}
	for _, f := range files {
		name := path.Clean(f.Name)
		if strings.HasPrefix(name, "../") || name == ".." || path.IsAbs(name) {
			return nil, "", fmt.Errorf("build context: %s is outside the context", f.Name)
		}
		// Parent directories first, so modes are explicit.
		if dir := path.Dir(name); dir != "." {
			parts := strings.Split(dir, "/")
			for i := range parts {
				d := strings.Join(parts[:i+1], "/") + "/"
				if !seen[d] {
					seen[d] = true
					all = append(all, ent{name: d})
				}
			}
		}
		ignore = nil
		if name == "." {
			if ignore, err = readDockerignore(f.Src); err != nil {
				return nil, "", err
			}
		}
		if err := walk(name, f.Src, f.Mode, nil); err != nil {
			return nil, "", err
		}
	}
	if dockerfileName != "" {
		all = append(all, ent{name: dockerfileName})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	// mtime is the time an entry carries: its own with opts.Times, else
	// epoch.
	mtime := func(src string) time.Time {
		if opts.Times && src != "" {
			if fi, err := os.Lstat(src); err == nil {
				return fi.ModTime()
			}
		}
		return epoch
	}
	// note adds an entry's header (all but its time) to the digest.
	note := func(h *tar.Header) {
		fmt.Fprintf(sum, "%q %c %o %q %d\n", h.Name, h.Typeflag, h.Mode, h.Linkname, h.Size)
	}
	for _, e := range all {
		hdr := &tar.Header{Name: e.name, ModTime: mtime(e.src), Format: tar.FormatPAX, Uname: "root", Gname: "root"}
		switch {
		case e.name == dockerfileName && dockerfileName != "":
			hdr.Typeflag, hdr.Mode, hdr.Size, hdr.ModTime = tar.TypeReg, 0o644, int64(len(dockerfile)), epoch
			note(hdr)
			sum.Write(dockerfile)
			if err := tw.WriteHeader(hdr); err != nil {
				return nil, "", err
			}
			if _, err := tw.Write(dockerfile); err != nil {
				return nil, "", err
			}
			continue
		case e.link != "":
			hdr.Typeflag, hdr.Mode, hdr.Linkname = tar.TypeSymlink, 0o777, e.link
			note(hdr)
			if err := tw.WriteHeader(hdr); err != nil {
				return nil, "", err
			}
			continue
		case strings.HasSuffix(e.name, "/"):
			hdr.Typeflag, hdr.Mode = tar.TypeDir, 0o755
			if e.src != "" {
				if fi, err := os.Stat(e.src); err == nil {
					hdr.Mode = int64(fi.Mode().Perm())
				}
			}
			note(hdr)
			if err := tw.WriteHeader(hdr); err != nil {
				return nil, "", err
			}
			continue
		}
		if err := writeFile(tw, hdr, e.src, e.mode, note, sum); err != nil {
			return nil, "", err
		}
	}
	return linksOut, hex.EncodeToString(sum.Sum(nil)), tw.Close()
}

// ContextRoot is the directory no file of a build context is read out of
// through a link: the repository, or the context itself when it lies
// outside (a context unpacked from "docker build -").
func ContextRoot(repoRoot, contextDir string) string {
	if rel, err := filepath.Rel(repoRoot, contextDir); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return contextDir
	}
	return repoRoot
}

// writeFile writes the file src under hdr, its header noted and its
// content written to sum as well.
func writeFile(tw *tar.Writer, hdr *tar.Header, src string, mode os.FileMode, note func(*tar.Header), sum io.Writer) error {
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("build context: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("build context: %s is not a regular file", src)
	}
	hdr.Typeflag = tar.TypeReg
	hdr.Mode = int64(fi.Mode().Perm())
	if fi.Mode()&os.ModeSetuid != 0 {
		hdr.Mode |= 0o4000
	}
	if fi.Mode()&os.ModeSetgid != 0 {
		hdr.Mode |= 0o2000
	}
	if mode != 0 {
		hdr.Mode = int64(mode.Perm())
	}
	hdr.Size = fi.Size()
	note(hdr)
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := io.Copy(io.MultiWriter(tw, sum), f); err != nil {
		return fmt.Errorf("build context: %s: %w", src, err)
	}
	return nil
}

// StdinContext is what "docker build -" found on its standard input.
type StdinContext struct {
	// Dir holds the extracted tar context ("" when stdin was a Dockerfile).
	Dir string
	// Dockerfile is the Dockerfile text when stdin held one instead of a tar.
	Dockerfile []byte

	tmp *tempdir.Dir // Dir, held until Remove
}

// Remove removes Dir, if any.
func (sc StdinContext) Remove() error {
	if sc.tmp == nil {
		return nil
	}
	return sc.tmp.Remove()
}

// contextDirPrefix names the temporary directories of stdin contexts:
// contextDirPrefix-PID-RANDOM in the temporary directory. Those of a run
// that was killed are removed by the next run that makes one.
const contextDirPrefix = "dmake-context"

// ReadStdinContext reads what "docker build -" reads: a tar context (plain
// or gzip-compressed), extracted into a new directory under tmp, or else a
// Dockerfile. The caller removes Dir.
func ReadStdinContext(r io.Reader, tmp string) (StdinContext, error) {
	br := bufio.NewReaderSize(r, 1024)
	head, _ := br.Peek(2)
	var tr io.Reader = br
	if bytes.Equal(head, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return StdinContext{}, fmt.Errorf("docker build -: %w", err)
		}
		defer zr.Close()
		tr = zr
	}
	bufr := bufio.NewReaderSize(tr, 1024)
	blk, _ := bufr.Peek(512)
	if len(blk) < 512 || string(blk[257:262]) != "ustar" {
		b, err := io.ReadAll(bufr)
		if err != nil {
			return StdinContext{}, fmt.Errorf("docker build -: %w", err)
		}
		if len(b) == 0 {
			return StdinContext{}, errors.New("docker build -: nothing on standard input (expected a tar context or a Dockerfile)")
		}
		return StdinContext{Dockerfile: b}, nil
	}
	td, err := tempdir.New(tmp, contextDirPrefix)
	if err != nil {
		return StdinContext{}, err
	}
	if err := extract(tar.NewReader(bufr), td.Path); err != nil {
		td.Remove()
		return StdinContext{}, fmt.Errorf("docker build -: %w", err)
	}
	return StdinContext{Dir: td.Path, tmp: td}, nil
}

func extract(tr *tar.Reader, dir string) error {
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean("/" + hdr.Name)[1:]
		if name == "" {
			continue
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		mode := os.FileMode(hdr.Mode).Perm()
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
			if err := os.Chmod(dst, mode|0o700); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, mode)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			if err := os.Chmod(dst, mode); err != nil {
				return err
			}
		case tar.TypeSymlink:
			target := hdr.Linkname
			if path.IsAbs(target) {
				// Keep it inside the context: the engine resolves
				// absolute links against the context root.
				rel, _ := filepath.Rel(filepath.Dir(dst), filepath.Join(dir, filepath.FromSlash(target)))
				target = rel
			}
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := os.Symlink(target, dst); err != nil {
				return err
			}
		case tar.TypeLink:
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			old := filepath.Join(dir, filepath.FromSlash(path.Clean("/" + hdr.Linkname)[1:]))
			if err := os.Link(old, dst); err != nil {
				return err
			}
		}
	}
}
