package legacyutil

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/image"
)

func runBashUtility() Utility {
	return Utility{
		Name:    "run-bash",
		Summary: "a throwaway container of an image with an interactive bash",
		Main:    runBashMain,
	}
}

func runBashMain(ctx context.Context, stdio Stdio, args []string) int {
	c := newCommand(stdio, "run-bash", "IMAGE [DOCKER-RUN-OPTION]... [-- BASH-ARG...]", "Run a throwaway container of IMAGE with an interactive login bash; the container is removed when bash exits.", true)
	c.details = `As the legacy bin/run-bash IMAGE [docker run options]: IMAGE may be the
name of a directory of $DOCKER_HOME/images/ (then the image is
${IMAGE_PREFIX-legacy/}IMAGE); at a repository built through its
bin/build, a short name is the one local image of that name under a
registry path (someprefix/IMAGE:latest, said; several are an error).
IMAGE may be any image reference, and the options after
it are docker run's (those below; others are refused). The container uses
the host's network; when the image runs /sbin/my_init, bash runs under it
(my_init -- bash -l), so the boot scripts and services run first. A terminal
is allocated when standard input is one. An image with no bash (busybox)
gets sh instead, said on standard error. BASH-ARGs, after --, go to bash
(e.g. -- -c 'command'). The exit status is bash's.`
	c.examples = []string{
		"dmake --util run-bash ssh                 bash in a fresh legacy/ssh container",
		"dmake --util run-bash ssh -e SSH_PORT=2222   the same, with a variable for the boot scripts",
		"dmake --util run-bash debian:bookworm -- -c 'cat /etc/os-release'",
	}
	network := c.flags.String("network", "host", "the container's `NETWORK` (host, none, a network name)")
	c.flags.StringVar(network, "net", "host", "the same as --network")
	c.flags.MarkHidden("net")
	env := c.flags.StringArrayP("env", "e", nil, "set `NAME=VALUE` (repeatable)")
	user := c.flags.StringP("user", "u", "", "run as `USER`")
	workdir := c.flags.StringP("workdir", "w", "", "start bash in `DIR`")
	labels := c.flags.StringArrayP("label", "l", nil, "set `KEY=VALUE` on the container (repeatable)")
	// What the legacy script passes to docker run itself: accepted.
	c.flags.BoolP("interactive", "i", true, "keep standard input open (always)")
	c.flags.BoolP("tty", "t", false, "allocate a terminal (when standard input is one)")
	c.flags.Bool("rm", true, "remove the container afterwards (always)")
	args, status, ok := c.parse(args)
	if !ok {
		return status
	}
	rest := args
	var bashArgs []string
	if at := c.flags.ArgsLenAtDash(); at >= 0 {
		rest, bashArgs = args[:at], args[at:]
	}
	if len(rest) == 0 {
		return c.usageError("missing IMAGE")
	}
	if len(rest) > 1 {
		return c.usageError("%q after IMAGE %s: only docker run options follow IMAGE (bash arguments go after --)", rest[1], rest[0])
	}
	ref := legacyImageRef(rest[0])
	eng, ok := c.connect(ctx)
	if !ok {
		return ExitEngine
	}
	defer eng.Close()
	if r, err := repoImageRef(ctx, eng, ref); err != nil {
		c.errorf("%v", err)
		return ExitFailed
	} else if r != ref {
		c.errorf("%s is %s (the image the repository's bin/build tags)", ref, r)
		ref = r
	}
	img, err := eng.ResolveImage(ctx, ref, engine.ResolveImageOptions{})
	if err != nil {
		if engine.IsNotFound(err) {
			c.errorf("no such image: %s (dmake never pulls; build it first)", ref)
		} else {
			c.errorf("%v", err)
		}
		return ExitEngine
	}
	// A created, never started container of the image tells whether it
	// has bash (its file system and PATH, the options' -e included).
	probe, err := eng.CreateContainer(ctx, engine.CreateContainerOptions{
		Image: ref, Cmd: []string{"bash"}, Entrypoint: []string{}, Env: *env, NetworkMode: "none",
	})
	if err != nil {
		c.errorf("%v", err)
		return ExitEngine
	}
	shell := c.loginShell(ctx, eng, probe, "image "+ref)
	if _, err := eng.RemoveContainer(context.WithoutCancel(ctx), probe, engine.RemoveContainerOptions{Force: true}); err != nil {
		c.errorf("%v", err)
		return ExitEngine
	}
	cmd := append([]string{shell, "-l"}, bashArgs...)
	if len(img.Cmd) > 0 && filepath.Base(img.Cmd[0]) == "my_init" {
		cmd = append([]string{img.Cmd[0], "--"}, cmd...)
	}
	lbl := map[string]string{}
	for _, l := range *labels {
		k, v, _ := strings.Cut(l, "=")
		lbl[k] = v
	}
	t := openTerminal(stdio)
	r, err := eng.Run(ctx, engine.RunOptions{
		Image:       ref,
		Cmd:         cmd,
		Entrypoint:  []string{},
		Env:         *env,
		User:        *user,
		WorkingDir:  *workdir,
		Labels:      lbl,
		NetworkMode: *network,
		Streams:     t.streams(stdio),
	})
	t.close()
	if err != nil {
		if ctx.Err() != nil {
			c.errorf("interrupted; container %s removed", engine.ShortID(r.ID))
			return ExitInterrupted
		}
		c.errorf("%v", err)
		return ExitEngine
	}
	return r.ExitCode
}

