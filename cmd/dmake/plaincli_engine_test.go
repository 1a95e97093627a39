package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/internal/imagecompare"
	"github.com/dmake-dev/dmake/internal/txtar"
)

// TestEnginePlainMakefileLikeCLI makes each plain Makefile of
// testdata/plaincli with GNU make and the docker CLI (BuildKit), and with
// dmake, which takes its docker build over (on the engine's BuildKit and
// on its classic builder), and compares the images
// (their file trees, modes, owners and contents, and configuration), but
// for what testdata/plaincli.ignore lists. The CLI is the oracle of what a
// Makefile's docker build makes.
func TestEnginePlainMakefileLikeCLI(t *testing.T) {
	eng := enginetest.Require(t)
	bin := buildDmake(t)
	// The docker CLI of the engine .ci/engine.sh installs (Debian's
	// docker.io, whose BuildKit client is built in), before another one
	// in PATH (a newer CLI wants its buildx plugin for BuildKit).
	docker := "/usr/bin/docker"
	if _, err := os.Stat(docker); err != nil {
		if docker, err = exec.LookPath("docker"); err != nil {
			t.Fatalf("the docker CLI is the oracle here: %v", err)
		}
	}
	const gnuMake = "/usr/bin/make"
	if _, err := os.Stat(gnuMake); err != nil {
		t.Fatal("GNU make (/usr/bin/make) is needed: it runs the CLI's build")
	}
	rules := imagecompare.LoadIgnore(t, filepath.Join("testdata", "plaincli.ignore"))
	classicRules := append(imagecompare.LoadIgnore(t, filepath.Join("testdata", "plaincli-classic.ignore")), rules...)
	cases, err := filepath.Glob(filepath.Join("testdata", "plaincli", "*.txtar"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, c := range cases {
		name := strings.TrimSuffix(filepath.Base(c), ".txtar")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(c)
			if err != nil {
				t.Fatal(err)
			}
			ar := txtar.Parse(data)
			root := t.TempDir()
			tags := []string{""}
			for _, f := range ar.Files {
				if f.Name == "tags" {
					tags = strings.Split(strings.TrimSuffix(string(f.Data), "\n"), "\n")
					continue
				}
				if f.Name == "symlinks" {
					for _, l := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
						name, target, _ := strings.Cut(l, " ")
						if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
							t.Fatal(err)
						}
					}
					continue
				}
				p := filepath.Join(root, f.Name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				mode := os.FileMode(0o644)
				if bytes.HasPrefix(f.Data, []byte("#!")) {
					mode = 0o755
				}
				if err := os.WriteFile(p, f.Data, mode); err != nil {
					t.Fatal(err)
				}
			}
			// A file of this run's own: no COPY . of another run is in a
			// builder's cache (BuildKit's cache keys on content, not
			// times; the classic builder's on times too).
			if err := os.WriteFile(filepath.Join(root, "nonce"), []byte(fmt.Sprint(time.Now().UnixNano())), 0o644); err != nil {
				t.Fatal(err)
			}
			prefix := fmt.Sprintf("dmaketest-plaincli-%d/%s", os.Getpid(), name)
			remove := func() {
				for _, who := range []string{"cli", "dmake-auto", "dmake-classic"} {
					for _, s := range tags {
						eng.RemoveImage(context.Background(), prefix+"-"+who+s, engine.RemoveImageOptions{})
					}
				}
			}
			remove()
			if os.Getenv("KEEP_PLAINCLI") == "" {
				t.Cleanup(remove)
			}
			run := func(who string, argv ...string) {
				t.Helper()
				cmd := exec.Command(argv[0], append(argv[1:], "-C", root, "TAG="+prefix+"-"+who)...)
				cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=1", "DOCKER_HOME=", "PATH="+filepath.Dir(docker)+":"+os.Getenv("PATH"))
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
				}
			}
			run("cli", gnuMake)
			// dmake on the engine's BuildKit (its default) and on the
			// classic builder, which gets dmake's Dockerfile in the
			// context tar (engine.DockerfileName).
			for _, builder := range []string{"auto", "classic"} {
				who := "dmake-" + builder
				run(who, bin, "--progress=plain", "--builder", builder)
				for _, s := range tags {
					r := rules
					if builder == "classic" {
						r = classicRules
					}
					res := imagecompare.Compare(t, eng, prefix+"-cli"+s, prefix+"-"+who+s, r)
					if res.Want < 10 {
						t.Errorf("%s: a tree of %d entries: the export did not work", prefix+"-cli"+s, res.Want)
					}
				}
			}
		})
	}
}
