package image

import (
	"io"
	"net"
	"net/http"
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
		{run: "curl -fsSL -o /a http://$H:$P/a", err: "curl, which dmake does not turn into a copy"},
		{run: "curl -fsSL -o /a https://example.org/a", want: ""},
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

// A RUN that fetches from the build host in a way dmake does not turn into
// a copy (wget options it does not know, curl) is sent as written, never
// refused: the plan records it (HostFetches, with the URL paths), and a
// comment keyed on the fetched files' content makes the engine's cache
// notice an edit of them. The Builder serves them over HTTP (serveFiles).
func TestPlanHostFetchSentAsWritten(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "config"), 0o755)
	conf := filepath.Join(dir, "config", "app.conf")
	os.WriteFile(conf, []byte("a=1\n"), 0o644)
	runs := []string{
		"RUN wget --tries=3 -q -O /etc/app.conf $HOST_ADDR:$HOST_PORT/config/app.conf",
		"RUN curl -fsS -o /etc/app2.conf http://$HOST_ADDR:$HOST_PORT/config/app.conf && chmod 600 /etc/app2.conf",
	}
	df := filepath.Join(dir, "Dockerfile")
	os.WriteFile(df, []byte("FROM busybox:latest\nENV HOST_PORT 8000\n"+strings.Join(runs, "\n")+"\n"), 0o644)
	plan := func() *Plan {
		t.Helper()
		p, err := MakePlan(dir, df, PlanOptions{})
		if err != nil {
			t.Fatalf("MakePlan: %v", err)
		}
		return p
	}
	p := plan()
	if len(p.HostFetches) != 2 || p.HostFetches[0].Line != 3 || p.HostFetches[1].Line != 4 ||
		strings.Join(p.HostFetches[1].Paths, " ") != "/config/app.conf" || !strings.Contains(p.HostFetches[0].Why, "--tries=3") {
		t.Errorf("HostFetches = %+v", p.HostFetches)
	}
	var comments []string
	for _, r := range runs {
		i := strings.Index(string(p.Dockerfile), r+" # dmake-served=")
		if i < 0 {
			t.Fatalf("the Dockerfile sent does not have %q as written, with the served files' digest:\n%s", r, p.Dockerfile)
		}
		comments = append(comments, strings.Fields(string(p.Dockerfile[i+len(r):]))[1])
	}
	os.WriteFile(conf, []byte("a=2\n"), 0o644)
	if after := string(plan().Dockerfile); strings.Contains(after, comments[0]) || strings.Contains(after, comments[1]) {
		t.Errorf("an edit of the fetched file leaves the RUN lines as they were:\n%s", after)
	}
}

// serveFiles serves the regular files of its roots, the first root that
// has a path first, and nothing else; stop frees the port.
func TestServeFiles(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(b, "config"), 0o755)
	os.WriteFile(filepath.Join(a, "x"), []byte("from a"), 0o644)
	os.WriteFile(filepath.Join(b, "x"), []byte("from b"), 0o644)
	os.WriteFile(filepath.Join(b, "config", "y"), []byte("y in b"), 0o644)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	stop, err := serveFiles(port, []string{a, b})
	if err != nil {
		t.Fatalf("serveFiles: %v", err)
	}
	get := func(p string) (int, string) {
		t.Helper()
		r, err := http.Get("http://127.0.0.1:" + port + p)
		if err != nil {
			t.Fatalf("GET %s: %v", p, err)
		}
		defer r.Body.Close()
		body, _ := io.ReadAll(r.Body)
		return r.StatusCode, string(body)
	}
	for _, c := range []struct {
		path string
		code int
		body string
	}{
		{"/x", 200, "from a"},
		{"/config/y", 200, "y in b"},
		{"/config/../config/y", 200, "y in b"},
		{"/config", 404, ""},
		{"/../../etc/passwd", 404, ""},
		{"/nope", 404, ""},
	} {
		code, body := get(c.path)
		if code != c.code || c.code == 200 && body != c.body {
			t.Errorf("GET %s: %d %q, want %d %q", c.path, code, body, c.code, c.body)
		}
	}
	stop()
	if ln, err := net.Listen("tcp", ":"+port); err != nil {
		t.Errorf("port %s still taken after stop: %v", port, err)
	} else {
		ln.Close()
	}
}
