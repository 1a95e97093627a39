package sandbox

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/dmake-dev/dmake/internal/filemode"
	"github.com/dmake-dev/dmake/internal/strerror"
)

// models answers commands by name; filled by init (models refer to the
// table through suggest, which a plain initializer cannot express).
var models map[string]func(*modelCall, []string) int

func init() { fillModels() }

func fillModels() {
	models = map[string]func(*modelCall, []string) int{
		"apt-get": aptModel, "apt": aptModel, "aptitude": aptModel,
		"dpkg": dpkgModel, "dpkg-query": dpkgQueryModel,
		"pip": pipModel, "pip3": pipModel,
		"python": pythonModel, "python3": pythonModel, "perl": perlModel,
		"apache2ctl": apacheCtlModel, "apachectl": apacheCtlModel,
		"add-apt-repository": addAptRepoModel, "apt-add-repository": addAptRepoModel,
		"mysql": mysqlModel, "mariadb": mysqlModel,
		"mkdir": mkdirModel, "rm": rmModel, "rmdir": rmdirModel, "cp": cpModel, "mv": mvModel,
		"ln": lnModel, "chmod": chmodModel, "chown": chownModel, "chgrp": chownModel,
		"touch": touchModel, "install": installModel, "tee": teeModel, "cat": catModel,
		"sed": sedModel, "grep": grepModel, "egrep": grepModel, "fgrep": grepModel,
		"ls": lsModel, "test": testModel, "[": testModel,
		"useradd": useraddModel, "adduser": useraddModel, "groupadd": groupaddModel, "addgroup": groupaddModel,
		"usermod": usermodModel, "userdel": userdelModel, "deluser": userdelModel, "passwd": okModel, "chpasswd": okModel,
		"id": idModel, "whoami": outModel("root"), "hostname": outModel(containerHostname), "uname": unameModel,
		"nproc": outModel("2"), "arch": outModel("x86_64"), "dpkg-architecture": outModel("amd64"),
		"getent": getentModel, "basename": basenameModel, "dirname": dirnameModel,
		"head": headTailModel, "tail": headTailModel, "wc": wcModel, "sort": sortModel, "uniq": uniqModel,
		"tr": trModel, "cut": cutModel, "date": outModel("Thu Jan  1 00:00:00 UTC 2026"),
		"mktemp": mktempModel, "readlink": readlinkModel, "realpath": readlinkModel, "pwd": pwdModel,
		"seq": seqModel, "true": okModel, "false": func(*modelCall, []string) int { return 1 },
		"sleep": okModel, "yes": okModel, "which": whichModel,
		"curl": netModel, "wget": netModel, "git": gitModel, "scp": netModel, "rsync": rsyncModel,
		"bash": shellModel, "sh": shellModel, "dash": shellModel,
		"env": envModel, "sudo": wrapModel, "nice": wrapModel, "nohup": wrapModel, "timeout": timeoutModel,
		"chpst": chpstModel, "xargs": xargsModel, "su": suModel,
		"service": serviceModel, "invoke-rc.d": serviceModel, "systemctl": systemctlModel,
		"update-rc.d": updateRCModel, "ssh-keygen": sshKeygenModel, "tar": tarModel,
		"find": findModel, "awk": awkModel, "mawk": awkModel, "gawk": awkModel,
		"echo": echoModel, "printf": printfModel, "stat": statModel, "apt-key": aptKeyModel,
	}
}

// noop lists commands whose effect does not matter to the report.
var noop = map[string]bool{
	"ldconfig": true, "locale-gen": true, "update-locale": true, "update-ca-certificates": true,
	"update-alternatives": true, "dpkg-reconfigure": true, "debconf-set-selections": true,
	"a2enmod": true, "a2ensite": true, "a2dismod": true, "a2dissite": true, "a2enconf": true, "a2disconf": true, "sync": true,
	"clear": true, "tput": true, "logger": true, "stty": true, "ulimit": true,
	"gzip": true, "gunzip": true, "unzip": true, "zip": true, "xz": true, "bzip2": true,
	"sv": true, "runsv": true, "update-mime-database": true, "fc-cache": true, "mandb": true,
	"pkill": true, "killall": true, "kill": true, "ps": true, "pgrep": true,
}

// baseCommands are the commands of debian:bookworm's minimal base.
var baseCommands = toSet(`[ apt apt-cache apt-config apt-get apt-key apt-mark arch awk base32 base64 basename bash cat chgrp chmod chown chroot
cksum clear cmp comm cp csplit cut dash date dd debconf-set-selections df diff dir dircolors dirname dmesg dpkg dpkg-deb dpkg-divert
dpkg-query dpkg-reconfigure dpkg-split dpkg-statoverride dpkg-trigger du echo egrep env expand expr factor false fgrep find findmnt fmt
fold getent gpasswd gpgv grep groupadd groupdel groupmod groups gunzip gzip head hostid hostname id install invoke-rc.d join kill
ldconfig link ln locale localedef logger login logname ls lsblk md5sum mkdir mkfifo mknod mktemp more mount mv newgrp nice nl nohup
nproc numfmt od passwd paste pathchk perl pgrep pidof pinky pkill pr printenv printf ps ptx pwd readlink realpath rm rmdir runcon
sed seq sh sha1sum sha256sum sha512sum shred shuf sleep sort split stat stdbuf stty su sum sync tac tail tar tee test timeout
touch tr true truncate tsort tty umount uname unexpand uniq unlink update-alternatives update-rc.d useradd userdel usermod users
vdir wc which who whoami xargs yes zcat chpasswd chsh chfn mawk tempfile run-parts savelog start-stop-daemon service
adduser addgroup deluser delgroup tput`)

// packageCommands are the commands of common packages, for telling a
// misspelt command from one a package installed earlier provides.
var packageCommands = map[string][]string{
	"openssh-server": {"sshd", "ssh-keygen"}, "openssh-client": {"ssh", "ssh-keygen", "scp", "ssh-add", "ssh-agent"},
	"ssh": {"sshd", "ssh", "ssh-keygen", "scp"}, "nginx": {"nginx"}, "nginx-light": {"nginx"}, "nginx-full": {"nginx"},
	"cron": {"cron", "crontab"}, "rsyslog": {"rsyslogd"}, "syslog-ng": {"syslog-ng"}, "syslog-ng-core": {"syslog-ng"},
	"runit": {"runsv", "runsvdir", "sv", "chpst", "svlogd"}, "curl": {"curl"}, "wget": {"wget"}, "git": {"git"},
	"vim": {"vim", "vi"}, "vim-tiny": {"vi", "vim.tiny"}, "nano": {"nano"}, "less": {"less"}, "sudo": {"sudo"},
	"python3": {"python3"}, "python3-pip": {"pip3", "pip"}, "procps": {"ps", "pgrep", "pkill", "top", "free", "kill"},
	"net-tools": {"ifconfig", "netstat", "route"}, "iproute2": {"ip", "ss"}, "iputils-ping": {"ping"},
	"locales": {"locale-gen", "update-locale"}, "ca-certificates": {"update-ca-certificates"}, "gnupg": {"gpg"},
	"unzip": {"unzip"}, "zip": {"zip"}, "xz-utils": {"xz"}, "bzip2": {"bzip2"}, "make": {"make"}, "gcc": {"gcc", "cc"},
	"build-essential": {"gcc", "g++", "make", "cc"}, "apache2": {"apache2ctl", "apachectl", "a2enmod", "a2ensite", "a2enconf"},
	"supervisor": {"supervisord", "supervisorctl"}, "adduser": {"adduser", "addgroup", "deluser", "delgroup"},
	"inotify-tools": {"inotifywait"}, "psmisc": {"killall", "fuser", "pstree"}, "lsof": {"lsof"},
	"redis-server": {"redis-server"}, "busybox": {"busybox"}, "nginx-core": {"nginx"}, "memcached": {"memcached"}, "postgresql": {"postgres", "psql"},
	"mariadb-server": {"mysqld", "mysql", "mysqld_safe", "mariadbd-safe"}, "php-fpm": {"php-fpm"}, "nodejs": {"node"}, "npm": {"npm"},
	"dnsutils": {"dig", "nslookup"}, "software-properties-common": {"add-apt-repository", "apt-add-repository"},
	"mariadb-client": {"mysql", "mariadb"}, "default-mysql-client": {"mysql"}, "netcat-openbsd": {"nc"}, "socat": {"socat"}, "jq": {"jq"}, "rsync": {"rsync"},
	"systemd": {"systemctl", "journalctl"}, "systemd-sysv": {"reboot", "shutdown", "halt", "poweroff"},
	"tzdata": {"tzconfig"}, "logrotate": {"logrotate"}, "openssl": {"openssl"}, "file": {"file"}, "tini": {"tini"},
	"lsb-release": {"lsb_release"},
}

