package util

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/dmake-dev/dmake/engine"
)

func runBashUtility() Utility {
	return Utility{
		Name:    "run-bash",
		Summary: "a throwaway container of an image with an interactive bash",
		Main:    runBashMain,
	}
}

func runBashMain(ctx context.Context, stdio Stdio, args []string) int {
	c := newCommand(stdio, "run-bash", "IMAGE [BASH-ARG]...", "Run a throwaway container of IMAGE with an interactive login bash; the container is removed when bash exits.", false)
	c.details = `As the legacy bin/run-bash: IMAGE may be the name of a directory of
$DOCKER_HOME/images/ (then the image is ${IMAGE_PREFIX-legacy/}IMAGE) or any
image reference; the container uses the host's network; when the image runs
/sbin/my_init, bash runs under it (my_init -- bash -l), so the boot scripts
and services run first. A terminal is allocated when standard input is one.
BASH-ARGs go to bash (e.g. -c 'command'). The exit status is bash's.`
	c.examples = []string{
		"dmake --util run-bash ssh                 bash in a fresh legacy/ssh container",
		"dmake --util run-bash debian:bookworm -c 'cat /etc/os-release'",
	}
	network := c.flags.String("network", "host", "the container's `NETWORK` (host, none, a network name)")
	env := c.flags.StringArrayP("env", "e", nil, "set `NAME=VALUE` (repeatable)")
	user := c.flags.StringP("user", "u", "", "run as `USER`")
	labels := c.flags.StringArray("label", nil, "set `KEY=VALUE` on the container (repeatable)")
	rest, status, ok := c.parse(args)
	if !ok {
		return status
	}
	if len(rest) == 0 {
		return c.usageError("missing IMAGE")
	}
	ref := legacyImageRef(rest[0])
	eng, ok := c.connect(ctx)
	if !ok {
		return ExitEngine
	}
	defer eng.Close()
	img, err := eng.ResolveImage(ctx, ref, engine.ResolveImageOptions{})
	if err != nil {
		if engine.IsNotFound(err) {
			c.errorf("no such image: %s (dmake never pulls; build it first)", ref)
		} else {
			c.errorf("%v", err)
		}
		return ExitEngine
	}
	cmd := append([]string{"bash", "-l"}, rest[1:]...)
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

// legacyImageRef maps IMAGE to ${IMAGE_PREFIX-legacy/}IMAGE when it names a
// directory of the legacy repository's images/, as bin/run-bash does.
func legacyImageRef(image string) string {
	home, err := dockerHome()
	if err != nil || image == "" || strings.ContainsAny(image, "/:") {
		return image
	}
	if fi, err := os.Stat(filepath.Join(home, "images", image)); err == nil && fi.IsDir() {
		prefix, set := os.LookupEnv("IMAGE_PREFIX")
		if !set {
			prefix = "legacy/"
		}
		return prefix + image
	}
	return image
}
