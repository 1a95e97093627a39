package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes files (path → content) under root; paths under bin/
// are executable.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if strings.HasPrefix(name, "bin/") {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
}

// At a repository root with an executable bin/build, "dmake IMAGE" builds
// IMAGE the way "bin/build IMAGE" does: the script runs (here through the
// repository's own bin/make, which writes a temporary makefile), its make
// is dmake's and its docker build is taken over (--no-build: the
// Dockerfile is written, nothing sent). Images are named by
// images/NAME.mk as well as images/NAME/Makefile.
func TestBinBuildDiscovery(t *testing.T) {
	bin := buildDmake(t)
	repo := t.TempDir()
	writeFiles(t, repo, map[string]string{
		"bin/build": "#!/bin/bash\n$DOCKER_HOME/bin/make $1 build\n",
		"bin/make": `#!/bin/bash
if [ -f $DOCKER_HOME/images/$1.mk ]; then
	make -f $DOCKER_HOME/images/$1.mk $2
	exit
fi
[ -d $DOCKER_HOME/images/$1 ] || { echo "bin/make: no image $1" >&2; exit 2; }
FILE=$(mktemp -p $DOCKER_HOME/build)
printf 'include $(DOCKER_HOME)/build/Makefile\nNAME = %s\n' $1 > $FILE
make -f $FILE $2
status=$?
rm -f $FILE
exit $status
`,
		"build/Makefile":      "FROM ?= busybox:latest\n.PHONY: build\nbuild: prepare\n\tprintf 'FROM $(FROM)\\nRUN echo $(NAME)\\n' > $(DOCKER_HOME)/build/Dockerfile\n\tdocker build -t dmakebb/$(NAME):latest $(DOCKER_HOME)/build\nprepare app:\n",
		"images/flat.mk":      "include $(DOCKER_HOME)/build/Makefile\nNAME = flat\nFROM = dmakebb/dir\nbuild: app", // no trailing newline
		"images/dir/Makefile": "# built through bin/make's temporary makefile\n",
	})
	env := []string{"DOCKER_HOME="}
	run := func(args ...string) (string, int) {
		t.Helper()
		_, stderr, status := runBinary(t, bin, env, append([]string{"-C", repo, "--no-build", "--no-check"}, args...)...)
		return stderr, status
	}
	// flat is FROM dir: asking for flat builds dir first.
	stderr, status := run("flat")
	if status != 0 {
		t.Fatalf("dmake flat: status %d\n%s", status, stderr)
	}
	if d, f := strings.Index(stderr, "dir: --no-build: wrote"), strings.Index(stderr, "flat: --no-build: wrote"); d < 0 || f < d {
		t.Errorf("dmake flat did not build dir, which it is FROM, first:\n%s", stderr)
	}
	for _, name := range []string{"flat", "dir"} {
		df, err := os.ReadFile(filepath.Join(repo, ".dmake", name, "Dockerfile"))
		if err != nil || !strings.Contains(string(df), "RUN echo "+name) {
			t.Errorf("%s: no Dockerfile written by the taken-over docker build: %v\n%s", name, err, stderr)
		}
	}
	if !strings.Contains(stderr, "Dockerfile sent as written") {
		t.Errorf("dmake does not say the Dockerfile is sent as written:\n%s", stderr)
	}
	if m, _ := filepath.Glob(filepath.Join(repo, "build", "tmp.*")); len(m) > 0 {
		t.Errorf("bin/make's temporary makefile is left: %q", m)
	}
	// --graph=json shows what discovery found: tags, FROM edges,
	// components (the prerequisites of the goals the repository's makes
	// made).
	stdout, stderr, status := runBinary(t, bin, env, "-C", repo, "--graph=json")
	var doc struct {
		Images []struct {
			Name, Tag, From string
			DependsOn       []string `json:"depends_on"`
			Components      []string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); status != 0 || err != nil {
		t.Fatalf("--graph=json: status %d, %v\n%s%s", status, err, stdout, stderr)
	}
	if got := fmt.Sprint(doc.Images); got != "[{dir dmakebb/dir:latest busybox:latest [] [prepare]} {flat dmakebb/flat:latest dmakebb/dir [dir] [prepare app]}]" {
		t.Errorf("--graph=json images: %s", got)
	}
	// With no goal, every image of the repository, in FROM order.
	os.RemoveAll(filepath.Join(repo, ".dmake"))
	stderr, status = run()
	if d, f := strings.Index(stderr, "dir: --no-build: wrote"), strings.Index(stderr, "flat: --no-build: wrote"); status != 0 || d < 0 || f < d {
		t.Errorf("dmake with no goal: status %d, want dir then flat written:\n%s", status, stderr)
	}
	// The legacy utilities build and make work on a flat images/NAME.mk
	// image too, flags before --util honoured.
	os.RemoveAll(filepath.Join(repo, ".dmake"))
	utilEnv := []string{"DOCKER_HOME=" + repo}
	if _, stderr, status := runBinary(t, bin, utilEnv, "--no-build", "--no-check", "--util", "build", "flat"); status != 0 {
		t.Errorf("--util build flat: status %d\n%s", status, stderr)
	}
	if _, err := os.Stat(filepath.Join(repo, ".dmake", "flat", "Dockerfile")); err != nil {
		t.Errorf("--no-build --util build flat wrote no Dockerfile: %v", err)
	}
	if stdout, stderr, status := runBinary(t, bin, utilEnv, "--util", "make", "flat", "app", "prepare"); status != 0 || !strings.Contains(stdout, "Nothing to be done for 'app'") {
		t.Errorf("--util make flat app prepare: status %d\n%s%s", status, stdout, stderr)
	}
	stderr, status = run("nosuch")
	if status != 2 || !strings.Contains(stderr, `has no image "nosuch" (its images: dir, flat)`) {
		t.Errorf("dmake nosuch: status %d\n%s", status, stderr)
	}
}

// "dmake -n IMAGE" at a bin/build repository runs none of bin/build's
// commands for real: as make -n does with a recipe, they are printed; its
// make runs (as make -n runs a $(MAKE) line) under -n, printing the
// recipes; mktemp gives a file of dmake's own (removed afterwards), into
// which the script's heredoc goes so the make reads it; any other write
// is discarded and said; discovery (which runs the recipes) does not run.
func TestBinBuildDryRun(t *testing.T) {
	bin := buildDmake(t)
	repo, tmp := t.TempDir(), t.TempDir()
	writeFiles(t, repo, map[string]string{
		"bin/build": `#!/bin/bash
mkdir -p $DOCKER_HOME/out
echo ran > $DOCKER_HOME/out/log
rm -f $DOCKER_HOME/keep
F=$(mktemp)
cat > $F <<EOT
include \$(DOCKER_HOME)/build/Makefile
NAME = $1
EOT
make -f $F build
rm -f $F
`,
		"build/Makefile": ".PHONY: build\nbuild:\n\tprintf 'FROM busybox:latest\\n' > $(DOCKER_HOME)/build/Dockerfile\n\tdocker build -t dmakebb/$(NAME):latest $(DOCKER_HOME)/build\n",
		"images/x.mk":    "# built through bin/build's temporary makefile\n",
		"keep":           "",
	})
	stdout, stderr, status := runBinary(t, bin, []string{"DOCKER_HOME=", "TMPDIR=" + tmp}, "-C", repo, "-n", "x")
	if status != 0 {
		t.Fatalf("dmake -n x: status %d\n%s%s", status, stdout, stderr)
	}
	for _, want := range []string{
		"mkdir -p " + repo + "/out\n",
		"rm -f " + repo + "/keep\n",
		"mktemp\n",
		"printf 'FROM busybox:latest\\n' > " + repo + "/build/Dockerfile\n",
		"docker build -t dmakebb/x:latest " + repo + "/build\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dmake -n x does not print %q:\n%s", want, stdout)
		}
	}
	if want := "dmake: -n: not writing " + repo + "/out/log\n"; !strings.Contains(stderr, want) {
		t.Errorf("dmake -n x does not say %q:\n%s", want, stderr)
	}
	for _, gone := range []string{"out", "build/Dockerfile", ".dmake/x"} {
		if _, err := os.Stat(filepath.Join(repo, gone)); err == nil {
			t.Errorf("dmake -n x wrote %s", gone)
		}
	}
	if _, err := os.Stat(filepath.Join(repo, "keep")); err != nil {
		t.Errorf("dmake -n x removed keep: %v", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("dmake -n x left files in TMPDIR: %v", left)
	}
}