// packageFiles are files known packages install, so later scripts that
// edit them find them.
var packageFiles = map[string]map[string]string{
	"openssh-server": {"/etc/pam.d/sshd": "@include common-auth\naccount    required     pam_nologin.so\nsession    required     pam_loginuid.so\n@include common-session\n", "/etc/ssh/sshd_config.d/": "", "/etc/ssh/sshd_config": "#PermitRootLogin prohibit-password\n#PasswordAuthentication yes\nUsePAM yes\nX11Forwarding yes\n", "/usr/sbin/sshd": "", "/usr/bin/ssh-keygen": ""},
	"nginx":          {"/etc/nginx/nginx.conf": "user www-data;\nworker_processes auto;\npid /run/nginx.pid;\nevents {\n\tworker_connections 768;\n}\nhttp {\n\tinclude /etc/nginx/sites-enabled/*;\n}\n", "/usr/sbin/nginx": "", "/etc/nginx/sites-available/default": "server {\n\tlisten 80 default_server;\n\troot /var/www/html;\n}\n", "/etc/nginx/sites-enabled/default": "->/etc/nginx/sites-available/default", "/var/www/html/index.nginx-debian.html": "<html></html>\n", "/etc/nginx/conf.d/": "", "/var/log/nginx/": ""},
	"busybox":        {"/bin/busybox": ""},
	"iproute2":       {"/usr/bin/ip": "", "/usr/sbin/ip": "->/usr/bin/ip"},
	"cron":           {"/etc/pam.d/cron": "@include common-auth\nsession    required     pam_loginuid.so\n@include common-session-noninteractive\n", "/etc/cron.daily/": "", "/usr/sbin/cron": "", "/etc/crontab": "SHELL=/bin/sh\n", "/etc/cron.d/.placeholder": ""},
	"rsyslog":        {"/usr/sbin/rsyslogd": "", "/etc/rsyslog.conf": "module(load=\"imuxsock\")\nmodule(load=\"imklog\")\n*.*;auth,authpriv.none\t-/var/log/syslog\n"},
	"syslog-ng-core": {"/usr/sbin/syslog-ng": "", "/etc/syslog-ng/syslog-ng.conf": "@version: 3.38\n"},
	"runit":          {"/usr/bin/runsvdir": "", "/usr/bin/runsv": "", "/usr/bin/sv": "", "/usr/bin/chpst": ""},
	"curl":           {"/usr/bin/curl": ""},
	"wget":           {"/usr/bin/wget": ""},
	"git":            {"/usr/bin/git": ""},
	"sudo":           {"/usr/bin/sudo": "", "/etc/sudoers": "root\tALL=(ALL:ALL) ALL\n", "/etc/sudoers.d/README": ""},
	"python3":        {"/usr/bin/python3": ""},
	"python3-pip":    {"/usr/bin/pip3": "", "/usr/bin/pip": ""},
	"vim":            {"/usr/bin/vim": ""},
	"less":           {"/usr/bin/less": ""},
	"procps":         {"/usr/bin/ps": "", "/usr/bin/pgrep": "", "/usr/bin/pkill": ""},
	"locales":        {"/etc/locale.gen": "# en_US.UTF-8 UTF-8\n", "/usr/sbin/locale-gen": ""},
	"mariadb-server": {"/etc/mysql/my.cnf": "->/etc/alternatives/my.cnf", "/etc/alternatives/my.cnf": "->/etc/mysql/mariadb.cnf", "/etc/mysql/mariadb.cnf": "[client-server]\nsocket = /run/mysqld/mysqld.sock\n!includedir /etc/mysql/conf.d/\n!includedir /etc/mysql/mariadb.conf.d/\n", "/etc/mysql/conf.d/": "", "/etc/mysql/mariadb.conf.d/50-server.cnf": "[mysqld]\nbind-address = 127.0.0.1\n", "/etc/mysql/debian-start": "", "/usr/sbin/mariadbd": "", "/usr/sbin/mysqld": "->mariadbd", "/usr/bin/mysql": "", "/usr/bin/mariadb": "", "/var/lib/mysql/": ""},
	"apache2":        {"/etc/apache2/apache2.conf": "IncludeOptional mods-enabled/*.load\nInclude ports.conf\nIncludeOptional conf-enabled/*.conf\nIncludeOptional sites-enabled/*.conf\n", "/etc/apache2/ports.conf": "Listen 80\n", "/etc/apache2/envvars": "export APACHE_RUN_USER=www-data\nexport APACHE_RUN_GROUP=www-data\n", "/etc/apache2/conf-available/security.conf": "ServerTokens OS\n", "/etc/apache2/conf-enabled/security.conf": "->../conf-available/security.conf", "/etc/apache2/mods-available/": "", "/etc/apache2/mods-enabled/": "", "/etc/apache2/sites-available/000-default.conf": "<VirtualHost *:80>\n\tDocumentRoot /var/www/html\n</VirtualHost>\n", "/etc/apache2/sites-enabled/000-default.conf": "->../sites-available/000-default.conf", "/var/www/html/index.html": "<html></html>\n", "/usr/sbin/apache2": "", "/usr/sbin/apache2ctl": "", "/usr/sbin/apachectl": "->apache2ctl", "/usr/sbin/a2enmod": "", "/usr/sbin/a2ensite": "", "/usr/sbin/a2enconf": "", "/var/log/apache2/": ""},
	"adduser":        {"/usr/sbin/adduser": "", "/usr/sbin/addgroup": "", "/etc/adduser.conf": "DSHELL=/bin/bash\n"},
}

// packageAlias names packages that ship another one's files.
var packageAlias = map[string]string{"mysql-server": "mariadb-server", "default-mysql-server": "mariadb-server", "nginx-light": "nginx", "nginx-full": "nginx", "nginx-core": "nginx", "nginx-extras": "nginx", "ssh": "openssh-server"}

func toSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(s) {
		m[f] = true
	}
	return m
}

func knownCommand(name string) bool {
	_, ok := models[name]
	return ok || noop[name] || baseCommands[name] || daemons[name] != nil
}

func okModel(*modelCall, []string) int { return 0 }

func outModel(s string) func(*modelCall, []string) int {
	return func(m *modelCall, a []string) int { m.out("%s\n", s); return 0 }
}

// --- package managers ---

// aptAssumesYes reports whether apt's arguments a answer its questions
// without -y: a quiet level of 2 or more (-qq, -q=2, --quiet=2, -q -q),
// which apt-get(8) says implies -y, or -o APT::Get::Assume-Yes=true (or
// -o quiet=2).
func aptAssumesYes(a []string) bool {
	quiet := 0
	for i := 0; i < len(a); i++ {
		x := a[i]
		switch {
		case x == "--":
			return quiet >= 2
		case x == "--quiet":
			quiet++
		case strings.HasPrefix(x, "--quiet="), strings.HasPrefix(x, "-q="):
			_, v, _ := strings.Cut(x, "=")
			if n, err := strconv.Atoi(v); err == nil {
				quiet = n
			}
		case x == "-o" || x == "--option" || strings.HasPrefix(x, "-o") || strings.HasPrefix(x, "--option="):
			opt := strings.TrimPrefix(strings.TrimPrefix(x, "--option="), "-o")
			if (x == "-o" || x == "--option") && i+1 < len(a) {
				i++
				opt = a[i]
			}
			k, v, _ := strings.Cut(opt, "=")
			switch strings.ToLower(k) {
			case "apt::get::assume-yes":
				if b := strings.ToLower(v); b == "true" || b == "1" || b == "yes" {
					return true
				}
			case "quiet":
				if n, err := strconv.Atoi(v); err == nil {
					quiet = n
				}
			}
		case len(x) > 1 && x[0] == '-' && x[1] != '-':
			quiet += strings.Count(x, "q")
		}
	}
	return quiet >= 2
}

func aptModel(m *modelCall, a []string) int {
	m.model = "apt"
	set, ops := flags(a, "otc|target-release|option|")
	if len(ops) == 0 {
		return 0
	}
	d := m.sc.d
	sub, pkgs := ops[0], ops[1:]
	switch sub {
	case "install", "reinstall":
		noY := !has(set, "y", "--yes", "--assume-yes") && set["--force-yes"] == "" && m.hc.Env.Get("APT_GET_YES").String() == "" && !aptAssumesYes(a)
		var names []string
		for _, p := range pkgs {
			name, _, _ := strings.Cut(p, "=")
			name = strings.TrimSuffix(name, "/"+set["t"])
			if strings.HasSuffix(name, ".deb") {
				name = path.Base(name)
			}
			names = append(names, name)
		}
		// apt's failures are warnings while the script goes on (no set
		// -e, || …), the error where they end it (runFile).
		if d.pkgs != nil && d.pkgs.Updated && !d.aptUpdated && len(names) > 0 {
			m.diag = "apt-no-lists"
			d.warnf(m.pos, "apt-no-lists", "apt-get %s before apt-get update: the base %s has no package lists (E: Unable to locate package %s)", sub, d.pkgs.Base, names[0])
			return m.fail(100, "E: Unable to locate package %s", names[0])
		}
		switch missing, sourcesChanged := d.checkInstall(names); {
		case len(missing) > 0 && sourcesChanged:
			d.unknownf(m.pos, "package", "apt-get %s %s: not in the apt lists of the base %s; assumed to come from the repository the script added", sub, strings.Join(missing, " "), d.pkgs.Base)
		case len(missing) > 0:
			m.diag = "no-package"
			d.warnf(m.pos, "no-package", "apt-get %s: the base %s cannot install %s (E: Unable to locate package %s)", sub, d.pkgs.Base, strings.Join(missing, ", "), missing[0])
			return m.fail(100, "E: Unable to locate package %s", missing[0])
		case !noY:
		case len(missing) == 0 && !has(set, "--no-install-recommends", "o", "c") && !d.aptConfigured():
			// The command index tells whether apt must ask: it does
			// when it installs packages not named.
			if extra := d.aptWouldAsk(names); len(extra) > 0 {
				more := strings.Join(extra[:min(len(extra), 3)], " ")
				if len(extra) > 3 {
					more += " …"
				}
				m.diag = "apt-no-y"
				d.warnf(m.pos, "apt-no-y", "%s %s without -y: apt asks before it installs %d more packages (%s) and, with no terminal in a build, aborts (Do you want to continue? [Y/n] Abort.)", path.Base(m.args[0]), sub, len(extra), more)
				return m.fail(1, "Abort.")
			}
			fallthrough
		default:
			d.warnf(m.pos, "apt-no-y", "%s %s without -y: in a non-interactive build it aborts as soon as it must ask", path.Base(m.args[0]), sub)
		}
		rec := !d.aptNoRecommends(set)
		for _, name := range names {
			d.installPkg(m, "apt", name, rec)
		}
	case "remove", "purge", "autoremove":
		for _, p := range pkgs {
			d.removePkg(m, "apt", strings.TrimSuffix(p, "*"), sub)
		}
		if sub == "autoremove" && len(pkgs) == 0 {
			d.warnf(m.pos, "autoremove", "apt-get autoremove: which packages go is not predicted offline")
		}
	case "update":
		d.mu.Lock()
		d.aptUpdated = true
		d.mu.Unlock()
		d.vfs.WriteFile("/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease", []byte("(apt lists: fetched at build time)\n"), 0o644)
	case "clean", "autoclean":
		d.vfs.Remove("/var/cache/apt/archives", true)
	}
	return 0
}

// aptKeyModel answers apt-key: every command but list needs gpg, which
// the base lacks unless a package (gnupg) installed it (apt-key says so
// and exits 255).
func aptKeyModel(m *modelCall, a []string) int {
	m.model = "apt-key"
	if len(a) == 0 || a[0] == "list" || a[0] == "--help" {
		return 0
	}
	if _, ok := m.lookPath("gpg"); ok || m.sc.d.providedBy("gpg") != "" || m.sc.d.indexedPresent("gpg") {
		if a[0] == "add" && len(a) > 1 && a[1] == "-" {
			m.stdin()
		}
		return 0
	}
	d := m.sc.d
	if unc := len(d.uncertainCommands()) > 0; unc {
		d.unknownf(m.pos, "unknown-command", "apt-key %s needs gpg, which no known package installed earlier has; assumed to come from one of them", a[0])
		return 0
	}
	return m.fail(255, "E: gnupg, gnupg2 and gnupg1 do not seem to be installed, but one of them is required for this operation")
}

