package symlinker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// setupTime is the modification time given to every file a case's setup
// makes, so that the snapshot can tell which files a command touched.
var setupTime = time.Unix(1000000000, 0)

// outcome is what running a command line left: its output, status and
// the tree of its directory.
type outcome struct {
	stdout, stderr string
	status         int
	tree           string
	fellBack       bool // a file command went to the real binary
}

// runLine runs line with an interp runner in dir; with mw set, the
// symlinker middleware sits in front of the real binaries.
func runLine(t *testing.T, dir, line string, env []string, mw *Symlinker) outcome {
	t.Helper()
	file, err := syntax.NewParser().Parse(strings.NewReader(line), "case")
	if err != nil {
		t.Fatalf("parse %q: %v", line, err)
	}
	var out outcome
	var stdout, stderr bytes.Buffer
	record := func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
		return func(ctx context.Context, args []string) error {
			if commands[filepath.Base(args[0])] != nil {
				out.fellBack = true
			}
			return next(ctx, args)
		}
	}
	mws := []func(interp.ExecHandlerFunc) interp.ExecHandlerFunc{record}
	if mw != nil {
		mws = append([]func(interp.ExecHandlerFunc) interp.ExecHandlerFunc{mw.Middleware()}, mws...)
	}
	r, err := interp.New(
		interp.Dir(dir),
		interp.Env(expand.ListEnviron(env...)),
		interp.StdIO(nil, &stdout, &stderr),
		interp.ExecHandlers(mws...),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = r.Run(context.Background(), file)
	var es interp.ExitStatus
	switch {
	case errors.As(err, &es):
		out.status = int(es)
	case err != nil:
		t.Fatalf("run %q: %v", line, err)
	}
	out.stdout, out.stderr = stdout.String(), stderr.String()
	out.tree = snapshot(t, dir)
	return out
}

// snapshot describes the tree under dir: for each entry its type, mode
// bits, link target or contents, and whether its modification time is
// still the setup time.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		fi, err := os.Lstat(path)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		age := "new"
		if fi.ModTime().Equal(setupTime) {
			age = "old"
		}
		fmt.Fprintf(&b, "%s %s %04o %s", rel, fi.Mode().Type(), st.Mode&0o7777, age)
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(path)
			fmt.Fprintf(&b, " -> %q", target)
		case fi.Mode().IsRegular():
			data, _ := os.ReadFile(path)
			fmt.Fprintf(&b, " %q", data)
		}
		b.WriteByte('\n')
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// setupDir runs script with bash in a new directory and stamps every entry
// with setupTime.
func setupDir(t *testing.T, script string) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("bash", "-ec", script)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("setup %q: %v\n%s", script, err, out)
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		return lutimes(path, setupTime)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// lutimes sets both times of path, not following a symbolic link.
func lutimes(path string, tm time.Time) error {
	ts := []syscall.Timespec{syscall.NsecToTimespec(tm.UnixNano()), syscall.NsecToTimespec(tm.UnixNano())}
	return utimesNoFollow(path, ts)
}

// A diffCase is a command line run through the symlinker and through the
// real coreutils in twin directories.
type diffCase struct {
	setup, cmd string
	// fallback says the symlinker is expected to hand the command to the
	// real binary.
	fallback bool
}

// The setup most cases share: files, directories and links of each kind.
const common = `
mkdir -p d/sub e emptydir
echo one > f; echo two > g; echo three > d/h; echo four > d/sub/i
chmod 600 g
ln -s d ld; ln -s f lf; ln -s nowhere dangling
touch "it's" 'a b' 'x$y'
`

