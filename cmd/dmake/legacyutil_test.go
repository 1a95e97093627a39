package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
)

// The --util utilities at each legacy layout's fixture repo, on the image
// the repo's base builds: build (as the repo's bin/build base would, the
// image tagged by the repo's NAME:VERSION), enter running a
// command in a container of it (run-bash and enter-bash run sh, saying so:
// the busybox images have no bash), ssh refusing a container with no ssh key,
// stopall, killall and clean on the containers the test started only
// (selected by the test's label), and purge restricted to that label.
func TestEngineLegacyUtilities(t *testing.T) {
	e := enginetest.Require(t)
	needTool(t, "make")
	needTool(t, "python3")
	bin := buildDmake(t)
	ctx := context.Background()
	pid := os.Getpid()
	type runner func(args ...string) (stdout, stderr string, status int)
	atRoot := func(root string, env []string) runner {
		return func(args ...string) (string, string, int) {
			cmd := exec.Command(bin, args...)
			cmd.Dir = root
			cmd.Env = append(os.Environ(), env...)
			var out, errb strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			st := 0
			if ee, ok := err.(*exec.ExitError); ok {
				st = ee.ExitCode()
			} else if err != nil {
				t.Fatalf("dmake %s: %v", strings.Join(args, " "), err)
			}
			return out.String(), errb.String(), st
		}
	}
	// dmakeIn runs dmake with stdin as its standard input, outside any repo
	// (for the utilities given a container).
	dmakeIn := func(stdin string, args ...string) (string, string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = t.TempDir()
		cmd.Stdin = strings.NewReader(stdin)
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		st := 0
		if ee, ok := err.(*exec.ExitError); ok {
			st = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("dmake %s: %v", strings.Join(args, " "), err)
		}
		return out.String(), errb.String(), st
	}
	for _, tc := range []struct {
		layout string
		// setup copies the fixture and returns the tag of its base image
		// and how to run dmake at its root.
		setup func(t *testing.T) (tag string, dmake runner)
	}{
		{"legacy-static", func(t *testing.T) (string, runner) {
			needUnshare(t)
			prefix := fmt.Sprintf("dmaketest-util-static-%d/", pid)
			repo := copyStatic(t, prefix)
			return prefix + "base:latest", func(args ...string) (string, string, int) {
				return atOptDocker(t, repo, []string{"DOCKER_HOME="}, append([]string{bin}, args...)...)
			}
		}},
		{"legacy-echo", func(t *testing.T) (string, runner) {
			prefix := fmt.Sprintf("dmaketest-util-echo-%d", pid)
			f := newLegacyFixture(t, "legacy-echo", "REPO="+prefix, "PORT="+freeTCPPort(t))
			f.env = append(f.env, "PATH="+filepath.Join(f.root, "shim")+":"+os.Getenv("PATH"))
			return prefix + "/base:latest", atRoot(f.root, f.env)
		}},
		{"legacy-tmpfile", func(t *testing.T) (string, runner) {
			prefix := fmt.Sprintf("dmaketest-util-tmpfile-%d", pid)
			f := newLegacyFixture(t, "legacy-tmpfile")
			cfg := filepath.Join(f.root, "config.mk")
			data, err := os.ReadFile(cfg)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(cfg, append(data, "REGISTRY = "+prefix+"/\n"...), 0o644)
			return prefix + "/base:latest", atRoot(f.root, f.env)
		}},
	} {
		t.Run(tc.layout, func(t *testing.T) {
			tag, dmake := tc.setup(t)
			removeOnCleanup(t, e, tag)
			label := fmt.Sprintf("util-%s-%d", tc.layout, pid)
			sel := "--label=" + enginetest.Label + "=" + label
			check := func(what string, wantStatus int, wantOut string, args ...string) string {
				t.Helper()
				out, errs, st := dmake(append([]string{"--util"}, args...)...)
				if st != wantStatus || !strings.Contains(out, wantOut) {
					t.Errorf("%s: dmake --util %s: status %d, stdout %q, stderr %q; want %d and %q in stdout",
						what, strings.Join(args, " "), st, out, errs, wantStatus, wantOut)
				}
				return out
			}

			// build: as bin/build base, the tag the repo's makefiles give.
			if out, errs, st := dmake("--util", "build", "base"); st != 0 {
				t.Fatalf("dmake --util build base: status %d\n%s%s", st, out, errs)
			}
			if _, found, err := e.InspectImage(ctx, tag); err != nil || !found {
				t.Fatalf("dmake --util build base did not tag %s (found %v, %v)", tag, found, err)
			}

			// run-bash IMAGE: the fixtures' busybox images have no bash,
			// which run-bash (as the legacy bin/run-bash) runs: sh runs
			// instead (a login shell, the arguments after -- its own), and
			// stderr says so.
			fallback := "has no bash; running sh instead"
			if out, errs, st := dmake("--util", "run-bash", tag, "-l", enginetest.Label+"="+label, "--", "-c", "echo $0; exit 3"); st != 3 || out != "sh\n" || !strings.Contains(errs, "image "+tag+" "+fallback) {
				t.Errorf("run-bash on an image with no bash: status %d, stdout %q, stderr %q; want 3, sh's name, and %q", st, out, errs, fallback)
			}

			// Two containers the test starts, labelled as its own.
			start := func() string {
				t.Helper()
				id, err := e.CreateContainer(ctx, engine.CreateContainerOptions{
					Image: tag, Cmd: []string{"sleep", "600"}, Entrypoint: []string{},
					Labels: map[string]string{enginetest.Label: label}, NetworkMode: "none",
				})
				if err != nil {
					t.Fatalf("creating a container of %s: %v", tag, err)
				}
				t.Cleanup(func() {
					e.RemoveContainer(context.Background(), id, engine.RemoveContainerOptions{Force: true})
				})
				if err := e.StartContainer(ctx, id); err != nil {
					t.Fatalf("starting a container of %s: %v", tag, err)
				}
				return id
			}
			a, b := start(), start()

			// enter and enter-bash run commands in a running container.
			check("enter", 0, "hello from "+a[:12]+"\n", "enter", a[:12], "sh", "-c", "echo hello from $(hostname)")
			check("enter status", 4, "", "enter", a, "sh", "-c", "exit 4")
			// enter-bash: no bash in these images either: sh -l, which
			// reads its commands from standard input.
			if out, errs, st := dmakeIn("echo in $0 $(hostname)\n", "--util", "enter-bash", a[:12]); st != 0 || out != "in sh "+a[:12]+"\n" || !strings.Contains(errs, "dmake enter-bash: container ") || !strings.Contains(errs, fallback) {
				t.Errorf("enter-bash in a container with no bash: status %d, stdout %q, stderr %q; want 0, the output of sh -l, and %q", st, out, errs, fallback)
			}
			// ssh: these images carry no ssh key: a clear refusal, status 1.
			if out, errs, st := dmake("--util", "ssh", a, "true"); st != 1 || !strings.Contains(errs, "ssh") {
				t.Errorf("ssh into a container with no ssh component: status %d, stdout %q, stderr %q; want 1 and an error", st, out, errs)
			}

			// stopall and killall: only the test's containers (its label).
			check("stopall", 0, "stopped ", "stopall", "-t", "0", sel, tag)
			check("killall", 0, "no running containers\n", "killall", sel)
			b2 := start()
			out := check("killall", 0, "killed ", "killall", sel)
			if strings.Count(out, "killed ") != 1 {
				t.Errorf("killall %s killed other than the one running container %s:\n%s", sel, b2[:12], out)
			}
			for _, id := range []string{a, b, b2} {
				if d, err := e.InspectContainer(ctx, id, engine.InspectContainerOptions{}); err != nil || d.Running {
					t.Errorf("container %s still running after stopall and killall (%v)", id[:12], err)
				}
			}

			// clean removes the test's stopped containers; purge finds no
			// dangling image of the test's.
			out = check("clean", 0, "removed ", "clean", sel)
			if n := strings.Count(out, "removed "); n != 3 {
				t.Errorf("clean %s removed %d containers, want the test's 3:\n%s", sel, n, out)
			}
			check("purge", 0, "no dangling images\n", "purge", sel)
		})
	}
}

