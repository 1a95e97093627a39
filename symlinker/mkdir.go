package symlinker

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/dmake-dev/dmake/internal/filemode"
	"golang.org/x/sys/unix"
)

var mkdirLong = []longOpt{
	{name: "mode", c: 'm', hasArg: true},
	{name: "parents", c: 'p'},
	{name: "verbose", c: 'v'},
}

// runMkdir is mkdir with -p, -m MODE and -v.
func runMkdir(c *cmd, args []string) bool {
	opts, dirs, ok := getopt(args, "m:pv", mkdirLong)
	if !ok {
		return false
	}
	var parents, verbose bool
	modeArg, haveMode := "", false
	for _, o := range opts {
		switch o.c {
		case 'p':
			parents = true
		case 'v':
			verbose = true
		case 'm':
			modeArg, haveMode = o.arg, true
		}
	}
	if len(dirs) == 0 {
		c.usageError("missing operand")
		return true
	}
	umask, err := currentUmask()
	if err != nil {
		return false
	}
	mode, bits := uint32(sIRWXUGO), uint32(0)
	if haveMode {
		changes, ok := filemode.Compile(modeArg)
		if !ok {
			c.errorf("invalid mode %s", c.quote(modeArg))
			return true
		}
		mode, bits = changes.Apply(sIRWXUGO, true, umask)
	}
	m := &mkdirer{c: c, parents: parents, verbose: verbose, mode: mode, bits: bits, umask: umask}
	for _, d := range dirs {
		m.make(d)
	}
	return true
}

// mkdirer makes the directories of one mkdir command.
type mkdirer struct {
	c                *cmd
	parents, verbose bool
	mode, bits       uint32 // the -m mode and the bits it sets explicitly
	umask            uint32
}

// make makes dir (and with -p its missing ancestors) as gnulib's
// make_dir_parents does.
func (m *mkdirer) make(dir string) {
	c := m.c
	if m.parents {
		// Ancestors get the default mode with u+wx, so that the
		// descendants can be made.
		for _, prefix := range ancestors(dir) {
			mkErr := unix.Mkdirat(c.dirfd, prefix, sIRWXUGO)
			if mkErr == nil {
				m.fixMode(prefix, sIRWXUGO, unix.S_IWUSR|unix.S_IXUSR, false)
				m.announce(prefix)
				continue
			}
			fd, err := unix.Openat(c.dirfd, prefix, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
			if err == nil {
				unix.Close(fd)
				continue
			}
			if err == unix.ENOENT {
				err = mkErr
			}
			c.errnof(err, "cannot create directory %s", c.quote(prefix))
			return
		}
	}
	err := unix.Mkdirat(c.dirfd, dir, m.mode)
	if err != nil {
		if m.parents {
			var st unix.Stat_t
			if unix.Fstatat(c.dirfd, dir, &st, 0) == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR {
				return
			}
		}
		c.errnof(err, "cannot create directory %s", c.quote(dir))
		return
	}
	m.announce(dir)
	m.fixMode(dir, m.mode, m.bits, true)
}

// fixMode gives the directory just made with mode the mode that mkdir(1)
// leaves: it runs mkdir(2) with the umask bits in unmask cleared, and then,
// when the result lacks explicitly set bits (setuid, setgid), it chmods.
// The process umask is shared by all threads, so the effect is computed
// from the resulting mode instead.
func (m *mkdirer) fixMode(dir string, mode, unmask uint32, chmod bool) {
	c := m.c
	var st unix.Stat_t
	if err := unix.Fstatat(c.dirfd, dir, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return
	}
	got := st.Mode & modeBits
	want := got | mode&(sIRWXUGO|sISVTX)&m.umask&unmask
	if chmod && (want^mode)&m.bits != 0 {
		want = mode | want&^m.bits
	}
	if want != got {
		if err := unix.Fchmodat(c.dirfd, dir, want, 0); err != nil {
			c.errnof(err, "cannot set permissions of %s", quoteaf(dir))
		}
	}
}

func (m *mkdirer) announce(dir string) {
	if m.verbose {
		fmt.Fprintf(m.c.stdout, "%s: created directory %s\n", m.c.name, quoteaf(dir))
	}
}

// ancestors lists the leading parts of dir before its last component, each
// including its own component and none of the slashes after it: "a", "a/b"
// for "a/b/c/".
func ancestors(dir string) []string {
	var out []string
	i := 0
	for i < len(dir) && dir[i] == '/' {
		i++
	}
	for {
		j := strings.IndexByte(dir[i:], '/')
		if j < 0 {
			return out
		}
		end := i + j
		k := end
		for k < len(dir) && dir[k] == '/' {
			k++
		}
		if k == len(dir) {
			return out // only trailing slashes follow: dir[i:end] is the last component
		}
		out = append(out, dir[:end])
		i = k
	}
}

// currentUmask reads the process umask without changing it.
func currentUmask() (uint32, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Umask:"); ok {
			u, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
			return uint32(u), err
		}
	}
	return 0, fmt.Errorf("no Umask line in /proc/self/status")
}