// The legacy "kill -9 $(lsof …)" after the build, whose $(…) make expands
// to nothing, is a warning naming its makefile line also when the line
// holds other shell syntax (a redirection, ||, ;), and the build succeeds.
func TestBinBuildEmptyKillWarning(t *testing.T) {
	bin := buildDmake(t)
	repo := t.TempDir()
	writeFiles(t, repo, map[string]string{
		"bin/build": "#!/bin/bash\nmake -f $DOCKER_HOME/images/$1.mk build\n",
		"build/Makefile": `.PHONY: build
build:
	printf 'FROM busybox:latest\n' > $(DOCKER_HOME)/build/Dockerfile
	docker build -t dmakebb/$(NAME):latest $(DOCKER_HOME)/build
	@kill -9 $(lsof -i tcp:8000 -t) 2>/dev/null || true; echo after kill
	kill -9 $(lsof -i tcp:8000 -t)
`,
		"images/x.mk": "include $(DOCKER_HOME)/build/Makefile\nNAME = x\n",
	})
	stdout, stderr, status := runBinary(t, bin, []string{"DOCKER_HOME="}, "-C", repo, "--no-build", "--no-check", "x")
	if status != 0 || !strings.Contains(stdout, "after kill\n") {
		t.Fatalf("dmake --no-build x: status %d\n%s%s", status, stdout, stderr)
	}
	for _, line := range []string{"5", "6"} {
		if want := "build/Makefile:" + line + `: "kill -9" names no process to stop`; !strings.Contains(stderr, want) {
			t.Errorf("no warning %q:\n%s", want, stderr)
		}
	}
}

