package image

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindRepo(t *testing.T) {
	root := t.TempDir()
	copyTree(t, bbRepo, root)
	deep := filepath.Join(root, "images", "bb")
	t.Setenv("DOCKER_HOME", "")
	os.Unsetenv("DOCKER_HOME")
	r, err := FindRepo(deep)
	if err != nil || r.Root != root {
		t.Fatalf("FindRepo(%s) = %v, %v; want %s", deep, r, err, root)
	}
	if _, err := FindRepo(t.TempDir()); err != ErrNoRepo {
		t.Errorf("outside a repo: %v", err)
	}
	t.Setenv("DOCKER_HOME", root)
	if r, err := FindRepo(filepath.Join(root, "images")); err != nil || r.Root != root {
		t.Errorf("inside DOCKER_HOME: %v %v", r, err)
	}
	// A DOCKER_HOME set for the whole system does not reach directories
	// outside it: there dmake is plain make.
	if r, err := FindRepo(t.TempDir()); err != ErrNoRepo {
		t.Errorf("outside DOCKER_HOME: %v %v, want ErrNoRepo", r, err)
	}
	bad := t.TempDir()
	t.Setenv("DOCKER_HOME", bad)
	if _, err := FindRepo(bad); err == nil || !strings.Contains(err.Error(), "DOCKER_HOME=") {
		t.Errorf("inside a DOCKER_HOME that is no repository: %v", err)
	}
	if r, err := FindRepo(deep); err != nil || r.Root != root {
		t.Errorf("in a repository outside a bad DOCKER_HOME: %v %v", r, err)
	}
	// A directory with an executable bin/build is a repository root.
	t.Setenv("DOCKER_HOME", "")
	other := t.TempDir()
	os.Mkdir(filepath.Join(other, "bin"), 0o755)
	os.WriteFile(filepath.Join(other, "bin", "build"), []byte("#!/bin/sh\n"), 0o644)
	if _, err := FindRepo(other); err != ErrNoRepo {
		t.Errorf("bin/build not executable: %v", err)
	}
	os.Chmod(filepath.Join(other, "bin", "build"), 0o755)
	if r, err := FindRepo(other); err != nil || r.Root != other {
		t.Errorf("bin/build: %v %v", r, err)
	}
	// A bin/build that is not a shell script (dmake itself, linked there
	// by install-links) does not make a repository: dmake would run
	// itself.
	os.WriteFile(filepath.Join(other, "bin", "build"), []byte("\x7fELF\x02\x01"), 0o755)
	if _, err := FindRepo(other); err != ErrNoRepo {
		t.Errorf("bin/build a binary: %v", err)
	}
	imgs, err := r.Images()
	if err != nil || len(imgs) != 3 || imgs[0].Name != "bb" || imgs[1].Name != "bb2" || imgs[2].Name != "solo" || imgs[0].Makefile != filepath.Join(deep, "Makefile") {
		t.Errorf("Images: %+v %v", imgs, err)
	}
	if _, ok := r.Image("bb"); !ok {
		t.Error("Image(bb) not found")
	}
	if _, ok := r.Image("nosuch"); ok {
		t.Error("Image(nosuch) found")
	}
}

func TestOrder(t *testing.T) {
	nodes := []Node{
		{Name: "web", Tag: "p/web", From: "p/ssh"},
		{Name: "other", Tag: "p/other:1", From: "debian:bookworm"},
		{Name: "ssh", Tag: "p/ssh", From: "p/base:latest"},
		{Name: "base", Tag: "p/base", From: "debian:bookworm"},
	}
	waves, err := Order(nodes)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range waves {
		var names []string
		for _, n := range w {
			names = append(names, n.Name)
		}
		got = append(got, strings.Join(names, ","))
	}
	if want := "other,base | ssh | web"; strings.Join(got, " | ") != want {
		t.Errorf("waves %q, want %q", strings.Join(got, " | "), want)
	}
	_, err = Order([]Node{{Name: "a", Tag: "a", From: "b"}, {Name: "b", Tag: "b", From: "a"}})
	if err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("cycle: %v", err)
	}
}
