package sandbox

import (
	"bytes"
	"context"
	"io"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/internal/legacybuild"
	"github.com/dmake-dev/dmake/shellrun/sandbox/rootfs"
)

// runIn runs argv in a throwaway container of image (network none) and
// returns its stdout.
func runIn(ctx context.Context, t *testing.T, c *engine.Engine, image string, argv ...string) string {
	t.Helper()
	var out bytes.Buffer
	_, err := c.Run(ctx, engine.RunOptions{Image: image, Entrypoint: []string{argv[0]}, Cmd: argv[1:],
		Labels: map[string]string{enginetest.Label: "shellrun-predictions"}, NetworkMode: "none",
		Streams: engine.Streams{Out: &out, Err: io.Discard}})
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// TestLegacyPredictions dry-runs the legacy images over the real
// debian:bookworm rootfs (exported from the engine) and checks the
// report's predictions against the images built the legacy way: the
// packages it says were installed are among those dpkg-query shows added
// over the parent, the services are the runit dirs in the image, the files
// the scripts create exist there. Differences are logged with reasons.
func TestLegacyPredictions(t *testing.T) {
	c := enginetest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	base, err := rootfs.Export(ctx, c, "debian:bookworm")
	if err != nil {
		t.Fatal(err)
	}
	imgs := legacyImages(t, prepareLegacy(t), base)
	reps, err := Check(ctx, imgs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	built := legacybuild.Ensure(t, legacybuild.Prefix)
	parentOf := map[string]string{}
	for _, img := range imgs {
		parentOf[img.Name] = "debian:bookworm"
		if img.Parent != nil {
			parentOf[img.Name] = built.Tag(img.Parent.Name)
		}
	}
	dpkg := func(image string) []string {
		return strings.Fields(runIn(ctx, t, c, image, "dpkg-query", "-W", "-f", "${Package}\n"))
	}
	for i, rep := range reps {
		name := imgs[i].Name
		var b strings.Builder
		rep.WriteText(&b)
		if !rep.OK() {
			t.Errorf("%s: dry run over the real rootfs has errors:\n%s", name, b.String())
		}
		tag := built.Tag(name)
		// Packages.
		before, after := dpkg(parentOf[name]), dpkg(tag)
		var added []string
		for _, p := range after {
			if !slices.Contains(before, p) {
				added = append(added, p)
			}
		}
		var predicted []string
		for _, p := range rep.Installed() {
			if p.Manager == "apt" {
				predicted = append(predicted, p.Name)
			}
		}
		for _, p := range predicted {
			if !slices.Contains(added, p) && !slices.Contains(before, p) {
				t.Errorf("%s: predicted package %s is not installed in %s", name, p, tag)
			}
		}
		var deps []string
		for _, p := range added {
			if !slices.Contains(predicted, p) {
				deps = append(deps, p)
			}
		}
		t.Logf("%s: %d packages predicted, %d added in the image; not predicted (dependencies the scripts do not name): %s", name, len(predicted), len(added), strings.Join(deps, " "))
		// Services.
		real := strings.Fields(runIn(ctx, t, c, tag, "ls", "/etc/service"))
		var svcs []string
		for _, s := range rep.Services {
			svcs = append(svcs, s.Name)
		}
		sort.Strings(real)
		sort.Strings(svcs)
		if !slices.Equal(real, svcs) {
			t.Errorf("%s: services predicted %v, image has %v", name, svcs, real)
		}
		// Files the install scripts create.
		var files []string
		for _, f := range rep.Files {
			if f.Change == "removed" || strings.HasPrefix(f.Script, "boot/") || strings.HasPrefix(f.Script, "runit/") {
				continue
			}
			files = append(files, f.Path)
		}
		missing := strings.Fields(runIn(ctx, t, c, tag, append([]string{"sh", "-c", `for f; do [ -e "$f" ] || [ -L "$f" ] || echo "$f"; done`, "sh"}, files...)...))
		byPkg := map[string]string{}
		for _, f := range rep.Files {
			byPkg[f.Path] = f.Package
		}
		for _, m := range missing {
			if pkg := byPkg[m]; pkg != "" {
				t.Logf("%s: %s, predicted by the model of package %s, is not in the image (the package lays its files out otherwise)", name, m, pkg)
				continue
			}
			t.Errorf("%s: the scripts create %s, but the image has no such file", name, m)
		}
		t.Logf("%s: %d created/changed files checked, %d missing", name, len(files), len(missing))
	}
}
