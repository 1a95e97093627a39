package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/internal/makeargs"
	"github.com/dmake-dev/dmake/legacyutil"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestHelp compares "dmake --help" with testdata/help.golden: the help is
// part of the interface (run go test -update after a deliberate change).
func TestHelp(t *testing.T) {
	var out, errb bytes.Buffer
	status := run(context.Background(), []string{"dmake", "--help"}, legacyutil.Stdio{Out: &out, Err: &errb}, utilities)
	if status != 0 || errb.Len() > 0 {
		t.Fatalf("--help: status %d, stderr %q", status, errb.String())
	}
	golden := filepath.Join("testdata", "help.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("--help differs from %s (go test -update to accept):\n%s", golden, out.String())
	}
}

// TestExitCodes checks the exit statuses scripts rely on: usage errors
// are 2, as make's, and an unknown utility is a usage error too.
func TestExitCodes(t *testing.T) {
	for _, argv := range [][]string{
		{"dmake", "--no-such-flag"},
		{"dmake", "-x"},
		{"dmake", "--util", "no-such-utility"},
		{"dmake", "-C"},
	} {
		var out, errb bytes.Buffer
		if status := run(context.Background(), argv, legacyutil.Stdio{Out: &out, Err: &errb}, utilities); status != 2 {
			t.Errorf("%q: status %d, want 2", argv, status)
		}
		if errb.Len() == 0 {
			t.Errorf("%q: no message on stderr", argv)
		}
	}
}

// helpExamples returns the command lines of the Examples in --help.
func helpExamples(t *testing.T) [][]string {
	t.Helper()
	var out bytes.Buffer
	run(context.Background(), []string{"dmake", "--help"}, legacyutil.Stdio{Out: &out, Err: io.Discard}, utilities)
	_, ex, ok := strings.Cut(out.String(), "\nExamples:\n")
	if !ok {
		t.Fatal("--help has no Examples")
	}
	ex, _, _ = strings.Cut(ex, "\n\n")
	var cmds [][]string
	for _, l := range strings.Split(ex, "\n") {
		if !strings.HasPrefix(l, "  dmake ") {
			continue // a wrapped description
		}
		cmd, _, ok := strings.Cut(strings.TrimSpace(l), "  ")
		if !ok {
			t.Errorf("example %q: no two spaces between the command and what it does", l)
		}
		cmds = append(cmds, strings.Fields(cmd))
	}
	if len(cmds) < 5 {
		t.Fatalf("only %d examples read:\n%s", len(cmds), ex)
	}
	return cmds
}

// Every example of --help parses, and those that need no engine work at
// the root of a copy of legacy-images (and the -C one from its parent), as
// the help says: exit status 0.
func TestHelpExamples(t *testing.T) {
	bin := buildDmake(t)
	repo := copyLegacyImages(t)
	parent := t.TempDir()
	if err := os.Symlink(repo, filepath.Join(parent, "legacy-images")); err != nil {
		t.Fatal(err)
	}
	for _, argv := range helpExamples(t) {
		name := strings.Join(argv, " ")
		flags, utilName, _, err := makeargs.Normalize(argv[1:])
		if err == nil && utilName == "" {
			_, _, err = parseFlags(flags)
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if utilName != "" {
			if _, ok := utilities().Lookup(utilName); !ok {
				t.Errorf("%s: no utility %s", name, utilName)
			}
			continue
		}
		args := argv[1:]
		switch {
		case slices.Contains(args, "--watch"):
			continue // runs until interrupted
		case !slices.Contains(args, "-n") && !slices.Contains(args, "--check") && !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--graph") }):
			args = append([]string{"--no-build", "--no-check"}, args...) // no engine
		}
		cmd := exec.Command(bin, args...)
		cmd.Dir = repo
		if slices.Contains(args, "legacy-images") {
			cmd.Dir = parent
		}
		cmd.Env = append(os.Environ(), "DOCKER_HOME=")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s (run as dmake %s in %s): %v\n%s", name, strings.Join(args, " "), cmd.Dir, err, out)
		}
	}
}

// A bad option value stops dmake before any work with exit status 2 and a
// message that lists the valid values (make's own words for make's
// options); --bust words are checked against
// the repository's scripts before anything is built.
func TestBadOptionValues(t *testing.T) {
	for _, tt := range []struct {
		argv []string
		want string
	}{
		{[]string{"dmake", "-j0", "all"}, "the '-j' option requires a positive integer argument"},
		{[]string{"dmake", "--jobs=x"}, "the '-j' option requires a positive integer argument"},
		{[]string{"dmake", "--mode=staging", "ssh"}, `--mode "staging": want one of dev, prod`},
		{[]string{"dmake", "--progress=fancy", "ssh"}, `--progress "fancy": want one of auto, tty, plain, json, quiet`},
		{[]string{"dmake", "--graph=png"}, `--graph "png": want one of dot, json, mermaid`},
		{[]string{"dmake", "-Ofoo"}, "dmake: *** unknown output-sync type 'foo'.  Stop.\n"},
		{[]string{"dmake", "-j2k"}, "dmake: the '-j' option requires a positive integer argument\n"},
		{[]string{"dmake", "--no-such-option"}, "dmake: unrecognized option '--no-such-option'\n"},
		{[]string{"dmake", "--directory"}, "dmake: option '--directory' requires an argument\n"},
		{[]string{"dmake", "--watch-policy=later"}, "want cancel or finish"},
		{[]string{"dmake", "--debounce=-1s"}, "want a duration of zero or more"},
		{[]string{"dmake", "--check-format=xml", "--check-report=r"}, `--check-format "xml": want one of json, sarif`},
		{[]string{"dmake", "--check-format=sarif", "ssh"}, "--check-format sarif: the format of --check-report FILE, which is not given"},
	} {
		var out, errb bytes.Buffer
		status := run(context.Background(), tt.argv, legacyutil.Stdio{Out: &out, Err: &errb}, utilities)
		if status != 2 || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%q: status %d, stderr %q; want 2 and %q", tt.argv, status, errb.String(), tt.want)
		}
	}
	// --check-report asks for the check.
	opts, _, err := parseFlags([]string{"--check-report", "r.json", "ssh"})
	if err != nil || !opts.Check {
		t.Errorf("--check-report without --check: check=%v err=%v", opts.Check, err)
	}

	bin := buildDmake(t)
	repo := copyLegacyImages(t)
	_, stderr, status := runBinary(t, bin, []string{"DOCKER_HOME="}, "-C", repo, "--no-build", "--bust", "nosuch.sh", "ssh")
	if status != 2 || !strings.Contains(stderr, "--bust nosuch.sh: no script") || !strings.Contains(stderr, "03_sshd.sh (sshd)") {
		t.Errorf("--bust nosuch.sh: status %d\n%s", status, stderr)
	}
	if _, err := os.Stat(filepath.Join(repo, "images", "ssh", "build")); err == nil {
		t.Error("--bust nosuch.sh: the recipes ran before the check")
	}
	// --check-report without --check checks and writes the report.
	report := filepath.Join(t.TempDir(), "r.json")
	_, stderr, status = runBinary(t, bin, []string{"DOCKER_HOME="}, "-C", repo, "--check-report", report, "ssh")
	if b, err := os.ReadFile(report); status != 0 || err != nil || !strings.Contains(string(b), `"schemaVersion"`) {
		t.Errorf("--check-report without --check: status %d, report %v\n%s", status, err, stderr)
	}
}
