package image

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/shellrun"
)

// The fetches from the build host that echo-style Dockerfiles make outside
// a script run become reads of the same files copied into the image.
func TestRewriteFetches(t *testing.T) {
	for _, c := range []struct {
		run, want, paths, err string
	}{
		{run: "mkdir -p /build && wget -q -P /build $HOST_ADDR:$HOST_PORT/config/app.conf",
			want: "mkdir -p /build && cat /.dmake-served/config/app.conf >/build/app.conf", paths: "/config/app.conf"},
		{run: "mkdir -p /etc/service/x && wget -q -O /etc/service/x/run $HOST_ADDR:$HOST_PORT/runit/x/run && chmod +x /etc/service/x/run",
			want: "mkdir -p /etc/service/x && cat /.dmake-served/runit/x/run >/etc/service/x/run && chmod +x /etc/service/x/run", paths: "/runit/x/run"},
		{run: "wget -qO- http://10.0.0.1:8080/scripts/a.sh | bash # 0123abcd",
			want: "cat /.dmake-served/scripts/a.sh | bash", paths: "/scripts/a.sh"},
		{run: "wget --output-document=/x $H:$P/a/../b", want: "cat /.dmake-served/b >/x", paths: "/b"},
		{run: "cd /tmp && wget $H:$P/f.tgz && tar xzf f.tgz", want: "cd /tmp && cat /.dmake-served/f.tgz >f.tgz && tar xzf f.tgz", paths: "/f.tgz"},
		{run: "wget -q https://example.org/x.tgz", want: ""},
		{run: "apt-get update && apt-get install -y wget", want: ""},
		{run: "wget --mirror $H:$P/site/", err: "--mirror"},
		{run: "wget -O /a $H:$P/a $H:$P/b", err: "dmake does not turn into a copy"},
	} {
		got, paths, err := rewriteFetches(c.run)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want one with %q", c.run, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want || strings.Join(paths, " ") != c.paths {
			t.Errorf("%s:\n got %q %q %v\nwant %q %q", c.run, got, paths, err, c.want, c.paths)
		}
	}
}

// A kill that names no process is the legacy "kill -9 $(lsof …)" whose $(…)
// make expanded to nothing.
func TestKillsNothing(t *testing.T) {
	for _, c := range []struct {
		args string
		want bool
	}{{"-9", true}, {"", true}, {"-s KILL", true}, {"-9 123", false}, {"123", false}, {"-l", false}, {"-s KILL 1", false}} {
		if got := shellrun.KillsNothing(strings.Fields(c.args)); got != c.want {
			t.Errorf("kill %s: %v, want %v", c.args, got, c.want)
		}
	}
}

// ADD of one script part and the RUN that runs it are that part's step:
// its digest is recorded, the component is the parts' directory, and
// --bust COMPONENT re-runs from its first part.
func TestAddRunParts(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"parts/app/00.sh", "parts/app/01.sh", "conf/x.conf"} {
		writeTestFile(t, dir, p, "echo "+p+"\n")
	}
	df := writeTestFile(t, dir, "tmp.Xyz", "FROM busybox:latest\nADD conf/x.conf /etc/x.conf\nADD parts/app/00.sh /build/parts/app/00.sh\nRUN sh /build/parts/app/00.sh\nADD parts/app/01.sh /build/parts/app/\nRUN sh -e /build/parts/app/01.sh && rm -rf /build\n")
	p, err := MakePlan(dir, df, PlanOptions{Bust: []string{"app"}, Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	var scripts []string
	for _, st := range p.Steps {
		scripts = append(scripts, st.Script)
	}
	if got, want := strings.Join(scripts, ","), ",,parts/app/00.sh,parts/app/00.sh,parts/app/01.sh,parts/app/01.sh"; got != want {
		t.Errorf("step scripts %q, want %q", got, want)
	}
	if len(p.Scripts) != 2 || strings.Join(p.Components, " ") != "app" || p.Busted != "parts/app/00.sh" {
		t.Errorf("scripts %v, components %v, busted %q", p.Scripts, p.Components, p.Busted)
	}
	if !strings.Contains(string(p.Dockerfile), "RUN sh /build/parts/app/00.sh # dmake-bust=tok\n") {
		t.Errorf("--bust app does not re-run the first part:\n%s", p.Dockerfile)
	}
}

func writeTestFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
