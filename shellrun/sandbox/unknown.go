package sandbox

import (
	"path"
	"sort"
	"strings"
)

// What the models do not cover, and how the dry run says so.
//
// The dry run knows the files of the base and the context, and what the
// scripts write; it does not know what an unpacked archive or a cloned
// repository holds, nor every file a package installs. A command that
// fails in the models only because such a path is missing (cd into the
// directory a tarball unpacks, tee -a on a package's configuration file,
// ln into a package's directory) is no error: its outcome is unknown. It
// is reported in Report.Unknowns, at the command, and assumed to succeed:
// the directories it needs are made in the virtual FS, so the script goes
// on as the real build would if the path is there.

// opaqueDir is a directory whose contents the dry run does not know.
type opaqueDir struct {
	dir string
	why string // e.g. "unpacked from foo.tar.gz at t.sh:3:1"
}

// markOpaque records that dir holds what the dry run cannot know (why).
func (d *dryRun) markOpaque(dir, why string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, o := range d.opaque {
		if o.dir == dir {
			return
		}
	}
	d.opaque = append(d.opaque, opaqueDir{dir: dir, why: why})
}

// privatePrefixes are the trees no package installs into (Debian policy
// leaves /opt, /srv and /usr/local to the local system): a missing path
// there is the script's own business.
var privatePrefixes = []string{"/build/", "/tmp/", "/root/", "/home/", "/dev/", "/proc/", "/sys/", "/opt/", "/srv/", "/usr/local/"}

// packageTops are the top-level directories Debian packages install
// into (the FHS's); a path under any other (/bd_build, /app, /certificates)
// comes from the build's context or its scripts, never from a package.
var packageTops = map[string]bool{"etc": true, "usr": true, "var": true, "lib": true, "lib32": true, "lib64": true, "libx32": true,
	"bin": true, "sbin": true, "run": true, "boot": true, "opt": true, "srv": true}

// unknownSource says where a missing path p may come from in the real
// build, or "" when the dry run would know it: the contents of an opaque
// directory, or the files of a package installed earlier (whose files the
// models know only in part).
func (d *dryRun) unknownSource(p string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := len(d.opaque) - 1; i >= 0; i-- {
		o := d.opaque[i]
		if strings.HasPrefix(p, strings.TrimSuffix(o.dir, "/")+"/") {
			return o.why
		}
	}
	if len(d.installed) == 0 || p == "/" {
		return ""
	}
	for _, pre := range privatePrefixes {
		if strings.HasPrefix(p+"/", pre) {
			return ""
		}
	}
	if top, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/"); !packageTops[top] {
		return "" // /bd_build/…, /pd_build/…: the context's, no package's
	}
	var pkgs []string
	for name := range d.installed {
		pkgs = append(pkgs, name)
	}
	sort.Strings(pkgs)
	// The package the path names, if one does (/etc/apache2/… and
	// apache2), else them all.
	for _, name := range pkgs {
		stem := packageStem(name)
		if stem != "" && strings.Contains(p+"/", "/"+stem) {
			return "a file of package " + name + ", installed earlier"
		}
	}
	if len(pkgs) > 4 {
		pkgs = append(pkgs[:4], "…")
	}
	return "a file of a package installed earlier (" + strings.Join(pkgs, " ") + ")"
}

// packageStem is the part of a package name its paths usually carry:
// apache2 for apache2, mysql for mariadb-server or mysql-server, php for
// php7.4-fpm.
func packageStem(name string) string {
	if strings.HasPrefix(name, "mariadb") || strings.HasPrefix(name, "mysql") {
		return "mysql"
	}
	stem, _, _ := strings.Cut(name, "-")
	stem = strings.TrimRight(stem, "0123456789.")
	if len(stem) < 3 {
		return ""
	}
	return stem
}

// assume reports, at the command, that the missing path p (absolute)
// makes the outcome unknown if p may come from what the models do not
// cover, and then makes dir (p itself, or p's parent for a file) in the
// virtual FS so that the script goes on. what says what the command
// needed, e.g. "the directory". It returns false, doing nothing, when p
// is a path the dry run would know.
func (m *modelCall) assume(p, what, dir string) bool {
	return m.sc.d.assume(m.pos, p, what, dir)
}

func (d *dryRun) assume(pos, p, what, dir string) bool {
	why := d.unknownSource(p)
	if why == "" {
		return false
	}
	d.unknownf(pos, "assumed", "%s %s does not exist in the dry run; it may be %s, which the dry run does not know: assumed to be there", what, p, why)
	if dir != "" {
		d.vfs.Mkdir(dir, 0o755, true)
	}
	return true
}

// parentOf is p's parent directory.
func parentOf(p string) string { return path.Dir(p) }
