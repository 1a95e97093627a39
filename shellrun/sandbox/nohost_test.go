package sandbox

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// lookupScript calls every way the interpreter has of resolving a command
// or a path: each must be answered from the virtual FS.
const lookupScript = `#!/bin/bash
pwd(){ builtin pwd "$@"; }
pwd -P
command -- pwd -P
command -p pwd -P
builtin pwd -P
builtin -- pwd -P
cd /etc && command pwd -P
command -v docker bash
command -pv sshd
command -V ls
command -p type -P bash
command -- type -P bash
type -P bash; type -p sh; type bash; type -t ls
which sshd
hash -r
source /etc/profile
. ~/.bashrc
command -- source /etc/profile
command -p . /etc/profile
builtin source /etc/profile
source bashrc
eval 'pwd -P; type -P sh; command -- pwd -P'
command eval 'command -p type -P sh'
builtin eval 'builtin pwd -P'
trap 'pwd -P; type -P sh' EXIT
command -p trap 'command -- pwd -P' EXIT
f=/etc/passwd; [[ -e $f && -r $f ]]
ls /root; cat /etc/shadow
exec pwd -P
`

// noHostEnv makes the test binary run lookupScript's check under strace
// (see TestNoHostAccess).
const noHostEnv = "DMAKE_NOHOST_INNER"

// TestNoHostAccess runs lookupScript through Check under strace -f and
// asserts that the sandbox child, once it runs scripts, opens, stats,
// executes and connects to nothing on the host: every path it names is
// the Go runtime's own or under /dev/null (where the interpreter's
// fallbacks are sent so that they fail at once).
func TestNoHostAccess(t *testing.T) {
	if os.Getenv(noHostEnv) == "1" {
		reps, err := Check(context.Background(), []Image{{Name: "lookups", Scripts: []Script{{Path: "lookups.sh", Source: []byte(lookupScript), Role: RoleInstall, Shell: "bash"}}}}, Options{Timeout: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if s := reps[0].Scripts[0].Status; s != "ok" {
			t.Fatalf("lookups.sh: %s\n%s", s, render(reps[0]))
		}
		return
	}
	strace, err := exec.LookPath("strace")
	if err != nil {
		if os.Getenv("DMAKE_ENGINE_TESTS") == "1" {
			t.Fatal("strace is missing (CI installs it in .ci/engine.sh)")
		}
		t.Skip("strace is missing")
	}
	log := filepath.Join(t.TempDir(), "strace.log")
	cmd := exec.Command(strace, "-f", "-qq", "-s", "256", "-o", log,
		"-e", "trace=%file,%network,execve,clone,clone3,fork,vfork,madvise",
		os.Args[0], "-test.run=^TestNoHostAccess$", "-test.count=1")
	cmd.Env = append(os.Environ(), noHostEnv+"=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	f, err := os.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line := regexp.MustCompile(`^(\d+) +(?:<\.\.\. )?(\w+)(.*)$`)
	cloned := regexp.MustCompile(`= (\d+)$`)
	path := regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
	allowed := func(p string) bool {
		// The interpreter's fallbacks are sent under /dev/null so that
		// they fail at once (ENOTDIR).
		return p == "/" || p == "/dev/null" || strings.HasPrefix(p, "/dev/null/")
	}
	// Threads are told apart by who cloned them: the sandbox child is the
	// process that executes this binary again, and what it does counts
	// from when it gives up the filesystem (chroot, as root) or starts
	// the images (the huge-page advice on its heap).
	child := map[string]bool{}
	started := false
	execs := 0
	var bad []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		text := sc.Text()
		m := line.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		pid, call, rest := m[1], m[2], m[3]
		switch call {
		case "clone", "clone3", "fork", "vfork":
			if c := cloned.FindStringSubmatch(rest); c != nil && child[pid] {
				child[c[1]] = true
			}
			continue
		case "execve":
			if !strings.Contains(rest, "= -1") && !strings.Contains(rest, "resumed") {
				execs++
				if execs == 2 {
					child[pid] = true
				}
			}
			if execs <= 2 {
				continue
			}
		}
		if !child[pid] {
			continue
		}
		if !started {
			started = call == "chroot" || call == "madvise" && strings.Contains(rest, "MADV_HUGEPAGE")
			continue
		}
		if call == "madvise" || strings.Contains(rest, "<unfinished") {
			continue
		}
		if call == "connect" || call == "socket" || call == "bind" || call == "execve" {
			bad = append(bad, text)
			continue
		}
		for _, pm := range path.FindAllStringSubmatch(rest, -1) {
			if !allowed(pm[1]) {
				bad = append(bad, text)
				break
			}
		}
	}
	if !started {
		t.Fatalf("the sandbox child was not seen in %s", log)
	}
	if len(bad) > 0 {
		t.Errorf("the sandbox child reached the host:\n%s", strings.Join(bad, "\n"))
	}
}
