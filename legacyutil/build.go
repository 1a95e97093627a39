package legacyutil

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/dmake-dev/dmake/image"
)

func buildUtility(h Hooks) Utility {
	return Utility{
		Name:    "build",
		Summary: "build images of the legacy repository (make -C images/IMAGE build)",
		Main: func(ctx context.Context, stdio Stdio, args []string) int {
			return buildMain(ctx, stdio, h, "build", args)
		},
	}
}

func makeUtility(h Hooks) Utility {
	return Utility{
		Name:    "make",
		Summary: "make a target of one image's Makefile (make -C images/IMAGE TARGET)",
		Main: func(ctx context.Context, stdio Stdio, args []string) int {
			return buildMain(ctx, stdio, h, "make", args)
		},
	}
}

func buildMain(ctx context.Context, stdio Stdio, h Hooks, name string, args []string) int {
	var c *command
	if name == "build" {
		c = newCommand(stdio, name, "IMAGE... [VAR=VALUE]...", "Build each IMAGE of the legacy repository, in the order given, as the legacy bin/build: dmake's make runs the build target of $DOCKER_HOME/images/IMAGE/Makefile.", false)
		c.examples = []string{
			"dmake --util build base ssh",
			"dmake --util build ssh IMAGE_PREFIX=t1/",
		}
	} else {
		c = newCommand(stdio, name, "IMAGE TARGET... [VAR=VALUE]...", "Make TARGETs of the Makefile of IMAGE, as the legacy bin/make: dmake's make runs in $DOCKER_HOME/images/IMAGE.", false)
		c.examples = []string{"dmake --util make ssh prepare"}
	}
	c.details = `The repository is $DOCKER_HOME, else the parent of the directory of the
link dmake was invoked through (bin/ of the repository), else the nearest
directory above the current one that holds images/. The exit status is
make's; building stops at the first image that fails.`
	rest, status, ok := c.parse(args)
	if !ok {
		return status
	}
	var images, vars []string
	for _, a := range rest {
		if isAssignment(a) {
			vars = append(vars, a)
		} else {
			images = append(images, a)
		}
	}
	if len(images) == 0 {
		return c.usageError("missing IMAGE")
	}
	if name == "make" && len(images) < 2 {
		return c.usageError("missing TARGET for image %s", images[0])
	}
	if h.Make == nil {
		c.errorf("this dmake cannot build: the utilities were made without a make hook (legacyutil.Hooks.Make)")
		return ExitFailed
	}
	home, err := dockerHome()
	if err != nil {
		c.errorf("%v", err)
		return ExitFailed
	}
	// An image is images/NAME/ (make runs there), or, in a repository
	// with its own bin/build, images/NAME.mk: build then runs dmake at
	// the repository's root, which builds NAME as bin/build NAME does,
	// and make runs "make -f images/NAME.mk TARGET…".
	flat := func(im string) (string, bool) {
		mk := filepath.Join(home, "images", im+".mk")
		fi, err := os.Stat(mk)
		return mk, err == nil && fi.Mode().IsRegular() && !isDir(filepath.Join(home, "images", im))
	}
	var runs []MakeRequest
	if name == "build" {
		for _, im := range images {
			// An image no images/ entry names, in a repository with its
			// own bin/build (a bin/make writing a temporary makefile for
			// it): dmake at the root runs bin/build, which decides.
			_, isFlat := flat(im)
			unlisted := !isFlat && !isDir(filepath.Join(home, "images", im)) && !(image.Repo{Root: home}).ReferenceLayout()
			if (isFlat || unlisted) && image.HasBuild(home) {
				runs = append(runs, MakeRequest{Home: home, Dir: home, Args: append([]string{im}, vars...)})
				continue
			}
			runs = append(runs, MakeRequest{Home: home, Dir: filepath.Join(home, "images", im), Args: append([]string{"build"}, vars...)})
		}
	} else if mk, ok := flat(images[0]); ok {
		runs = append(runs, MakeRequest{Home: home, Dir: home, Args: append(append([]string{"-f", mk}, images[1:]...), vars...)})
	} else {
		runs = append(runs, MakeRequest{Home: home, Dir: filepath.Join(home, "images", images[0]), Args: append(images[1:], vars...)})
	}
	for i, r := range runs {
		if fi, err := os.Stat(r.Dir); err != nil || !fi.IsDir() {
			c.errorf("no image %s in %s (no directory %s, no %s.mk)", images[min(i, len(images)-1)], home, r.Dir, filepath.Join(home, "images", images[min(i, len(images)-1)]))
			return ExitFailed
		}
	}
	for _, r := range runs {
		if st := h.Make(ctx, stdio, r); st != 0 {
			return st
		}
	}
	return ExitOK
}

// isAssignment reports whether a word is a make variable assignment
// (NAME=value, NAME:=value, NAME+=value…).
func isAssignment(w string) bool {
	i := strings.IndexByte(w, '=')
	if i <= 0 {
		return false
	}
	name := strings.TrimRight(w[:i], ":+?!")
	return name != "" && !strings.ContainsAny(name, " \t")
}

// dockerHome finds the legacy repository's root: $DOCKER_HOME; else, when
// dmake runs through a link in the repository's bin/, that bin/'s parent;
// else the nearest directory at or above the current one holding images/.
func dockerHome() (string, error) {
	if h := os.Getenv("DOCKER_HOME"); h != "" {
		return filepath.Abs(h)
	}
	if p := invokedAs(); p != "" {
		root := filepath.Dir(filepath.Dir(p))
		if isDir(filepath.Join(root, "images")) {
			return root, nil
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isDir(filepath.Join(dir, "images")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find the legacy repository (a directory holding images/): set DOCKER_HOME")
		}
		dir = parent
	}
}

// invokedAs returns the absolute path dmake was invoked through when that
// was a link named like a utility (not dmake itself), else "".
func invokedAs() string {
	if len(os.Args) == 0 {
		return ""
	}
	a := os.Args[0]
	if b := filepath.Base(a); b == "dmake" || b == "" {
		return ""
	}
	if !strings.ContainsRune(a, filepath.Separator) {
		p, err := exec.LookPath(a)
		if err != nil {
			return ""
		}
		a = p
	}
	p, err := filepath.Abs(a)
	if err != nil {
		return ""
	}
	return p
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// String describes a make request as the shell command it stands for.
func (r MakeRequest) String() string {
	return fmt.Sprintf("make -C %s %s", r.Dir, strings.Join(r.Args, " "))
}
