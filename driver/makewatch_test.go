package driver

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/image"
	"github.com/dmake-dev/dmake/internal/enginetest"
)

// TestWatchPlainMakefile watches a plain Makefile (no legacy repository)
// whose recipe runs docker build: an edit of a file the build sends
// rebuilds the image; an edit of a source a rule makes a file from remakes
// that file, and the file made is no input (no cycle follows for it); a
// prerequisite the Makefile gains is watched from the run that read it
// on.
func TestWatchPlainMakefile(t *testing.T) {
	c := enginetest.Require(t)
	root := t.TempDir()
	files := map[string]string{
		"Makefile": `all: image
image: gen.txt
	docker build --label ` + enginetest.Label + `=1 -t ` + watchPrefix + `plain app
gen.txt: src.txt
	cp src.txt gen.txt
`,
		"app/Dockerfile": "FROM busybox:latest\nCOPY hello /hello\nRUN cat /hello\n",
		"app/hello":      "hi\n",
		"src.txt":        "s\n",
		"extra.txt":      "e\n",
	}
	for name, content := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	removeImages(t, c, "plain")
	w := startWatchOpts(t, root, Options{Watch: true, Debounce: 50 * time.Millisecond, Dir: []string{root}, Progress: "json"})
	if !slices.ContainsFunc(progressEvents(w.stderr.String()), func(e image.ProgressEvent) bool { return e.Event == "built" || e.Event == "up-to-date" }) {
		t.Fatalf("the first run built no image; stderr:\n%s", w.stderr.String())
	}
	changes := func(cy cycle) []string {
		var out []string
		for _, ch := range cy.start.Changes {
			rel, _ := filepath.Rel(root, ch.Path)
			out = append(out, ch.Kind+" "+rel)
		}
		return out
	}

	w.writeFile("app/hello", "hi2\n")
	cy := w.nextCycle()
	cy.expectOK(t)
	if got := cy.built(); !slices.Equal(got, []string{"plain"}) {
		t.Errorf("after app/hello: built %v, want [plain]; log:\n%s", got, cy.log)
	}

	w.writeFile("src.txt", "s2\n")
	cy = w.nextCycle()
	cy.expectOK(t)
	if got := readRepo(t, root, "gen.txt"); got != "s2\n" {
		t.Errorf("gen.txt = %q after src.txt changed, want s2", got)
	}
	if len(cy.built()) != 0 {
		t.Errorf("after src.txt: built %v, want nothing (the image's inputs are unchanged)", cy.built())
	}

	// gen.txt, which that cycle wrote, started no cycle: the next one
	// holds the Makefile's edit alone.
	w.writeFile("Makefile", readRepo(t, root, "Makefile")+"gen.txt: extra.txt\n")
	cy = w.nextCycle()
	cy.expectOK(t)
	if got := changes(cy); !slices.Equal(got, []string{"modified Makefile"}) {
		t.Errorf("changes %q, want the Makefile's alone", got)
	}
	w.writeFile("extra.txt", "e2\n")
	cy = w.nextCycle()
	cy.expectOK(t)
	if got := changes(cy); !slices.Equal(got, []string{"modified extra.txt"}) {
		t.Errorf("changes %q, want extra.txt's (the new prerequisite)", got)
	}
}
