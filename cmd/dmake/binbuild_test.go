package main

import (
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
FILE=$(mktemp -p $DOCKER_HOME/build)
printf 'include $(DOCKER_HOME)/build/Makefile\nNAME = %s\n' $1 > $FILE
make -f $FILE $2
status=$?
rm -f $FILE
exit $status
`,
		"build/Makefile":      ".PHONY: build\nbuild:\n\tprintf 'FROM busybox:latest\\nRUN echo $(NAME)\\n' > $(DOCKER_HOME)/build/Dockerfile\n\tdocker build -t dmakebb/$(NAME):latest $(DOCKER_HOME)/build\n",
		"images/flat.mk":      "include $(DOCKER_HOME)/build/Makefile\nNAME = flat", // no trailing newline
		"images/dir/Makefile": "# built through bin/make's temporary makefile\n",
	})
	env := []string{"DOCKER_HOME="}
	run := func(args ...string) (string, int) {
		t.Helper()
		_, stderr, status := runBinary(t, bin, env, append([]string{"-C", repo, "--no-build", "--no-check"}, args...)...)
		return stderr, status
	}
	stderr, status := run("flat", "dir")
	if status != 0 {
		t.Fatalf("dmake flat dir: status %d\n%s", status, stderr)
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
	stderr, status = run("nosuch")
	if status != 2 || !strings.Contains(stderr, `has no image "nosuch" (its images: dir, flat)`) {
		t.Errorf("dmake nosuch: status %d\n%s", status, stderr)
	}
}