var diffCases = []diffCase{
	// ln -s: the forms.
	{common, "ln -s f newlink", false},
	{common, "ln -s f", false},
	{common, "ln -s d/h", false},
	{common, "ln -s d/h; ln -s d/h", false},
	{common, "ln -s f g h d", false},
	{common, "ln -s f g h d/", false},
	{common, "ln -sf f g ld", false},
	{common, "ln -sf f g h f", false},
	{common, "ln -s f g h nodir/", false},
	{common, "ln -s f nodir/", false},
	{common, "ln -s f nodir/x", false},
	{common, "ln -sf f nodir/x", false},
	{common, "ln -s f f/x", false},
	{common, "ln -sf x f/", false},
	{common, "ln -s nothing/at/all newlink", false},
	{common, "ln -s '' empty", false},
	{common, "ln -s /etc/passwd abs", false},
	{common, "ln -s ../up/../f rel", false},
	{common, "ln -s f g", false},
	{common, "ln -sf f g", false},
	{common, "ln -sf f f", false},
	{common, "ln -sf lf lf", false},
	{common, "ln -sf d/h d/h", false},
	{common, "ln -sf g lf", false},
	{common, "ln -sf g dangling", false},
	{common, "ln -sf x d", false},
	{common, "ln -sf x d/", false},
	{common, "ln -sf x ld", false},
	{common, "ln -sfn x ld", false},
	{common, "ln -sn x ld", false},
	{common, "ln -sfn x ld/", false},
	{common, "ln -sfn x ./ld/", false},
	{common, "ln -sfT x d", false},
	{common, "ln -sT x d", false},
	{common, "ln -sT x newlink", false},
	{common, "ln -sfT x lf", false},
	{common, "ln -sT x y z", false},
	{common, "ln -sT x", false},
	{common, "ln -s", false},
	{common, "ln -s f g h", false},
	{common, "ln -sf d/h e/h", false},
	{common, "ln -sf d/h e/", false},
	{common, "ln -sf d/h e//", false},
	{common, "ln -sf d/ e", false},
	{common, "ln -sf d// e", false},
	{common, "ln -s / e", false},
	{common, "ln -sf ../f ../g d/sub", false},
	{common, "ln -sf a/x b/x e", false},
	{common, "ln -sv f g h e", false},
	{common, "ln -sfv f lf", false},
	{common, "ln -s -- -x dash", false},
	{common, "ln -s f -- y", false},
	{common, "ln f newlink -s", false},
	{common, "ln --sym --force f lf", false},
	{common, "ln --symbolic --no-dereference --force x ld", false},
	{common, "ln --no-target-directory -s x d", false},
	{common, "ln -s \"it's\" 'a b' 'x$y' e; ln -s \"it's\" 'a b' 'x$y' e", false},
	{common, "ln -sf e \"it's\"; ln -sf e 'a b'", false},
	{common, "ln -s e 'new:dir'; ln -s x 'new:dir'", false},
	{common, "mkdir 'a:b'; ln -sf x 'a:b'", false},
	{common, "ln -sf x emptydir", false},
	{common, "ln -sfT x emptydir", false},
	{common, "ln -sfn x emptydir", false},
	{common, "ln -sr f rel", false},
	{common, "ln -sr f d/sub/rel", false},
	{common, "ln -sr d/h d/sub/i e", false},
	{common, "ln -srf ../f d/sub/x; ln -sr /etc/hostname e/abs", false},
	{common, "ln -sr ld/h e/x; ln -sr nope/../f e/y; ln -sr dangling e/z", false},
	{common, "ln -srf f lf; ln -srf f f", false},
	{common, "ln -sr f ld; ln -srn f ld; ln -srfn f ld", false},
	{common, "ln -sr f; ln -sr d/h", false},
	{common, "ln -s -t e f g", false},
	{common, "ln -s -t e", false},
	{common, "ln -s -t nope f", false},
	{common, "ln -s -t f g", false},
	{common, "ln -s -t e -T f g", false},
	{common, "ln -sf --target-directory=ld f", false},
	{common, "ln -sLP f x; ln -sd f y; ln -sF f z", false},
	{common, "ln -s --backup=none f x", true},
	// ln forms left to the real ln.
	{common, "ln f hard", true},
	{common, "ln -sb f g", true},
	{common, "ln -s --bogus f g", true},
	{common, "ln -si f g", true},
	{common, "ln -sf -S .bak f g", true},
	{common, "ln -s -t e -t d f", true},

	// mkdir.
	{common, "mkdir n", false},
	{common, "mkdir n1 n2 n3", false},
	{common, "mkdir", false},
	{common, "mkdir d", false},
	{common, "mkdir f", false},
	{common, "mkdir f/x", false},
	{common, "mkdir x/y", false},
	{common, "mkdir d n d/sub", false},
	{common, "mkdir n/", false},
	{common, "mkdir -p d", false},
	{common, "mkdir -p f", false},
	{common, "mkdir -p a/b/c", false},
	{common, "mkdir -p a/b/c/", false},
	{common, "mkdir -p a//b///c//", false},
	{common, "mkdir -p /", false},
	{common, "mkdir -p ./q/../r/./s", false},
	{common, "mkdir -p f/x/y", false},
	{common, "mkdir -p d/h/x/y", false},
	{common, "mkdir -p ld/new lf/new", false},
	{common, "mkdir -p dangling", false},
	{common, "mkdir dangling", false},
	{common, "mkdir -p dangling/x", false},
	{common, "mkdir -pv v/w/x d v", false},
	{common, "mkdir -v v1 d", false},
	{common, "mkdir -m 700 m1", false},
	{common, "mkdir -m 0 m1", false},
	{common, "mkdir -m 7777 m1", false},
	{common, "mkdir -m 1777 m1", false},
	{common, "mkdir -m u+s m1", false},
	{common, "mkdir -m g+s m1", false},
	{common, "mkdir -m =rwx,g-w m1", false},
	{common, "mkdir -m a=rx m1", false},
	{common, "mkdir -m go= m1", false},
	{common, "mkdir -m +t m1", false},
	{common, "mkdir -m bad m1", false},
	{common, "mkdir -m 8 m1", false},
	{common, "mkdir -m '' m1", false},
	{common, "mkdir -m 77777 m1", false},
	{common, "mkdir -pm 700 p1/p2/p3", false},
	{common, "mkdir -p -m 700 d", false},
	{common, "mkdir --mode=750 --parents p1/p2", false},
	{common, "mkdir -m", true},
	{common, "mkdir -Z z", true},
	{common, "mkdir \"it's\" 'a\\b'", false},

	// rm.
	{common, "rm f", false},
	{common, "rm f g d/h", false},
	{common, "rm", false},
	{common, "rm -f", false},
	{common, "rm nope", false},
	{common, "rm -f nope", false},
	{common, "rm nope f", false},
	{common, "rm d", false},
	{common, "rm -f d", false},
	{common, "rm -d emptydir", false},
	{common, "rm -d d", false},
	{common, "rm -r d", false},
	{common, "rm -rf d e nope", false},
	{common, "rm -R d", false},
	{common, "rm -fr d", false},
	{common, "rm -r -f d", false},
	{common, "rm --recursive --force d", false},
	{common, "rm -rv d", false},
	{common, "rm -v f lf dangling", false},
	{common, "rm -dv emptydir", false},
	{common, "rm ld", false},
	{common, "rm -r ld", false},
	{common, "rm lf dangling", false},
	{common, "rm .", false},
	{common, "rm -r .", false},
	{common, "rm -rf ..", false},
	{common, "rm -r d/.", false},
	{common, "rm -r ./", false},
	{common, "rm -rf d/..", false},
	{common, "rm -rf d/sub/", false},
	{common, "rm -rf d//", false},
	{common, "rm f/", false},
	{common, "rm -f f/", false},
	{common, "rm -f f/x", false},
	{common, "rm -rf f/x", false},
	{common, "rm f/x", false},
	{common, "rm -r nope/", false},
	{common, "rm -rf nope/", false},
	{common, "rm -r /", false},
	{common, "rm -r ld/", true},
	{common, "rm -f dangling/", true},
	{common, "rm -i f", true},
	{common, "rm --no-preserve-root f", true},
	{common, "rm \"it's\" 'a b' 'x$y' 'x$y'", false},
	{"mkdir -p t/a/b/c t/x; touch t/a/b/c/f t/a/f t/x/y", "rm -rv t", false},

	// touch.
	{common, "touch new", false},
	{common, "touch f d", false},
	{common, "touch new1 new2 f", false},
	{common, "touch nodir/x", false},
	{common, "touch f/x", false},
	{common, "touch dangling", false},
	{common, "touch lf ld", false},
	{common, "touch", false},
	{common, "touch -c new f", false},
	{common, "touch -c nodir/x", false},
	{common, "touch --no-create f new", false},
	{common, "touch -d 2000-01-01 f", true},
	{common, "touch -", true},
	{common, "touch \"it's\" 'a b'", false},

	// chmod.
	{common, "chmod 755 f", false},
	{common, "chmod 0644 g d", false},
	{common, "chmod 4755 f", false},
	{common, "chmod 7777 f", false},
	{common, "chmod 77777 f", false},
	{common, "chmod +x f", false},
	{common, "chmod u+x,go-w f g", false},
	{common, "chmod a=r f", false},
	{common, "chmod =w f", false},
	{common, "chmod +w g", false},
	{common, "chmod o+w,-w f", false},
	{common, "chmod u=,g+r f", false},
	{common, "chmod a-x+w f", false},
	{common, "chmod g=u g", false},
	{common, "chmod u+s,g=u g", false},
	{common, "chmod go=u-w f", false},
	{common, "chmod +X d f", false},
	{common, "chmod a+X,o-X d g", false},
	{common, "chmod +t d", false},
	{common, "chmod ug+s d f", false},
	{common, "chmod 2755 d; chmod 755 d", false},
	{common, "chmod 2755 d; chmod 00755 d", false},
	{common, "chmod 2755 d; chmod u=rwx,go=rx d", false},
	{common, "chmod 755 nope f", false},
	{common, "chmod 644 dangling", false},
	{common, "chmod 700 lf ld", false},
	{common, "chmod", false},
	{common, "chmod 755", false},
	{common, "chmod bad f", false},
	{common, "chmod u+x, f", false},
	{common, "chmod '' f", false},
	{common, "chmod u+q f", false},
	{common, "chmod -R 700 d", false},
	{common, "chmod -R go-rwx d ld", false},
	{common, "ln -s ../../f d/sub/link; chmod -R 700 d", false},
	{common, "chmod -f 755 nope", false},
	{common, "chmod -Rf 755 nope d", false},
	{common, "chmod -- -w f", false},
	{common, "chmod -x f", true},
	{common, "chmod -v 755 f", true},
	{common, "chmod --reference=f g", true},
	{common, "chmod 755 \"it's\" 'a b' nope\\'s", false},

	// cp.
	{common, "cp f new", false},
	{common, "cp f g", false},
	{common, "cp g new", false},
	{common, "cp f g e", false},
	{common, "cp f g e/", false},
	{common, "cp f g ld", false},
	{common, "cp lf new", false},
	{common, "cp -P lf new", false},
	{common, "cp -L lf new", false},
	{common, "cp dangling new", false},
	{common, "cp -P dangling new", false},
	{common, "cp", false},
	{common, "cp f", false},
	{common, "cp nope x", false},
	{common, "cp nope f e", false},
	{common, "cp d x", false},
	{common, "cp f d e", false},
	{common, "cp f g h", false},
	{common, "cp f g f", false},
	{common, "cp f nodir/x", false},
	{common, "cp f f/x", false},
	{common, "cp -T f", false},
	{common, "cp -T f x y", false},
	{common, "cp -T f new", false},
	{common, "cp -r d new", false},
	{common, "cp -R d e", false},
	{common, "cp -r d e; cp -r d e", false},
	{common, "cp -rT d e", false},
	{common, "cp -r d emptydir e", false},
	{common, "cp -r ld new", false},
	{common, "cp -rL ld new", false},
	{common, "cp -rP d new", false},
	{common, "ln -s ../f d/sub/rel; ln -s /etc/hostname d/abs; cp -r d new", false},
	{common, "ln -s ../f d/sub/rel; cp -rL d new", false},
	{common, "cp -p f g new1; cp -p g e", false},
	{common, "chmod 4755 f; cp f new; cp -p f new2", false},
	{common, "chmod 1755 f; cp f new", false},
	{common, "chmod 3777 d; cp -r d new; cp -rp d new2", false},
	{common, "chmod 700 d/sub; cp -r d new; cp -rp d new2", false},
	{common, "chmod 700 f; cp f g; cp -p f e/f", false},
	{common, "cp -rp d new", false},
	{common, "cp -rp ld new", false},
	{common, "cp -rpP d ld new", false},
	{common, "cp -f f g", false},
	{common, "cp --recursive --force d new", false},
	{common, "cp \"it's\" 'a b' e", false},
	{common, "mkdir -p new/h; cp d/h new", false},
	{common, "cp -r d e/d; cp -r d e/d", false},
	{common, "cp -r d new; echo changed > d/h; chmod 700 d/h; cp -r d new", false},
	{common, "cp -r d new; rm new/h; mkdir new/h; cp -r d new", false},
	{common, "mkdir -p new/d/h; cp -r d new", false},
	{common, "mkdir -p new/d/sub; touch new/d/sub/extra; cp -rp d new", false},
	{common, "cp -rp lf dangling ld e", false},
	{common, "chmod 444 g; cp -f f g", false},
	{common, "mkdir -p new/d; touch new/d/sub; cp -r d new", true},
	// cp forms left to the real cp.
	{common, "cp f f", true},
	{common, "cp f lf", true},
	{common, "cp lf f", true},
	{common, "cp f dangling", true},
	{common, "cp -P lf g", true},
	{common, "cp -r emptydir emptydir; cp -r e e/", true},
	{common, "cp -r d f", true},
	{common, "cp -r d/ e", true},
	{common, "cp f d/h e/f e", true},
	{common, "cp -a d new", true},
	{common, "cp -v f new", true},
	{common, "cp -i f g", true},

	// Absolute names.
	{common, "ln -s $PWD/f $PWD/e/; ln -s $PWD/nope/x $PWD/nope/y", false},
	{common, "ln -sfn $PWD/d $PWD/ld; ln -sf $PWD/f $PWD/d", false},
	{common, "mkdir -p $PWD/x/y $PWD/f/z; mkdir $PWD/d", false},
	{common, "rm -rf $PWD/d $PWD/nope; rm $PWD/e", false},
	{common, "cp -r $PWD/d $PWD/new; cp $PWD/f $PWD/nope/x", false},
	{common, "touch $PWD/f $PWD/nope/x; chmod 700 $PWD/f $PWD/nope", false},
	{common, "cd d && ln -sf ../f . && rm -r sub && mkdir -p ../e/x && cp h ../e/x/", false},

	// A recipe's worth.
	{common, "mkdir -p build/script && ln -sf ../../d/h ../../f build/script/ && chmod 755 build && touch build/stamp && rm -rf build/script", false},
}

