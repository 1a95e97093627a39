package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestScriptsReadSafely checks that scripts and functions.sh are read
// only from regular files within the size limit: a FIFO does not block,
// a link to /dev/zero does not exhaust memory, an oversized file is
// refused, each with an error naming the file.
func TestScriptsReadSafely(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "01_ok.sh")
	if err := os.WriteFile(ok, []byte("#!/bin/bash\ntrue\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo", "02_fifo.sh")
	os.Mkdir(filepath.Dir(fifo), 0o755)
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero", "03_zero.sh")
	os.Mkdir(filepath.Dir(zero), 0o755)
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	fnDir := filepath.Join(dir, "fn")
	os.Mkdir(fnDir, 0o755)
	fnScript := filepath.Join(fnDir, "01_x.sh")
	os.WriteFile(fnScript, []byte("#!/bin/bash\n. ./functions.sh\n"), 0o755)
	if err := os.Symlink("/dev/zero", filepath.Join(fnDir, "functions.sh")); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big", "04_big.sh")
	os.Mkdir(filepath.Dir(big), 0o755)
	if err := os.WriteFile(big, make([]byte, MaxScriptSize+1), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ root, file, want string }{
		{dir, fifo, "not a regular file"},
		{"/", zero, "not a regular file"},
		{"/", fnScript, "not a regular file"},
		{dir, big, "more than"},
	} {
		img, err := LooseImage("t", tc.root, []string{ok, tc.file})
		if err == nil {
			_, err = Check(t.Context(), []Image{img}, Options{})
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.file, err, tc.want)
		}
	}
	if b, _, err := ReadFile(dir, ok); err != nil || string(b) != "#!/bin/bash\ntrue\n" {
		t.Errorf("ReadFile(%s) = %q, %v", ok, b, err)
	}
}

// TestScriptsNotReadThroughLinksOut checks that a script or functions.sh
// committed as a link out of the repository (to /etc/passwd, to
// /dev/zero, to a file beside the repository) is refused with an error
// naming it, whether the repository is known or not (then a link may not
// leave the script's directory); links inside the repository (a build
// directory's links, a functions.sh shared by the images) are followed.
func TestScriptsNotReadThroughLinksOut(t *testing.T) {
	top := t.TempDir()
	repo := filepath.Join(top, "repo")
	script := filepath.Join(repo, "images", "app", "script")
	os.MkdirAll(script, 0o755)
	os.MkdirAll(filepath.Join(repo, "lib"), 0o755)
	os.WriteFile(filepath.Join(repo, "lib", "functions.sh"), []byte("say() { echo \"$@\"; }\n"), 0o644)
	os.WriteFile(filepath.Join(top, "secret"), []byte("password\n"), 0o644)
	write := func(dir, name, body string) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(dir, 0o755)
		if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	link := func(target, p string) string {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const src = "#!/bin/bash\n. ./functions.sh\nsay hi\n"
	passwd := filepath.Join(repo, "images", "passwd")
	zero := filepath.Join(repo, "images", "zero")
	beside := filepath.Join(repo, "images", "beside")
	shared := filepath.Join(repo, "images", "shared")
	for _, d := range []string{passwd, zero, beside, shared} {
		write(d, "01_x.sh", src)
	}
	link("/etc/passwd", filepath.Join(passwd, "functions.sh"))
	link("/dev/zero", filepath.Join(zero, "functions.sh"))
	link("../../../secret", filepath.Join(beside, "functions.sh"))
	link("../../lib/functions.sh", filepath.Join(shared, "functions.sh"))
	scriptLink := link("/etc/passwd", filepath.Join(script, "02_passwd.sh"))
	inBuild := link("../lib/functions.sh", filepath.Join(repo, "images", "ok.sh"))
	for _, tc := range []struct {
		root, file, bad string // bad: the file the error must name; "" when none
	}{
		{repo, filepath.Join(passwd, "01_x.sh"), filepath.Join(passwd, "functions.sh")},
		{"", filepath.Join(passwd, "01_x.sh"), filepath.Join(passwd, "functions.sh")},
		{repo, filepath.Join(zero, "01_x.sh"), filepath.Join(zero, "functions.sh")},
		{repo, filepath.Join(beside, "01_x.sh"), filepath.Join(beside, "functions.sh")},
		{repo, scriptLink, scriptLink},
		{repo, filepath.Join(shared, "01_x.sh"), ""},
		{"", filepath.Join(shared, "01_x.sh"), filepath.Join(shared, "functions.sh")},
		{repo, inBuild, ""},
	} {
		img, err := LooseImage("t", tc.root, []string{tc.file})
		if err == nil {
			_, err = Check(t.Context(), []Image{img}, Options{})
		}
		switch {
		case tc.bad == "" && err != nil:
			t.Errorf("%s (root %q): %v", tc.file, tc.root, err)
		case tc.bad != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.bad+": a link to ") || !strings.Contains(err.Error(), "scripts are not read through links out of the repository")):
			t.Errorf("%s (root %q): error %v, want one naming %s as a link out of the repository", tc.file, tc.root, err, tc.bad)
		}
	}
}
