package sandbox

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
)

// daemonSpec says how a service program stays in the foreground.
type daemonSpec struct {
	// foreground reports whether argv (and the virtual FS) keep the
	// program in the foreground.
	foreground func(m *modelCall, a []string) bool
	hint       string
}

func anyArg(a []string, want ...string) bool {
	for _, x := range a {
		for _, w := range want {
			if x == w || strings.HasPrefix(x, w) && strings.HasSuffix(w, "=") {
				return true
			}
		}
	}
	return false
}

func argsFg(want ...string) func(*modelCall, []string) bool {
	return func(_ *modelCall, a []string) bool { return anyArg(a, want...) }
}

// daemons are the service programs the runit check knows.
var daemons = map[string]*daemonSpec{
	"sshd": {argsFg("-D", "-d", "-De", "-eD"), "sshd daemonises without -D: use 'exec /usr/sbin/sshd -D'"},
	"nginx": {func(m *modelCall, a []string) bool {
		for i, x := range a {
			if x == "-g" && i+1 < len(a) && strings.Contains(strings.ReplaceAll(a[i+1], " ", ""), "daemonoff") {
				return true
			}
		}
		conf := "/etc/nginx/nginx.conf"
		for i, x := range a {
			if x == "-c" && i+1 < len(a) {
				conf = m.abs(a[i+1])
			}
		}
		b, err := m.sc.d.vfs.ReadFile(conf)
		return err == nil && daemonOff.Match(b)
	}, "nginx daemonises unless told 'daemon off;': use exec nginx -g 'daemon off;'"},
	"cron":         {argsFg("-f"), "cron daemonises without -f: use 'exec cron -f'"},
	"crond":        {argsFg("-f"), "crond daemonises without -f"},
	"rsyslogd":     {argsFg("-n"), "rsyslogd daemonises without -n: use 'exec rsyslogd -n'"},
	"syslog-ng":    {argsFg("-F", "--foreground"), "syslog-ng daemonises without -F: use 'exec syslog-ng -F'"},
	"apache2ctl":   {argsFg("-DFOREGROUND", "FOREGROUND"), "apache2ctl daemonises without -D FOREGROUND"},
	"apachectl":    {argsFg("-DFOREGROUND", "FOREGROUND"), "apachectl daemonises without -D FOREGROUND"},
	"apache2":      {argsFg("-DFOREGROUND", "FOREGROUND"), "apache2 daemonises without -D FOREGROUND"},
	"httpd":        {argsFg("-DFOREGROUND", "FOREGROUND"), "httpd daemonises without -D FOREGROUND"},
	"php-fpm":      {argsFg("-F", "--nodaemonize"), "php-fpm daemonises without -F"},
	"php-fpm8.2":   {argsFg("-F", "--nodaemonize"), "php-fpm daemonises without -F"},
	"supervisord":  {argsFg("-n", "--nodaemon"), "supervisord daemonises without -n"},
	"memcached":    {func(_ *modelCall, a []string) bool { return !anyArg(a, "-d") }, "memcached -d daemonises"},
	"redis-server": {func(_ *modelCall, a []string) bool { return !strings.Contains(strings.Join(a, " "), "daemonize yes") }, "redis-server --daemonize yes daemonises"},
	"dnsmasq":      {argsFg("-k", "--keep-in-foreground", "-d"), "dnsmasq daemonises without -k"},
	"named":        {argsFg("-f", "-g"), "named daemonises without -f"},
	"mysqld":       {func(*modelCall, []string) bool { return true }, ""},
	"mysqld_safe":  {func(*modelCall, []string) bool { return true }, ""},
	"postgres":     {func(*modelCall, []string) bool { return true }, ""},
	"runsvdir":     {func(*modelCall, []string) bool { return true }, ""},
	"my_init":      {func(*modelCall, []string) bool { return true }, ""},
	"svlogd":       {func(*modelCall, []string) bool { return true }, ""},
	"tail":         {func(_ *modelCall, a []string) bool { return anyArg(a, "-f", "-F") }, ""},
	"busybox":      {func(*modelCall, []string) bool { return true }, ""},
	"syslogd":      {argsFg("-n"), "syslogd daemonises without -n: use 'exec busybox syslogd -n'"},
}