// aptConfigured says apt's configuration in the image (apt.conf,
// apt.conf.d) sets whether it asks or installs recommendations: then
// whether apt-get install without -y asks is not predicted.
func (d *dryRun) aptConfigured() bool {
	for _, low := range d.aptConf() {
		if strings.Contains(low, "assume-yes") || strings.Contains(low, "install-recommends") || strings.Contains(low, "trivial-only") {
			return true
		}
	}
	return false
}

// aptConf returns the texts of apt's configuration files in the image
// (apt.conf, apt.conf.d/*), lower-cased.
func (d *dryRun) aptConf() []string {
	files := []string{"/etc/apt/apt.conf"}
	if ents, err := d.vfs.ReadDir("/etc/apt/apt.conf.d"); err == nil {
		for _, e := range ents {
			files = append(files, "/etc/apt/apt.conf.d/"+e.Name())
		}
	}
	var out []string
	for _, f := range files {
		if b, err := d.vfs.ReadFile(f); err == nil {
			out = append(out, strings.ToLower(string(b)))
		}
	}
	return out
}

// aptNoRecommends says whether an apt-get install with the options of
// set leaves recommended packages out: --no-install-recommends, or
// APT::Install-Recommends set false by -o or in apt's configuration.
func (d *dryRun) aptNoRecommends(set map[string]string) bool {
	if has(set, "--no-install-recommends") {
		return true
	}
	off := func(s string) bool {
		s = strings.ToLower(s)
		i := strings.Index(s, "install-recommends")
		if i < 0 {
			return false
		}
		v := strings.TrimLeft(s[i+len("install-recommends"):], " \t=\"")
		return strings.HasPrefix(v, "false") || strings.HasPrefix(v, "0") || strings.HasPrefix(v, "no")
	}
	if off(set["o"]) || off(set["--option"]) {
		return true
	}
	return slices.ContainsFunc(d.aptConf(), off)
}

// installPkg records the install of package name by manager mgr (apt,
// dpkg, pip); recommends says apt installs its recommended packages too.
func (d *dryRun) installPkg(m *modelCall, mgr, name string, recommends bool) {
	d.mu.Lock()
	helper := d.helperPkgs[name]
	already := d.installed[name]
	d.installed[name] = true
	if recommends {
		if d.recommended == nil {
			d.recommended = map[string]bool{}
		}
		d.recommended[name] = true
	}
	d.installedGen++
	if _, known := packageCommands[name]; !known && packageFiles[name] == nil && packageAlias[name] == "" && !already && mgr == "apt" {
		d.uncertain = append(d.uncertain, name)
	}
	d.rep.Packages = append(d.rep.Packages, Package{Name: name, Manager: mgr, Action: "install", Pos: m.pos, BuildOnly: helper == "install_temporary"})
	d.mu.Unlock()
	if mgr != "apt" || already {
		return
	}
	files := packageFiles[name]
	if alias := packageAlias[name]; alias != "" {
		files = packageFiles[alias]
	}
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		d.mu.Lock()
		if d.fromPackage == nil {
			d.fromPackage = map[string]string{}
		}
		d.fromPackage[strings.TrimSuffix(p, "/")] = name
		d.mu.Unlock()
		c := files[p]
		if strings.HasSuffix(p, "/") {
			d.vfs.Mkdir(p, 0o755, true)
			continue
		}
		d.vfs.Mkdir(path.Dir(p), 0o755, true)
		if t, ok := strings.CutPrefix(c, "->"); ok {
			d.vfs.Symlink(t, p)
			continue
		}
		if d.vfs.Exists(p) {
			continue
		}
		perm := fs.FileMode(0o644)
		if strings.Contains(p, "/bin/") || strings.Contains(p, "/sbin/") {
			perm = 0o755
		}
		d.vfs.WriteFile(p, []byte(c), perm)
	}
}

func (d *dryRun) removePkg(m *modelCall, mgr, name, action string) {
	if action == "autoremove" {
		action = "remove"
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.installed, name)
	delete(d.recommended, name)
	d.installedGen++
	d.rep.Packages = append(d.rep.Packages, Package{Name: name, Manager: mgr, Action: action, Pos: m.pos})
}

func dpkgModel(m *modelCall, a []string) int {
	set, ops := flags(a, "")
	d := m.sc.d
	switch {
	case has(set, "i", "--install"):
		for _, p := range ops {
			if !d.vfs.Exists(m.abs(p)) {
				return m.fail(2, "error: cannot access archive '%s': No such file or directory", p)
			}
			n := strings.SplitN(path.Base(p), "_", 2)[0]
			d.installPkg(m, "dpkg", strings.TrimSuffix(n, ".deb"), false)
		}
	case has(set, "r", "--remove"):
		for _, p := range ops {
			d.removePkg(m, "dpkg", p, "remove")
		}
	case has(set, "P", "--purge"):
		for _, p := range ops {
			d.removePkg(m, "dpkg", p, "purge")
		}
	case has(set, "s", "--status", "l", "--list", "L", "--listfiles"):
		return dpkgQueryModel(m, a)
	case has(set, "--print-architecture"):
		m.out("amd64\n")
	}
	return 0
}

func dpkgQueryModel(m *modelCall, a []string) int {
	_, ops := flags(a, "f|showformat|")
	d := m.sc.d
	code := 0
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, p := range ops {
		if d.installed[p] {
			m.out("%s\n", p)
		} else if d.vfs.lower == nil {
			code = 1
		}
	}
	return code
}

func pipModel(m *modelCall, a []string) int {
	m.model = "pip"
	set, ops := flags(a, "rcite|requirement|constraint|index-url|target|extra-index-url|")
	if len(ops) == 0 {
		return 0
	}
	d := m.sc.d
	switch ops[0] {
	case "install":
		for _, p := range ops[1:] {
			d.installPkg(m, "pip", p, false)
		}
		if r := set["r"]; r != "" {
			d.installPkg(m, "pip", "-r "+r, false)
		}
		d.mu.Lock()
		d.rep.Network = append(d.rep.Network, Fetch{Pos: m.pos, Tool: "pip", URLs: ops[1:]})
		d.mu.Unlock()
	case "uninstall":
		for _, p := range ops[1:] {
			d.removePkg(m, "pip", p, "remove")
		}
	}
	return 0
}

func pythonModel(m *modelCall, a []string) int {
	if len(a) >= 2 && a[0] == "-m" && a[1] == "pip" {
		return pipModel(m, a[2:])
	}
	return m.unmodelled()
}

// --- file tools acting on the virtual FS ---

func mkdirModel(m *modelCall, a []string) int {
	set, ops := flags(a, "m|mode|")
	perm := fs.FileMode(0o755)
	if mode, ok := set["m"]; ok {
		// mkdir -m applies the mode to a+rwx (GNU mkdir.c).
		p, ok := applyMode(mode, 0o777, true, buildUmask)
		if !ok {
			return m.fail(1, "invalid mode '%s'", mode)
		}
		perm = p
	}
	code := 0
	for _, p := range ops {
		err := m.sc.d.vfs.Mkdir(m.abs(p), perm, has(set, "p", "--parents"))
		if isNotExist(err) && m.assume(parentOf(m.abs(p)), "the directory", parentOf(m.abs(p))) {
			err = m.sc.d.vfs.Mkdir(m.abs(p), perm, false)
		}
		if err != nil {
			code = m.fail(1, "cannot create directory '%s': %s", p, strerror.Text(err))
		}
	}
	return code
}

func rmModel(m *modelCall, a []string) int {
	set, ops := flags(a, "")
	rec := has(set, "r", "R", "--recursive")
	force := has(set, "f", "--force")
	code := 0
	for _, p := range ops {
		ap := m.abs(p)
		if ap == "/" {
			if !has(set, "--no-preserve-root") {
				m.sc.d.contain(m.pos, "refused-rm-root", "rm %s refused by rm's --preserve-root default; nothing removed", strings.Join(a, " "))
				code = m.fail(1, "it is dangerous to operate recursively on '/'\nrm: use --no-preserve-root to override this failsafe")
				continue
			}
			m.sc.d.contain(m.pos, "virtual-rm-root", "rm -rf / emptied the virtual FS only; the host is untouched")
			m.sc.d.warnf(m.pos, "rm-root", "rm --no-preserve-root / removes the whole image")
		}
		if err := m.sc.d.vfs.Remove(ap, rec); err != nil {
			if force && isNotExist(err) {
				continue
			}
			code = m.fail(1, "cannot remove '%s': %s", p, strerror.Text(err))
		}
	}
	return code
}

func rmdirModel(m *modelCall, a []string) int {
	_, ops := flags(a, "")
	code := 0
	for _, p := range ops {
		fi, err := m.sc.d.vfs.Stat(m.abs(p), false)
		if err != nil || !fi.IsDir() {
			code = m.fail(1, "failed to remove '%s': Not a directory", p)
			continue
		}
		if err := m.sc.d.vfs.Remove(m.abs(p), false); err != nil {
			code = m.fail(1, "failed to remove '%s': %s", p, strerror.Text(err))
		}
	}
	return code
}

// target resolves the destination of cp/mv/ln/install for src.
func (m *modelCall) target(src, dst string, intoDir bool) string {
	ad := m.abs(dst)
	if fi, err := m.sc.d.vfs.Stat(ad, true); (err == nil && fi.IsDir()) || intoDir {
		return ad + "/" + path.Base(src)
	}
	return ad
}