// TestDifferential runs every case through the symlinker and through the
// real coreutils, under a UTF-8 and a C locale, and compares output,
// status and the tree left behind.
func TestDifferential(t *testing.T) {
	for _, locale := range []string{"LANG=C.UTF-8", "LC_ALL=C"} {
		env := []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent", locale}
		for _, tc := range diffCases {
			t.Run(locale+"/"+tc.cmd, func(t *testing.T) {
				t.Parallel()
				realDir := setupDir(t, tc.setup)
				oursDir := setupDir(t, tc.setup)
				want := runLine(t, realDir, tc.cmd, env, nil)
				got := runLine(t, oursDir, tc.cmd, env, New(Config{}))
				for _, o := range []struct {
					out *outcome
					dir string
				}{{&want, realDir}, {&got, oursDir}} {
					o.out.stdout = strings.ReplaceAll(o.out.stdout, o.dir, "$DIR")
					o.out.stderr = strings.ReplaceAll(o.out.stderr, o.dir, "$DIR")
					o.out.tree = strings.ReplaceAll(o.out.tree, o.dir, "$DIR")
				}
				if got.fellBack != tc.fallback {
					t.Errorf("fell back to the real binary: %v, want %v", got.fellBack, tc.fallback)
				}
				if got.stdout != want.stdout {
					t.Errorf("stdout:\n got %q\nwant %q", got.stdout, want.stdout)
				}
				if got.stderr != want.stderr {
					t.Errorf("stderr:\n got %q\nwant %q", got.stderr, want.stderr)
				}
				if got.status != want.status {
					t.Errorf("status: got %d, want %d", got.status, want.status)
				}
				if got.tree != want.tree {
					t.Errorf("tree:\n got:\n%s\nwant:\n%s", got.tree, want.tree)
				}
			})
		}
	}
}
