package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
)

var update = flag.Bool("update", false, "rewrite golden files")

const hostileDir = "../../testdata/shellrun/hostile"

// insideEnv tells the test binary it runs inside the throwaway container.
const insideEnv = "DMAKE_HOSTILE_INSIDE"

// harmless are the hostile scripts that may run bare on a developer's
// machine: no bombs, no loops, no rm -rf.
var harmless = []string{"cat_shadow.sh", "command_bypass.sh", "false_errors.sh", "report_escape.sh", "dev_tcp.sh", "indirect_pid.sh", "lookups.sh", "procsubst.sh", "prompt_expansion.sh", "subscript_subst.sh", "read_stdin.sh", "tilde_user.sh", "tmpdir_bypass.sh", "write_passwd.sh"}

// hostileImages loads the corpus as one image per script (so that a
// script that kills its sandbox child only costs its own report), plus
// generated scripts too big to keep in the repository.
func hostileImages(t testing.TB, dir string, only []string) []Image {
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var imgs []Image
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".sh") || only != nil && !slices.Contains(only, e.Name()) {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, Image{Name: e.Name(), Scripts: []Script{{Path: "hostile/" + e.Name(), Source: src, Role: RoleInstall, Shell: "bash"}}})
	}
	if only == nil {
		// ~200k unspaced '(' overflow the parser's stack: a fatal Go error
		// that only a child process can contain.
		imgs = append(imgs, Image{Name: "gen_parens.sh", Scripts: []Script{{Path: "hostile/gen_parens.sh", Role: RoleInstall, Shell: "bash",
			Source: []byte("#!/bin/bash\necho " + strings.Repeat("$(", 200000) + strings.Repeat(")", 200000) + "\n")}}})
		imgs = append(imgs, Image{Name: "gen_arith.sh", Scripts: []Script{{Path: "hostile/gen_arith.sh", Role: RoleInstall, Shell: "bash",
			Source: []byte("#!/bin/bash\necho $((" + strings.Repeat("(", 200000) + "1" + strings.Repeat(")", 200000) + "))\n")}}})
	}
	return imgs
}

// verdict summarises, from a report, what the sandbox kept from the host.
func verdict(r *Report) string {
	var parts []string
	whats := map[string]bool{}
	for _, c := range r.Contained {
		switch c.What {
		case "loop-budget", "timeout", "memory-limit":
			whats["budget-stop"] = true
		default:
			whats[c.What] = true
		}
	}
	for _, e := range r.Errors {
		switch e.Code {
		case "stack-limit", "crash":
			whats[e.Code] = true
		case "loop-budget", "timeout", "memory-limit":
			// Which of these budgets a bomb exhausts first depends on the
			// machine's load (a memory bomb allocates slower than the
			// deadline on a busy machine): the verdict is that a budget
			// stopped it, not which one.
			whats["budget-stop"] = true
		}
	}
	for w := range whats {
		parts = append(parts, w)
	}
	sort.Strings(parts)
	var writes []string
	for _, f := range r.Files {
		if f.Change != "created" || strings.HasPrefix(f.Path, "/etc/") {
			writes = append(writes, f.Change+":"+f.Path)
		}
	}
	if len(writes) > 6 {
		// A wiped tree: its size is the skeleton's, not the script's.
		writes = append(writes[:3], "+many more")
	}
	if len(writes) > 0 {
		parts = append(parts, "virtual-fs["+strings.Join(writes, " ")+"]")
	}
	if len(r.Network) > 0 {
		parts = append(parts, fmt.Sprintf("network-not-fetched[%d]", len(r.Network)))
	}
	execs := 0
	for _, c := range r.Commands {
		if c.Kind != "builtin" && c.Kind != "function" {
			execs++
		}
	}
	if execs > 0 {
		parts = append(parts, fmt.Sprintf("modelled-commands[%d]", execs))
	}
	if len(parts) == 0 {
		return "nothing to contain"
	}
	return strings.Join(parts, " ")
}

// hostState is what must not change on the host.
type hostState map[string]string

// snapshot records checksums and mtimes of sensitive files and the
// listing (with mtimes) of writable places.
func snapshot(t testing.TB, full bool) hostState {
	st := hostState{}
	for _, f := range []string{"/etc/passwd", "/etc/shadow", "/etc/group", "/etc/hosts", "/etc/hostname", "/etc/motd", "/bin/sh", "/usr/bin/id", "/root/.bashrc", "/pwned"} {
		b, err := os.ReadFile(f)
		fi, err2 := os.Lstat(f)
		switch {
		case err != nil || err2 != nil:
			st[f] = "absent"
		default:
			sum := sha256.Sum256(b)
			st[f] = hex.EncodeToString(sum[:8]) + " " + fi.ModTime().String() + " " + fi.Mode().String()
		}
	}
	if !full {
		return st
	}
	for _, root := range []string{"/tmp", "/var/tmp", "/dev/shm", "/root", "/etc", "/home", "/run", "/"} {
		depth := strings.Count(root, "/")
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && (p == "/proc" || p == "/sys" || p == "/dev" && root == "/" || strings.Count(p, "/")-depth > 4) {
				return filepath.SkipDir
			}
			if root == "/" && p != "/" && strings.Count(p, "/") > 1 {
				return filepath.SkipDir
			}
			fi, err := d.Info()
			if err == nil {
				st["ls:"+p] = fi.Mode().String() + " " + fi.ModTime().String()
			}
			return nil
		})
	}
	return st
}