func cpModel(m *modelCall, a []string) int {
	set, ops := flags(a, "t|target-directory|")
	rec := has(set, "r", "R", "a", "--recursive", "--archive")
	if dir, ok := set["t"]; ok {
		ops = append(ops, dir)
	}
	if len(ops) < 2 {
		return m.fail(1, "missing destination file operand")
	}
	dst := ops[len(ops)-1]
	code := 0
	for _, s := range ops[:len(ops)-1] {
		if fi, err := m.sc.d.vfs.Stat(m.abs(s), true); err == nil && !fi.IsDir() && strings.HasSuffix(dst, "/") && !m.sc.d.vfs.Exists(m.abs(dst)) {
			// cp FILE DIR/ wants DIR to be there.
			if !m.assume(m.abs(dst), "the directory", m.abs(dst)) {
				code = m.fail(1, "cannot create regular file '%s': Not a directory", dst)
				continue
			}
		}
		to := m.target(s, dst, len(ops) > 2)
		err := m.sc.d.vfs.Copy(m.abs(s), to, rec)
		if isNotExist(err) && !m.sc.d.vfs.Exists(m.abs(s)) && m.assume(m.abs(s), "the source", "") {
			continue
		}
		if isNotExist(err) && m.assume(parentOf(to), "the directory", parentOf(to)) {
			err = m.sc.d.vfs.Copy(m.abs(s), to, rec)
		}
		if err != nil {
			code = m.fail(1, "cannot stat '%s': %s", s, strerror.Text(err))
		}
	}
	return code
}

func mvModel(m *modelCall, a []string) int {
	set, ops := flags(a, "t|target-directory|")
	if dir, ok := set["t"]; ok {
		ops = append(ops, dir)
	}
	if len(ops) < 2 {
		return m.fail(1, "missing destination file operand")
	}
	dst := ops[len(ops)-1]
	code := 0
	for _, s := range ops[:len(ops)-1] {
		if err := m.sc.d.vfs.Rename(m.abs(s), m.target(s, dst, len(ops) > 2)); err != nil {
			code = m.fail(1, "cannot move '%s': %s", s, strerror.Text(err))
		}
	}
	return code
}

func lnModel(m *modelCall, a []string) int {
	set, ops := flags(a, "t|target-directory|")
	sym := has(set, "s", "--symbolic")
	force := has(set, "f", "--force")
	noDeref := has(set, "n", "T", "--no-dereference", "--no-target-directory")
	if len(ops) == 1 {
		ops = append(ops, ".")
	}
	if len(ops) < 2 {
		return m.fail(1, "missing file operand")
	}
	dst := ops[len(ops)-1]
	v := m.sc.d.vfs
	code := 0
	for _, t := range ops[:len(ops)-1] {
		link := m.abs(dst)
		if fi, err := v.Stat(link, !noDeref); err == nil && fi.IsDir() {
			link = link + "/" + path.Base(t)
		}
		if force {
			if fi, err := v.Stat(link, false); err == nil && !fi.IsDir() {
				v.Remove(link, false)
			}
		}
		var err error
		mk := func() error {
			if sym {
				return v.Symlink(t, link)
			}
			return v.Copy(m.abs(t), link, false)
		}
		err = mk()
		if isNotExist(err) && strings.HasSuffix(dst, "/") && m.assume(m.abs(dst), "the directory", m.abs(dst)) {
			link = m.abs(dst) + "/" + path.Base(t)
			err = mk()
		} else if isNotExist(err) && m.assume(parentOf(link), "the directory", parentOf(link)) {
			err = mk()
		}
		if err != nil {
			code = m.fail(1, "failed to create link '%s': %s", link, strerror.Text(err))
		}
	}
	return code
}

// buildUmask is the umask of the build (root in a Debian container).
const buildUmask = 0o022

// applyMode applies a chmod mode (octal or symbolic, as GNU chmod takes
// it) to the mode old of a file or, if dir, a directory, under umask; ok
// is false for an invalid mode.
func applyMode(s string, old fs.FileMode, dir bool, umask uint32) (fs.FileMode, bool) {
	changes, ok := filemode.Compile(s)
	if !ok {
		return old, false
	}
	n, _ := changes.Apply(uint32(old.Perm())|modeSpecial(old), dir, umask)
	mode := fs.FileMode(n & 0o777)
	if n&0o4000 != 0 {
		mode |= fs.ModeSetuid
	}
	if n&0o2000 != 0 {
		mode |= fs.ModeSetgid
	}
	if n&0o1000 != 0 {
		mode |= fs.ModeSticky
	}
	return mode, true
}

func chmodModel(m *modelCall, a []string) int {
	// Symbolic modes like -x look like flags: take the first operand-ish word.
	var rec bool
	var ops []string
	for _, x := range a {
		switch {
		case x == "-R" || x == "--recursive":
			rec = true
		case x == "-v" || x == "-c" || x == "-f" || x == "--":
		default:
			ops = append(ops, x)
		}
	}
	if len(ops) < 2 {
		return m.fail(1, "missing operand")
	}
	mode := ops[0]
	if _, ok := filemode.Compile(mode); !ok {
		return m.fail(1, "invalid mode: '%s'", mode)
	}
	code := 0
	v := m.sc.d.vfs
	var apply func(p string)
	apply = func(p string) {
		fi, err := v.Stat(p, true)
		if err != nil {
			code = m.fail(1, "cannot access '%s': No such file or directory", p)
			return
		}
		nm, _ := applyMode(mode, fi.Mode(), fi.IsDir(), buildUmask)
		v.Chmod(p, nm)
		if rec && fi.IsDir() {
			ents, _ := v.ReadDir(p)
			for _, e := range ents {
				apply(p + "/" + e.Name())
			}
		}
	}
	for _, p := range ops[1:] {
		apply(m.abs(p))
	}
	return code
}

func chownModel(m *modelCall, a []string) int {
	set, ops := flags(a, "")
	if len(ops) < 2 {
		return m.fail(1, "missing operand")
	}
	d := m.sc.d
	owner := ops[0]
	uid, gid := -1, -1
	u, g, hasG := strings.Cut(strings.Replace(owner, ".", ":", 1), ":")
	if path.Base(m.args[0]) == "chgrp" {
		u, g, hasG = "", owner, true
	}
	if u != "" {
		id, ok := d.lookupID("/etc/passwd", u)
		if !ok {
			return m.fail(1, "invalid user: '%s'", owner)
		}
		uid = id
	}
	if hasG && g != "" {
		id, ok := d.lookupID("/etc/group", g)
		if !ok {
			return m.fail(1, "invalid group: '%s'", owner)
		}
		gid = id
	}
	rec := has(set, "R", "--recursive")
	code := 0
	var apply func(p string)
	apply = func(p string) {
		if err := d.vfs.Chown(p, uid, gid); err != nil {
			code = m.fail(1, "cannot access '%s': No such file or directory", p)
			return
		}
		if fi, err := d.vfs.Stat(p, true); rec && err == nil && fi.IsDir() {
			ents, _ := d.vfs.ReadDir(p)
			for _, e := range ents {
				apply(p + "/" + e.Name())
			}
		}
	}
	for _, p := range ops[1:] {
		apply(m.abs(p))
	}
	return code
}

func touchModel(m *modelCall, a []string) int {
	set, ops := flags(a, "dtr|date|reference|")
	code := 0
	for _, p := range ops {
		ap := m.abs(p)
		if has(set, "c", "--no-create") && !m.sc.d.vfs.Exists(ap) {
			continue
		}
		if err := m.sc.d.vfs.Touch(ap); err != nil {
			code = m.fail(1, "cannot touch '%s': %s", p, strerror.Text(err))
		}
	}
	return code
}

func installModel(m *modelCall, a []string) int {
	set, ops := flags(a, "mogtS|mode|owner|group|target-directory|suffix|")
	v := m.sc.d.vfs
	perm := fs.FileMode(0o755)
	for _, k := range []string{"m", "--mode"} {
		if mode, ok := set[k]; ok {
			// install -m applies the mode to 0, without the umask
			// (GNU install.c).
			p, ok := applyMode(mode, 0, false, 0)
			if !ok {
				return m.fail(1, "invalid mode '%s'", mode)
			}
			perm = p
		}
	}
	if has(set, "d", "--directory") {
		for _, p := range ops {
			if err := v.Mkdir(m.abs(p), perm, true); err != nil {
				return m.fail(1, "cannot create directory '%s': %s", p, strerror.Text(err))
			}
			v.Chmod(m.abs(p), perm)
		}
		return 0
	}
	if dir, ok := set["t"]; ok {
		ops = append(ops, dir)
	}
	if len(ops) < 2 {
		return m.fail(1, "missing destination file operand")
	}
	dst := ops[len(ops)-1]
	for _, s := range ops[:len(ops)-1] {
		to := m.target(s, dst, len(ops) > 2)
		if has(set, "D") {
			v.Mkdir(path.Dir(to), 0o755, true)
		}
		data, err := v.ReadFile(m.abs(s))
		if err != nil {
			return m.fail(1, "cannot stat '%s': No such file or directory", s)
		}
		if err := v.WriteFile(to, data, perm); err != nil {
			return m.fail(1, "cannot create regular file '%s': %s", to, strerror.Text(err))
		}
		v.Chmod(to, perm)
	}
	return 0
}

func teeModel(m *modelCall, a []string) int {
	set, ops := flags(a, "")
	in := m.stdin()
	m.hc.Stdout.Write(in)
	code := 0
	for _, p := range ops {
		var err error
		write := func() error {
			if has(set, "a", "--append") {
				return m.sc.d.vfs.appendFile(m.abs(p), in)
			}
			return m.sc.d.vfs.WriteFile(m.abs(p), in, 0o644)
		}
		err = write()
		if isNotExist(err) && m.assume(m.abs(p), "the file", parentOf(m.abs(p))) {
			err = write()
		}
		if err != nil {
			code = m.fail(1, "%s: %s", p, strerror.Text(err))
		}
	}
	return code
}

// readInputs returns the files' contents, or stdin when there are none.
func (m *modelCall) readInputs(files []string) ([]byte, int) {
	if len(files) == 0 || len(files) == 1 && files[0] == "-" {
		return m.stdin(), 0
	}
	var buf bytes.Buffer
	code := 0
	for _, f := range files {
		if f == "-" {
			buf.Write(m.stdin())
			continue
		}
		b, err := m.sc.d.vfs.ReadFile(m.abs(f))
		if err != nil {
			if isNotExist(err) && m.assume(m.abs(f), "the file", "") {
				continue
			}
			code = m.fail(1, "%s: %s", f, strerror.Text(err))
			continue
		}
		buf.Write(b)
	}
	return buf.Bytes(), code
}

func catModel(m *modelCall, a []string) int {
	_, ops := flags(a, "")
	b, code := m.readInputs(ops)
	m.hc.Stdout.Write(b)
	return code
}

func echoModel(m *modelCall, a []string) int {
	nl := true
	if len(a) > 0 && a[0] == "-n" {
		nl, a = false, a[1:]
	}
	m.out("%s", strings.Join(a, " "))
	if nl {
		m.out("\n")
	}
	return 0
}

