package sandbox

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// LooseImage makes one image of loose script files, run in the order
// given as one image would run them. A file's role comes from its path:
// under boot/ a boot script, runit/NAME/run a runit script, else an
// install script (run with bash, as the legacy install.sh does). A
// functions.sh beside a script is placed at /build/script/functions.sh,
// where the legacy install scripts source it. root is the repository the
// files belong to ("" if none): no file is read through a link out of it
// (ReadFile).
func LooseImage(name, root string, files []string) (Image, error) {
	img := Image{Name: name, Root: root}
	seenFn := false
	probed := map[string]bool{} // directories looked at for functions.sh
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			return img, err
		}
		if fi.IsDir() {
			return img, fmt.Errorf("%s: is a directory", f)
		}
		s := Script{Path: f, File: f, Role: roleOf(f), Mode: fi.Mode()}
		switch s.Role {
		case RoleInstall:
			s.Shell = "bash"
			s.Dest = "/build/script/" + filepath.Base(f)
		case RoleBoot:
			s.Dest = "/etc/my_init.d/" + filepath.Base(f)
		case RoleRunit:
			s.Service = filepath.Base(filepath.Dir(f))
			s.Dest = "/etc/service/" + s.Service + "/run"
		}
		img.Scripts = append(img.Scripts, s)
		if dir := filepath.Dir(f); !seenFn && s.Role == RoleInstall && !probed[dir] {
			probed[dir] = true
			fn := filepath.Join(dir, "functions.sh")
			b, _, err := ReadFile(root, fn)
			switch {
			case err == nil:
				seenFn = true
				img.Files = append(img.Files, ContextFile{Dest: "/build/script/functions.sh", Data: b, Mode: 0o644, Name: fn})
			case !errors.Is(err, fs.ErrNotExist):
				return img, err
			}
		}
	}
	return img, nil
}

func roleOf(p string) Role {
	slash := filepath.ToSlash(p)
	switch {
	case strings.Contains("/"+slash, "/boot/") || strings.Contains("/"+slash, "/my_init.d/"):
		return RoleBoot
	case path.Base(slash) == "run" && (strings.Contains("/"+slash, "/runit/") || strings.Contains("/"+slash, "/service/")):
		return RoleRunit
	}
	return RoleInstall
}

// buildDirRole is the role of the build directory's file whose path
// elements are parts: script/NN….sh installs, boot/X boots, runit/S/run
// runs a service; "" for any other file.
func buildDirRole(parts []string) Role {
	switch {
	case len(parts) == 2 && parts[0] == "script" && len(parts[1]) > 0 && parts[1][0] >= '0' && parts[1][0] <= '9' && strings.HasSuffix(parts[1], ".sh"):
		return RoleInstall
	case len(parts) == 2 && parts[0] == "boot":
		return RoleBoot
	case len(parts) == 3 && parts[0] == "runit" && parts[2] == "run":
		return RoleRunit
	}
	return ""
}

// BuildDirImage makes the image a legacy build directory describes (the
// contents of images/NAME/build after "make prepare"): the directory is
// the context added at /build; install.sh, if present, is the one build
// step, which copies boot/, runit/ and init/ into place and runs
// script/[0-9]*.sh with bash in glob order; otherwise those scripts are
// run in that order directly. The boot scripts and runit run scripts are
// then dry-run as my_init and runit would start them. root is the
// repository: no file is read through a link out of it (ReadFile).
func BuildDirImage(name, root, dir string) (Image, error) {
	img := Image{Name: name, Root: root, SeedConvention: true}
	var boot, runit, install []Script
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		fi, err := os.Stat(p) // the build dir is made of symlinks: follow them
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		dest := "/build/" + rel
		if fi.IsDir() {
			img.Files = append(img.Files, ContextFile{Dest: dest, Mode: fs.ModeDir | 0o755})
			if d.Type()&fs.ModeSymlink != 0 {
				return fmt.Errorf("%s: symlinked directory not supported", p)
			}
			return nil
		}
		cf, err := ContextFileAt(root, p, dest, rel)
		if err != nil {
			return err
		}
		parts := strings.Split(rel, "/")
		b := cf.Data
		if cf.Role = buildDirRole(parts); cf.Role != "" && cf.Src != "" {
			// A script is read whole, for the static checks.
			if b, _, err = ReadFile(root, p); err != nil {
				return err
			}
			cf.Data, cf.Src, cf.Size = b, "", 0
		}
		switch cf.Role {
		case RoleInstall:
			install = append(install, Script{Path: rel, Source: b, Mode: fi.Mode(), Role: RoleInstall, Shell: "bash", Dest: dest})
		case RoleBoot:
			boot = append(boot, Script{Path: rel, Source: b, Mode: fi.Mode(), Role: RoleBoot, Dest: "/etc/my_init.d/" + parts[1]})
		case RoleRunit:
			runit = append(runit, Script{Path: rel, Source: b, Mode: fi.Mode(), Role: RoleRunit, Service: parts[1], Dest: "/etc/service/" + parts[1] + "/run"})
		}
		img.Files = append(img.Files, cf)
		return nil
	})
	if err != nil {
		return img, err
	}
	byPath := func(s []Script) {
		sort.Slice(s, func(i, j int) bool { return s[i].Path < s[j].Path })
	}
	byPath(install)
	byPath(boot)
	byPath(runit)
	if b, _, err := ReadFile(root, filepath.Join(dir, "install.sh")); err == nil {
		img.Scripts = append(img.Scripts, Script{Path: "install.sh", Source: b, Mode: 0o755, Role: RoleInstall, Shell: "bash", Dest: "/build/install.sh"})
	} else {
		img.Scripts = append(img.Scripts, install...)
	}
	img.Scripts = append(img.Scripts, boot...)
	img.Scripts = append(img.Scripts, runit...)
	return img, nil
}

