package sandbox

import (
	"bytes"
	"encoding/gob"
	"testing"
)

// A base's package set is sent to the sandbox child once, however many
// images (and parents) share it: 208 images over bookworm's set (63 000
// packages each) once took the child past its memory limit. The
// caller's images are left as they were, and the child gets one set
// again, shared.
func TestPackageSetsSentOnce(t *testing.T) {
	base := &Packages{Base: "debian", Available: map[string]bool{"sudo": true}, Installed: map[string]bool{"bash": true}, IndexFile: "x.index"}
	other := &Packages{Base: "alpine"}
	parent := &Image{Name: "p", Packages: base}
	imgs := []Image{{Name: "a", Packages: base}, {Name: "b", Parent: parent}, {Name: "c", Packages: other, Parent: parent}, {Name: "d"}}
	req := request{Images: append([]Image(nil), imgs...)}
	req.sharePackages()
	if len(req.PackageSets) != 2 {
		t.Fatalf("%d package sets sent, want 2", len(req.PackageSets))
	}
	for i, img := range req.Images {
		for p := &img; p != nil; p = p.Parent {
			if p.Packages != nil {
				t.Errorf("image %d (%s) still carries its package set", i, p.Name)
			}
		}
	}
	if imgs[0].Packages != base || imgs[1].Parent.Packages != base || parent.Packages != base {
		t.Fatal("the caller's images lost their package sets")
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(req); err != nil {
		t.Fatal(err)
	}
	var got request
	if err := gob.NewDecoder(&buf).Decode(&got); err != nil {
		t.Fatal(err)
	}
	got.restorePackages()
	a, b, c, d := got.Images[0], got.Images[1], got.Images[2], got.Images[3]
	if a.Packages == nil || a.Packages.Base != "debian" || !a.Packages.Available["sudo"] || a.Packages.IndexFile != "x.index" {
		t.Errorf("image a: package set %+v", a.Packages)
	}
	if b.Packages != nil || b.Parent.Packages != a.Packages || c.Parent.Packages != a.Packages {
		t.Errorf("the parents do not share image a's set")
	}
	if c.Packages == nil || c.Packages.Base != "alpine" || d.Packages != nil {
		t.Errorf("images c, d: %+v, %+v", c.Packages, d.Packages)
	}
}
