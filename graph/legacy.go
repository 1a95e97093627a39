package graph

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/dmake-dev/dmake/makefile"
)

// LegacyImages reads the Makefile of each named image of a legacy
// repository (root/images/NAME/Makefile) with cfg (its Env,
// CommandLineVars, Shell… are used; Dir and Goals are set here) and
// returns what the image graph needs: the tag ($(TAG), else
// $(IMAGE_PREFIX)$(IMAGE)), FROM, and the components (the prerequisites of
// prepare, in order).
func LegacyImages(ctx context.Context, root string, names []string, cfg makefile.Config) ([]Image, error) {
	var out []Image
	for _, name := range names {
		c := cfg
		c.Dir = filepath.Join(root, "images", name)
		c.Goals = []string{"prepare"}
		db, err := makefile.Load(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("image %s: %w", name, err)
		}
		get := func(text string) string {
			v, err := db.Expand(ctx, nil, text)
			if err != nil {
				return ""
			}
			return strings.TrimSpace(v)
		}
		im := Image{Name: name, Dir: c.Dir, Tag: get("$(TAG)"), From: get("$(FROM)")}
		if im.Tag == "" {
			im.Tag = get("$(IMAGE_PREFIX)$(IMAGE)")
		}
		if t := db.Target("prepare"); t != nil {
			for _, r := range t.Rules {
				im.Components = append(im.Components, r.Prereqs...)
			}
		}
		out = append(out, im)
	}
	return out, nil
}