func diffStates(a, b hostState) []string {
	var out []string
	for k, v := range a {
		if b[k] != v {
			out = append(out, fmt.Sprintf("%s: %q -> %q", k, v, b[k]))
		}
	}
	for k, v := range b {
		if _, ok := a[k]; !ok {
			out = append(out, fmt.Sprintf("%s: new %q", k, v))
		}
	}
	sort.Strings(out)
	return out
}

var hostileOpts = Options{Timeout: 5 * time.Second, MemoryLimit: 512 << 20}

// TestHostileCorpus runs the hostile corpus through Check and proves the
// host unchanged. Inside the throwaway container (TestHostileInContainer)
// it runs every script and checks every writable place; bare, it runs only
// the harmless scripts and checks the sensitive files.
func TestHostileCorpus(t *testing.T) {
	inside := os.Getenv(insideEnv) == "1"
	dir := hostileDir
	var only []string
	if inside {
		dir = "/corpus"
		if o := os.Getenv("DMAKE_HOSTILE_ONLY"); o != "" {
			only = strings.Split(o, ",")
		}
	} else {
		only = harmless
	}
	imgs := hostileImages(t, dir, only)
	before := snapshot(t, inside)
	start := time.Now()
	reps, err := Check(context.Background(), imgs, hostileOpts)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	after := snapshot(t, inside)
	// The sandbox child's empty chroot jail is made and removed in the
	// temp dir: its mtime moves, its entries must not.
	delete(before, "ls:"+strings.TrimSuffix(os.TempDir(), "/"))
	delete(after, "ls:"+strings.TrimSuffix(os.TempDir(), "/"))
	if d := diffStates(before, after); len(d) > 0 {
		t.Errorf("the host changed:\n%s", strings.Join(d, "\n"))
	}
	for i, r := range reps {
		v := verdict(r)
		fmt.Printf("VERDICT %s: %s\n", imgs[i].Name, v)
		var b strings.Builder
		r.WriteText(&b)
		if testing.Verbose() {
			t.Log(b.String())
		}
		// Finding 11 of issue 18: script text reaches the terminal escaped.
		if strings.ContainsAny(b.String(), "\x1b\x07\u009b") {
			t.Errorf("%s: the text report carries raw control characters:\n%q", imgs[i].Name, b.String())
		}
		// Finding 10: valid bash is not reported as an error.
		if imgs[i].Name == "false_errors.sh" && len(r.Errors) > 0 {
			t.Errorf("%s: false errors: %+v", imgs[i].Name, r.Errors)
		}
		if v == "nothing to contain" {
			t.Errorf("%s: no verdict", imgs[i].Name)
		}
	}
	t.Logf("%d hostile scripts in %v", len(imgs), elapsed)
	if elapsed > 90*time.Second {
		t.Errorf("the corpus took %v: something was not bounded", elapsed)
	}
}

// TestHostileInContainer runs TestHostileCorpus inside a throwaway
// debian:bookworm container (network none, this test binary and the
// corpus mounted read-only), compares the verdicts with the golden file,
// and checks with docker diff that nothing changed in the container
// outside the expected paths.
func TestHostileInContainer(t *testing.T) {
	if os.Getenv(insideEnv) == "1" {
		t.Skip("already inside")
	}
	c := enginetest.Require(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	corpus, err := filepath.Abs(hostileDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	run := enginetest.RunThrowaway(ctx, t, c, "shellrun-hostile", engine.CreateContainerOptions{
		Image:       "debian:bookworm",
		Cmd:         []string{"/sandbox.test", "-test.run", "^TestHostileCorpus$", "-test.v", "-test.count=1"},
		Env:         []string{insideEnv + "=1", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"},
		NetworkMode: "none",
		Binds:       []string{exe + ":/sandbox.test:ro", corpus + ":/corpus:ro"},
		Memory:      3 << 30,
		PidsLimit:   512,
	})
	if run.ExitCode != 0 {
		t.Errorf("the corpus test failed inside the container (exit %d):\n%s", run.ExitCode, run.Logs)
	}
	var verdicts []string
	sc := bufio.NewScanner(strings.NewReader(run.Logs))
	for sc.Scan() {
		if l, ok := strings.CutPrefix(sc.Text(), "VERDICT "); ok {
			verdicts = append(verdicts, l)
		}
	}
	sort.Strings(verdicts)
	golden(t, filepath.Join(hostileDir, "verdicts.golden"), []byte(strings.Join(verdicts, "\n")+"\n"))

	for _, ch := range run.Changes {
		// The child's empty chroot jail is made and removed in /tmp; the
		// bind mounts' targets appear as added.
		if ch.Path == "/tmp" && ch.Kind == 'C' ||
			(ch.Path == "/corpus" || ch.Path == "/sandbox.test") && ch.Kind == 'A' {
			continue
		}
		t.Errorf("docker diff: %c %s", ch.Kind, ch.Path)
	}
}

// golden compares got with a golden file, or rewrites it with -update.
func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (run with -update after checking):\n--- want\n%s\n--- got\n%s", file, want, got)
	}
}