// MaxScriptSize bounds the size of a script or context file the dry run
// reads.
const MaxScriptSize = 16 << 20

// ReadFile reads a script or context file from the host: a regular file
// (after links) of at most MaxScriptSize bytes, found without following
// links out of the repository. root is the repository: a path p inside it
// must resolve inside it (a committed functions.sh -> /etc/passwd is
// refused); a path outside it (or any path when root is "") must resolve
// inside its own directory. ReadFile never blocks on a FIFO or a device (it
// opens without waiting and refuses what is not a regular file) and never
// reads more than the limit, whatever the file does. Its errors name p.
func ReadFile(root, p string) ([]byte, fs.FileInfo, error) {
	f, _, fi, err := openWithin(root, p)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if fi.Size() > MaxScriptSize {
		return nil, nil, fmt.Errorf("%s: %d bytes, more than the %d a script may have", p, fi.Size(), MaxScriptSize)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxScriptSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", p, err)
	}
	if len(b) > MaxScriptSize {
		return nil, nil, fmt.Errorf("%s: more than the %d bytes a script may have", p, MaxScriptSize)
	}
	return b, fi, nil
}

// openWithin opens the host file p as ReadFile and ContextFileAt read it:
// found without following links out of root (resolveWithin), not through a
// link put there since, without waiting on a FIFO, and a regular file. It
// returns the file, its resolved path and its FileInfo; errors name p.
func openWithin(root, p string) (*os.File, string, fs.FileInfo, error) {
	real, err := resolveWithin(root, p)
	if err != nil {
		return nil, "", nil, err
	}
	f, err := os.OpenFile(real, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, "", nil, &fs.PathError{Op: "open", Path: p, Err: errors.Unwrap(err)}
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s: not a regular file (%v): scripts are read only from regular files", p, fi.Mode().Type())
	}
	if err != nil {
		f.Close()
		return nil, "", nil, err
	}
	return f, real, fi, nil
}

// lazyContextMin is the size from which ContextFileAt leaves a file's
// contents on the host, to be read only when a script reads them.
const lazyContextMin = 64 << 10

// ContextFileAt describes the host file p as the context file dest (named
// name in diagnostics), found as ReadFile finds a file (not through links
// out of root, a regular file, no FIFO waited on): a small file with its
// contents (Data); a larger one by its resolved path (Src) and size, read
// by the dry run only if a script reads it, so that a large build context
// (a COPY of a tree of archives) costs neither memory nor reading. A file
// of more than MaxScriptSize bytes is no error here: a script that reads
// one of more than 64 MiB gets EFBIG, as from the base's files.
func ContextFileAt(root, p, dest, name string) (ContextFile, error) {
	f, real, fi, err := openWithin(root, p)
	if err != nil {
		return ContextFile{}, err
	}
	defer f.Close()
	cf := ContextFile{Dest: dest, Mode: fi.Mode().Perm(), Name: name}
	if fi.Size() >= lazyContextMin {
		cf.Src, cf.Size = real, fi.Size()
		return cf, nil
	}
	cf.Data, err = io.ReadAll(io.LimitReader(f, lazyContextMin))
	if err != nil {
		return ContextFile{}, fmt.Errorf("%s: %w", p, err)
	}
	return cf, nil
}

// resolveWithin returns p with its links resolved, if that stays inside
// root when p lies inside root, else inside p's own directory (see
// ReadFile).
func resolveWithin(root, p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return "", &fs.PathError{Op: "open", Path: p, Err: pe.Err}
		}
		return "", fmt.Errorf("%s: %w", p, err)
	}
	if real == abs {
		return real, nil // no link on the way
	}
	bound := filepath.Dir(abs)
	what := "its directory " + bound
	if root != "" {
		if r, err := filepath.Abs(root); err == nil && inside(abs, r) {
			bound, what = r, "the repository "+r
		}
	}
	// The bound's own links (a repository reached through a link) count
	// as the bound.
	if b, err := filepath.EvalSymlinks(bound); err == nil && inside(real, b) || inside(real, bound) {
		return real, nil
	}
	return "", fmt.Errorf("%s: a link to %s, outside %s: scripts are not read through links out of the repository", p, real, what)
}

// inside reports whether p is dir or below it (both absolute and clean).
func inside(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}
