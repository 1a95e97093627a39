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
p=PPID; q='$'
for v in "${!p}" "${!q}" "$PPID" "$$"; do
	case $v in 0|1|4242) ;; *) mkdir -p /opt/leak-pid ;; esac
done
x='$(type -P bash; pwd -P)'; : "${x@P}"
declare -a a=()
printf -v 'a[$(command -v sh >/dev/null; echo 1)]' %s x
read -r 'a[$(pwd -P >/dev/null; echo 2)]' </dev/null || true
let 'a[$(command -p type -P sh >/dev/null; echo 3)]=1' 'n=1'
(( a[$(builtin pwd -P >/dev/null; echo 4)]=1 ))
declare 'a[$(type -P ls >/dev/null; echo 5)]=1'
declare -i k=2*2
i='a[$(command -pv sshd >/dev/null; echo 6)]'; : $((i))
j='[$(command -p type -P sh >/dev/null; builtin pwd -P >/dev/null; echo 7)]'; k=a$j; : $((k))
: $(( a[8]=1 ))
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
		for _, f := range reps[0].Files {
			if strings.HasPrefix(f.Path, "/opt/leak") {
				t.Errorf("a host pid reached the script: %s", render(reps[0]))
			}
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
	t.Run("root", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("not root")
		}
		straceCheck(t, strace, nil, os.Args[0])
	})
	t.Run("nobody", func(t *testing.T) {
		exe := os.Args[0]
		var prefix []string
		if os.Geteuid() == 0 {
			// A copy of this binary that nobody may run, run as nobody.
			setpriv, err := exec.LookPath("setpriv")
			if err != nil {
				t.Skip("no setpriv to become nobody")
			}
			dir, err := os.MkdirTemp("", "dmake-nohost-")
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(dir)
			b, err := os.ReadFile(os.Args[0])
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, "sandbox.test"), b, 0o755)
			}
			if err == nil {
				err = os.Chmod(dir, 0o755)
			}
			if err != nil {
				t.Fatal(err)
			}
			exe = filepath.Join(dir, "sandbox.test")
			prefix = []string{setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"}
		}
		straceCheck(t, strace, prefix, exe)
	})
}

// straceCheck runs exe (after prefix, a command that execs it) under
// strace in the mode of TestNoHostAccess that checks lookupScript, and
// checks what the sandbox child did.
func straceCheck(t *testing.T, strace string, prefix []string, exe string) {
	log := filepath.Join(t.TempDir(), "strace.log")
	// --pidns-translation: the child runs in a PID namespace of its
	// own, where a clone returns the new thread's id in that namespace,
	// while strace names each thread by its id in strace's; without the
	// translation a thread the child started could not be told its own.
	args := []string{"-f", "-qq", "--pidns-translation", "-s", "256", "-o", log,
		"-e", "trace=%file,%network,execve,clone,clone3,fork,vfork,madvise"}
	args = append(append(args, prefix...), exe, "-test.run=^TestNoHostAccess$", "-test.count=1")
	cmd := exec.Command(strace, args...)
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), noHostEnv+"=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	f, err := os.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	childExec := 2 + len(prefix[:min(len(prefix), 1)])
	line := regexp.MustCompile(`^(\d+) +(?:<\.\.\. )?(\w+)(.*)$`)
	cloned := regexp.MustCompile(`= (\d+)(?: /\* (\d+) in strace's PID NS \*/)?$`)
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
				if c[2] != "" {
					child[c[2]] = true // in strace's namespace
				} else {
					child[c[1]] = true
				}
			}
			continue
		case "execve":
			if !strings.Contains(rest, "= -1") && !strings.Contains(rest, "resumed") {
				execs++
				if execs == childExec {
					child[pid] = true
				}
			}
			if execs <= childExec {
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
