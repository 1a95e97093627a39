package sandbox

import (
	"context"
	"strings"
	"testing"
	"time"
)

// dryRunBash dry-runs src as the bash install script t.sh of image t,
// over the built-in base (files added first), as dmake --check does.
func dryRunBash(src string, files ...ContextFile) *Report {
	return DryRunInProcess(context.Background(), Image{Name: "t", Files: files, Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 10 * time.Second})
}

// TestModelsAndUnknowns checks the verdict of commands the dry run models
// in part: what the model can know is answered (verdict ok; the scripts
// run under set -e and check the output the real command prints with
// [ ], so a wrong answer is an error), anything else is unknown (an Unknowns entry
// at the command, code unmodelled), never ok with a guessed effect. A
// command without any model is unknown too: the report's verdict is the
// one the corpus test measures.
func TestModelsAndUnknowns(t *testing.T) {
	for _, c := range []struct {
		name    string
		src     string
		verdict string
		unknown string // the code of the first unknown, when the verdict is unknown
	}{
		{name: "unmodelled-command", src: "sha256sum /etc/passwd\n", verdict: VerdictUnknown, unknown: "unmodelled"},
		{name: "python-script", src: "apt-get install -y python3\npython3 -c 'import os'\n", verdict: VerdictUnknown, unknown: "unmodelled"},
		{name: "perl-v", src: "perl -v >/dev/null 2>&1\nperl -v | grep -q 'This is perl 5, version 36'\n", verdict: VerdictOK},
		{name: "perl-print-colour", src: "RESET=`perl -e 'print(\"\\e[0m\")'`\n[ \"$RESET\" = \"$(printf '\\033[0m')\" ]\n", verdict: VerdictOK},
		{name: "perl-quote-operator", src: "x=$(perl -le 'print \"a\", q(b);')\n", verdict: VerdictUnknown, unknown: "unmodelled"},
		{name: "perl-print-strings", src: `x=$(perl -le "print 'a\\n', \"b\\x41\\101\"; print('c')")` + "\n" + `[ "$x" = 'a\nbAA'$'\n''c' ]` + "\n", verdict: VerdictOK},
		{name: "perl-interpolates", src: "perl -e 'print \"$ENV{HOME}\\n\"'\n", verdict: VerdictUnknown, unknown: "unmodelled"},
		{name: "perl-in-place-edit", src: "perl -pi -e 's/a/b/' /etc/hostname\n", verdict: VerdictUnknown, unknown: "unmodelled"},
		{name: "apachectl-restart", src: "apt-get install -y apache2\napachectl restart\napachectl stop\n/usr/sbin/apachectl graceful-stop 2>&1 | grep -q 'not running'\n", verdict: VerdictOK},
		{name: "apachectl-configtest", src: "apt-get install -y apache2\napachectl configtest\n", verdict: VerdictUnknown, unknown: "unmodelled"},
		{name: "apachectl-bad-action", src: "apt-get install -y apache2\napachectl reload-all\n", verdict: VerdictError},
		{name: "apachectl-not-installed", src: "apachectl restart\n", verdict: VerdictError},
		{name: "add-apt-repository-deb", src: "apt-get install -y software-properties-common\nadd-apt-repository 'deb [arch=amd64] https://download.docker.com/linux/ubuntu bookworm stable'\ngrep -q '^deb \\[arch=amd64\\] https://download.docker.com/linux/ubuntu bookworm stable$' /etc/apt/sources.list.d/archive_uri-https_download_docker_com_linux_ubuntu-bookworm.list\n", verdict: VerdictOK},
		{name: "add-apt-repository-ppa", src: "apt-get install -y software-properties-common\nadd-apt-repository -y ppa:ansible/ansible\n", verdict: VerdictUnknown, unknown: "network"},
		{name: "add-apt-repository-remove", src: "apt-get install -y software-properties-common\nadd-apt-repository -r universe\n", verdict: VerdictUnknown, unknown: "unmodelled"},
		{name: "add-apt-repository-not-installed", src: "add-apt-repository -y ppa:ansible/ansible\n", verdict: VerdictError},
		{name: "mysql-no-server", src: "apt-get install -y mariadb-server\nmysql -u root -e 'FLUSH PRIVILEGES;'\n", verdict: VerdictError},
		{name: "mysql-no-server-message", src: "apt-get install -y mariadb-client\nmysql -e 'select 1' 2>&1 | grep -q \"ERROR 2002 (HY000): Can't connect to local server\"\n", verdict: VerdictOK},
		{name: "mysql-after-service-start", src: "apt-get install -y mariadb-server\nservice mariadb start\nmysql -u root -e 'FLUSH PRIVILEGES;'\n", verdict: VerdictUnknown, unknown: "unmodelled"},
		{name: "mysql-after-mysqld-safe", src: "apt-get install -y mariadb-server\n/usr/bin/mysqld_safe &\nmysql -u root -e 'select 1'\n", verdict: VerdictUnknown, unknown: "unmodelled"},
		{name: "mysql-after-init-script", src: "apt-get install -y mariadb-server\n/etc/init.d/mysql start || true\nmysql -e 'select 1'\n", verdict: VerdictUnknown},
		{name: "mysql-remote-host", src: "apt-get install -y mariadb-client\nmysql -h db.example.com -e 'select 1'\n", verdict: VerdictUnknown, unknown: "unmodelled"},
		{name: "mysql-not-installed", src: "mysql -e 'select 1'\n", verdict: VerdictError},
		// No package installs outside the FHS's directories: a file
		// missing from the context's /bd_build is the build's error,
		// whatever packages were installed before.
		{name: "context-file-missing", src: "apt-get install -y cron\ncp /bd_build/services/cron/cron.runit /etc/cron.runit\n", verdict: VerdictError},
		{name: "package-file-missing", src: "apt-get install -y lighttpd\ncp /etc/lighttpd/lighttpd.conf /tmp/\n", verdict: VerdictUnknown, unknown: "assumed"},
		{name: "external-pwd", src: "cd /etc/apt\nx=$(env pwd)\n[ \"$x\" = /etc/apt ]\n", verdict: VerdictOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := dryRunBash("#!/bin/bash\nset -e\n" + c.src)
			if v := r.verdict(); v != c.verdict || r.Verdict != v {
				t.Errorf("verdict %s (report says %s), want %s\n%s", v, r.Verdict, c.verdict, render(r))
			}
			if c.unknown != "" && (len(r.Unknowns) == 0 || r.Unknowns[0].Code != c.unknown || !strings.HasPrefix(r.Unknowns[0].Pos, "t.sh:")) {
				t.Errorf("unknowns %+v, want the first of code %s at the command in t.sh", r.Unknowns, c.unknown)
			}
		})
	}
}

// TestSuggestDeterministic checks that the "did you mean" of a command
// not found is the same on every run when several names are as close
// (snap: scp, stat…; mc: mv, wc…): the first of them in byte order.
func TestSuggestDeterministic(t *testing.T) {
	for _, name := range []string{"snap", "mc", "pyhton3"} {
		first := suggest(name)
		for range 50 {
			if s := suggest(name); s != first {
				t.Fatalf("suggest(%q) = %q, then %q", name, first, s)
			}
		}
		for c := range models {
			if d := editDistance(name, c); first != "" && d > 0 && d == editDistance(name, first) && c < first && !strings.HasPrefix(c, "__") {
				t.Errorf("suggest(%q) = %q, but %q is as close and first", name, first, c)
			}
		}
	}
}
