package driver

import (
	"context"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/shellrun/sandbox"
	"github.com/dmake-dev/dmake/shellrun/sandbox/rootfs"
)

// TestEngineBasePackages reads debian:bookworm's package set through the
// engine (its root filesystem exported, its apt lists and dpkg status
// read from it) and dry-runs installs over it: a package the base cannot
// install (python-pip, language-pack-en) is an error at the apt-get line,
// packages it can (openssh-server, the virtual mail-transport-agent) or
// has (bash) are not, and a command no installed package provides (sudo,
// lsb_release) is not found.
func TestEngineBasePackages(t *testing.T) {
	c := enginetest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	tar, err := rootfs.Export(ctx, c, "debian:bookworm")
	if err != nil {
		t.Fatal(err)
	}
	pkgs := basePackages(ctx, c, tar, "debian:bookworm")
	if pkgs == nil || !pkgs.Available["openssh-server"] || pkgs.Available["python-pip"] || !pkgs.Installed["bash"] {
		t.Fatalf("package set of debian:bookworm: %v", pkgs != nil)
	}
	// apt-get update in a throwaway container of the base: the lists
	// of a base that keeps none (read here from one that does).
	up, err := rootfs.UpdatedApt(ctx, c, "debian:bookworm")
	if err != nil || !up.Available["openssh-server"] || up.Available["python-pip"] {
		t.Errorf("apt lists after apt-get update: %v", err)
	}
	for _, c := range []struct{ src, want string }{
		{"apt-get update\napt-get install -y python-pip\n", "no-package t.sh:4:1"},
		{"apt-get install -y --no-install-recommends openssh-server bash mail-transport-agent\n", ""},
		{"apt-get install -y language-pack-en\n", "no-package t.sh:3:1"},
		{"sudo true\n", "not-found t.sh:3:1"},
		{"lsb_release -cs\n", "not-found t.sh:3:1"},
	} {
		img := sandbox.Image{Name: "t", Rootfs: tar, Packages: pkgs, Scripts: []sandbox.Script{{Path: "t.sh", Source: []byte("#!/bin/bash\nset -e\n" + c.src), Role: sandbox.RoleInstall, Shell: "bash"}}}
		reps, err := sandbox.Check(ctx, []sandbox.Image{img}, sandbox.Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if r := reps[0]; len(r.Errors) > 0 {
			got = r.Errors[0].Code + " " + r.Errors[0].Pos
		}
		if got != c.want {
			t.Errorf("%q: first error %q, want %q (%+v)", c.src, got, c.want, reps[0].Errors)
		}
	}
}
