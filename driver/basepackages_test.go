package driver

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/shellrun/sandbox"
	"github.com/dmake-dev/dmake/shellrun/sandbox/debindex"
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

// TestEngineCommandIndex fetches debian:bookworm's command index through
// the engine (the mirror's Contents files, by apt-get update in a
// throwaway container of the base) and dry-runs scripts that call sudo
// and lsb_release, which the base does not have: each is not found, its
// package named, at its line; after an earlier script installs sudo and
// lsb-release, neither is an error, nor is a command of a package
// installed with another (dpkg-architecture, of dpkg-dev, which
// build-essential depends on).
func TestEngineCommandIndex(t *testing.T) {
	c := enginetest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	tar, err := rootfs.Export(ctx, c, "debian:bookworm")
	if err != nil {
		t.Fatal(err)
	}
	file, err := rootfs.IndexFile(ctx, c, "debian:bookworm")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := debindex.Read(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got := idx.Commands("lsb_release"); !slices.Equal(got, []string{"lsb-release"}) {
		t.Errorf("lsb_release is shipped by %q, want lsb-release", got)
	}
	if got := idx.Commands("sudo"); !slices.Contains(got, "sudo") {
		t.Errorf("sudo is shipped by %q, want sudo among them", got)
	}
	if deps, known := idx.Depends("build-essential"); !known || !slices.Contains(deps, "dpkg-dev") {
		t.Errorf("build-essential depends on %q (known %v), want dpkg-dev among them", deps, known)
	}
	pkgs := basePackages(ctx, c, tar, "debian:bookworm")
	if pkgs == nil || pkgs.IndexFile != file {
		t.Fatal("the package set of debian:bookworm has no command index")
	}
	earlier := "#!/bin/bash\nset -e\napt-get update\napt-get install -y sudo lsb-release\n"
	for _, tc := range []struct {
		use     string // the script's last line
		earlier string // an earlier script of the image, or ""
		want    string // the first error, or ""
	}{
		{"sudo -u nobody true", "", "not-found use.sh:3:1 sudo: command not found: the base image does not have it (provided by package sudo or sudo-ldap, not installed and not installed by an earlier step)"},
		{"codename=$(lsb_release -cs)", "", "not-found use.sh:3:12 lsb_release: command not found (provided by package lsb-release, not installed and not installed by an earlier step)"},
		{"sudo -u nobody true", earlier, ""},
		{"codename=$(lsb_release -cs)", earlier, ""},
		// A command of a package apt installs with another:
		// dpkg-architecture of dpkg-dev, which build-essential depends on.
		{"dpkg-architecture -qDEB_HOST_ARCH", "", "not-found use.sh:3:1 dpkg-architecture: command not found: the base image does not have it (provided by package dpkg-dev, not installed and not installed by an earlier step)"},
		{"dpkg-architecture -qDEB_HOST_ARCH", "#!/bin/bash\nset -e\napt-get update\napt-get install -y build-essential\n", ""},
	} {
		var scripts []sandbox.Script
		if tc.earlier != "" {
			scripts = append(scripts, sandbox.Script{Path: "install.sh", Source: []byte(tc.earlier), Role: sandbox.RoleInstall, Shell: "bash"})
		}
		scripts = append(scripts, sandbox.Script{Path: "use.sh", Source: []byte("#!/bin/bash\nset -e\n" + tc.use + "\n"), Role: sandbox.RoleInstall, Shell: "bash"})
		img := sandbox.Image{Name: "t", Rootfs: tar, Packages: pkgs, Scripts: scripts}
		reps, err := sandbox.Check(ctx, []sandbox.Image{img}, sandbox.Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if errs := reps[0].Errors; len(errs) > 0 {
			got = errs[0].Code + " " + errs[0].Pos + " " + strings.TrimSuffix(errs[0].Msg, "; set -e stops the script here")
		}
		if got != tc.want {
			t.Errorf("%q after %q: first error\n%s\nwant\n%s", tc.use, tc.earlier, got, tc.want)
		}
	}
}

// TestEngineCheckFrom dry-runs a loose script with --check-scripts over
// the built-in base and over --check-from debian:bookworm: only the
// latter has apt's copyright file (line 3 passes) and judges apt-get
// install by the image's package set (line 4 fails: no python-pip in
// bookworm). An image the engine does not have is an error naming it.
func TestEngineCheckFrom(t *testing.T) {
	enginetest.Require(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "t.sh")
	if err := os.WriteFile(script, []byte("#!/bin/bash\nset -e\ncat /usr/share/doc/apt/copyright >/dev/null\napt-get install -y python-pip\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for _, c := range []struct{ from, want string }{
		{"", "t.sh:3:1: cat /usr/share/doc/apt/copyright failed"},
		{"debian:bookworm", "t.sh:4:1: apt-get install: the base debian:bookworm cannot install python-pip"},
	} {
		var out, errb strings.Builder
		st := Run(ctx, Options{CheckScripts: true, CheckFrom: c.from, Goals: []string{script}}, Stdio{Out: &out, Err: &errb})
		if st != 1 || !strings.Contains(out.String(), c.want) {
			t.Errorf("--check-scripts --check-from %q: status %d, want 1 and %q\n%s%s", c.from, st, c.want, out.String(), errb.String())
		}
	}
	// The report names the image and its platform, and says when it is
	// not of the platform --platform asks for (dmake reads the local
	// image, it never pulls).
	for _, c := range []struct{ platform, want string }{
		{"", "(FROM debian:bookworm, linux/amd64):"},
		{"linux/amd64", "(FROM debian:bookworm, linux/amd64):"},
		{"linux/386", "(FROM debian:bookworm, linux/amd64: the local image, not of the platforms --platform asks for (linux/386)):"},
	} {
		var out, errb strings.Builder
		Run(ctx, Options{CheckScripts: true, CheckFrom: "debian:bookworm", Platform: c.platform, Goals: []string{script}}, Stdio{Out: &out, Err: &errb})
		if !strings.Contains(out.String(), "image scripts "+c.want) {
			t.Errorf("--check-scripts --check-from debian:bookworm --platform %q: the report does not say %q\n%s%s", c.platform, c.want, out.String(), errb.String())
		}
	}
	var out, errb strings.Builder
	st := Run(ctx, Options{CheckScripts: true, CheckFrom: "dmaketest-nosuch/image:none", Goals: []string{script}}, Stdio{Out: &out, Err: &errb})
	if st != 2 || !strings.Contains(errb.String(), "--check-from dmaketest-nosuch/image:none: base rootfs of dmaketest-nosuch/image:none: no such image") {
		t.Errorf("--check-from an image the engine lacks: status %d\n%s%s", st, out.String(), errb.String())
	}
}

// --check-from names the image of --check-scripts' loose scripts: alone,
// or with --check (whose images have their own FROM), it is an error.
func TestCheckFromNeedsCheckScripts(t *testing.T) {
	if err := (Options{Check: true, CheckFrom: "debian:bookworm"}).Validate(); err == nil || !strings.Contains(err.Error(), "--check-from debian:bookworm") {
		t.Errorf("--check --check-from: %v, want an error naming --check-from", err)
	}
	if err := (Options{CheckScripts: true, CheckFrom: "debian:bookworm"}).Validate(); err != nil {
		t.Errorf("--check-scripts --check-from: %v", err)
	}
}

// TestEngineBasePackagesCached: the package set basePackages gives from
// the apt state cached by image ID (rootfs.BaseApt) is the one read from
// debian:bookworm's root filesystem (ReadApt, and the lists of an apt-get
// update when the base keeps none), and a dry run over either, the
// cached one with the index of the tar's headers kept next to it
// (rootfs.LowerIndexFile), reports the same.
func TestEngineBasePackagesCached(t *testing.T) {
	c := enginetest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	const ref = "debian:bookworm"
	tar, err := rootfs.Export(ctx, c, ref)
	if err != nil {
		t.Fatal(err)
	}
	// Read from the image, as before the cache.
	st, err := rootfs.ReadApt(tar)
	if err != nil {
		t.Fatal(err)
	}
	read := &sandbox.Packages{Base: ref, Available: st.Available, Installed: st.Installed}
	if !st.Lists {
		up, err := rootfs.UpdatedApt(ctx, c, ref)
		if err != nil {
			t.Fatal(err)
		}
		read.Available, read.Updated = up.Available, true
	}
	if read.IndexFile, err = rootfs.IndexFile(ctx, c, ref); err != nil {
		t.Fatal(err)
	}
	basePackages(ctx, c, tar, ref) // caches the state, if no earlier run did
	info, _, err := c.InspectImage(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(strings.TrimSuffix(tar, ".tar") + ".aptstate"); err != nil || !strings.HasSuffix(tar, strings.TrimPrefix(info.ID, "sha256:")+".tar") {
		t.Fatalf("no apt state cached next to %s (image %s): %v", tar, info.ID, err)
	}
	cached := basePackages(ctx, c, tar, ref)
	if cached == nil || !reflect.DeepEqual(cached, read) {
		t.Fatalf("the cached package set differs from the one read from %s (%d/%d available, %d/%d installed)", ref,
			len(cached.Available), len(read.Available), len(cached.Installed), len(read.Installed))
	}
	scripts := []sandbox.Script{
		{Path: "install.sh", Source: []byte("#!/bin/bash\nset -e\napt-get update\napt-get install -y openssh-server python-pip\nsudo true\n"), Role: sandbox.RoleInstall, Shell: "bash"},
		{Path: "use.sh", Source: []byte("#!/bin/bash\nlsb_release -cs\nsshd -t\nls /etc/apt\n"), Role: sandbox.RoleInstall, Shell: "bash"},
	}
	// Read from the image, then cached, with the tar's index made (if no
	// earlier run did) and then read.
	var reports [3]*sandbox.Report
	for i, img := range []sandbox.Image{
		{Name: "t", Rootfs: tar, From: ref, Packages: read, Scripts: scripts},
		{Name: "t", Rootfs: tar, RootfsIndex: rootfs.LowerIndexFile(tar), From: ref, Packages: cached, Scripts: scripts},
		{Name: "t", Rootfs: tar, RootfsIndex: rootfs.LowerIndexFile(tar), From: ref, Packages: cached, Scripts: scripts},
	} {
		reps, err := sandbox.Check(ctx, []sandbox.Image{img}, sandbox.Options{})
		if err != nil {
			t.Fatal(err)
		}
		reports[i] = reps[0]
	}
	if len(reports[0].Errors) == 0 {
		t.Fatal("the dry run found no error (python-pip is not a package of bookworm)")
	}
	for i := 1; i < len(reports); i++ {
		if !reflect.DeepEqual(reports[0], reports[i]) {
			t.Errorf("run %d, over the cached package set and the tar's index: the report differs:\n%+v\nread from the image:\n%+v", i, reports[i], reports[0])
		}
	}
	if _, err := os.Stat(rootfs.LowerIndexFile(tar)); err != nil {
		t.Errorf("the index of the tar's headers was not kept: %v", err)
	}
}
