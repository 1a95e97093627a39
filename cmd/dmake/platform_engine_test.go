package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/internal/registrytest"
)

// TestEnginePlatform builds a repository's image for platforms its docker
// build does not name, with dmake --platform:
//   - on the engine (its BuildKit, or the classic builder), for linux/386
//     from the local busybox, which is linux/amd64: an error naming both
//     platforms, and no image, never an amd64 image under a 386 request;
//   - on the standalone builder, for linux/amd64 and linux/386 with --pull
//     (each platform's busybox from the registry) and --push: the registry
//     holds a manifest list of both, each of its own architecture (each
//     RUN checks that its busybox is of the platform built for).
func TestEnginePlatform(t *testing.T) {
	eng := enginetest.Require(t)
	addr, reg := enginetest.Var(t, "DMAKE_BUILDKIT_ADDR"), enginetest.Var(t, "DMAKE_REGISTRY")
	bin := buildDmake(t)
	nonce := fmt.Sprint(time.Now().UnixNano())
	repo := t.TempDir()
	// The RUN fails unless /bin/busybox is of the platform built for
	// (ELF class 2 is 64-bit, 1 is 32-bit).
	run := `c=$$(od -An -tx1 -j4 -N1 /bin/busybox | tr -d " "); echo ` + nonce + `; case $$TARGETARCH:$$c in amd64:02|386:01) ;; *) echo busybox of ELF class $$c for $$TARGETARCH; exit 1;; esac`
	writeFiles(t, repo, map[string]string{
		"bin/build": "#!/bin/bash\nmake -C \"$DOCKER_HOME/images/$1\" build\n",
		"images/plat/Makefile": `.PHONY: build
build:
	mkdir -p build
	printf '%s\n' 'FROM busybox:latest' 'ARG TARGETARCH' 'RUN ` + run + `' > build/Dockerfile
	docker build -t $(TAG) --label ` + enginetest.Label + `=1 build
`,
	})
	env := []string{"DOCKER_HOME="}

	local := "dmaketest-platform/plat:" + nonce
	t.Cleanup(func() { eng.RemoveImage(context.Background(), local, engine.RemoveImageOptions{}) })
	_, stderr, status := runBinary(t, bin, env, "-C", repo, "--no-check", "--platform", "linux/386", "TAG="+local, "plat")
	if status == 0 || !strings.Contains(stderr, "--platform linux/386: FROM image busybox:latest is linux/amd64: a build from it would not be a linux/386 image") {
		t.Errorf("--platform linux/386 from an amd64 busybox on the engine: status %d, want an error naming both platforms:\n%s", status, stderr)
	}
	if _, found, _ := eng.InspectImage(context.Background(), local); found {
		t.Errorf("%s exists after the refused build", local)
	}

	name := "dmake-test/platform"
	ref := reg + "/" + name + ":" + nonce
	_, stderr, status = runBinary(t, bin, env, "-C", repo, "--no-check", "--builder", addr, "--platform", "linux/amd64,linux/386", "--pull", "--push", "--progress=plain", "TAG="+ref, "plat")
	if status != 0 {
		t.Fatalf("--platform linux/amd64,linux/386 --push on %s: status %d\n%s", addr, status, stderr)
	}
	if !strings.Contains(stderr, "platform: built") || !strings.Contains(stderr, "ran; not in the local engine") {
		t.Errorf("the pushed image's summary does not say it is not in the local engine:\n%s", stderr)
	}
	var index registrytest.Manifest
	registrytest.Get(t, reg, name+"/manifests/"+nonce, &index)
	var archs []string
	for _, m := range index.Manifests {
		if m.Platform != nil && m.Platform.OS == "linux" {
			archs = append(archs, m.Platform.Architecture)
		}
	}
	slices.Sort(archs)
	if fmt.Sprint(archs) != "[386 amd64]" {
		t.Errorf("the registry's %s lists the platforms %v, want linux/386 and linux/amd64:\n%+v", ref, archs, index)
	}
}
