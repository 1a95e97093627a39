package image

import (
	"strings"
	"testing"
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
		if got := killsNothing(strings.Fields(c.args)); got != c.want {
			t.Errorf("kill %s: %v, want %v", c.args, got, c.want)
		}
	}
}
