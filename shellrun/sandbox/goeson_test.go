package sandbox

import (
	"strings"
	"testing"
)

// TestFailureTheScriptGoesOn checks that a command that fails without
// ending the script (no set -e, or || after it) is a warning, and the
// error only where it ends the script (set -e, or the last command): a
// command not found, a package apt cannot install, a script file that is
// not there. The real build of a script without set -e goes on and
// succeeds when its last command does (the corpus's azure-install_apache:
// apt-get install mysql-server fails on bookworm, the build does not).
func TestFailureTheScriptGoesOn(t *testing.T) {
	pkgs := &Packages{Base: "testbase", Available: map[string]bool{"figlet": true}, Installed: map[string]bool{"bash": true}}
	for _, c := range []struct {
		name, src string
		want      string // the verdict, the first diagnostic's kind (error, warning) and code
	}{
		{"no-package-goes-on", "apt-get install -y mysql-server\necho done\n", "ok warning no-package"},
		{"no-package-set-e", "set -e\napt-get install -y mysql-server\necho done\n", "error error no-package"},
		{"no-package-or", "apt-get install -y mysql-server || true\n", "ok warning no-package"},
		{"no-package-last", "apt-get install -y mysql-server\n", "error error no-package"},
		{"no-script-goes-on", "bash /usr/share/doc/x/setup.sh\necho done\n", "ok warning not-found"},
		{"no-script-set-e", "set -e\nbash /usr/share/doc/x/setup.sh\necho done\n", "error error not-found"},
		{"no-program-goes-on", "/opt/tool/bin/run --x\necho done\n", "ok warning not-found"},
		{"no-program-last", "/opt/tool/bin/run --x\n", "error error not-found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			img := Image{Name: "t", Packages: pkgs, Scripts: []Script{{Path: "t.sh", Source: []byte("#!/bin/bash\n" + c.src), Role: RoleInstall, Shell: "bash"}}}
			r := DryRunInProcess(t.Context(), img, Options{})
			got := r.Verdict
			switch {
			case len(r.Errors) > 0:
				got += " error " + r.Errors[0].Code
			case len(r.Warnings) > 0:
				got += " warning " + r.Warnings[0].Code
			}
			if got != c.want {
				t.Errorf("got %q, want %q\n%s", got, c.want, render(r))
			}
			if len(r.Errors) > 0 && !strings.HasPrefix(r.Errors[0].Pos, "t.sh:") {
				t.Errorf("error at %q, not at the command in t.sh", r.Errors[0].Pos)
			}
		})
	}
}

// TestPipelineBlamesTheRightmost checks that of the commands of a
// pipeline that fail, the error is the rightmost one's, whichever ended
// first: the pipeline's status is its (go test -race -count=20).
func TestPipelineBlamesTheRightmost(t *testing.T) {
	for _, src := range []string{
		"set -e\nqqzzxa | qqzzxb | qqzzxc\n",
		"set -eo pipefail\nqqzzxa | qqzzxb | qqzzxc\n",
	} {
		r := dryRunBash("#!/bin/bash\n" + src)
		if len(r.Errors) != 1 || !strings.HasPrefix(r.Errors[0].Pos+" "+r.Errors[0].Msg, "t.sh:3:19 qqzzxc: command not found") {
			t.Errorf("%q: errors %+v, want one, at qqzzxc (t.sh:3:19)", src, r.Errors)
		}
	}
}