func printfModel(m *modelCall, a []string) int {
	if len(a) == 0 {
		return 1
	}
	args := make([]any, len(a)-1)
	for i, x := range a[1:] {
		args[i] = x
	}
	m.out("%s", fmt.Sprintf(strings.ReplaceAll(a[0], `\n`, "\n"), args...))
	return 0
}

// statModel is GNU stat: -c/--format FORMAT (a newline after each file)
// and --printf FORMAT (backslash escapes, no newline added) with the
// directives scripts use (%s size, %a and %A mode, %n name, %u %U %g %G
// owner, %F type, %Y mtime, %%); without a format, one line per file,
// its name and mode.
func statModel(m *modelCall, a []string) int {
	set, ops := flags(a, "cf|format|printf|")
	format, newline := set["c"], true
	if f, ok := set["--format"]; ok {
		format = f
	}
	if f, ok := set["--printf"]; ok {
		format, newline = unescapePrintf(f), false
	}
	_, hasC := set["c"]
	_, hasFormat := set["--format"]
	_, hasPrintf := set["--printf"]
	code := 0
	for _, p := range ops {
		fi, err := m.sc.d.vfs.Stat(m.abs(p), has(set, "L", "--dereference"))
		if err != nil {
			code = m.fail(1, "cannot stat '%s': No such file or directory", p)
			continue
		}
		if !hasC && !hasFormat && !hasPrintf {
			m.out("%s %04o\n", p, uint32(fi.Mode().Perm()))
			continue
		}
		out := m.statFormat(format, p, fi)
		if newline {
			out += "\n"
		}
		m.out("%s", out)
	}
	return code
}

// statFormat expands stat's FORMAT for file p.
func (m *modelCall) statFormat(format, p string, fi fs.FileInfo) string {
	st, _ := fi.Sys().(*syscall.Stat_t)
	var uid, gid int
	if st != nil {
		uid, gid = int(st.Uid), int(st.Gid)
	}
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b.WriteByte(c)
			continue
		}
		i++
		switch format[i] {
		case '%':
			b.WriteByte('%')
		case 's':
			b.WriteString(strconv.FormatInt(fi.Size(), 10))
		case 'a':
			b.WriteString(strconv.FormatUint(uint64(uint32(fi.Mode().Perm())|modeSpecial(fi.Mode())), 8))
		case 'A':
			b.WriteString(lsMode(fi.Mode()))
		case 'n':
			b.WriteString(p)
		case 'u':
			b.WriteString(strconv.Itoa(uid))
		case 'g':
			b.WriteString(strconv.Itoa(gid))
		case 'U':
			b.WriteString(m.sc.d.idName("/etc/passwd", uid, "UNKNOWN"))
		case 'G':
			b.WriteString(m.sc.d.idName("/etc/group", gid, "UNKNOWN"))
		case 'F':
			b.WriteString(fileType(fi.Mode()))
		case 'Y':
			b.WriteString(strconv.FormatInt(fi.ModTime().Unix(), 10))
		default:
			b.WriteByte('?') // a directive not modelled
		}
	}
	return b.String()
}

// lsMode is m as ls -l and stat's %A write it ("-rw-r--r--").
func lsMode(m fs.FileMode) string {
	b := []byte("----------")
	switch {
	case m.IsDir():
		b[0] = 'd'
	case m&fs.ModeSymlink != 0:
		b[0] = 'l'
	case m&fs.ModeNamedPipe != 0:
		b[0] = 'p'
	case m&fs.ModeSocket != 0:
		b[0] = 's'
	case m&fs.ModeCharDevice != 0:
		b[0] = 'c'
	case m&fs.ModeDevice != 0:
		b[0] = 'b'
	}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if m.Perm()&(1<<(8-i)) != 0 {
			b[1+i] = rwx[i]
		}
	}
	special := func(i int, on bool, set, unset byte) {
		if !on {
			return
		}
		if b[i] == '-' {
			b[i] = unset
		} else {
			b[i] = set
		}
	}
	special(3, m&fs.ModeSetuid != 0, 's', 'S')
	special(6, m&fs.ModeSetgid != 0, 's', 'S')
	special(9, m&fs.ModeSticky != 0, 't', 'T')
	return string(b)
}

// fileType is stat's %F.
func fileType(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "fifo"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character special file"
	case m&fs.ModeDevice != 0:
		return "block special file"
	}
	return "regular file"
}

// unescapePrintf interprets the backslash escapes of stat's --printf.
func unescapePrintf(s string) string {
	r := strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\\`, `\`, `\"`, `"`)
	return r.Replace(s)
}

// bre turns a basic regular expression into Go syntax, roughly.
func bre(s string, extended bool) string {
	if extended {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			n := s[i+1]
			switch n {
			case '(', ')', '{', '}', '|', '+', '?':
				b.WriteByte(n)
			default:
				b.WriteByte('\\')
				b.WriteByte(n)
			}
			i++
		case c == '(' || c == ')' || c == '{' || c == '}' || c == '|' || c == '+' || c == '?':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func sedModel(m *modelCall, a []string) int {
	var scripts, files []string
	inPlace, quiet, ext := false, false, false
	for i := 0; i < len(a); i++ {
		x := a[i]
		switch {
		case x == "-e" && i+1 < len(a):
			scripts = append(scripts, a[i+1])
			i++
		case x == "-f" && i+1 < len(a):
			b, _ := m.sc.d.vfs.ReadFile(m.abs(a[i+1]))
			scripts = append(scripts, string(b))
			i++
		case strings.HasPrefix(x, "-i") || strings.HasPrefix(x, "--in-place"):
			inPlace = true
		case x == "-n" || x == "--quiet" || x == "--silent":
			quiet = true
		case x == "-E" || x == "-r" || x == "--regexp-extended":
			ext = true
		case strings.HasPrefix(x, "-") && len(x) > 1:
			for _, c := range x[1:] {
				switch c {
				case 'i':
					inPlace = true
				case 'n':
					quiet = true
				case 'E', 'r':
					ext = true
				}
			}
		default:
			if len(scripts) == 0 {
				scripts = append(scripts, x)
			} else {
				files = append(files, x)
			}
		}
	}
	prog := strings.Join(scripts, "\n")
	edit := func(in []byte) []byte {
		out := in
		for _, cmd := range strings.Split(prog, "\n") {
			for _, c := range splitSed(cmd) {
				out = sedApply(c, out, ext)
			}
		}
		if quiet {
			return nil
		}
		return out
	}
	if !inPlace {
		in, code := m.readInputs(files)
		m.hc.Stdout.Write(edit(in))
		return code
	}
	if len(files) == 0 {
		return m.fail(1, "no input files")
	}
	code := 0
	for _, f := range files {
		p := m.abs(f)
		b, err := m.sc.d.vfs.ReadFile(p)
		if err != nil {
			if isNotExist(err) && m.assume(p, "the file", "") {
				continue
			}
			code = m.fail(4, "can't read %s: No such file or directory", f)
			continue
		}
		fi, _ := m.sc.d.vfs.Stat(p, true)
		m.sc.d.vfs.WriteFile(p, edit(b), fi.Mode().Perm())
	}
	return code
}

// splitSed splits one sed line at ';' outside s commands, roughly.
func splitSed(line string) []string {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "s") || len(line) < 2 {
		return []string{line}
	}
	delim := line[1]
	n := 0
	for i := 2; i < len(line); i++ {
		if line[i] == '\\' {
			i++
			continue
		}
		if line[i] == delim {
			n++
			if n == 2 {
				j := i + 1
				for j < len(line) && line[j] != ';' {
					j++
				}
				if j < len(line) {
					return append([]string{line[:j]}, splitSed(line[j+1:])...)
				}
				return []string{line}
			}
		}
	}
	return []string{line}
}

// sedApply applies s/// and /re/d; other commands leave the text as is.
func sedApply(cmd string, in []byte, ext bool) []byte {
	if len(cmd) > 3 && cmd[0] == 's' {
		delim := string(cmd[1])
		parts := splitUnescaped(cmd[2:], cmd[1])
		if len(parts) < 2 {
			return in
		}
		flagsS := ""
		if len(parts) > 2 {
			flagsS = parts[2]
		}
		pat := bre(strings.ReplaceAll(parts[0], `\`+delim, delim), ext)
		if strings.Contains(flagsS, "I") {
			pat = "(?i)" + pat
		}
		re, err := compileRE("(?m)" + pat)
		if err != nil {
			return in
		}
		repl := strings.ReplaceAll(parts[1], `\`+delim, delim)
		repl = strings.ReplaceAll(repl, "$", "$$")
		repl = sedGroupRef.ReplaceAllString(repl, "$${$1}")
		repl = strings.ReplaceAll(repl, "&", "${0}")
		repl = strings.ReplaceAll(repl, `\n`, "\n")
		lines := strings.SplitAfter(string(in), "\n")
		for i, l := range lines {
			body := strings.TrimSuffix(l, "\n")
			nl := l[len(body):]
			if strings.Contains(flagsS, "g") {
				body = re.ReplaceAllString(body, repl)
			} else if loc := re.FindStringSubmatchIndex(body); loc != nil {
				var dst []byte
				dst = re.ExpandString(dst, repl, body, loc)
				body = body[:loc[0]] + string(dst) + body[loc[1]:]
			}
			lines[i] = body + nl
		}
		return []byte(strings.Join(lines, ""))
	}
	if strings.HasPrefix(cmd, "/") && strings.HasSuffix(cmd, "/d") {
		re, err := compileRE(bre(cmd[1:len(cmd)-2], ext))
		if err != nil {
			return in
		}
		var out []string
		for _, l := range strings.SplitAfter(string(in), "\n") {
			if !re.MatchString(strings.TrimSuffix(l, "\n")) {
				out = append(out, l)
			}
		}
		return []byte(strings.Join(out, ""))
	}
	return in
}

var sedGroupRef = regexp.MustCompile(`\\([0-9])`)

// reCache keeps compiled expressions: scripts repeat theirs.
var reCache struct {
	sync.Mutex
	m map[string]*regexp.Regexp
}

func compileRE(expr string) (*regexp.Regexp, error) {
	reCache.Lock()
	re, ok := reCache.m[expr]
	reCache.Unlock()
	if ok {
		return re, nil
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	reCache.Lock()
	if reCache.m == nil || len(reCache.m) > 4096 {
		reCache.m = map[string]*regexp.Regexp{}
	}
	reCache.m[expr] = re
	reCache.Unlock()
	return re, nil
}

func splitUnescaped(s string, delim byte) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == delim {
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func grepModel(m *modelCall, a []string) int {
	var pats, files []string
	opt := map[byte]bool{}
	if path.Base(m.args[0]) == "egrep" {
		opt['E'] = true
	}
	if path.Base(m.args[0]) == "fgrep" {
		opt['F'] = true
	}
	for i := 0; i < len(a); i++ {
		x := a[i]
		switch {
		case x == "-e" && i+1 < len(a):
			pats = append(pats, a[i+1])
			i++
		case x == "--":
			files = append(files, a[i+1:]...)
			i = len(a)
		case strings.HasPrefix(x, "--"):
			switch x {
			case "--quiet", "--silent":
				opt['q'] = true
			case "--invert-match":
				opt['v'] = true
			case "--count":
				opt['c'] = true
			}
		case strings.HasPrefix(x, "-") && len(x) > 1:
			for j := 1; j < len(x); j++ {
				if x[j] == 'e' && j+1 < len(x) {
					pats = append(pats, x[j+1:])
					break
				}
				opt[x[j]] = true
			}
		default:
			if len(pats) == 0 {
				pats = append(pats, x)
			} else {
				files = append(files, x)
			}
		}
	}
	var res []*regexp.Regexp
	for _, p := range pats {
		if opt['F'] {
			p = regexp.QuoteMeta(p)
		} else {
			p = bre(p, opt['E'])
		}
		if opt['x'] {
			p = "^(?:" + p + ")$"
		} else if opt['w'] {
			p = `\b(?:` + p + `)\b`
		}
		if opt['i'] {
			p = "(?i)" + p
		}
		re, err := compileRE(p)
		if err != nil {
			return m.fail(2, "invalid regular expression")
		}
		res = append(res, re)
	}
	in, code := m.readInputs(files)
	if code != 0 && len(in) == 0 {
		if opt['s'] {
			return 2
		}
		return 2
	}
	count := 0
	text := strings.TrimSuffix(string(in), "\n")
	if text != "" || len(in) > 0 {
		for _, l := range strings.Split(text, "\n") {
			match := false
			for _, re := range res {
				if re.MatchString(l) {
					match = true
					break
				}
			}
			if match != opt['v'] {
				count++
				if !opt['q'] && !opt['c'] && !opt['l'] {
					m.out("%s\n", l)
				}
			}
		}
	}
	if opt['c'] {
		m.out("%d\n", count)
	}
	if count == 0 {
		return 1
	}
	return 0
}

func lsModel(m *modelCall, a []string) int {
	set, ops := flags(a, "")
	if len(ops) == 0 {
		ops = []string{"."}
	}
	code := 0
	for _, p := range ops {
		ap := m.abs(p)
		fi, err := m.sc.d.vfs.Stat(ap, true)
		if err != nil {
			code = m.fail(2, "cannot access '%s': No such file or directory", p)
			continue
		}
		if !fi.IsDir() || has(set, "d") {
			m.out("%s\n", p)
			continue
		}
		ents, _ := m.sc.d.vfs.ReadDir(ap)
		if has(set, "a") {
			m.out(".\n..\n")
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".") && !has(set, "a", "A") {
				continue
			}
			m.out("%s\n", e.Name())
		}
	}
	return code
}

func testModel(m *modelCall, a []string) int {
	m.sc.d.warnf(m.pos, "unmodelled", "%s run as an external command: assumed true", m.args[0])
	return 0
}

// --- users and groups ---

func useraddModel(m *modelCall, a []string) int {
	d := m.sc.d
	name := path.Base(m.args[0])
	set, ops := flags(a, "dsugGcekKpf|home|shell|uid|gid|groups|comment|home-dir|ingroup|gecos|")
	if name == "adduser" && d.providedBy("adduser") == "" && d.vfs.lower == nil {
		d.warnf(m.pos, "not-in-base", "adduser is not in debian:bookworm's minimal base (package adduser); useradd is")
	}
	if len(ops) == 0 {
		return m.fail(2, "missing user name")
	}
	user := ops[len(ops)-1]
	if _, ok := d.lookupID("/etc/passwd", user); ok {
		if name == "adduser" {
			return m.fail(1, "The user `%s' already exists.", user)
		}
		return m.fail(9, "user '%s' already exists", user)
	}
	home := set["d"]
	if h := set["--home"]; h != "" {
		home = h
	}
	if home == "" {
		home = "/home/" + user
	}
	shell := set["s"]
	if s := set["--shell"]; s != "" {
		shell = s
	}
	if shell == "" {
		shell = "/bin/sh"
	}
	uid := d.nextID("/etc/passwd", has(set, "r", "--system"))
	if u := set["u"] + set["--uid"]; u != "" {
		uid, _ = strconv.Atoi(u)
	}
	gid := uid
	g := set["g"] + set["--gid"] + set["--ingroup"]
	if g != "" {
		id, ok := d.lookupID("/etc/group", g)
		if !ok {
			return m.fail(6, "group '%s' does not exist", g)
		}
		gid = id
	} else if _, ok := d.lookupID("/etc/group", user); !ok && (name == "useradd" || has(set, "--group") || !has(set, "--system")) {
		d.vfs.appendFile("/etc/group", fmt.Appendf(nil, "%s:x:%d:\n", user, gid))
	}
	d.vfs.appendFile("/etc/passwd", fmt.Appendf(nil, "%s:x:%d:%d::%s:%s\n", user, uid, gid, home, shell))
	d.vfs.appendFile("/etc/shadow", fmt.Appendf(nil, "%s:!:20000:0:99999:7:::\n", user))
	createHome := has(set, "m", "--create-home") || name == "adduser" && !has(set, "--no-create-home", "--system")
	if createHome {
		d.vfs.Mkdir(home, 0o755, true)
		d.vfs.Chown(home, uid, gid)
	}
	return 0
}

