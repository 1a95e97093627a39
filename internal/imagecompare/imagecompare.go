// Package imagecompare compares two images for tests: the legacy build of
// an image and dmake's build of the same image must have the same file tree
// (type, mode, owner, link target, content) and configuration (Env, Cmd,
// Entrypoint, exposed ports), except for what an ignore file lists.
//
// The ignore file has one rule a line: a path pattern (path.Match syntax;
// a trailing /** matches everything below), the aspect ignored (content or
// all), and the reason after "--". Blank lines and # comments are skipped.
package imagecompare

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
)

// Rule is one line of an ignore file.
type Rule struct {
	Pattern, Aspect, Reason string
}

// LoadIgnore reads the ignore file at p; a malformed line fails the test.
func LoadIgnore(t testing.TB, p string) []Rule {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rules []Rule
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		spec, reason, ok := strings.Cut(l, "--")
		fs := strings.Fields(spec)
		if !ok || len(fs) != 2 || strings.TrimSpace(reason) == "" || (fs[1] != "content" && fs[1] != "all") {
			t.Fatalf("%s:%d: want PATTERN content|all -- REASON", p, n)
		}
		rules = append(rules, Rule{fs[0], fs[1], strings.TrimSpace(reason)})
	}
	return rules
}

// Matches reports whether the rule covers the image path p.
func (r Rule) Matches(p string) bool {
	if pre, ok := strings.CutSuffix(r.Pattern, "/**"); ok {
		return p == pre || strings.HasPrefix(p, pre+"/")
	}
	m, _ := path.Match(r.Pattern, p)
	return m
}

// Entry is what is compared of one file of an image.
type Entry struct {
	Kind    byte
	Mode    int64
	UID     int
	GID     int
	Link    string
	Content string // sha256 of a regular file's content
}

func (e Entry) String() string {
	return fmt.Sprintf("type %c mode %o owner %d:%d link %q content %.12s", e.Kind, e.Mode, e.UID, e.GID, e.Link, e.Content)
}

// Tree exports the file tree of image ref (through a created, never started
// container, labelled enginetest.Label and removed afterwards).
func Tree(t testing.TB, e *engine.Engine, ref string) map[string]Entry {
	t.Helper()
	rc, err := e.ExportImage(context.Background(), ref, map[string]string{enginetest.Label: "1"})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tree := map[string]Entry{}
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
		e := Entry{Kind: h.Typeflag, Mode: h.Mode & 0o7777, UID: h.Uid, GID: h.Gid, Link: h.Linkname}
		if h.Typeflag == tar.TypeReg {
			sum := sha256.New()
			io.Copy(sum, tr)
			e.Content = fmt.Sprintf("%x", sum.Sum(nil))
		}
		tree[p] = e
	}
	return tree
}

// Result is what Compare found.
type Result struct {
	// Paths is how many paths the two trees have together.
	Paths int
	// Want and Got are the sizes of the two trees.
	Want, Got int
	// Diffs are the differences not ignored, sorted.
	Diffs []string
	// Masked are the patterns of the rules that hid a real difference.
	Masked []string
	// WantInfo and GotInfo are the two images' configurations.
	WantInfo, GotInfo engine.ImageInfo
}

// Compare compares image got with image want: file trees (except what rules
// ignore) and configuration (Env, Cmd, Entrypoint, exposed ports). It
// reports every difference as an error of t and returns what it found.
func Compare(t testing.TB, e *engine.Engine, want, got string, rules []Rule) Result {
	t.Helper()
	w, g := Tree(t, e, want), Tree(t, e, got)
	res := Result{Want: len(w), Got: len(g)}
	paths := map[string]bool{}
	for p := range w {
		paths[p] = true
	}
	for p := range g {
		paths[p] = true
	}
	res.Paths = len(paths)
	used := map[string]bool{}
	for p := range paths {
		we, inW := w[p]
		ge, inG := g[p]
		ignored := ""
		for _, r := range rules {
			if r.Matches(p) {
				ignored = r.Aspect
				if we != ge {
					used[r.Pattern] = true
				}
			}
		}
		switch {
		case ignored == "all":
		case !inW:
			res.Diffs = append(res.Diffs, fmt.Sprintf("only in %s: %s (%s)", got, p, ge))
		case !inG:
			res.Diffs = append(res.Diffs, fmt.Sprintf("only in %s: %s (%s)", want, p, we))
		case ignored == "content":
			we.Content, ge.Content = "", ""
			fallthrough
		default:
			if we != ge {
				res.Diffs = append(res.Diffs, fmt.Sprintf("%s: %s %s, %s %s", p, want, we, got, ge))
			}
		}
	}
	sort.Strings(res.Diffs)
	for _, r := range rules {
		if used[r.Pattern] {
			res.Masked = append(res.Masked, r.Pattern)
		}
	}
	res.Masked = slices.Compact(res.Masked)
	if len(res.Diffs) > 0 {
		t.Errorf("%d differences between %s and %s:\n%s", len(res.Diffs), want, got, strings.Join(res.Diffs, "\n"))
	}
	var err error
	var found bool
	if res.WantInfo, found, err = e.InspectImage(context.Background(), want); err != nil || !found {
		t.Fatalf("inspecting %s: found %v, %v", want, found, err)
	}
	if res.GotInfo, found, err = e.InspectImage(context.Background(), got); err != nil || !found {
		t.Fatalf("inspecting %s: found %v, %v", got, found, err)
	}
	li, di := res.WantInfo, res.GotInfo
	slices.Sort(li.Ports)
	slices.Sort(di.Ports)
	for _, f := range []struct {
		what      string
		want, got []string
	}{{"env", li.Env, di.Env}, {"cmd", li.Cmd, di.Cmd}, {"entrypoint", li.Entry, di.Entry}, {"exposed ports", li.Ports, di.Ports}} {
		if !slices.Equal(f.want, f.got) {
			t.Errorf("%s: %s %q, %s %q", f.what, want, f.want, got, f.got)
		}
	}
	return res
}
