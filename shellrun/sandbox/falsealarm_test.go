package sandbox

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestFalseAlarms dry-runs the false alarms of issue 21, each a script
// that the real build runs without error on debian:bookworm: none may be
// an error; the verdict is ok where the models cover the outcome and
// unknown where they cannot (an archive's contents).
func TestFalseAlarms(t *testing.T) {
	for _, c := range []struct {
		name    string
		src     string
		files   []ContextFile
		verdict string
		check   func(t *testing.T, r *Report)
	}{
		{
			// /var/run is a link to /run; openssh-server does not make
			// /run/sshd in a build (its service does, at start).
			name:    "mkdir-var-run-sshd",
			src:     "apt-get install -y openssh-server\nmkdir /var/run/sshd\nchmod 0755 /var/run/sshd\n",
			verdict: VerdictOK,
			check: func(t *testing.T, r *Report) {
				if !hasFile(r, "/run/sshd", "dir") {
					t.Errorf("no /run/sshd made\n%s", render(r))
				}
			},
		},
		{
			name:    "tee-a-my.cnf-mariadb",
			src:     "apt-get install -y mariadb-server\necho '[mysqld]' | tee -a /etc/mysql/my.cnf\nprintf 'bind-address=0.0.0.0\\n' >> /etc/mysql/my.cnf\n",
			verdict: VerdictOK,
		},
		{
			name:    "tee-a-my.cnf-mysql",
			src:     "DEBIAN_FRONTEND=noninteractive apt-get install -y mysql-server\necho 'skip-name-resolve' | tee -a /etc/mysql/my.cnf >/dev/null\n",
			verdict: VerdictOK,
		},
		{
			name:    "ln-conf-enabled-apache2",
			src:     "apt-get install -y apache2\necho 'ServerName localhost' > /etc/apache2/conf-available/fqdn.conf\nln -s /etc/apache2/conf-available/fqdn.conf /etc/apache2/conf-enabled/\na2enconf fqdn\n",
			verdict: VerdictOK,
			check: func(t *testing.T, r *Report) {
				if !hasFile(r, "/etc/apache2/conf-enabled/fqdn.conf", "symlink") {
					t.Errorf("no link made in conf-enabled\n%s", render(r))
				}
			},
		},
		{
			// A package whose files the models do not know: the link
			// into its directory cannot be told.
			name:    "ln-into-unknown-package-dir",
			src:     "apt-get install -y lighttpd\nln -s /etc/lighttpd/conf-available/10-fastcgi.conf /etc/lighttpd/conf-enabled/\n",
			verdict: VerdictUnknown,
		},
		{
			name:    "cd-into-downloaded-tarball",
			src:     "apt-get install -y build-essential wget\ncd /tmp\nwget -q http://example.com/redis-7.0.tar.gz\ntar xzf redis-7.0.tar.gz\ncd redis-7.0\nmake\n./utils/install_server.sh\n",
			verdict: VerdictUnknown,
			check: func(t *testing.T, r *Report) {
				if len(r.Unknowns) == 0 || r.Unknowns[0].Pos != "t.sh:7:1" || !strings.Contains(r.Unknowns[0].Msg, "redis-7.0.tar.gz at t.sh:6:1") {
					t.Errorf("unknowns %+v, want the cd at t.sh:7:1 blamed on the archive unpacked at t.sh:6:1", r.Unknowns)
				}
				if r.Scripts[0].Status != "unknown" {
					t.Errorf("script status %q, want unknown", r.Scripts[0].Status)
				}
			},
		},
		{
			name:    "cd-into-clone",
			src:     "apt-get install -y git\ngit clone https://example.com/app.git /opt/app\ncd /opt/app/src\n. ./env.sh\n",
			verdict: VerdictUnknown,
		},
		{
			// A shell script of the base (apt-key is one) that uses
			// export under /bin/sh: the POSIX parse has it as a plain
			// command, which the interpreter cannot run.
			name:    "export-in-sh-script",
			src:     "/usr/local/bin/addkey add /tmp/key\n",
			files:   []ContextFile{{Dest: "/usr/local/bin/addkey", Mode: 0o755, Data: []byte("#!/bin/sh\nset -e\nunset GREP_OPTIONS\nexport IFS=\"$(printf \"\\n\\b\")\"\nreadonly R=1\nf() { local x=1; export Y=$x; }\nf\n[ \"$Y\" = 1 ]\n")}},
			verdict: VerdictOK,
		},
		{
			name:    "export-behind-builtin",
			src:     "builtin export A=1\ncommand export B='x y'\nf() { builtin local c=3; [ $c = 3 ]; }\nf\n[ \"$A$B\" = '1x y' ]\n",
			verdict: VerdictOK,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := "#!/bin/bash\nset -e\n" + c.src
			r := DryRunInProcess(context.Background(), Image{Name: "t", Files: c.files, Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 10 * time.Second})
			if len(r.Errors) > 0 || r.verdict() != c.verdict {
				t.Errorf("verdict %s, want %s\n%s", r.verdict(), c.verdict, render(r))
			}
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
}

// TestConventionWarningsOnlyWhereFollowed checks that the naming (00_–99_)
// and glob-order warnings are given only for scripts of a repository that
// follows the convention: one of the seed's layout (SeedConvention) where
// some script of the role has an NN_ prefix. The scripts of other
// repositories (a bin/build repo's 20_cron.sh, scripts given out of name
// order) get none.
func TestConventionWarningsOnlyWhereFollowed(t *testing.T) {
	ok := []byte("#!/bin/bash\ntrue\n")
	for _, c := range []struct {
		seed  bool
		names []string
		want  string
	}{
		{true, []string{"setup.sh", "deploy.sh"}, ""},
		{true, []string{"install-deps.sh"}, ""},
		{true, []string{"03_app.sh", "setup.sh"}, "prefix setup.sh"},
		{true, []string{"03_app.sh", "01_base.sh"}, "order"},
		{true, []string{"00_init.sh", "20_cron.sh"}, "prefix 20_cron.sh"},
		{false, []string{"00_init.sh", "20_cron.sh"}, ""},
		{false, []string{"03_app.sh", "setup.sh"}, ""},
		{false, []string{"03_app.sh", "01_base.sh"}, ""},
	} {
		img := Image{Name: "t", SeedConvention: c.seed}
		for _, n := range c.names {
			img.Scripts = append(img.Scripts, Script{Path: n, Source: ok, Role: RoleInstall, Shell: "bash"})
		}
		r := DryRunInProcess(context.Background(), img, Options{Timeout: 10 * time.Second})
		var got []string
		for _, w := range r.Warnings {
			got = append(got, strings.TrimSpace(w.Code+" "+w.Pos))
		}
		if g := strings.Join(got, ","); g != c.want {
			t.Errorf("%v (seed layout %v): warnings %q, want %q", c.names, c.seed, g, c.want)
		}
	}
}

func hasFile(r *Report, p, typ string) bool {
	for _, f := range r.Files {
		if f.Path == p && f.Type == typ {
			return true
		}
	}
	return false
}

// TestErrorPositions checks that an error names the file and line of the
// failing command: in the script after a sourced file that has a command
// at the same offset, in a sourced file, in a here-document run by a
// nested shell (its own or piped from cat), and at the command of a
// pipeline whose status the pipeline has (not the last one started).
func TestErrorPositions(t *testing.T) {
	head := "#!/bin/bash\nset -e\n. /build/config\n" // the next command starts at offset 35
	config := strings.Repeat("#", 34) + "\ntrue\n"
	for _, c := range []struct {
		name, src, config, want string
	}{
		{"same-offset-as-sourced", head + "cat /nope\n", config, "t.sh:4:1"},
		{"in-sourced", head + "echo after\n", "A=1\nif true; then\n    cat /nope\nfi\n", "/build/config:3:5"},
		{"heredoc-to-bash", head + "echo x\nbash <<'EOT'\nset -e\necho one\nfalse\nEOT\n", config, "t.sh:8:1"},
		{"heredoc-cat-piped", head + "cat <<EOT | bash\necho one\ncat /nope/x\nEOT\n", config, "t.sh:6:1"},
		{"pipeline-last", head + "wget -qO- https://example.com/key | cat /nope/y\n", config, "t.sh:4:37"},
	} {
		t.Run(c.name, func(t *testing.T) {
			img := Image{Name: "t", Files: []ContextFile{{Dest: "/build/config", Data: []byte(c.config), Mode: 0o644}, {Dest: "/usr/bin/wget", Mode: 0o755}},
				Scripts: []Script{{Path: "t.sh", Source: []byte(c.src), Role: RoleInstall, Shell: "bash"}}}
			r := DryRunInProcess(context.Background(), img, Options{Timeout: 10 * time.Second})
			if len(r.Errors) == 0 || r.Errors[0].Pos != c.want {
				t.Errorf("first error not at %s\n%s", c.want, render(r))
			}
		})
	}
}

// TestBaseCommandsAndPackages checks what the base has: a command the
// models answer but the base lacks (sudo, curl, python2, lsb_release) is
// "command not found" at its line unless an earlier step installs the
// package that ships it; with the base's package set, a package apt cannot
// locate is an error at the apt-get line, and unknown when the script
// added an apt repository first.
func TestBaseCommandsAndPackages(t *testing.T) {
	pkgs := &Packages{Base: "debian:bookworm", Available: map[string]bool{"sudo": true, "curl": true, "python3": true, "openssh-server": true}, Installed: map[string]bool{"bash": true}}
	for _, c := range []struct {
		name, src string
		pkgs      *Packages
		want      string // first error's code and position, or the verdict
	}{
		{"sudo-missing", "sudo apt-get install -y curl\n", nil, "not-found t.sh:3:1"},
		{"sudo-installed", "apt-get install -y sudo\nsudo mkdir -p /opt/x\n", nil, VerdictOK},
		{"python2", "apt-get install -y python3\npython2 -c 'print 1'\n", nil, "not-found t.sh:4:1"},
		{"lsb_release", "lsb_release -cs\n", nil, "not-found t.sh:3:1"},
		{"apt-key-without-gpg", "echo k > /tmp/k\napt-key add /tmp/k\n", nil, "failed t.sh:4:1"},
		{"apt-key-with-gnupg", "apt-get install -y gnupg\necho k | apt-key add -\n", nil, VerdictOK},
		{"systemctl", "apt-get install -y nginx\nsystemctl enable nginx\n", nil, "not-found t.sh:4:1"},
		{"cp-into-missing-dir", "touch /tmp/a\ncp /tmp/a /root/Desktop/\nchmod +x /root/Desktop/a\n", nil, "failed t.sh:4:1"},
		{"cp-into-dir", "touch /tmp/a\nmkdir -p /root/Desktop\ncp /tmp/a /root/Desktop/\nchmod +x /root/Desktop/a\n", nil, VerdictOK},
		{"not-stopping", "set +e\nsudo true\necho done\n", nil, VerdictOK},
		{"no-such-package", "apt-get update\napt-get install -y python-pip curl\n", pkgs, "no-package t.sh:4:1"},
		{"available", "apt-get install -y curl openssh-server bash\n", pkgs, VerdictOK},
		{"no-lists-no-update", "apt-get install -y curl\n", &Packages{Base: "debian:bookworm-slim", Available: pkgs.Available, Updated: true}, "apt-no-lists t.sh:3:1"},
		{"no-lists-updated", "apt-get update && apt-get install -y curl\n", &Packages{Base: "debian:bookworm-slim", Available: pkgs.Available, Updated: true}, VerdictOK},
		{"added-repository", "echo 'deb http://ppa.example/ x main' > /etc/apt/sources.list.d/x.list\napt-get update\napt-get install -y php5\n", pkgs, VerdictUnknown},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := "#!/bin/bash\nset -e\n" + c.src
			r := DryRunInProcess(context.Background(), Image{Name: "t", Packages: c.pkgs, Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 10 * time.Second})
			got := r.verdict()
			if len(r.Errors) > 0 {
				got = r.Errors[0].Code + " " + r.Errors[0].Pos
			}
			if got != c.want {
				t.Errorf("got %q, want %q\n%s", got, c.want, render(r))
			}
		})
	}
}