func groupaddModel(m *modelCall, a []string) int {
	d := m.sc.d
	set, ops := flags(a, "gK|gid|")
	if len(ops) == 0 {
		return m.fail(2, "missing group name")
	}
	g := ops[len(ops)-1]
	if _, ok := d.lookupID("/etc/group", g); ok {
		if has(set, "f", "--force") {
			return 0
		}
		return m.fail(9, "group '%s' already exists", g)
	}
	gid := d.nextID("/etc/group", has(set, "r", "--system"))
	if x := set["g"] + set["--gid"]; x != "" {
		gid, _ = strconv.Atoi(x)
	}
	d.vfs.appendFile("/etc/group", fmt.Appendf(nil, "%s:x:%d:\n", g, gid))
	return 0
}

func usermodModel(m *modelCall, a []string) int {
	_, ops := flags(a, "dsugGcl|home|shell|uid|gid|groups|")
	if len(ops) == 0 {
		return m.fail(2, "missing user name")
	}
	if _, ok := m.sc.d.lookupID("/etc/passwd", ops[len(ops)-1]); !ok {
		return m.fail(6, "user '%s' does not exist", ops[len(ops)-1])
	}
	m.sc.d.vfs.Touch("/etc/passwd")
	return 0
}

func userdelModel(m *modelCall, a []string) int {
	_, ops := flags(a, "")
	if len(ops) == 0 {
		return m.fail(2, "missing user name")
	}
	u := ops[len(ops)-1]
	b, _ := m.sc.d.vfs.ReadFile("/etc/passwd")
	var keep []string
	found := false
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if strings.HasPrefix(l, u+":") {
			found = true
			continue
		}
		keep = append(keep, l)
	}
	if !found {
		return m.fail(6, "user '%s' does not exist", u)
	}
	m.sc.d.vfs.WriteFile("/etc/passwd", []byte(strings.Join(keep, "")), 0o644)
	return 0
}

func idModel(m *modelCall, a []string) int {
	set, ops := flags(a, "")
	uid, gid, name := 0, 0, "root"
	if len(ops) > 0 {
		var ok bool
		name = ops[0]
		if uid, ok = m.sc.d.lookupID("/etc/passwd", name); !ok {
			return m.fail(1, "'%s': no such user", name)
		}
		gid = uid
	}
	switch {
	case has(set, "u") && has(set, "n"):
		m.out("%s\n", name)
	case has(set, "u"):
		m.out("%d\n", uid)
	case has(set, "g"):
		m.out("%d\n", gid)
	default:
		m.out("uid=%d(%s) gid=%d(%s) groups=%d(%s)\n", uid, name, gid, name, gid, name)
	}
	return 0
}

func getentModel(m *modelCall, a []string) int {
	if len(a) < 1 {
		return 1
	}
	file := map[string]string{"passwd": "/etc/passwd", "group": "/etc/group", "shadow": "/etc/shadow"}[a[0]]
	if file == "" {
		if a[0] == "hosts" {
			m.out("127.0.0.1 localhost\n")
			return 0
		}
		return 2
	}
	if len(a) == 1 {
		b, _ := m.sc.d.vfs.peek(file)
		m.hc.Stdout.Write(b)
		return 0
	}
	code := 2
	for _, k := range a[1:] {
		if line, ok := m.sc.d.findEntry(file, k); ok {
			m.out("%s\n", line)
			code = 0
		}
	}
	return code
}

func unameModel(m *modelCall, a []string) int {
	set, _ := flags(a, "")
	switch {
	case has(set, "m", "p", "i"):
		m.out("x86_64\n")
	case has(set, "r"):
		m.out("6.1.0-sandbox\n")
	case has(set, "a"):
		m.out("Linux sandbox 6.1.0-sandbox #1 SMP x86_64 GNU/Linux\n")
	default:
		m.out("Linux\n")
	}
	return 0
}

// --- text tools ---

func basenameModel(m *modelCall, a []string) int {
	_, ops := flags(a, "")
	if len(ops) == 0 {
		return m.fail(1, "missing operand")
	}
	b := path.Base(ops[0])
	if len(ops) > 1 {
		b = strings.TrimSuffix(b, ops[1])
	}
	m.out("%s\n", b)
	return 0
}

func dirnameModel(m *modelCall, a []string) int {
	_, ops := flags(a, "")
	for _, p := range ops {
		m.out("%s\n", path.Dir(p))
	}
	return 0
}