// repoImageRef resolves the short name of an image of a repository built
// through its bin/build (base, for images/base.mk) to the tag its build
// gives it (someprefix/base:latest), as legacyImageRef does for the
// layout of legacy-images: the one local image of that short name, unless
// an image has the name itself (bin/build may build images no images/
// file lists). Several are an error listing them; none is the name as
// given.
func repoImageRef(ctx context.Context, eng *engine.Engine, name string) (string, error) {
	home, err := dockerHome()
	if err != nil || !image.ValidName(name) || strings.ContainsAny(name, "/:") {
		return name, nil
	}
	repo := image.Repo{Root: home}
	if repo.ReferenceLayout() || !image.HasBuild(home) {
		return name, nil
	}
	if _, err := eng.ResolveImage(ctx, name, engine.ResolveImageOptions{}); err == nil {
		return name, nil
	}
	list, err := eng.ListImages(ctx, engine.ListImagesOptions{})
	if err != nil {
		return "", err
	}
	var cands []string
	for _, img := range list.Images {
		for _, t := range img.Tags {
			if image.ShortName(t) == name && !slices.Contains(cands, t) {
				cands = append(cands, t)
			}
		}
	}
	sort.Strings(cands)
	switch len(cands) {
	case 0:
		return name, nil
	case 1:
		return cands[0], nil
	}
	return "", fmt.Errorf("image %s of %s is ambiguous: %d local images have that name (%s); give the one meant", name, home, len(cands), strings.Join(cands, ", "))
}

// legacyImageRef maps IMAGE to ${IMAGE_PREFIX-legacy/}IMAGE when it names a
// directory of images/ of a repository with legacy-images' layout, as its
// bin/run-bash does. Other repositories tag an image by its own name
// (NAME:VERSION), so IMAGE is used as given there.
func legacyImageRef(name string) string {
	home, err := dockerHome()
	if err != nil || name == "" || strings.ContainsAny(name, "/:") || !(image.Repo{Root: home}).ReferenceLayout() {
		return name
	}
	if fi, err := os.Stat(filepath.Join(home, "images", name)); err == nil && fi.IsDir() {
		prefix, set := os.LookupEnv("IMAGE_PREFIX")
		if !set {
			prefix = "legacy/"
		}
		return prefix + name
	}
	return name
}
