package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/shellrun/sandbox/debindex"
)

// testPackages is a base's package set with the command index of the
// hand-written Contents file and package list of testdata/contents, as
// debindex writes it (index.golden, which TestIndexGolden checks): every
// package of the list can be installed; the base has a few.
func testPackages(t *testing.T, withIndex bool) *Packages {
	t.Helper()
	dir := filepath.Join("testdata", "contents")
	p := &Packages{Base: "testbase", Available: map[string]bool{}, Installed: map[string]bool{"bash": true, "dpkg": true, "libc6": true, "perl-base": true}}
	pf, err := os.Open(filepath.Join(dir, "Packages"))
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	if err := debindex.Stanzas(pf, func(f map[string]string) {
		p.Available[f["Package"]] = true
		for _, v := range debindex.Names(f["Provides"]) {
			p.Available[v] = true
		}
	}); err != nil {
		t.Fatal(err)
	}
	if withIndex {
		p.IndexFile = filepath.Join(dir, "index.golden")
	}
	return p
}

// TestCommandIndex judges commands not in the image by the command
// index (testdata/contents): a command that only packages not installed
// ship is not found, the packages named; one that a package installed
// earlier ships, itself or through what apt installs with it (Depends,
// Recommends unless --no-install-recommends, a virtual package's
// provider, the first of alternatives, a link update-alternatives makes),
// is there; the base has what its dpkg status lists. A
// command no package ships is not found either, unless a package of
// unknown files (from a repository the script added) was installed.
// Without the index, a command that packages installed earlier may ship
// is unknown, not an error.
func TestCommandIndex(t *testing.T) {
	for _, c := range []struct {
		name    string
		noIndex bool     // the index could not be had
		base    []string // more packages the base has (its dpkg status)
		src     string
		verdict string
		want    string // the first error's position and a part of its message, or the first unknown's code
	}{
		{name: "sudo-not-installed", src: "sudo true\n", verdict: VerdictError,
			want: "t.sh:3:1 sudo: command not found: the base image does not have it (provided by package sudo or sudo-ldap, not installed and not installed by an earlier step)"},
		{name: "sudo-installed", src: "apt-get install -y sudo\nsudo true\n", verdict: VerdictOK},
		{name: "visudo-from-sudo-ldap", src: "apt-get install -y sudo-ldap\nvisudo -c\n", verdict: VerdictUnknown, want: "unmodelled"},
		{name: "lsb-release-not-installed", src: "x=$(lsb_release -cs)\n", verdict: VerdictError,
			want: "t.sh:3:5 lsb_release: command not found (provided by package lsb-release, not installed and not installed by an earlier step)"},
		{name: "lsb-release-installed", src: "apt-get install -y lsb-release\nlsb_release -cs\n", verdict: VerdictUnknown, want: "unmodelled"},
		{name: "lsb-release-installed-no-index", noIndex: true, src: "apt-get install -y lsb-release\nlsb_release -cs\n", verdict: VerdictUnknown, want: "unmodelled"},
		{name: "lsb-release-removed", src: "apt-get install -y lsb-release\napt-get remove -y lsb-release\nlsb_release -cs\n", verdict: VerdictError,
			want: "t.sh:5:1 lsb_release: command not found (provided by package lsb-release"},
		{name: "dependency", src: "apt-get install -y lsb-toolbox\nlsb_release -cs\n", verdict: VerdictUnknown, want: "unmodelled"},
		{name: "first-alternative", src: "apt-get install -y banner-user\nfiglet hi\n", verdict: VerdictUnknown, want: "unmodelled"},
		{name: "second-alternative", src: "apt-get install -y banner-user\ncowsay hi\n", verdict: VerdictError,
			want: "t.sh:4:1 cowsay: command not found (provided by package cowsay, not installed"},
		{name: "recommended", src: "apt-get install -y lsb-toolbox\ncowsay hi\n", verdict: VerdictUnknown, want: "unmodelled"},
		// What a package recommends is not installed with
		// --no-install-recommends, nor when apt's configuration or -o
		// says so; its dependencies are.
		{name: "recommended-not-installed", src: "apt-get install -y --no-install-recommends lsb-toolbox\ncowsay hi\n", verdict: VerdictError,
			want: "t.sh:4:1 cowsay: command not found (provided by package cowsay, not installed"},
		{name: "recommended-not-installed-dependency-is", src: "apt-get install -y --no-install-recommends lsb-toolbox\nlsb_release -cs\n", verdict: VerdictUnknown, want: "unmodelled"},
		{name: "recommended-off-by-option", src: "apt-get install -y -o APT::Install-Recommends=false lsb-toolbox\ncowsay hi\n", verdict: VerdictError,
			want: "t.sh:4:1 cowsay: command not found (provided by package cowsay, not installed"},
		{name: "recommended-off-by-config", src: "echo 'APT::Install-Recommends \"0\";' >/etc/apt/apt.conf.d/99norec\napt-get install -y lsb-toolbox\ncowsay hi\n", verdict: VerdictError,
			want: "t.sh:5:1 cowsay: command not found (provided by package cowsay, not installed"},
		// The base has what its dpkg status lists, not what those
		// packages recommend.
		{name: "base-recommends-not-there", base: []string{"lsb-toolbox", "lsb-release"}, src: "cowsay hi\n", verdict: VerdictError,
			want: "t.sh:3:1 cowsay: command not found (provided by package cowsay, not installed"},
		{name: "recommended-later-with", src: "apt-get install -y --no-install-recommends lsb-toolbox\napt-get install -y lsb-toolbox\ncowsay hi\n", verdict: VerdictUnknown, want: "unmodelled"},
		{name: "other-package-installed", src: "apt-get install -y figlet\ncowsay hi\n", verdict: VerdictError,
			want: "t.sh:4:1 cowsay: command not found (provided by package cowsay, not installed"},
		{name: "other-package-installed-no-index", noIndex: true, src: "apt-get install -y figlet\ncowsay hi\n", verdict: VerdictUnknown, want: "unknown-command"},
		{name: "virtual-package", src: "apt-get install -y sudo-virtual\nvisudo -c\n", verdict: VerdictUnknown, want: "unmodelled"},
		{name: "alternative", src: "apt-get install -y openjdk-17-jre-headless\njava -version\n", verdict: VerdictUnknown, want: "unmodelled"},
		{name: "alternative-not-installed", src: "apt-get install -y figlet\njava -version\n", verdict: VerdictError, want: "t.sh:4:1 java: command not found"},
		{name: "python2", src: "apt-get install -y figlet\npython2 -V\n", verdict: VerdictError, want: "t.sh:4:1 python2: command not found"},
		{name: "no-package", src: "apt-get install -y figlet\ntoilet hi\n", verdict: VerdictError, want: "t.sh:4:1 toilet: command not found"},
		{name: "no-package-no-index", noIndex: true, src: "apt-get install -y figlet\ntoilet hi\n", verdict: VerdictUnknown, want: "unknown-command"},
		{name: "package-of-added-repository", src: "echo 'deb https://download.docker.com/linux/debian bookworm stable' >/etc/apt/sources.list.d/docker.list\napt-get update\napt-get install -y docker-ce\ndocker ps\n", verdict: VerdictUnknown, want: "package"},
		// apt-get install without -y asks when it installs packages not
		// named, and aborts with no terminal (the corpus's
		// azure-alsid-setup: apt install snapd, then snap).
		{name: "no-y-asks", src: "apt-get install lsb-toolbox\nlsb_release -cs\n", verdict: VerdictError,
			want: "t.sh:3:1 apt-get install without -y: apt asks before it installs 2 more packages (cowsay lsb-release) and, with no terminal in a build, aborts"},
		{name: "no-y-asks-goes-on", src: "set +e\napt-get install lsb-toolbox\nlsb_release -cs\n", verdict: VerdictError,
			want: "t.sh:5:1 lsb_release: command not found (provided by package lsb-release"},
		{name: "no-y-nothing-more", src: "apt-get install figlet\nfiglet hi\n", verdict: VerdictUnknown, want: "unmodelled"},
		{name: "no-y-no-recommends", src: "apt-get install --no-install-recommends lsb-toolbox\nlsb_release -cs\n", verdict: VerdictUnknown, want: "unmodelled"},
		{name: "no-y-assume-yes", src: "echo 'APT::Get::Assume-Yes \"true\";' >/etc/apt/apt.conf.d/90yes\napt-get install lsb-toolbox\nlsb_release -cs\n", verdict: VerdictUnknown, want: "unmodelled"},
		{name: "no-y-no-index", noIndex: true, src: "apt-get install lsb-toolbox\nlsb_release -cs\n", verdict: VerdictUnknown, want: "unknown-command"},
		// The commands of a pipeline are judged at once (go test -race).
		{name: "pipeline", src: "apt-get install -y lsb-toolbox\nlsb_release -cs | cowsay | visudo -c | figlet\n", verdict: VerdictError,
			want: "t.sh:4:40 figlet: command not found (provided by package figlet"},
		{name: "no-set-e", src: "set +e\ncowsay hi\necho done\n", verdict: VerdictOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			pkgs := testPackages(t, !c.noIndex)
			for _, b := range c.base {
				pkgs.Installed[b] = true
			}
			img := Image{Name: "t", Packages: pkgs, Scripts: []Script{{Path: "t.sh", Source: []byte("#!/bin/bash\nset -e\n" + c.src), Role: RoleInstall, Shell: "bash"}}}
			r := DryRunInProcess(context.Background(), img, Options{Timeout: 10 * time.Second})
			if v := r.verdict(); v != c.verdict || r.Verdict != v {
				t.Fatalf("verdict %s (report says %s), want %s\n%s", v, r.Verdict, c.verdict, render(r))
			}
			switch {
			case c.verdict == VerdictError:
				if got := r.Errors[0].Pos + " " + r.Errors[0].Msg; !strings.HasPrefix(got, c.want) {
					t.Errorf("first error\n%s\nwant it to begin with\n%s", got, c.want)
				}
			case c.verdict == VerdictUnknown:
				if r.Unknowns[0].Code != c.want {
					t.Errorf("first unknown %+v, want code %s", r.Unknowns[0], c.want)
				}
			}
		})
	}
}