func headTailModel(m *modelCall, a []string) int {
	set, ops := flags(a, "nc|lines|bytes|")
	n := 10
	if x, ok := set["n"]; ok {
		n, _ = strconv.Atoi(strings.TrimPrefix(x, "+"))
	}
	in, code := m.readInputs(ops)
	lines := strings.SplitAfter(string(in), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if path.Base(m.args[0]) == "head" {
		lines = lines[:min(n, len(lines))]
	} else if n < len(lines) {
		lines = lines[len(lines)-n:]
	}
	m.out("%s", strings.Join(lines, ""))
	return code
}

func wcModel(m *modelCall, a []string) int {
	set, ops := flags(a, "")
	in, code := m.readInputs(ops)
	switch {
	case has(set, "l"):
		m.out("%d\n", bytes.Count(in, []byte("\n")))
	case has(set, "c"):
		m.out("%d\n", len(in))
	case has(set, "w"):
		m.out("%d\n", len(strings.Fields(string(in))))
	default:
		m.out("%d %d %d\n", bytes.Count(in, []byte("\n")), len(strings.Fields(string(in))), len(in))
	}
	return code
}

func sortModel(m *modelCall, a []string) int {
	set, ops := flags(a, "tko|")
	in, code := m.readInputs(ops)
	lines := strings.Split(strings.TrimSuffix(string(in), "\n"), "\n")
	sort.Strings(lines)
	if has(set, "u") {
		lines = uniq(lines)
	}
	if has(set, "r") {
		for i, j := 0, len(lines)-1; i < j; i, j = i+1, j-1 {
			lines[i], lines[j] = lines[j], lines[i]
		}
	}
	if len(in) > 0 {
		m.out("%s\n", strings.Join(lines, "\n"))
	}
	return code
}

func uniqModel(m *modelCall, a []string) int {
	_, ops := flags(a, "")
	in, code := m.readInputs(ops)
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(string(in), "\n"), "\n") {
		if len(out) == 0 || out[len(out)-1] != l {
			out = append(out, l)
		}
	}
	if len(in) > 0 {
		m.out("%s\n", strings.Join(out, "\n"))
	}
	return code
}

func trModel(m *modelCall, a []string) int {
	set, ops := flags(a, "")
	in := string(m.stdin())
	if has(set, "d") && len(ops) > 0 {
		for _, c := range expandTr(ops[0]) {
			in = strings.ReplaceAll(in, string(c), "")
		}
	} else if len(ops) == 2 {
		from, to := expandTr(ops[0]), expandTr(ops[1])
		var b strings.Builder
		for _, c := range in {
			if i := strings.IndexRune(from, c); i >= 0 && len(to) > 0 {
				b.WriteRune(rune(to[min(i, len(to)-1)]))
			} else {
				b.WriteRune(c)
			}
		}
		in = b.String()
	}
	m.out("%s", in)
	return 0
}

func expandTr(s string) string {
	switch s {
	case "[:upper:]", "A-Z":
		return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	case "[:lower:]", "a-z":
		return "abcdefghijklmnopqrstuvwxyz"
	}
	return strings.NewReplacer(`\n`, "\n", `\t`, "\t").Replace(s)
}

func cutModel(m *modelCall, a []string) int {
	set, ops := flags(a, "dfcb|delimiter|fields|")
	in, code := m.readInputs(ops)
	delim := "\t"
	if d, ok := set["d"]; ok && d != "" {
		delim = d[:1]
	}
	field, _ := strconv.Atoi(strings.SplitN(strings.SplitN(set["f"], ",", 2)[0], "-", 2)[0])
	if field < 1 {
		field = 1
	}
	for _, l := range strings.Split(strings.TrimSuffix(string(in), "\n"), "\n") {
		if len(in) == 0 {
			break
		}
		f := strings.Split(l, delim)
		if field <= len(f) {
			m.out("%s\n", f[field-1])
		} else {
			m.out("\n")
		}
	}
	return code
}

func mktempModel(m *modelCall, a []string) int {
	set, ops := flags(a, "pt|tmpdir|suffix|")
	dir := "/tmp"
	if p := set["p"]; p != "" {
		dir = p
	}
	tmpl := "tmp.XXXXXXXXXX"
	if len(ops) > 0 {
		tmpl = ops[0]
		if strings.Contains(tmpl, "/") {
			dir, tmpl = path.Dir(m.abs(tmpl)), path.Base(tmpl)
		}
	}
	m.sc.d.mu.Lock()
	m.sc.d.tmpN++
	n := m.sc.d.tmpN
	m.sc.d.mu.Unlock()
	name := strings.Replace(tmpl, "XXXXXX", fmt.Sprintf("%06d", n), 1)
	name = strings.ReplaceAll(name, "X", "x")
	p := clean(dir, name)
	var err error
	if has(set, "d", "--directory") {
		err = m.sc.d.vfs.Mkdir(p, 0o700, false)
	} else {
		err = m.sc.d.vfs.WriteFile(p, nil, 0o600)
	}
	if err != nil {
		return m.fail(1, "failed to create file via template '%s': %s", tmpl, strerror.Text(err))
	}
	m.out("%s\n", p)
	return 0
}

func readlinkModel(m *modelCall, a []string) int {
	set, ops := flags(a, "")
	code := 0
	for _, p := range ops {
		if path.Base(m.args[0]) == "realpath" || has(set, "f", "e", "m") {
			m.out("%s\n", m.abs(p))
			continue
		}
		t, err := m.sc.d.vfs.Readlink(m.abs(p))
		if err != nil {
			code = 1
			continue
		}
		m.out("%s\n", t)
	}
	return code
}

// pwdModel is the external pwd (exec pwd, env pwd): the working
// directory, which the dry run keeps without symlinks (so -P and -L agree).
func pwdModel(m *modelCall, a []string) int {
	m.out("%s\n", m.abs("."))
	return 0
}

func seqModel(m *modelCall, a []string) int {
	var nums []int
	for _, x := range a {
		n, err := strconv.Atoi(x)
		if err != nil {
			return m.fail(1, "invalid argument: '%s'", x)
		}
		nums = append(nums, n)
	}
	first, step, last := 1, 1, 0
	switch len(nums) {
	case 1:
		last = nums[0]
	case 2:
		first, last = nums[0], nums[1]
	case 3:
		first, step, last = nums[0], nums[1], nums[2]
	default:
		return m.fail(1, "missing operand")
	}
	if step == 0 || (last-first)/step > 100000 {
		return m.fail(1, "sequence too long for the dry run")
	}
	for i := first; (step > 0 && i <= last) || (step < 0 && i >= last); i += step {
		m.out("%d\n", i)
	}
	return 0
}

func whichModel(m *modelCall, a []string) int {
	return m.lookup(append([]string{"which"}, a...))
}

// --- network ---

func urls(a []string) []string {
	var out []string
	for _, x := range a {
		if strings.Contains(x, "://") || strings.HasPrefix(x, "git@") {
			out = append(out, x)
		}
	}
	return out
}

func (m *modelCall) fetch(tool string, a []string) {
	m.kind = "network"
	u := urls(a)
	d := m.sc.d
	d.mu.Lock()
	d.rep.Network = append(d.rep.Network, Fetch{Pos: m.pos, Tool: tool, URLs: u})
	d.mu.Unlock()
	d.warnf(m.pos, "network", "%s %s: network access, not verifiable offline", tool, strings.Join(u, " "))
}

func netModel(m *modelCall, a []string) int {
	tool := path.Base(m.args[0])
	m.fetch(tool, a)
	set, ops := flags(a, "oOHdXuAePwmrTCUEKbxk|output|header|data|request|user|output-document|directory-prefix|")
	out := set["o"]
	if tool == "wget" {
		out = set["O"] + set["--output-document"]
		if out == "" && !has(set, "O", "--output-document", "--spider") {
			for _, u := range urls(ops) {
				out = path.Base(u)
			}
			if dir := set["P"] + set["--directory-prefix"]; dir != "" && out != "" {
				out = dir + "/" + out
			}
		}
	}
	if tool == "curl" && has(set, "O", "--remote-name") {
		for _, u := range urls(ops) {
			out = path.Base(u)
		}
	}
	if out != "" && out != "-" {
		if err := m.sc.d.vfs.WriteFile(m.abs(out), nil, 0o644); err != nil {
			return m.fail(23, "%s: %s", out, strerror.Text(err))
		}
	}
	return 0
}

func gitModel(m *modelCall, a []string) int {
	if len(a) > 0 && (a[0] == "clone" || a[0] == "fetch" || a[0] == "pull" || a[0] == "submodule") {
		m.fetch("git", a)
		if a[0] == "clone" {
			_, ops := flags(a[1:], "bc|branch|depth|config|")
			if len(ops) >= 1 {
				dir := strings.TrimSuffix(path.Base(ops[0]), ".git")
				if len(ops) >= 2 {
					dir = ops[1]
				}
				m.sc.d.vfs.Mkdir(m.abs(dir)+"/.git", 0o755, true)
				m.sc.d.markOpaque(m.abs(dir), "cloned from "+ops[0]+" at "+m.pos)
			}
		}
		return 0
	}
	return 0
}

func rsyncModel(m *modelCall, a []string) int {
	if len(urls(a)) > 0 {
		m.fetch("rsync", a)
		return 0
	}
	set, ops := flags(a, "e|exclude|include|")
	if len(ops) < 2 {
		return 0
	}
	_ = set
	return cpModel(m, append([]string{"-r"}, ops...))
}

// --- shells and wrappers ---

func shellModel(m *modelCall, a []string) int {
	shell := "sh"
	if path.Base(m.args[0]) == "bash" {
		shell = "bash"
	}
	for i := 0; i < len(a); i++ {
		x := a[i]
		switch {
		case x == "-c":
			if i+1 >= len(a) {
				return m.fail(2, "-c: option requires an argument")
			}
			m.kind = "script"
			return m.nested(shell, []byte(a[i+1]), m.pos, a[min(i+3, len(a)):])
		case x == "-n":
			return 0
		case strings.HasPrefix(x, "-") || strings.HasPrefix(x, "+"):
			if strings.Contains(x, "c") && !strings.HasPrefix(x, "--") {
				if i+1 >= len(a) {
					return m.fail(2, "-c: option requires an argument")
				}
				m.kind = "script"
				return m.nested(shell, []byte(a[i+1]), m.pos, a[min(i+3, len(a)):])
			}
		default:
			p := m.abs(x)
			src, err := m.sc.d.vfs.ReadFile(p)
			if err != nil {
				if m.assume(p, "the script", "") {
					return 0
				}
				m.notFound("%s %s: No such file or directory", shell, x)
				return m.fail(127, "%s: No such file or directory", x)
			}
			m.kind = "script"
			return m.nested(shell, src, m.displayName(p), a[i+1:])
		}
	}
	m.kind = "script"
	if name, line, ok := m.sc.hdocBody(m.hc.Pos); ok {
		// A here-document (to this shell, or to the cat piped into
		// it): its lines are positions in the file.
		return m.nestedAt(shell, m.stdin(), name, line-1, nil)
	}
	return m.nested(shell, m.stdin(), m.pos+" (stdin)", nil)
}