// At a repository built through its bin/build, run-bash IMAGE resolves a
// short image name to the local image of that name its build tagged under
// a registry path (someprefix/NAME:latest), as the legacy-images layout
// maps NAME to legacy/NAME, saying so; two such images are an error that
// lists them. enter finds a running container of that image the same way.
func TestEngineRunBashShortName(t *testing.T) {
	e := enginetest.Require(t)
	bin := buildDmake(t)
	ctx := context.Background()
	name := fmt.Sprintf("short%d", os.Getpid())
	a := fmt.Sprintf("dmaketest-short-a/%s:latest", name)
	b := fmt.Sprintf("dmaketest-short-b/%s:latest", name)
	removeOnCleanup(t, e, a, b)
	for _, tag := range []string{a, b} {
		if err := e.Tag(ctx, "busybox:latest", tag); err != nil {
			t.Fatal(err)
		}
	}
	repo := t.TempDir()
	writeFiles(t, repo, map[string]string{
		"bin/build":              "#!/bin/bash\nmake -f $DOCKER_HOME/images/$1.mk build\n",
		"images/" + name + ".mk": "build:\n",
	})
	env := []string{"DOCKER_HOME=" + repo}
	run := func() (string, string, int) {
		return runBinary(t, bin, env, "--util", "run-bash", name, "-l", enginetest.Label+"=short", "--", "-c", "exit 3")
	}
	_, stderr, status := run()
	if status != 1 || !strings.Contains(stderr, "is ambiguous: 2 local images have that name ("+a+", "+b+")") {
		t.Errorf("run-bash %s with two images of that name: status %d\n%s", name, status, stderr)
	}
	e.RemoveImage(ctx, b, engine.RemoveImageOptions{})
	_, stderr, status = run()
	if status != 3 || !strings.Contains(stderr, name+" is "+a) {
		t.Errorf("run-bash %s with one image of that name (%s): status %d\n%s", name, a, status, stderr)
	}
	// enter (and ssh, enter-bash) find the running container of the
	// image the short name resolves to.
	id, err := e.CreateContainer(ctx, engine.CreateContainerOptions{
		Image: a, Cmd: []string{"sleep", "600"}, Entrypoint: []string{},
		Labels: map[string]string{enginetest.Label: "short"}, NetworkMode: "none",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.RemoveContainer(context.Background(), id, engine.RemoveContainerOptions{Force: true}) })
	if err := e.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, status := runBinary(t, bin, env, "--util", "enter", name, "sh", "-c", "echo in $(hostname)")
	if status != 0 || stdout != "in "+id[:12]+"\n" {
		t.Errorf("enter %s: status %d, stdout %q\n%s", name, status, stdout, stderr)
	}
}
