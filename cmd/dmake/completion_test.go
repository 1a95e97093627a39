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

	"github.com/dmake-dev/dmake/legacyutil"
)

// generated runs dmake with args and returns its stdout.
func generated(t *testing.T, args ...string) []byte {
	t.Helper()
	var out, errb bytes.Buffer
	if status := run(context.Background(), append([]string{"dmake"}, args...), legacyutil.Stdio{Out: &out, Err: &errb}, utilities); status != 0 || errb.Len() > 0 {
		t.Fatalf("dmake %s: status %d, stderr %q", strings.Join(args, " "), status, errb.String())
	}
	return out.Bytes()
}

// checkGolden compares got with testdata/name (go test -update rewrites it).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update to accept):\n%s", golden, got)
	}
}

// The completion scripts and the man page are generated from the flag
// definitions; the goldens show a change to them in review.
func TestCompletionGolden(t *testing.T) {
	for _, sh := range completionShells {
		checkGolden(t, "completion."+sh+".golden", generated(t, "--completion="+sh))
	}
	var out, errb bytes.Buffer
	if status := run(context.Background(), []string{"dmake", "--completion=fish"}, legacyutil.Stdio{Out: &out, Err: &errb}, utilities); status != 2 || !strings.Contains(errb.String(), "want one of bash, zsh") {
		t.Errorf("--completion=fish: status %d, stderr %q", status, errb.String())
	}
}

// completionCases are command lines (the cursor at the end), the
// directory they are typed in (relative to a copy of legacy-images) and
// the completions both shells must offer.
var completionCases = []struct {
	dir, line string
	want      []string
}{
	{".", "dmake --prog", []string{"--progress"}},
	{".", "dmake --progress=", []string{"auto", "json", "plain", "quiet", "tty"}},
	{".", "dmake --progress=pl", []string{"plain"}},
	{".", "dmake --mode ", []string{"dev", "prod"}},
	{".", "dmake --watch-policy ", []string{"cancel", "finish"}},
	{".", "dmake --graph=", []string{"dot", "json", "mermaid"}},
	{".", "dmake --completion=", []string{"bash", "zsh"}},
	{".", "dmake ", []string{"base", "ssh", "web"}},
	{".", "dmake --no-build s", []string{"ssh"}},
	{"images", "dmake -C .. w", []string{"web"}},
	{"images", "dmake --directory=.. b", []string{"base"}},
	{"images", "dmake ", nil},
	{".", "dmake --util s", []string{"ssh", "stopall"}},
}

// TestBashCompletion completes command lines with the bash script as
// bash's programmable completion calls it.
func TestBashCompletion(t *testing.T) {
	needTool(t, "bash")
	const bash = "bash"
	script := filepath.Join(t.TempDir(), "dmake.bash")
	os.WriteFile(script, generated(t, "--completion=bash"), 0o644)
	repo := copyLegacyImages(t)
	for _, c := range completionCases {
		cmd := exec.Command(bash, "--norc", "--noprofile", filepath.Join("testdata", "bash-complete.bash"), script, filepath.Join(repo, c.dir), c.line)
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("%q in %s: %v", c.line, c.dir, err)
			continue
		}
		checkCompletions(t, c.dir, c.line, strings.Fields(string(out)), c.want)
	}
}

// TestZshCompletion completes command lines with the zsh script in an
// interactive zsh on a pty, through the completion system.
func TestZshCompletion(t *testing.T) {
	needTool(t, "zsh")
	const zsh = "zsh"
	script := filepath.Join(t.TempDir(), "_dmake")
	os.WriteFile(script, generated(t, "--completion=zsh"), 0o644)
	repo := copyLegacyImages(t)
	args := []string{"-f", filepath.Join("testdata", "zsh-complete.zsh"), script}
	for _, c := range completionCases {
		args = append(args, filepath.Join(repo, c.dir), c.line)
	}
	cmd := exec.Command(zsh, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("zsh: %v\n%s", err, errb.String())
	}
	got := map[int][]string{}
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if _, err := fmt.Sscanf(l, "-- %d", &n); err == nil && strings.HasPrefix(l, "-- ") {
			got[n] = []string{}
			continue
		}
		got[n] = append(got[n], l)
	}
	for i, c := range completionCases {
		m, ok := got[i+1]
		if !ok {
			t.Errorf("%q in %s: no result", c.line, c.dir)
			continue
		}
		checkCompletions(t, c.dir, c.line, m, c.want)
	}
}

func checkCompletions(t *testing.T, dir, line string, got, want []string) {
	t.Helper()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("%q in %s: completions %q, want %q", line, dir, got, want)
	}
}

// The man page is valid roff (groff warns of nothing) and documents every
// flag, each with its values.
func TestManPage(t *testing.T) {
	page := generated(t, "--man")
	checkGolden(t, "dmake.1.golden", page)
	needTool(t, "groff")
	const groff = "groff"
	cmd := exec.Command(groff, "-man", "-Tutf8", "-ww", "-rLL=200n")
	cmd.Stdin = bytes.NewReader(page)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil || errb.Len() > 0 {
		t.Fatalf("groff: %v\n%s", err, errb.String())
	}
	text := string(stripOverstrike(out.Bytes()))
	_, fs, _ := parseFlags(nil)
	for _, d := range flagDocs(fs) {
		if !strings.Contains(text, "--"+d.Long) {
			t.Errorf("the man page has no --%s", d.Long)
		}
		if len(d.Values) > 0 && !strings.Contains(text, strings.Join(d.Values, ", ")) {
			t.Errorf("the man page does not list the values of --%s", d.Long)
		}
	}
	for _, ex := range examples {
		if !strings.Contains(text, ex.cmd) {
			t.Errorf("the man page has no example %q", ex.cmd)
		}
	}
}

// stripOverstrike removes the backspace overstriking groff's tty output
// uses for bold and underline ("x\bx", "_\bx").
func stripOverstrike(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); i++ {
		if i+2 < len(b) && b[i+1] == '\b' {
			continue
		}
		if b[i] == '\b' {
			continue
		}
		out = append(out, b[i])
	}
	return out
}
