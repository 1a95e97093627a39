package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fuzzIsolated says the fuzz target may run arbitrary generated scripts:
// only inside a throwaway container (see bench/shellrun-fuzz.sh) or the
// hostile corpus's container.
func fuzzIsolated() bool {
	return os.Getenv("DMAKE_FUZZ_ISOLATED") == "1" || os.Getenv(insideEnv) == "1"
}

// FuzzDryRun dry-runs generated scripts in this process (so that a crash
// is a finding) and checks the report's invariants and a few host
// sentinels after each run: no panic, no escape. Generated inputs run only
// where fuzzIsolated; elsewhere only the benign seeds run.
func FuzzDryRun(f *testing.F) {
	seeds := []string{
		"apt-get install -y nginx\nmkdir -p /opt/x && cd /opt/x && echo hi > f\n",
		"set -eu\nx=${1:-a}\nfor i in 1 2 3; do echo $i >> /tmp/l; done\n[[ -f /tmp/l ]] && rm /tmp/l\n",
		"f() { local a=$1; echo ${a//o/0}; }\nf foo | tee /etc/motd\ncase $x in a) :;; *) false;; esac || true\n",
		"useradd -m app; chown app:app /home/app; ln -s /home/app /srv/app; cp -r /home/app /srv/b\n",
		"sed -i 's/a/b/g' /etc/passwd; grep -q root /etc/passwd && echo ok; cat <<EOF >/etc/x\n$HOME\nEOF\n",
		"exec 2>&1; trap 'echo bye' EXIT; eval \"echo $((1+2))\"; bash -c 'echo nested'\n",
	}
	if files, _ := filepath.Glob(plantedDir + "/*.sh"); len(files) > 0 {
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				seeds = append(seeds, string(b))
			}
		}
	}
	if fuzzIsolated() {
		if files, _ := filepath.Glob(hostileDir + "/*.sh"); len(files) > 0 {
			for _, p := range files {
				// Memory bombs need the sandbox child's limits, which an
				// in-process fuzz worker does not have.
				if strings.Contains(p, "memory_bomb") {
					continue
				}
				if b, err := os.ReadFile(p); err == nil {
					seeds = append(seeds, string(b))
				}
			}
		}
	}
	for _, s := range seeds {
		f.Add(s, true)
	}
	sentinels := hostSentinels()
	benign := map[string]bool{}
	for _, s := range seeds {
		benign[s] = true
	}
	f.Fuzz(func(t *testing.T, src string, bash bool) {
		if !fuzzIsolated() && !benign[src] {
			t.Skip("generated scripts run only in isolation (DMAKE_FUZZ_ISOLATED=1 in a throwaway container)")
		}
		shell := "sh"
		if bash {
			shell = "bash"
		}
		img := Image{Name: "fuzz", Scripts: []Script{{Path: "fuzz.sh", Source: []byte(src), Role: RoleInstall, Shell: shell}}}
		rep := DryRunInProcess(context.Background(), img, Options{Timeout: 2 * time.Second, MaxSteps: 20000})
		for _, fc := range rep.Files {
			if !strings.HasPrefix(fc.Path, "/") || filepath.Clean(fc.Path) != fc.Path {
				t.Errorf("file change with a bad path: %+v", fc)
			}
		}
		for _, d := range append(rep.Errors, rep.Warnings...) {
			if d.Pos != "" && !strings.HasPrefix(d.Pos, "fuzz.sh") && !strings.HasPrefix(d.Pos, "/") {
				t.Errorf("diagnostic with a bad position: %+v", d)
			}
		}
		if now := hostSentinels(); now != sentinels {
			t.Fatalf("the host changed:\nbefore %s\nafter  %s", sentinels, now)
		}
	})
}

// hostSentinels describes, cheaply, places a sandbox escape would touch:
// the modification times of /, /etc, /tmp, /root and of /etc/passwd.
func hostSentinels() string {
	var b strings.Builder
	for _, p := range []string{"/", "/etc", "/root", "/etc/passwd", "/etc/shadow", "/usr/bin"} {
		fi, err := os.Lstat(p)
		if err != nil {
			b.WriteString(p + ":absent ")
			continue
		}
		b.WriteString(p + ":" + fi.ModTime().String() + " ")
	}
	return b.String()
}