// apacheCtlModel is apache2ctl (apachectl): start, restart and graceful,
// or apache2's own -k start and -D FOREGROUND, run the server (a daemon:
// see daemon); stop and graceful-stop end it if it runs, and say
// "httpd (no pid file) not running" with status 0 if not, as in a build;
// an unknown action fails (status 1). What depends on the configuration
// or prints it (configtest, -t, -S, -M, status, -v) is unknown: the dry
// run does not parse Apache's configuration.
func apacheCtlModel(m *modelCall, a []string) int {
	m.model = "apache2ctl"
	name := path.Base(m.args[0])
	if daemons[name] == nil {
		name = "apache2ctl"
	}
	act := ""
	if len(a) > 0 {
		act = a[0]
	}
	for i, x := range a {
		if x == "-k" && i+1 < len(a) {
			act = a[i+1]
		}
	}
	switch {
	case act == "start" || act == "restart" || act == "graceful" || daemons[name].foreground(m, a):
		return m.daemon(name, a)
	case act == "stop" || act == "graceful-stop":
		fmt.Fprintln(m.hc.Stderr, "httpd (no pid file) not running")
		return 0
	case act == "" || strings.HasPrefix(act, "-") || act == "configtest" || act == "status" || act == "fullstatus" || act == "help":
		return m.unmodelled()
	}
	m.msg = "Action '" + act + "' failed."
	fmt.Fprintln(m.hc.Stderr, m.msg)
	return 1
}

// daemon answers a service program: at build time it is a warning, in a
// runit run script it must stay in the foreground and be exec'd.
func (m *modelCall) daemon(name string, a []string) int {
	if name == "busybox" {
		if len(a) == 0 {
			return 0
		}
		if models[a[0]] != nil {
			return models[a[0]](m, a[1:])
		}
		if daemons[a[0]] == nil {
			return 0
		}
		name, a = a[0], a[1:]
	}
	spec := daemons[name]
	if name == "tail" {
		return headTailModel(m, a)
	}
	role := Role("")
	if m.sc.script != nil {
		role = m.sc.script.Role
	}
	switch role {
	case RoleRunit:
		m.sc.d.started.Store(true)
		if !spec.foreground(m, a) {
			m.sc.d.errorf(m.pos, "runit-daemon", "%s; runit would restart it in a loop", spec.hint)
		}
		m.sc.mu.Lock()
		execd := len(m.sc.last.argv) > 0 && m.sc.last.argv[0] == "exec"
		m.sc.mu.Unlock()
		if !execd {
			m.sc.d.warnf(m.pos, "runit-exec", "%s runs as a child of the shell: 'exec' it so runit's signals reach the service", name)
		}
	case RoleInstall:
		if name != "tail" {
			m.sc.d.warnf(m.pos, "build-daemon", "%s started at build time: nothing keeps running after this step", name)
		}
	}
	return 0
}

var (
	daemonOff     = regexp.MustCompile(`(?m)^\s*daemon\s+off\s*;`)
	installPrefix = regexp.MustCompile(`^(00|01|02|03|99)_[A-Za-z0-9_.+-]+\.sh$`)
	anyPrefix     = regexp.MustCompile(`^[0-9][0-9]_`)
)

