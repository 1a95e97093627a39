package driver

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

// TestPlainMakefileCheck runs --check and --graph=json in the plain
// Makefile directories of testdata/plaincheck, with no engine to reach,
// and compares the report, the messages and the exit status with
// golden files (the directory written $DIR): a good and a bad Dockerfile,
// a docker build written as shell code, a goal that runs no docker build
// but docker push and kubectl, and a Dockerfile a recipe would generate.
// The docker and kubectl first in PATH write a marker file when run:
// nothing may run, nor any file be written in the directory.
func TestPlainMakefileCheck(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-engine.sock"))
	t.Setenv("DOCKER_CONTEXT", "")
	bin := t.TempDir()
	marker := filepath.Join(t.TempDir(), "ran")
	for _, name := range []string{"docker", "kubectl", "sed", "mkdir", "touch"} {
		stub := fmt.Sprintf("#!/bin/sh\necho \"%s $*\" >> %s\n", name, marker)
		if err := os.WriteFile(filepath.Join(bin, name), []byte(stub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for _, tc := range []struct {
		dir    string
		goals  []string
		status int
	}{
		{"good", nil, 0},
		{"bad", nil, 1},
		{"shellcode", []string{"all"}, 0},
		{"deploy", nil, 0},
		{"generated", nil, 0},
		// $(MAKE) -C svc: the sub-make's docker build is found, its
		// kubectl not run.
		{"submake", nil, 0},
		// A build dmake leaves to the docker CLI (--secret) is said
		// not checked, and not run.
		{"left", nil, 0},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), tc.dir)
			if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "plaincheck", tc.dir))); err != nil {
				t.Fatal(err)
			}
			before := listFiles(t, dir)
			for _, mode := range []struct {
				golden string
				opts   Options
				status int
			}{
				{"check.golden", Options{Check: true}, tc.status},
				{"graph.golden", Options{Graph: "json"}, 0},
			} {
				opts := mode.opts
				opts.WorkDir, opts.Env, opts.Goals, opts.ParseMakeArgs, opts.MakePath = dir, env, tc.goals, parseSubMake, "make"
				var out, errb bytes.Buffer
				status := Run(context.Background(), opts, Stdio{Out: &out, Err: &errb})
				got := fmt.Sprintf("status %d\n--- stdout\n%s--- stderr\n%s", status, out.String(), errb.String())
				got = strings.ReplaceAll(got, dir, "$DIR")
				compareGolden(t, filepath.Join("testdata", "plaincheck", tc.dir, mode.golden), got)
				if status != mode.status {
					t.Errorf("%s: status %d, want %d", mode.golden, status, mode.status)
				}
				if b, err := os.ReadFile(marker); err == nil {
					t.Fatalf("%s: commands ran:\n%s", mode.golden, b)
				}
				if after := listFiles(t, dir); after != before {
					t.Errorf("%s: the directory changed:\n%s\nwas:\n%s", mode.golden, after, before)
				}
			}
		})
	}
}

// parseSubMake parses the arguments of a recipe's make as cmd/dmake does,
// for the forms of testdata/plaincheck: -C DIR, -f FILE, -s, -k,
// NAME=VALUE and goals.
func parseSubMake(args []string) (Options, error) {
	var o Options
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case (a == "-C" || a == "-f") && i+1 < len(args):
			if a == "-C" {
				o.Dir = append(o.Dir, args[i+1])
			} else {
				o.Makefiles = append(o.Makefiles, args[i+1])
			}
			i++
		case a == "-s":
			o.Silent = true
		case a == "-k":
			o.KeepGoing = true
		case strings.HasPrefix(a, "-"):
			return o, fmt.Errorf("option %s: not in this test's parser", a)
		case strings.Contains(a, "="):
			o.Variables = append(o.Variables, a)
		default:
			o.Goals = append(o.Goals, a)
		}
	}
	return o, nil
}

// listFiles lists the files below dir with their sizes and modes.
func listFiles(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %v %d %v\n", p, fi.Mode(), fi.Size(), fi.ModTime())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// compareGolden compares got with the golden file, which -update rewrites.
func compareGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs; got:\n%s\nwant:\n%s", golden, got, want)
	}
}
