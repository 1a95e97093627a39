package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/internal/legacybuild"
)

// TestLegacyBuildTimes measures the legacy build, the baseline dmake is
// compared with: a cold build (docker build --no-cache) of base, ssh and web,
// of ssh alone, a rebuild with nothing changed, and a rebuild of ssh and web
// after editing the content of one 03_ script. It works on a copy of
// legacy-images/ with its own image prefix and removes its images at the end.
// The times are in the test log (go test -v -run TestLegacyBuildTimes ./e2e/).
func TestLegacyBuildTimes(t *testing.T) {
	enginetest.Require(t)
	needCommand(t, "make")
	repo, err := legacybuild.RepoDir()
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(t.TempDir(), "legacy-images")
	if err := legacybuild.CopyTree(repo, home); err != nil {
		t.Fatal(err)
	}
	prefix := fmt.Sprintf("dmaketest-times-%d/", os.Getpid())
	label := enginetest.Label + "=e2e-times-" + fmt.Sprint(os.Getpid())
	t.Cleanup(func() { removeImages(t, prefix, label) })

	type result struct {
		what string
		took time.Duration
	}
	var results []result
	build := func(what, name string, vars ...string) string {
		t.Helper()
		var out bytes.Buffer
		vars = append(vars, "IMAGE_PREFIX="+prefix, "LABELS="+label)
		start := time.Now()
		err := legacybuild.Build(context.Background(), home, name, &out, vars...)
		took := time.Since(start)
		if err != nil {
			t.Fatalf("%s: %v\n%s", what, err, out.String())
		}
		results = append(results, result{what, took})
		return out.String()
	}

	var cold time.Duration
	for _, name := range legacybuild.Names() {
		build("cold "+name, name, "NOCACHE=1")
		cold += results[len(results)-1].took
	}
	results = append(results, result{"cold base+ssh+web", cold})
	build("cold ssh alone", "ssh", "NOCACHE=1")

	if out := build("ssh, nothing changed", "ssh"); !strings.Contains(out, "Using cache") {
		t.Errorf("a rebuild with nothing changed did not use docker's cache:\n%s", out)
	}

	// The seed's cache-bust todo: BUST=1 re-runs the install step anyway.
	if out := build("ssh, nothing changed, BUST=1", "ssh", "BUST=1"); !strings.Contains(out, "==> 03_sshd.sh") {
		t.Errorf("BUST=1 did not re-run the install scripts:\n%s", out)
	}

	// Edit the content of one 03_ script: every install script of the image
	// runs again, the legacy way.
	script := filepath.Join(home, "script", "03_sshd.sh")
	data, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "install_permanent openssh-server\n",
		"install_permanent openssh-server\necho edited >/etc/legacy/sshd.edited\n", 1)
	if edited == string(data) {
		t.Fatalf("%s: no install_permanent line to edit after", script)
	}
	if err := os.WriteFile(script, []byte(edited), 0o755); err != nil {
		t.Fatal(err)
	}
	out := build("ssh after editing 03_sshd.sh", "ssh")
	if !strings.Contains(out, "==> 03_sshd.sh") {
		t.Errorf("the rebuild did not run 03_sshd.sh:\n%s", out)
	}
	sshEdit := results[len(results)-1].took
	build("web after that (FROM the new ssh)", "web")
	results = append(results, result{"ssh+web after the edit", sshEdit + results[len(results)-1].took})

	got := mustDocker(t, "run", "--rm", "--label", label, "--network", "none",
		prefix+"ssh", "cat", "/etc/legacy/sshd.edited")
	if got != "edited" {
		t.Errorf("the rebuilt image has /etc/legacy/sshd.edited = %q, want the edit's %q", got, "edited")
	}

	var b strings.Builder
	b.WriteString("legacy build times (bin/build, GNU make, docker CLI; overlay2):\n")
	for _, r := range results {
		fmt.Fprintf(&b, "\t%-36s %6.1fs\n", r.what, r.took.Seconds())
	}
	t.Log(b.String())
}

// removeImages removes the images tagged prefix+name (children first), then
// every image labelled label that is left (the ones rebuilds untagged).
func removeImages(t *testing.T, prefix, label string) {
	names := legacybuild.Names()
	slices.Reverse(names)
	for _, name := range names {
		docker("rmi", prefix+name)
	}
	for range 3 {
		ids, err := docker("images", "-q", "--filter", "label="+label)
		if err != nil {
			t.Logf("cleanup: %v", err)
			return
		}
		if ids == "" {
			return
		}
		args := append([]string{"rmi"}, strings.Fields(ids)...)
		docker(args...)
	}
	if ids, _ := docker("images", "-q", "--filter", "label="+label); ids != "" {
		t.Logf("cleanup: images labelled %s left: %s", label, strings.Fields(ids))
	}
}
