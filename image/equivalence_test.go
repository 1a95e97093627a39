package image

import (
	"archive/tar"
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/internal/legacybuild"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// ignoreRule is one line of testdata/equivalence.ignore.
type ignoreRule struct {
	pattern, aspect, reason string
}

func loadIgnore(t *testing.T) []ignoreRule {
	t.Helper()
	f, err := os.Open("testdata/equivalence.ignore")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rules []ignoreRule
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		spec, reason, ok := strings.Cut(l, "--")
		fs := strings.Fields(spec)
		if !ok || len(fs) != 2 || strings.TrimSpace(reason) == "" || (fs[1] != "content" && fs[1] != "all") {
			t.Fatalf("equivalence.ignore:%d: want PATTERN content|all -- REASON", n)
		}
		rules = append(rules, ignoreRule{fs[0], fs[1], strings.TrimSpace(reason)})
	}
	return rules
}

func (r ignoreRule) matches(p string) bool {
	if pre, ok := strings.CutSuffix(r.pattern, "/**"); ok {
		return p == pre || strings.HasPrefix(p, pre+"/")
	}
	m, _ := path.Match(r.pattern, p)
	return m
}

// fsEntry is what the test compares of one file of an image.
type fsEntry struct {
	kind    byte
	mode    int64
	uid     int
	gid     int
	link    string
	content string // sha256 of a regular file's content
}

func (e fsEntry) String() string {
	return fmt.Sprintf("type %c mode %o owner %d:%d link %q content %.12s", e.kind, e.mode, e.uid, e.gid, e.link, e.content)
}

// imageTree exports the file tree of image ref (through a created, never
// started container).
func imageTree(t *testing.T, c *client.Client, ref string) map[string]fsEntry {
	t.Helper()
	ctx := context.Background()
	cr, err := c.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config:     &container.Config{Image: ref, Cmd: []string{"/bin/true"}, Labels: map[string]string{enginetest.Label: "1"}},
		HostConfig: &container.HostConfig{NetworkMode: "none"},
	})
	if err != nil {
		t.Fatalf("creating a container of %s: %v", ref, err)
	}
	defer c.ContainerRemove(ctx, cr.ID, client.ContainerRemoveOptions{Force: true})
	rc, err := c.ContainerExport(ctx, cr.ID, client.ContainerExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tree := map[string]fsEntry{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p := "/" + strings.TrimSuffix(strings.TrimPrefix(h.Name, "./"), "/")
		e := fsEntry{kind: h.Typeflag, mode: h.Mode & 0o7777, uid: h.Uid, gid: h.Gid, link: h.Linkname}
		if h.Typeflag == tar.TypeReg {
			sum := sha256.New()
			io.Copy(sum, tr)
			e.content = fmt.Sprintf("%x", sum.Sum(nil))
		}
		tree[p] = e
	}
	return tree
}

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
	rules := loadIgnore(t)
	prefix := "dmakeeq/"
	root := t.TempDir()
	copyTree(t, legacy.Repo, root)
	c := e.Client()
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
			want := imageTree(t, c, legacy.Tag(name))
			got := imageTree(t, c, prefix+name)
			var diffs []string
			paths := map[string]bool{}
			for p := range want {
				paths[p] = true
			}
			for p := range got {
				paths[p] = true
			}
			for p := range paths {
				w, inW := want[p]
				g, inG := got[p]
				ignored := ""
				for _, r := range rules {
					if r.matches(p) {
						ignored = r.aspect
						if w != g {
							used[r.pattern] = true
						}
					}
				}
				switch {
				case ignored == "all":
				case !inW:
					diffs = append(diffs, fmt.Sprintf("only in dmake's image: %s (%s)", p, g))
				case !inG:
					diffs = append(diffs, fmt.Sprintf("only in the legacy image: %s (%s)", p, w))
				case ignored == "content":
					w.content, g.content = "", ""
					fallthrough
				default:
					if w != g {
						diffs = append(diffs, fmt.Sprintf("%s: legacy %s, dmake %s", p, w, g))
					}
				}
			}
			if len(want) < 1000 || len(got) < 1000 {
				t.Fatalf("file trees of %d and %d entries: the export did not work", len(want), len(got))
			}
			t.Logf("%s: compared %d paths", name, len(paths))
			sort.Strings(diffs)
			if len(diffs) > 0 {
				t.Errorf("%d differences between %s and %s:\n%s", len(diffs), legacy.Tag(name), prefix+name, strings.Join(diffs, "\n"))
			}
			// The configuration.
			li, _, err := e.InspectImage(context.Background(), legacy.Tag(name))
			if err != nil {
				t.Fatal(err)
			}
			di, _, err := e.InspectImage(context.Background(), prefix+name)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: image size legacy %s, dmake %s", name, engine.HumanSize(li.Size), engine.HumanSize(di.Size))
			// apt's caches and lists must not stay behind in the layers.
			if float64(di.Size) > 1.1*float64(li.Size) {
				t.Errorf("dmake's %s is %s, more than 1.1× the legacy %s", name, engine.HumanSize(di.Size), engine.HumanSize(li.Size))
			}
			slices.Sort(li.Ports)
			slices.Sort(di.Ports)
			for _, f := range []struct {
				what      string
				want, got []string
			}{{"env", li.Env, di.Env}, {"cmd", li.Cmd, di.Cmd}, {"entrypoint", li.Entry, di.Entry}, {"exposed ports", li.Ports, di.Ports}} {
				if !slices.Equal(f.want, f.got) {
					t.Errorf("%s: legacy %q, dmake %q", f.what, f.want, f.got)
				}
			}
		})
	}
	var masked []string
	for _, r := range rules {
		if used[r.pattern] {
			masked = append(masked, r.pattern)
		}
	}
	t.Logf("ignore rules that hid a real difference in this run: %s", strings.Join(masked, " "))
	t.Cleanup(func() {
		for i := len(legacybuild.Names()) - 1; i >= 0; i-- {
			c.ImageRemove(context.Background(), prefix+legacybuild.Names()[i], client.ImageRemoveOptions{PruneChildren: true})
		}
	})
}
