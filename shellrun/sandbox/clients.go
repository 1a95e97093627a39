package sandbox

import (
	"fmt"
	"path"
	"strings"
)

// addAptRepoModel is add-apt-repository (apt-add-repository) of
// software-properties-common, as on debian:bookworm. A "deb URI SUITE
// COMPONENT…" line is written to
// /etc/apt/sources.list.d/archive_uri-URI-SUITE.list (with a disabled
// deb-src line) and the lists are updated from the network (a network
// access, as curl's); the packages of the repository are then unknown to
// the check (see checkInstall). A PPA (ppa:OWNER/NAME) is looked up on
// Launchpad, whose answer (and whether the PPA has a suite for Debian's
// codename) cannot be known offline: unknown, assumed added. Removing a
// repository and the other forms (a component name, a bare URI) are
// unknown too.
func addAptRepoModel(m *modelCall, a []string) int {
	m.model = "add-apt-repository"
	set, ops := flags(a, "cpk|component|pocket|keyserver|")
	if has(set, "r", "--remove", "P", "--ppa", "U", "--uri", "C", "--components", "S", "--sourceslist") || len(ops) != 1 {
		return m.unmodelled()
	}
	line := strings.TrimSpace(ops[0])
	d := m.sc.d
	if owner, name, ok := strings.Cut(strings.TrimPrefix(line, "ppa:"), "/"); strings.HasPrefix(line, "ppa:") && ok && owner != "" && name != "" {
		m.kind = "network"
		d.mu.Lock()
		d.rep.Network = append(d.rep.Network, Fetch{Pos: m.pos, Tool: "add-apt-repository", URLs: []string{"https://launchpad.net/~" + owner + "/+archive/ubuntu/" + name}})
		d.mu.Unlock()
		d.unknownf(m.pos, "network", "add-apt-repository %s: the PPA is looked up on Launchpad at build time (and must have a suite for bookworm): assumed added", line)
		d.vfs.WriteFile("/etc/apt/sources.list.d/"+owner+"-ubuntu-"+name+"-bookworm.list", []byte("deb https://ppa.launchpadcontent.net/"+owner+"/"+name+"/ubuntu/ bookworm main\n"), 0o644)
		return 0
	}
	f := strings.Fields(line)
	if len(f) > 0 && f[0] == "deb" {
		f = f[1:]
	}
	if len(f) > 0 && strings.HasPrefix(f[0], "[") {
		for len(f) > 0 && !strings.HasSuffix(f[0], "]") {
			f = f[1:]
		}
		if len(f) > 0 {
			f = f[1:]
		}
	}
	if len(f) < 2 || !strings.Contains(f[0], "://") {
		return m.unmodelled()
	}
	uri, suite := f[0], f[1]
	file := "archive_uri-" + strings.Trim(strings.NewReplacer("://", "_", "/", "_", ".", "_", ":", "_").Replace(uri), "_") + "-" + strings.ReplaceAll(suite, "/", "_") + ".list"
	if err := d.vfs.WriteFile("/etc/apt/sources.list.d/"+file, []byte("deb "+strings.TrimPrefix(line, "deb ")+"\n# deb-src "+strings.TrimPrefix(line, "deb ")+"\n"), 0o644); err != nil {
		return m.fail(1, "cannot write /etc/apt/sources.list.d/%s", file)
	}
	m.out("Adding repository.\n")
	if !has(set, "n", "--no-update") {
		m.fetch("add-apt-repository", []string{uri})
	}
	return 0
}

// mysqlModel is the mysql (mariadb) client. It talks to a server: in a
// build step none runs unless the build started one, so with no server
// started before (no mysqld, mysqld_safe, mariadbd or service
// mysql/mariadb start among the commands run) a connection to the local
// server fails as the real client does (ERROR 2002, status 1). With a
// server started, a remote host named, or in a boot or runit script
// (which may run beside the server's service), what the SQL does is
// unknown.
func mysqlModel(m *modelCall, a []string) int {
	m.model = "mysql"
	set, _ := flags(a, "uphPSDeE|user|password|host|port|socket|database|execute|protocol|")
	if has(set, "V", "--version", "?", "--help") {
		return m.unmodelled()
	}
	if h := set["h"] + set["--host"]; h != "" && h != "localhost" && h != "127.0.0.1" && h != "::1" {
		return m.unmodelled()
	}
	if m.sc.script != nil && m.sc.script.Role != RoleInstall || m.sc.d.mysqlStarted() {
		// A boot or runit script may run beside the server's service.
		return m.unmodelled()
	}
	m.msg = "ERROR 2002 (HY000): Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)"
	fmt.Fprintln(m.hc.Stderr, m.msg)
	return 1
}

// mysqlStarted says whether a command run so far may have started a
// MySQL or MariaDB server: the server itself, or an action on a service
// or init script of that name (whether it really did is not judged).
func (d *dryRun) mysqlStarted() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.rep.Commands) >= maxCommands {
		return true // the record is full: what ran after is not known
	}
	for _, c := range d.rep.Commands {
		named, acts := false, false
		for _, x := range c.Argv {
			b := path.Base(x)
			switch {
			case b == "mysqld" || b == "mysqld_safe" || b == "mariadbd" || b == "mariadbd-safe" || b == "mysqld_multi":
				return true
			case strings.HasPrefix(b, "mysql") || strings.HasPrefix(b, "mariadb"):
				named = named || x != c.Argv[0] || strings.Contains(x, "/init.d/") || b != "mysql" && b != "mariadb"
			case b == "start" || b == "restart" || b == "reload" || b == "force-reload":
				acts = true
			}
		}
		if named && acts {
			return true
		}
	}
	return false
}
