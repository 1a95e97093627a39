package rootfs

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/shellrun/sandbox/debindex"
)

// readIndexOutput reads indexScript's output: the Contents lines, then
// the package fields; an output without both, or without a command, is
// no index.
func TestReadIndexOutput(t *testing.T) {
	out := "# Contents\nusr/bin/sudo      admin/sudo,admin/sudo-ldap\nbin/nc.openbsd    net/netcat-openbsd\n# Packages\nPackage: sudo\nDepends: libc6 (>= 2.34), libpam0g\n\nPackage: netcat-openbsd\nProvides: netcat\n\n"
	idx := debindex.New()
	if err := readIndexOutput(strings.NewReader(out), idx); err != nil {
		t.Fatal(err)
	}
	if got := idx.Commands("sudo"); !slices.Equal(got, []string{"sudo", "sudo-ldap"}) {
		t.Errorf("sudo: %q", got)
	}
	if got := idx.Alternatives("nc"); !slices.Equal(got, []string{"netcat-openbsd"}) {
		t.Errorf("nc: %q", got)
	}
	if got, known := idx.Depends("sudo"); !known || !slices.Equal(got, []string{"libc6", "libpam0g"}) {
		t.Errorf("sudo depends on %q (%v)", got, known)
	}
	if got := idx.Providers("netcat"); !slices.Equal(got, []string{"netcat-openbsd"}) {
		t.Errorf("netcat: %q", got)
	}
	for _, bad := range []string{
		"",
		"# Contents\nusr/bin/sudo admin/sudo\n", // no package lists
		"# Contents\n# Packages\nPackage: sudo\n\n",   // no command
		"# Packages\nPackage: sudo\n\n# Contents\n\n", // out of order
	} {
		if err := readIndexOutput(strings.NewReader(bad), debindex.New()); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// A failure to fetch the index is remembered for a day, then forgotten
// (the file removed) so that the next check tries again.
func TestRememberedFailure(t *testing.T) {
	failed := filepath.Join(t.TempDir(), "x.noindex")
	if _, ok := rememberedFailure(failed, time.Now()); ok {
		t.Fatal("a failure remembered with no file")
	}
	if err := os.WriteFile(failed, []byte("no network\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(failed)
	if why, ok := rememberedFailure(failed, fi.ModTime().Add(time.Hour)); !ok || why != "no network" {
		t.Errorf("an hour later: %q, %v; want the reason", why, ok)
	}
	if _, ok := rememberedFailure(failed, fi.ModTime().Add(retryFailure)); ok {
		t.Error("a day later, still remembered")
	}
	if _, err := os.Stat(failed); err == nil {
		t.Error("a day later, the file is kept")
	}
}
