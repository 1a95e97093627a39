package sandbox

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"
)

func dry(t *testing.T, src string) *Report {
	t.Helper()
	return DryRunInProcess(context.Background(), Image{Name: "t", Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 5 * time.Second})
}

// TestBudgets checks that scripts that never end are stopped by the right
// budget, at the right place.
func TestBudgets(t *testing.T) {
	for _, tc := range []struct{ src, what, pos string }{
		{"while true; do :; done", "loop-budget", "t.sh:1:16"},
		{"while ((1)); do :; done", "loop-budget", "t.sh:1:17"},
		{"f() { f; }; f", "recursion-limit", "t.sh:1:7"},
		{"until false; do echo x >/dev/null; done", "loop-budget", "t.sh:1:17"},
	} {
		rep := dry(t, tc.src)
		found := false
		for _, c := range rep.Contained {
			if c.What == tc.what && c.Pos == tc.pos {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: want %s at %s, got %+v", tc.src, tc.what, tc.pos, rep.Contained)
		}
	}
}

// TestModels checks what the command models do to the virtual FS and the
// report.
func TestModels(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // substrings of the rendered report
	}{
		{"apt", "apt-get update && apt-get install -y --no-install-recommends nginx curl\napt-get purge -y curl",
			[]string{"pkg install apt nginx", "pkg install apt curl", "pkg purge apt curl", "file created /usr/sbin/nginx"}},
		{"apt-no-y", "apt-get install vim", []string{"warning apt-no-y t.sh:1:1"}},
		{"apt-no-y-q", "apt-get -q install vim", []string{"warning apt-no-y t.sh:1:1"}},
		{"apt-qq", "apt-get install -qq vim", []string{"!apt-no-y"}}, // quiet level 2 implies -y (apt-get(8))
		{"apt-q-q", "apt-get -q -q install vim", []string{"!apt-no-y"}},
		{"apt-q=2", "apt-get -q=2 install vim", []string{"!apt-no-y"}},
		{"apt-assume-yes", "apt-get -o APT::Get::Assume-Yes=true install vim", []string{"!apt-no-y"}},
		{"apt-assume-yes-joined", "apt-get -oAPT::Get::Assume-Yes=1 install vim", []string{"!apt-no-y"}},
		{"apt-assume-no", "apt-get -o APT::Get::Assume-Yes=false install vim", []string{"warning apt-no-y t.sh:1:1"}},
		{"pip", "apt-get install -y python3-pip; pip3 install requests==2.0", []string{"pkg install pip requests==2.0", "net pip"}},
		{"mkdir-chmod", "mkdir -p /opt/a/b && chmod 700 /opt/a && chmod u+x,g-r /opt/a/b", []string{"file created /opt/a dir 0700", "file created /opt/a/b dir 0715"}},
		{"cp-mv-rm", "echo hi > /tmp/a; cp /tmp/a /tmp/b; mv /tmp/b /etc/c; rm /tmp/a", []string{"file created /etc/c file", "!file created /tmp/a"}},
		{"ln", "ln -sf /usr/bin/python3 /usr/local/bin/python", []string{"file created /usr/local/bin/python symlink"}},
		{"sed", "printf 'a=1\\nb=2\\n' > /etc/x.conf; sed -i 's/^b=.*/b=3/' /etc/x.conf; grep -qx b=3 /etc/x.conf", []string{"script ok"}},
		{"sed-fails", "set -e; grep -q b=9 /etc/passwd", []string{"error failed t.sh:1:9"}},
		{"useradd", "useradd -m -s /bin/bash app && chown -R app:app /home/app && id -u app", []string{"file created /home/app dir", "file changed /etc/passwd"}},
		{"chown-unknown", "chown nobody2 /tmp", []string{"script failed"}},
		{"tee-touch-install", "echo x | tee /etc/a >/dev/null; touch /etc/b; install -D -m 640 /etc/a /opt/x/y", []string{"file created /etc/a file 0644", "file created /opt/x/y file 0640"}},
		{"curl", "apt-get install -y curl; curl -fsSL https://example.com/k.gpg -o /etc/k.gpg", []string{"net curl https://example.com/k.gpg", "file created /etc/k.gpg", "warning network t.sh:1:26"}},
		{"unknown", "frobnicate --all", []string{"error not-found t.sh:1:1"}},
		{"services", "mkdir -p /etc/service/web && printf '#!/bin/sh\\nexec nginx -g \"daemon off;\"\\n' > /etc/service/web/run", []string{"service web"}},
		{"functions", "install_temporary() { apt-get install -y \"$@\"; echo \"$@\" >> /etc/legacy/packages.temporary; }\nmkdir -p /etc/legacy\ninstall_temporary build-essential", []string{"pkg install apt build-essential build-only"}},
		{"command-v", "command -v apt-get && ! command -v nosuch && type -t mkdir", []string{"script ok"}},
		{"exit", "exit 3", []string{"error exit t.sh:1:1"}},
		{"sh-c", "bash -c 'mkdir /opt/z'", []string{"file created /opt/z dir"}},
		{"no-tmpdir", "set -u; [ -z \"${TMPDIR+set}\" ] && mkdir /opt/no-tmpdir; bash -c '[ -z \"${TMPDIR+set}\" ] && mkdir /opt/nested'", []string{"file created /opt/no-tmpdir dir", "file created /opt/nested dir", "script ok"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := render(dry(t, tc.src))
			for _, w := range tc.want {
				if neg, ok := strings.CutPrefix(w, "!"); ok {
					if strings.Contains(got, neg) {
						t.Errorf("unwanted %q in:\n%s", neg, got)
					}
				} else if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
		})
	}
}

// render flattens a report into greppable lines.
func render(r *Report) string {
	var b strings.Builder
	for _, s := range r.Scripts {
		b.WriteString("script " + s.Status + "\n")
	}
	for _, p := range r.Packages {
		b.WriteString("pkg " + p.Action + " " + p.Manager + " " + p.Name)
		if p.BuildOnly {
			b.WriteString(" build-only")
		}
		b.WriteString("\n")
	}
	for _, f := range r.Files {
		b.WriteString("file " + f.Change + " " + f.Path + " " + f.Type + " " + f.Mode + "\n")
	}
	for _, f := range r.Network {
		b.WriteString("net " + f.Tool + " " + strings.Join(f.URLs, " ") + "\n")
	}
	for _, s := range r.Services {
		b.WriteString("service " + s.Name + "\n")
	}
	for _, d := range r.Warnings {
		b.WriteString("warning " + d.Code + " " + d.Pos + " " + d.Msg + "\n")
	}
	for _, d := range r.Errors {
		b.WriteString("error " + d.Code + " " + d.Pos + " " + d.Msg + "\n")
	}
	for _, d := range r.Unknowns {
		b.WriteString("unknown " + d.Code + " " + d.Pos + " " + d.Msg + "\n")
	}
	return b.String()
}

// TestChildDeathNamesScript checks that when a script kills the sandbox
// child (here the parser overflows its stack), the report names that
// script, the earlier ones ran and the later ones did not, in a lone
// image (one worker) and beside another image (two workers). The child
// tells the parent which script runs through the shared progress page.
func TestChildDeathNamesScript(t *testing.T) {
	crash := "#!/bin/bash\necho " + strings.Repeat("$(", 200000) + strings.Repeat(")", 200000) + "\n"
	img := Image{Name: "crash", Scripts: []Script{
		{Path: "01_ok.sh", Source: []byte("#!/bin/bash\nmkdir -p /opt/a\n"), Role: RoleInstall, Shell: "bash"},
		{Path: "02_ok.sh", Source: []byte("#!/bin/bash\ntouch /opt/a/b\n"), Role: RoleInstall, Shell: "bash"},
		{Path: "03_crash.sh", Source: []byte(crash), Role: RoleInstall, Shell: "bash"},
		{Path: "04_after.sh", Source: []byte("#!/bin/bash\ntrue\n"), Role: RoleInstall, Shell: "bash"},
	}}
	other := Image{Name: "other", Scripts: []Script{{Path: "x.sh", Source: []byte("#!/bin/bash\ntrue\n"), Role: RoleInstall, Shell: "bash"}}}
	for _, imgs := range [][]Image{{img}, {img, other}} {
		reps, err := Check(context.Background(), imgs, Options{Timeout: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range reps[0].Scripts {
			got = append(got, s.Path+"="+s.Status)
		}
		want := "01_ok.sh=ok 02_ok.sh=ok 03_crash.sh=failed 04_after.sh=not-run"
		if g := strings.Join(got, " "); g != want {
			t.Errorf("%d images: scripts %s, want %s", len(imgs), g, want)
		}
		if len(reps[0].Errors) == 0 || reps[0].Errors[0].Pos != "03_crash.sh" || reps[0].Errors[0].Code != "stack-limit" {
			t.Errorf("%d images: errors %+v, want stack-limit at 03_crash.sh", len(imgs), reps[0].Errors)
		}
		if len(imgs) > 1 && !reps[1].OK() {
			t.Errorf("the other image: %+v", reps[1].Errors)
		}
	}
}

// TestFindingsSurviveChildDeath checks that a script that kills the
// sandbox child (stack, memory) or outlives its deadline costs nothing of
// the scripts before it: the network fetch of a "curl | bash" script run
// first is still reported, the culprit is failed with what was contained,
// and a script past its deadline does not stop the next one.
func TestFindingsSurviveChildDeath(t *testing.T) {
	fetch := Script{Path: "01_fetch.sh", Role: RoleInstall, Shell: "bash",
		Source: []byte("#!/bin/bash\ncurl -fsSL https://get.example.com/install.sh | bash\nmkdir -p /opt/fetched\n")}
	after := Script{Path: "03_after.sh", Role: RoleInstall, Shell: "bash", Source: []byte("#!/bin/bash\ntouch /opt/after\n")}
	for _, tc := range []struct {
		name, bomb, code, after string
		timeout                 time.Duration
		maxSteps                int64 // the deadline case lifts the step budget, which a fast machine would exhaust first
	}{
		{"stack", "echo " + strings.Repeat("$(", 200000) + strings.Repeat(")", 200000), "stack-limit", "not-run", time.Minute, 0},
		{"memory", "x=0\nfor i in {1..20}; do x=$x$x; done\nx=${x//0/$x}", "memory-limit", "not-run", time.Minute, 0},
		// The deadline is every script's: 5 s, not a second (the bomb spins
		// a core until it), so that the scripts beside it finish inside it
		// with room for the stalls of a loaded machine (1 s had none).
		{"deadline", "while ((1)); do ((x++)); done", "timeout", "ok", 5 * time.Second, math.MaxInt64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bomb := Script{Path: "02_bomb.sh", Role: RoleInstall, Shell: "bash", Source: []byte("#!/bin/bash\n" + tc.bomb + "\n")}
			img := Image{Name: tc.name, Scripts: []Script{fetch, bomb, after}}
			other := Image{Name: "other", Scripts: []Script{{Path: "x.sh", Source: []byte("#!/bin/bash\ntrue\n"), Role: RoleInstall, Shell: "bash"}}}
			reps, err := Check(context.Background(), []Image{img, other}, Options{Timeout: tc.timeout, MaxSteps: tc.maxSteps, MemoryLimit: 512 << 20})
			if err != nil {
				t.Fatal(err)
			}
			r := reps[0]
			var got []string
			for _, s := range r.Scripts {
				got = append(got, s.Path+"="+s.Status)
			}
			want := "01_fetch.sh=ok 02_bomb.sh=failed 03_after.sh=" + tc.after
			if g := strings.Join(got, " "); g != want {
				t.Errorf("scripts %s, want %s", g, want)
			}
			if len(r.Network) != 1 || !strings.HasPrefix(r.Network[0].Pos, "01_fetch.sh:2:") || len(r.Network[0].URLs) != 1 || r.Network[0].URLs[0] != "https://get.example.com/install.sh" {
				t.Errorf("network %+v, want the fetch of 01_fetch.sh", r.Network)
			}
			files := map[string]bool{}
			for _, f := range r.Files {
				files[f.Path] = true
			}
			if !files["/opt/fetched"] || files["/opt/after"] != (tc.after == "ok") {
				t.Errorf("files %+v", r.Files)
			}
			found := false
			for _, e := range r.Errors {
				found = found || e.Pos == "02_bomb.sh" && e.Code == tc.code
			}
			if !found || r.OK() {
				t.Errorf("errors %+v, want %s at 02_bomb.sh", r.Errors, tc.code)
			}
			if !reps[1].OK() || len(reps[1].Scripts) != 1 || reps[1].Scripts[0].Status != "ok" {
				t.Errorf("the other image: %+v %+v", reps[1].Scripts, reps[1].Errors)
			}
		})
	}
}
