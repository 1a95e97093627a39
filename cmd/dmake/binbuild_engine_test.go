package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
)

// TestEngineParallelBinBuild builds with -j3, on the engine, images of a
// repository built through its own bin/build whose images all use one
// build/ directory as their context (a layout seen in the wild): a and b,
// independent, meet in their RUN steps under the name their own context
// gave them (deadlock unless the engine builds them at once; a wrong name
// if an image was built from the context the other's recipe wrote while
// it built); c, FROM a, is built from the a of this run.
func TestEngineParallelBinBuild(t *testing.T) {
	eng := enginetest.Require(t)
	prefix := fmt.Sprintf("dmaketest-parbb-%d/", os.Getpid())
	names := []string{"a", "b", "c"}
	remove := func() {
		for _, n := range slices.Backward(names) { // children first
			eng.RemoveImage(context.Background(), prefix+n, engine.RemoveImageOptions{})
		}
	}
	remove()
	t.Cleanup(remove)
	bin := buildDmake(t)
	m := enginetest.StartMeet(t)
	nonce := fmt.Sprint(time.Now().UnixNano())
	root := t.TempDir()
	files := map[string]string{
		"bin/build": "#!/bin/bash\nmake -C \"$DOCKER_HOME/images/$1\" build\n",
		"make/common.mk": `CTX = $(DOCKER_HOME)/build
.PHONY: build
build:
	mkdir -p $(CTX)
	printf '%s' '$(IMAGE)' > $(CTX)/name
	printf 'FROM $(FROM)\nCOPY name /name\nRUN $(RUN)\n' > $(CTX)/Dockerfile
	docker build --network host -t $(PREFIX)$(IMAGE) --label ` + enginetest.Label + `=1 $(CTX)
`,
	}
	meet := m.Cmd("g", 2, "$$(cat /name)", nonce)
	for _, im := range []struct{ name, from, run string }{
		{"a", "busybox:latest", meet},
		{"b", "busybox:latest", meet},
		{"c", "$(PREFIX)a", "echo c " + nonce},
	} {
		files["images/"+im.name+"/Makefile"] = fmt.Sprintf("IMAGE = %s\nFROM = %s\nRUN = %s\ninclude $(DOCKER_HOME)/make/common.mk\n", im.name, im.from, im.run)
	}
	writeFiles(t, root, files)

	const timeout = 3 * time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-C", root, "-j3", "--no-check", "--progress=plain", "PREFIX="+prefix, "c", "b")
	cmd.Env = append(os.Environ(), "DOCKER_HOME=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("dmake -j3 c b did not end within %v (a deadlock: a and b did not build at once; at the meeting: %v)\nstdout:\n%s\nstderr:\n%s",
			timeout, m.Who("g"), out.String(), errb.String())
	}
	if err != nil {
		t.Fatalf("dmake -j3 c b: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errb.String())
	}
	got := m.Who("g")
	slices.Sort(got)
	if fmt.Sprint(got) != "[a b]" {
		t.Errorf("at the meeting: %v, want [a b] (an image built from the context another image's recipe wrote?)", got)
	}
	for _, n := range []string{"a", "b"} {
		if !strings.Contains(errb.String(), n+" | ") {
			t.Errorf("the output of %s, built beside another image, is not prefixed by its name:\n%s", n, errb.String())
		}
	}
	ids := map[string]string{}
	for _, n := range names {
		info, found, err := eng.InspectImage(context.Background(), prefix+n)
		if err != nil || !found {
			t.Fatalf("image %s%s: found %v, %v\n%s", prefix, n, found, err, errb.String())
		}
		ids[n] = info.ID
		if n == "c" && info.Labels[engine.LabelBase] != ids["a"] {
			t.Errorf("c was built FROM %s, not from the a of this run (%s)", info.Labels[engine.LabelBase], ids["a"])
		}
	}
}
