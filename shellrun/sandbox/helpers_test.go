package sandbox

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestHelpersHidden checks that a script can neither see nor call the
// helpers the dry run adds: the old fixed names, called without their
// arguments (which crashed the child), are unknown commands; nothing the
// script can list names them; the host name is a container's.
func TestHelpersHidden(t *testing.T) {
	src := `#!/bin/bash
__dmake_fail; __dmake_lookup; __dmake_builtin; __dmake_hdoc
v=$(set; declare -p; declare -F; compgen -A function 2>&1; env)
case $v in *dmake*) mkdir /opt/leak-name ;; esac
case $(hostname)/$HOSTNAME/$(cat /etc/hostname) in *sandbox*) mkdir /opt/leak-host ;; esac
[[ -e /dev/null/dmake-hdoc-ok/cat ]] && mkdir /opt/leak-probe
true
`
	reps, err := Check(context.Background(), []Image{{Name: "t", Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}}, Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	got := render(reps[0])
	if !strings.Contains(got, "script ok") || strings.Contains(got, "leak") {
		t.Errorf("report:\n%s", got)
	}
	for _, name := range []string{"__dmake_fail", "__dmake_lookup", "__dmake_builtin", "__dmake_hdoc"} {
		if !strings.Contains(got, " "+name+": command not found") {
			t.Errorf("%s: not reported as an unknown command:\n%s", name, got)
		}
	}
	a, b := newHelpers(), newHelpers()
	if a.lookup == b.lookup || a.pid == b.pid || strings.HasPrefix(a.pid, a.prefix) {
		t.Errorf("helper names not drawn at random, or the variables share the commands' token: %+v %+v", a, b)
	}
}