// displayName names a virtual script file in diagnostics: the image's
// script whose Dest it is, else its path.
func (m *modelCall) displayName(p string) string {
	if n := m.sc.d.destNames[p]; n != "" {
		return n
	}
	return p
}

func envModel(m *modelCall, a []string) int {
	i := 0
	for i < len(a) && (strings.Contains(a[i], "=") || strings.HasPrefix(a[i], "-")) {
		if a[i] == "-u" || a[i] == "-C" {
			i++
		}
		i++
	}
	if i >= len(a) {
		m.out("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nHOME=/root\n")
		return 0
	}
	return m.again(a[i:])
}

// again runs another command line through the models.
func (m *modelCall) again(args []string) int {
	m2 := *m
	m2.args = args
	m2.kind = "model"
	code := m2.run()
	m.kind, m.model, m.msg, m.fatal = m2.kind, m2.model, m2.msg, m2.fatal
	return code
}

func wrapModel(m *modelCall, a []string) int {
	i := 0
	for i < len(a) && strings.HasPrefix(a[i], "-") {
		if a[i] == "-u" || a[i] == "-g" || a[i] == "-n" {
			i++
		}
		i++
	}
	if i >= len(a) {
		return 0
	}
	return m.again(a[i:])
}

func timeoutModel(m *modelCall, a []string) int {
	i := 0
	for i < len(a) && strings.HasPrefix(a[i], "-") {
		if a[i] == "-s" || a[i] == "-k" {
			i++
		}
		i++
	}
	if i+1 >= len(a) {
		return 0
	}
	return m.again(a[i+1:])
}

func chpstModel(m *modelCall, a []string) int {
	i := 0
	for i < len(a) && strings.HasPrefix(a[i], "-") {
		if len(a[i]) == 2 && strings.Contains("ugUbenlmdostcfrp", a[i][1:]) && strings.Contains("uUbenlmdoptcfr", a[i][1:]) {
			i++
		}
		i++
	}
	if i >= len(a) {
		return 0
	}
	return m.again(a[i:])
}

func suModel(m *modelCall, a []string) int {
	for i := 0; i < len(a); i++ {
		if (a[i] == "-c" || a[i] == "--command") && i+1 < len(a) {
			m.kind = "script"
			return m.nested("sh", []byte(a[i+1]), m.pos, nil)
		}
	}
	return 0
}

func xargsModel(m *modelCall, a []string) int {
	// xargs's options end at the command: what follows is the command's
	// (xargs stat -c FMT; a -c there is stat's).
	end := len(a)
	for i := 0; i < len(a); i++ {
		w := a[i]
		if w == "--" {
			end = i
			break
		}
		if !strings.HasPrefix(w, "-") || w == "-" {
			end = i
			break
		}
		if len(w) == 2 && strings.ContainsRune("nIdLPsEa", rune(w[1])) {
			i++ // the option's value
		}
	}
	set, _ := flags(a[:end], "nIdLPsEa|max-args|replace|delimiter|arg-file|")
	ops := a[end:]
	if len(ops) > 0 && ops[0] == "--" {
		ops = ops[1:]
	}
	words := strings.Fields(string(m.stdin()))
	if len(ops) == 0 {
		ops = []string{"echo"}
	}
	if len(words) == 0 && has(set, "r", "--no-run-if-empty") {
		return 0
	}
	if r, ok := set["I"]; ok {
		code := 0
		for _, w := range words {
			args := make([]string, len(ops))
			for i, o := range ops {
				args[i] = strings.ReplaceAll(o, r, w)
			}
			if c := m.again(args); c != 0 {
				code = 123
			}
		}
		return code
	}
	if n, err := strconv.Atoi(set["n"] + set["--max-args"]); err == nil && n > 0 && len(words) > n {
		// -n N: the command once per N words.
		code := 0
		for len(words) > 0 {
			k := min(n, len(words))
			if c := m.again(append(append([]string(nil), ops...), words[:k]...)); c != 0 {
				code = 123
			}
			words = words[k:]
		}
		return code
	}
	return m.again(append(append([]string(nil), ops...), words...))
}

func tarModel(m *modelCall, a []string) int {
	set, ops := flags(a, "fCT|file|directory|exclude|")
	if len(a) > 0 && !strings.HasPrefix(a[0], "-") {
		// old-style "tar xzf FILE"
		for _, c := range a[0] {
			set[string(c)] = ""
		}
		if strings.Contains(a[0], "f") && len(a) > 1 {
			set["f"] = a[1]
			ops = a[2:]
		}
	}
	f := set["f"] + set["--file"]
	switch {
	case has(set, "x", "--extract"):
		if f != "" && f != "-" && !m.sc.d.vfs.Exists(m.abs(f)) {
			return m.fail(2, "%s: Cannot open: No such file or directory", f)
		}
		if dir := set["C"] + set["--directory"]; dir != "" && !m.sc.d.vfs.Exists(m.abs(dir)) {
			return m.fail(2, "%s: Cannot open: No such file or directory", dir)
		}
		dir := set["C"] + set["--directory"]
		if dir == "" {
			dir = "."
		}
		m.sc.d.markOpaque(m.abs(dir), "unpacked from "+f+" at "+m.pos)
	case has(set, "c", "--create"):
		if f != "" && f != "-" {
			m.sc.d.vfs.WriteFile(m.abs(f), nil, 0o644)
		}
	}
	_ = ops
	return 0
}

func findModel(m *modelCall, a []string) int {
	var roots []string
	i := 0
	for i < len(a) && !strings.HasPrefix(a[i], "-") && a[i] != "(" && a[i] != "!" {
		roots = append(roots, a[i])
		i++
	}
	if len(roots) == 0 {
		roots = []string{"."}
	}
	var namePat, typ string
	maxDepth := 1 << 20
	for ; i < len(a); i++ {
		switch a[i] {
		case "-name", "-iname":
			if i+1 < len(a) {
				namePat = a[i+1]
				i++
			}
		case "-type":
			if i+1 < len(a) {
				typ = a[i+1]
				i++
			}
		case "-maxdepth":
			if i+1 < len(a) {
				maxDepth, _ = strconv.Atoi(a[i+1])
				i++
			}
		case "-exec", "-execdir", "-delete", "-ok":
			m.sc.d.warnf(m.pos, "unmodelled", "find %s is not modelled: nothing is run or removed", a[i])
			i = len(a)
		}
	}
	v := m.sc.d.vfs
	code := 0
	var walk func(p, show string, depth int)
	walk = func(p, show string, depth int) {
		fi, err := v.Stat(p, false)
		if err != nil {
			return
		}
		ok := true
		if namePat != "" {
			ok, _ = path.Match(namePat, path.Base(p))
		}
		if typ == "f" && !fi.Mode().IsRegular() || typ == "d" && !fi.IsDir() || typ == "l" && fi.Mode()&fs.ModeSymlink == 0 {
			ok = false
		}
		if ok {
			m.out("%s\n", show)
		}
		if fi.IsDir() && depth < maxDepth {
			ents, _ := v.ReadDir(p)
			for _, e := range ents {
				walk(p+"/"+e.Name(), strings.TrimSuffix(show, "/")+"/"+e.Name(), depth+1)
			}
		}
	}
	for _, r := range roots {
		if !v.Exists(m.abs(r)) {
			code = m.fail(1, "'%s': No such file or directory", r)
			continue
		}
		walk(m.abs(r), r, 0)
	}
	return code
}

func awkModel(m *modelCall, a []string) int {
	m.sc.d.warnf(m.pos, "unmodelled", "awk is not modelled: its output is empty in the dry run")
	m.stdin()
	return 0
}

// --- services ---

func serviceModel(m *modelCall, a []string) int {
	if m.sc.script != nil && m.sc.script.Role == RoleRunit {
		m.sc.d.errorf(m.pos, "runit-daemon", "%s in a runit run script starts a daemon in the background; runit needs the service in the foreground (exec it)", shellQuote(m.args))
		return 0
	}
	if len(a) >= 2 && (a[1] == "start" || a[1] == "restart") || len(a) >= 1 && (a[0] == "start") {
		m.sc.d.warnf(m.pos, "service-start", "%s at build time: nothing keeps running after this step", shellQuote(m.args))
	}
	return 0
}

func systemctlModel(m *modelCall, a []string) int {
	m.sc.d.warnf(m.pos, "systemd", "systemctl: containers built this way have no systemd; use runit services")
	if m.sc.script != nil && m.sc.script.Role == RoleRunit {
		m.sc.d.errorf(m.pos, "runit-daemon", "systemctl in a runit run script: runit needs the service in the foreground")
	}
	return 0
}

func updateRCModel(m *modelCall, a []string) int {
	m.sc.d.warnf(m.pos, "sysv", "update-rc.d: init scripts do not run under my_init/runit; add a runit service instead")
	return 0
}

func sshKeygenModel(m *modelCall, a []string) int {
	set, _ := flags(a, "tbfNCqO|")
	v := m.sc.d.vfs
	if has(set, "A") {
		for _, t := range []string{"rsa", "ecdsa", "ed25519"} {
			p := "/etc/ssh/ssh_host_" + t + "_key"
			if !v.Exists(p) {
				v.Mkdir("/etc/ssh", 0o755, true)
				v.WriteFile(p, []byte("(private key)\n"), 0o600)
				v.WriteFile(p+".pub", []byte("(public key)\n"), 0o644)
			}
		}
		return 0
	}
	if f := set["f"]; f != "" {
		p := m.abs(f)
		if err := v.WriteFile(p, []byte("(private key)\n"), 0o600); err != nil {
			return m.fail(1, "saving key \"%s\" failed: %s", f, strerror.Text(err))
		}
		v.WriteFile(p+".pub", []byte("(public key)\n"), 0o644)
	}
	return 0
}
