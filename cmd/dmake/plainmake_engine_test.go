package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
)

// TestEnginePlainMakefileDockerBuild runs dmake on a plain Makefile (no
// legacy repository) whose recipes call docker build, with a docker
// program first in PATH that only says it ran: the builds are dmake's
// (checked, on the engine), whether the line is a lone command or shell
// code; other docker commands, and lines the interpreter leaves to the
// real shell, run the program.
func TestEnginePlainMakefileDockerBuild(t *testing.T) {
	eng := enginetest.Require(t)
	bin := buildDmake(t)
	prefix := fmt.Sprintf("dmaketest-plain-%d/", os.Getpid())
	root := t.TempDir()
	fake := filepath.Join(root, "fakebin")
	label := "--label " + enginetest.Label + "=1"
	// A step of this run's own, which no earlier run has in a cache.
	nonce := fmt.Sprint(time.Now().UnixNano())
	writeFiles(t, root, map[string]string{
		"fakebin/docker": "#!/bin/sh\necho \"docker CLI: $*\"\n",
		"Makefile": `P = ` + prefix + `
lone:
	docker build ` + label + ` -t $(P)lone app
shell:
	cd app && docker build ` + label + ` -t $(P)shell . && echo built in $$(basename $$PWD)
broken:
	docker build ` + label + ` -t $(P)broken -f app/broken.Dockerfile app
version:
	docker version --format x
umask:
	umask 022; docker build -t $(P)umask app
secret:
	docker build --secret id=s,src=app/hello -t $(P)secret app
host:
	docker -H unix:///run/other.sock build -t $(P)host app
buildx:
	DOCKER_BUILDKIT=1 docker buildx build --load --provenance=false ` + label + ` -t $(P)buildx app
bxpush:
	docker buildx build --push -t $(P)bxpush app
script:
	./build.sh $(P)script
heredoc:
	docker build ` + label + ` -t $(P)heredoc -f app/heredoc.Dockerfile app
multistage:
	docker build ` + label + ` -t $(P)multistage -f app/multi.Dockerfile app
quiet:
	id=$$(docker build -q ` + label + ` -t $(P)quiet app) && echo "id=$$id"
bashscript:
	bash build.sh $(P)bashscript
coproc:
	./coproc.sh $(P)coproc
`,
		"app/multi.Dockerfile":   "FROM debian:bookworm AS build\nRUN apt-get --version > /out.txt\nFROM busybox:latest\nCOPY --from=build /out.txt /out.txt\nRUN cat /out.txt\n",
		"app/heredoc.Dockerfile": "FROM busybox:latest\nCOPY <<EOF /greeting\nhi\nEOF\nRUN <<EOT\ngrep -q hi /greeting\necho heredoc ran " + nonce + "\nEOT\nRUN true\n",
		"build.sh":               "#!/bin/bash\nset -euo pipefail\nfor t in \"$1\"; do docker build ` + label + ` -t \"$t\" app; done\necho \"script $0 done\"\n",
		"coproc.sh":              "#!/bin/bash\ncoproc true\nwait\ndocker build -t \"$1\" app\n",
		"app/Dockerfile":         "FROM busybox:latest\nCOPY hello /hello\nRUN grep -q hi /hello\n",
		"app/hello":              "hi\n",
		"app/broken.Dockerfile":  "FROM busybox:latest\n# a comment, and a line continued\nRUN true \\\n  && cat /no/such/file\n",
	})
	for _, f := range []string{filepath.Join(fake, "docker"), filepath.Join(root, "build.sh"), filepath.Join(root, "coproc.sh")} {
		if err := os.Chmod(f, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	remove := func() {
		for _, n := range []string{"lone", "shell", "broken", "umask", "secret", "host", "buildx", "bxpush", "script", "bashscript", "coproc", "quiet", "multistage", "heredoc"} {
			eng.RemoveImage(context.Background(), prefix+n, engine.RemoveImageOptions{})
		}
	}
	remove()
	t.Cleanup(remove)
	tests := []struct {
		goal   string
		status int
		stdout string // lines it has
		stderr string
		// notStderr is what stderr must not have.
		notStderr string
		image     string // built, tagged so
		progress  string // --progress (default plain)
		builder   string // --builder (default the engine's)
	}{
		{goal: "lone", stdout: "docker build " + label + " -t " + prefix + "lone app\n", stderr: "built ", image: "lone"},
		{goal: "shell", stdout: "built in app\n", stderr: "built ", image: "shell"},
		{goal: "broken", status: 2, stderr: "app/broken.Dockerfile:3:"},
		{goal: "version", stdout: "docker CLI: version --format x\n"},
		{goal: "umask", stdout: "docker CLI: build -t " + prefix + "umask app\n"},
		// What dmake does not do is left to the docker CLI, with a note.
		{goal: "secret", stdout: "docker CLI: build --secret id=s,src=app/hello -t " + prefix + "secret app\n", stderr: "flag --secret is not supported"},
		{goal: "host", stdout: "docker CLI: -H unix:///run/other.sock build -t " + prefix + "host app\n", stderr: "the docker CLI's -H names a daemon"},
		// A buildx build that loads one platform is a docker build; a
		// push is buildx's.
		{goal: "buildx", stderr: "built ", image: "buildx"},
		// A script of the directory that calls docker runs in the
		// interpreter, its build dmake's; one the interpreter cannot run
		// as bash would (coproc) runs in bash, and its docker is the CLI.
		{goal: "script", stdout: "script ./build.sh done\n", stderr: "built ", image: "script"},
		{goal: "bashscript", stdout: "script build.sh done\n", stderr: "built ", image: "bashscript"},
		// Here-documents reach the builder as written (a standalone
		// BuildKit's frontend reads them; the engine's 20.10 one does
		// not).
		{goal: "heredoc", builder: enginetest.Var(t, "DMAKE_BUILDKIT_ADDR"), stderr: "heredoc ran " + nonce, image: "heredoc"},
		// Only the stage built is dry-run (apt-get is not in busybox),
		// and not after its COPY --from.
		{goal: "multistage", stderr: "not dry-run: the RUN lines after app/multi.Dockerfile:4, whose COPY --from", image: "multistage"},
		// docker build -q prints the image ID alone, as the CLI does.
		{goal: "quiet", stdout: "id=sha256:", notStderr: "[1/", image: "quiet", progress: "auto"},
		{goal: "coproc", stdout: "docker CLI: build -t " + prefix + "coproc app\n"},
		{goal: "bxpush", stdout: "docker CLI: buildx build --push -t " + prefix + "bxpush app\n", stderr: "--push sends the image to a registry"},
	}
	for _, tt := range tests {
		t.Run(tt.goal, func(t *testing.T) {
			progress := tt.progress
			if progress == "" {
				progress = "plain"
			}
			args := []string{"-C", root, "--progress=" + progress, tt.goal}
			if tt.builder != "" {
				args = append(args, "--builder", tt.builder)
			}
			cmd := exec.Command(bin, args...)
			cmd.Env = append(os.Environ(), "PATH="+fake+":"+os.Getenv("PATH"), "DOCKER_HOME=")
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			status := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				status = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if status != tt.status || !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errb.String(), tt.stderr) {
				t.Fatalf("dmake %s: status %d, want %d; stdout should have %q, stderr %q\nstdout:\n%s\nstderr:\n%s", tt.goal, status, tt.status, tt.stdout, tt.stderr, out.String(), errb.String())
			}
			if tt.notStderr != "" && strings.Contains(errb.String(), tt.notStderr) {
				t.Errorf("stderr has %q:\n%s", tt.notStderr, errb.String())
			}
			if strings.Contains(out.String(), "docker CLI: ") != (tt.goal == "version" || tt.goal == "umask" || tt.goal == "secret" || tt.goal == "host" || tt.goal == "bxpush" || tt.goal == "coproc") {
				t.Errorf("the docker program ran, or did not run, where it should not, or should:\n%s", out.String())
			}
			_, found, err := eng.InspectImage(context.Background(), prefix+tt.goal)
			if err != nil {
				t.Fatal(err)
			}
			if found != (tt.image != "") {
				t.Errorf("image %s%s found: %v, want %v", prefix, tt.goal, found, tt.image != "")
			}
		})
	}
}