// An image FROM an image of the repository that no images/ file lists and
// that the repository tags under another registry path than its own
// (other/base, for an image tagged dmakebb/app) gets its FROM edge: the
// repository names that path; a FROM under a path the repository names
// only as a FROM (foreign/thing) is not tried.
func TestBinBuildFromOtherPath(t *testing.T) {
	bin := buildDmake(t)
	repo := t.TempDir()
	writeFiles(t, repo, map[string]string{
		"bin/build": `#!/bin/bash
echo $1 >> $DOCKER_HOME/tried
if [ -f $DOCKER_HOME/images/$1.mk ]; then exec make -f $DOCKER_HOME/images/$1.mk build; fi
F=$(mktemp)
printf 'include $(DOCKER_HOME)/build/Makefile\nNAME = %s\nPREFIX = other/\n' $1 > $F
make -f $F build; st=$?; rm -f $F; exit $st
`,
		"build/Makefile": "PREFIX ?= dmakebb/\nFROM ?= busybox:latest\n.PHONY: build\nbuild:\n\tprintf 'FROM $(FROM)\\n' > $(DOCKER_HOME)/build/Dockerfile\n\tdocker build -t $(PREFIX)$(NAME):latest $(DOCKER_HOME)/build\n",
		"images/app.mk":  "include $(DOCKER_HOME)/build/Makefile\nNAME = app\nFROM = other/base\n",
		"images/ext.mk":  "include $(DOCKER_HOME)/build/Makefile\nNAME = ext\nFROM = foreign/thing\n",
	})
	stdout, stderr, status := runBinary(t, bin, []string{"DOCKER_HOME="}, "-C", repo, "--graph=json")
	var doc struct {
		Images []struct {
			Name, Tag, From string
			DependsOn       []string `json:"depends_on"`
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); status != 0 || err != nil {
		t.Fatalf("--graph=json: status %d, %v\n%s%s", status, err, stdout, stderr)
	}
	if got, want := fmt.Sprint(doc.Images), "[{base other/base:latest busybox:latest []} {app dmakebb/app:latest other/base [base]} {ext dmakebb/ext:latest foreign/thing []}]"; got != want {
		t.Errorf("--graph=json images: %s, want %s", got, want)
	}
	if tried, _ := os.ReadFile(filepath.Join(repo, "tried")); strings.Contains(string(tried), "thing") {
		t.Errorf("bin/build was tried for foreign/thing:\n%s", tried)
	}
}

// Discovery before a build learns the images named and those they are
// built FROM, not every image of the repository: bin/build runs for b and
// a (b is FROM a), not for c. An image FROM a tag that no image's name
// gives (e FROM dmakebb/other, which images/d.mk tags) makes discovery
// learn the others, and d is built first.
func TestBinBuildDiscoversFromClosure(t *testing.T) {
	bin := buildDmake(t)
	repo := t.TempDir()
	writeFiles(t, repo, map[string]string{
		"bin/build":      "#!/bin/bash\necho $1 >> $DOCKER_HOME/tried\nmake -f $DOCKER_HOME/images/$1.mk build\n",
		"build/Makefile": "FROM ?= busybox:latest\n.PHONY: build\nbuild:\n\tprintf 'FROM $(FROM)\\n' > $(DOCKER_HOME)/build/Dockerfile\n\tdocker build -t dmakebb/$(NAME):latest $(DOCKER_HOME)/build\n",
		"images/a.mk":    "include $(DOCKER_HOME)/build/Makefile\nNAME = a\n",
		"images/b.mk":    "include $(DOCKER_HOME)/build/Makefile\nNAME = b\nFROM = dmakebb/a\n",
		"images/c.mk":    "include $(DOCKER_HOME)/build/Makefile\nNAME = c\n",
		"images/d.mk":    "include $(DOCKER_HOME)/build/Makefile\nNAME = other\n",
		"images/e.mk":    "include $(DOCKER_HOME)/build/Makefile\nNAME = e\nFROM = dmakebb/other\n",
	})
	tried := func() string {
		b, _ := os.ReadFile(filepath.Join(repo, "tried"))
		os.Remove(filepath.Join(repo, "tried"))
		return strings.Join(strings.Fields(string(b)), " ")
	}
	_, stderr, status := runBinary(t, bin, []string{"DOCKER_HOME="}, "-C", repo, "--no-build", "--no-check", "b")
	// Discovery: b, then a (its FROM); the build: a, then b.
	if got := tried(); status != 0 || got != "b a a b" {
		t.Errorf("dmake b: status %d, bin/build ran for %q, want discovery of b and a, then a and b built\n%s", status, got, stderr)
	}
	_, stderr, status = runBinary(t, bin, []string{"DOCKER_HOME="}, "-C", repo, "--no-build", "--no-check", "e")
	// Discovery: e, other (an unlisted name tried: no such image), then
	// every listed image; the build: d, then e.
	if got := tried(); status != 0 || !strings.HasPrefix(got, "e other ") || !strings.HasSuffix(got, " d e") {
		t.Errorf("dmake e: status %d, bin/build ran for %q, want e, other, the others, then d and e built\n%s", status, got, stderr)
	}
}
