package image

import (
	"context"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/internal/imagecompare"
	"github.com/dmake-dev/dmake/internal/legacybuild"
)

// The images dmake builds from legacy-images/ (layered, through the
// interceptor) have the same file tree and configuration as the ones the
// legacy bin/build makes, except for what equivalence.ignore lists.
func TestEngineEquivalence(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED in -short mode: builds the Debian-based legacy images")
	}
	legacy := legacybuild.Ensure(t, legacybuild.Prefix)
	e, _ := testEngine(t)
	needMake(t)
	rules := imagecompare.LoadIgnore(t, "testdata/equivalence.ignore")
	prefix := "dmakeeq/"
	root := t.TempDir()
	copyTree(t, legacy.Repo, root)
	used := map[string]bool{}
	for _, name := range legacybuild.Names() {
		t.Run(name, func(t *testing.T) {
			b := &Builder{Engine: e, TempDir: t.TempDir()}
			evs := buildViaRecipe(t, b, root, name, "IMAGE_PREFIX="+prefix, "LABELS="+enginetest.Label+"=equivalence")
			r := lastResult(t, b)
			if r.Plan.Layout != "layered" {
				t.Fatalf("%s was not built layered: %s", name, r.Plan.Layout)
			}
			t.Logf("%s: %d steps, %d cached, %d ran, %v (%d events)", name, r.Steps, r.Cached, r.Ran, r.Duration, len(evs))
			res := imagecompare.Compare(t, e, legacy.Tag(name), prefix+name, rules)
			if res.Want < 1000 || res.Got < 1000 {
				t.Fatalf("file trees of %d and %d entries: the export did not work", res.Want, res.Got)
			}
			t.Logf("%s: compared %d paths", name, res.Paths)
			for _, m := range res.Masked {
				used[m] = true
			}
			li, di := res.WantInfo, res.GotInfo
			t.Logf("%s: image size legacy %s, dmake %s", name, engine.HumanSize(li.Size), engine.HumanSize(di.Size))
			// apt's caches and lists must not stay behind in the layers.
			if float64(di.Size) > 1.1*float64(li.Size) {
				t.Errorf("dmake's %s is %s, more than 1.1× the legacy %s", name, engine.HumanSize(di.Size), engine.HumanSize(li.Size))
			}
		})
	}
	var masked []string
	for _, r := range rules {
		if used[r.Pattern] {
			masked = append(masked, r.Pattern)
		}
	}
	t.Logf("ignore rules that hid a real difference in this run: %s", strings.Join(masked, " "))
	t.Cleanup(func() {
		for i := len(legacybuild.Names()) - 1; i >= 0; i-- {
			e.RemoveImage(context.Background(), prefix+legacybuild.Names()[i], engine.RemoveImageOptions{})
		}
	})
}
