package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/internal/enginetest"
)

// TestEnginePlainMakefileCheck runs dmake --check on a plain Makefile
// whose Dockerfiles start from a local image (busybox): the RUN lines are
// dry-run over that image's files (a RUN that needs /bin/busybox passes,
// one that reads a missing file fails, named by the Dockerfile's line), a
// base the engine lacks is said and not dry-run, and nothing runs or is
// built: the docker first in PATH leaves a marker if run, and no tag is
// made.
func TestEnginePlainMakefileCheck(t *testing.T) {
	eng := enginetest.Require(t)
	bin := buildDmake(t)
	prefix := fmt.Sprintf("dmaketest-plaincheck-%d/", os.Getpid())
	root := t.TempDir()
	marker := filepath.Join(root, "docker-ran")
	writeFiles(t, root, map[string]string{
		"fakebin/docker": "#!/bin/sh\necho \"$*\" >> " + marker + "\n",
		"Makefile": `P = ` + prefix + `
.PHONY: all good bad absent
all: good bad absent
good:
	docker build -t $(P)good app
	docker push $(P)good
bad:
	cd app && docker build -t $(P)bad -f bad.Dockerfile .
absent:
	docker build -t $(P)absent -f app/absent.Dockerfile app
`,
		"app/hello":             "hi\n",
		"app/Dockerfile":        "FROM busybox:latest\nCOPY hello /hello\nRUN grep -q hi /hello && test -x /bin/busybox\n",
		"app/bad.Dockerfile":    "FROM busybox:latest\nRUN test -x /bin/busybox && cat /no/such/file\n",
		"app/absent.Dockerfile": "FROM dmaketest-absent/nothing:1\nRUN true\n",
	})
	if err := os.Chmod(filepath.Join(root, "fakebin", "docker"), 0o755); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "report.json")
	env := []string{"PATH=" + filepath.Join(root, "fakebin") + ":" + os.Getenv("PATH")}
	stdout, stderr, status := runBinary(t, bin, env, "-C", root, "--check", "--check-report", report)
	if status != 1 {
		t.Errorf("status %d, want 1 (the bad Dockerfile)", status)
	}
	for _, want := range []string{
		"image " + prefix + "good (FROM busybox:latest",
		"image " + prefix + "bad (FROM busybox:latest",
		"error: app/bad.Dockerfile:2:",
		"/no/such/file: No such file or directory",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	if strings.Count(stdout, "FAILED") != 1 {
		t.Errorf("want one image FAILED (bad), not good")
	}
	for _, want := range []string{
		"dmake: --check: not run: docker push " + prefix + "good",
		prefix + "absent: not dry-run: dmaketest-absent/nothing:1 is not in the local engine",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	var doc struct {
		Summary struct {
			Images int `json:"images"`
			Errors int `json:"errors"`
		} `json:"summary"`
	}
	if b, err := os.ReadFile(report); err != nil || json.Unmarshal(b, &doc) != nil {
		t.Errorf("--check-report: %v\n%s", err, b)
	} else if doc.Summary.Images != 2 || doc.Summary.Errors != 1 {
		t.Errorf("report summary %+v, want 2 images, 1 error", doc.Summary)
	}
	if b, err := os.ReadFile(marker); err == nil {
		t.Errorf("the docker CLI ran:\n%s", b)
	}
	for _, n := range []string{"good", "bad", "absent"} {
		if _, found, err := eng.InspectImage(context.Background(), prefix+n); err != nil || found {
			t.Errorf("%s%s: found %v (%v): --check built it", prefix, n, found, err)
		}
	}
}