// staticChecks are the checks that need no run: names, order, run bits,
// shebangs.
func (d *dryRun) staticChecks(img Image) {
	var installNames, bootNames []string
	all := append([]Script(nil), img.Scripts...)
	have := map[string]bool{}
	for _, s := range img.Scripts {
		have[s.Path] = true
	}
	for _, f := range img.Files {
		if f.Role != "" && !have[f.Name] {
			all = append(all, Script{Path: f.Name, Source: f.Data, Mode: f.Mode, Role: f.Role})
		}
	}
	// The naming and order warnings hold only for a repository that
	// follows the convention: one of the seed's layout where some script
	// of the role has an NN_ prefix.
	follows := map[Role]bool{}
	var scripts []Script
	for _, s := range all {
		// Only script files have names to judge (not a Dockerfile's
		// RUN steps).
		if strings.HasSuffix(s.Path, ".sh") || s.Role != RoleInstall {
			scripts = append(scripts, s)
		}
	}
	all = scripts
	for _, s := range all {
		if base := path.Base(s.Path); img.SeedConvention && anyPrefix.MatchString(base) {
			follows[s.Role] = true
		}
	}
	for _, s := range all {
		base := path.Base(s.Path)
		switch s.Role {
		case RoleInstall:
			if base == "install.sh" || base == "functions.sh" {
				continue
			}
			installNames = append(installNames, base)
			if follows[RoleInstall] && !installPrefix.MatchString(base) {
				d.rep.warnf(s.Path, "prefix", "install script name should start with 00_, 01_, 02_, 03_ or 99_ (the seed's convention: 00 essential base fixes, 01 base functioning, 02 system-wide, 03 image software, 99 cleanup)")
			}
		case RoleBoot:
			bootNames = append(bootNames, base)
			if follows[RoleBoot] && !anyPrefix.MatchString(base) {
				d.rep.warnf(s.Path, "prefix", "boot script name should start with a two-digit prefix (NN_) that orders it")
			}
			if s.Mode != 0 && s.Mode.Perm()&0o111 == 0 {
				d.rep.errorf(s.Path, "not-executable", "boot script is not executable (mode %04o): my_init runs only executable files; chmod +x it", uint32(s.Mode.Perm()))
			}
			d.shebang(s)
		case RoleRunit:
			if s.Mode != 0 && s.Mode.Perm()&0o111 == 0 {
				d.rep.errorf(s.Path, "not-executable", "runit run script is not executable (mode %04o): runsv cannot start the service; chmod +x it", uint32(s.Mode.Perm()))
			}
			d.shebang(s)
		}
	}
	checkOrder := func(names []string, what string) {
		if follows[Role(what)] && !sort.StringsAreSorted(names) {
			d.rep.warnf("", "order", "%s scripts are not given in name order (%s); the image runs them in glob order", what, strings.Join(names, " "))
		}
	}
	checkOrder(installNames, "install")
	checkOrder(bootNames, "boot")
}

func (d *dryRun) shebang(s Script) {
	src := s.Source
	if src == nil {
		return
	}
	if !bytes.HasPrefix(src, []byte("#!")) {
		d.rep.errorf(s.Path+":1:1", "shebang", "%s script has no #! line: it is executed directly and the exec fails (Exec format error)", s.Role)
	}
}

// services lists the runit services: the run scripts checked and the
// /etc/service/*/run files the install scripts left in the image.
func (d *dryRun) services(img Image) {
	seen := map[string]bool{}
	for _, s := range img.Scripts {
		if s.Role != RoleRunit {
			continue
		}
		name := s.Service
		if name == "" {
			name = path.Base(path.Dir(s.Path))
		}
		if !seen[name] {
			seen[name] = true
			run := s.Dest
			if run == "" {
				run = s.Path
			}
			d.rep.Services = append(d.rep.Services, Service{Name: name, Run: run})
		}
	}
	ents, err := d.vfs.ReadDir("/etc/service")
	if err == nil {
		for _, e := range ents {
			run := "/etc/service/" + e.Name() + "/run"
			if e.IsDir() && !seen[e.Name()] && d.vfs.Exists(run) {
				seen[e.Name()] = true
				d.rep.Services = append(d.rep.Services, Service{Name: e.Name(), Run: run})
			}
		}
	}
	// The legacy helpers' record of build-only packages.
	if b, err := d.vfs.ReadFile("/etc/legacy/packages.temporary"); err == nil {
		temp := map[string]bool{}
		for _, l := range strings.Fields(string(b)) {
			temp[l] = true
		}
		perm := map[string]bool{}
		if b, err := d.vfs.ReadFile("/etc/legacy/packages.permanent"); err == nil {
			for _, l := range strings.Fields(string(b)) {
				perm[l] = true
			}
		}
		for i := range d.rep.Packages {
			p := &d.rep.Packages[i]
			if p.Manager == "apt" && temp[p.Name] && !perm[p.Name] {
				p.BuildOnly = true
			}
		}
	}
}
