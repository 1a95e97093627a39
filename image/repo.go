package image

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/graph"
)

// Repo is a legacy image repository: images/NAME/Makefile per image, the
// shared make/ fragments, and the component files (script/, boot/, runit/);
// or any directory with an executable bin/build, which builds its images.
type Repo struct {
	Root string
}

// ErrNoRepo is returned by FindRepo when no legacy repository is found.
var ErrNoRepo = errors.New("not inside a legacy image repository (no images/ and make/ directories above, no bin/build here, and not inside $DOCKER_HOME)")

// FindRepo finds the repository dir belongs to: $DOCKER_HOME when dir is
// inside it (a DOCKER_HOME set for the whole system does not make every
// directory part of that repository); else dir itself when it has an
// executable bin/build; else the nearest ancestor of dir (dir included)
// with the layout of legacy-images/ (images/, make/ and script/).
func FindRepo(dir string) (Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Repo{}, err
	}
	if h := os.Getenv("DOCKER_HOME"); h != "" {
		home, err := filepath.Abs(h)
		if err != nil {
			return Repo{}, err
		}
		if within(abs, home) {
			if !isRepo(home) && !HasBuild(home) {
				return Repo{}, fmt.Errorf("DOCKER_HOME=%s: no images/ and make/ directories there, and no executable bin/build", h)
			}
			return Repo{Root: home}, nil
		}
	}
	if HasBuild(abs) {
		return Repo{Root: abs}, nil
	}
	for d := abs; ; d = filepath.Dir(d) {
		if isRepo(d) {
			return Repo{Root: d}, nil
		}
		if filepath.Dir(d) == d {
			return Repo{}, ErrNoRepo
		}
	}
}

// within reports whether dir is root or below it, comparing the paths as
// given and with symbolic links resolved.
func within(dir, root string) bool {
	in := func(d, r string) bool {
		rel, err := filepath.Rel(r, d)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
	}
	if in(dir, root) {
		return true
	}
	d, err1 := filepath.EvalSymlinks(dir)
	r, err2 := filepath.EvalSymlinks(root)
	return err1 == nil && err2 == nil && in(d, r)
}

// HasBuild reports whether dir has an executable bin/build shell script:
// the mark of a legacy repository root, whatever its layout. A bin/build
// that is dmake itself (a link install-links wrote) does not count: dmake
// would run itself.
func HasBuild(dir string) bool {
	p := filepath.Join(dir, "bin", "build")
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 && IsShellScript(p)
}

// IsShellScript reports whether file starts with a #! line naming sh or
// bash (directly or through env).
func IsShellScript(file string) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 128)
	n, _ := f.Read(buf)
	return ShellShebang(string(buf[:n]))
}

// ShellShebang reports whether text starts with a #! line naming sh or
// bash (directly or through env).
func ShellShebang(text string) bool {
	line, _, _ := strings.Cut(text, "\n")
	if !strings.HasPrefix(line, "#!") {
		return false
	}
	fs := strings.Fields(line[2:])
	if len(fs) == 0 {
		return false
	}
	prog := filepath.Base(fs[0])
	if prog == "env" && len(fs) > 1 {
		prog = fs[1]
	}
	return prog == "sh" || prog == "bash"
}

func isRepo(d string) bool {
	for _, sub := range []string{"images", "make", "script"} {
		fi, err := os.Stat(filepath.Join(d, sub))
		if err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// Image is one image of a repository.
type Image struct {
	Name     string // images/NAME
	Dir      string // the directory make runs in
	Makefile string
}

// ValidName reports whether name can name an image of a repository: a
// file name that is not hidden or an option.
func ValidName(name string) bool {
	return name != "" && !strings.ContainsAny(name, `/\`) && !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "-")
}

// ReferenceLayout reports whether the repository has the layout of
// legacy-images/, dmake's reference (images/, make/ and script/), which
// dmake builds image by image through each image's Makefile; any other
// repository is built through its own bin/build.
func (r Repo) ReferenceLayout() bool { return isRepo(r.Root) }

// Images lists the repository's images by name: the directories with a
// Makefile under images/ (images/NAME/Makefile) and the flat makefiles
// images/NAME.mk.
func (r Repo) Images() ([]Image, error) {
	m, err := filepath.Glob(filepath.Join(r.Root, "images", "*", "Makefile"))
	if err != nil {
		return nil, err
	}
	flat, err := filepath.Glob(filepath.Join(r.Root, "images", "*.mk"))
	if err != nil {
		return nil, err
	}
	var out []Image
	seen := map[string]bool{}
	for _, mk := range m {
		d := filepath.Dir(mk)
		seen[filepath.Base(d)] = true
		out = append(out, Image{Name: filepath.Base(d), Dir: d, Makefile: mk})
	}
	for _, mk := range flat {
		name := strings.TrimSuffix(filepath.Base(mk), ".mk")
		if fi, err := os.Stat(mk); err != nil || !fi.Mode().IsRegular() || seen[name] {
			continue
		}
		out = append(out, Image{Name: name, Dir: filepath.Dir(mk), Makefile: mk})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Image returns the image called name, if the repository has one.
func (r Repo) Image(name string) (Image, bool) {
	if !ValidName(name) {
		return Image{}, false
	}
	mk := filepath.Join(r.Root, "images", name, "Makefile")
	if fi, err := os.Stat(mk); err == nil && fi.Mode().IsRegular() {
		return Image{Name: name, Dir: filepath.Dir(mk), Makefile: mk}, true
	}
	mk = filepath.Join(r.Root, "images", name+".mk")
	if fi, err := os.Stat(mk); err == nil && fi.Mode().IsRegular() {
		return Image{Name: name, Dir: filepath.Dir(mk), Makefile: mk}, true
	}
	return Image{}, false
}

// CheckBust checks --bust words before anything is built: each must be
// "all" or name a script of the repository (03_sshd.sh, 03_sshd) or its
// component (sshd). Scripts are the install scripts of script/ and any
// other *.sh file of the repository (scripts a Dockerfile fetches). The
// error lists the valid words.
func (r Repo) CheckBust(words []string) error {
	if len(words) == 0 {
		return nil
	}
	var scripts []string
	filepath.WalkDir(r.Root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		// Hidden directories and the images' generated build
		// directories (images/NAME/build, copies or links of the
		// scripts) are skipped; a build/ holding the scripts
		// themselves (the 2014 layout's) is not.
		if d.IsDir() && p != r.Root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "build" && filepath.Dir(filepath.Dir(p)) == filepath.Join(r.Root, "images")) {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".sh") {
			scripts = append(scripts, d.Name())
		}
		return nil
	})
	sort.Strings(scripts)
	scripts = slices.Compact(scripts)
	for _, w := range words {
		ok := w == "all"
		for _, s := range scripts {
			ok = ok || bustMatches(w, s)
		}
		if !ok {
			var valid []string
			for _, s := range scripts {
				if scriptRe.MatchString(s) {
					valid = append(valid, s+" ("+component(s)+")")
				}
			}
			return fmt.Errorf("--bust %s: no script of %s has that name or component; valid: all, %s", w, r.Root, strings.Join(valid, ", "))
		}
	}
	return nil
}

// ChangedScripts returns the install scripts of the repository (paths
// relative to its root) whose content differs from what an image built by
// dmake recorded in its labels (engine.LabelScriptPrefix), or that are
// gone: the reasons that image is out of date.
func (r Repo) ChangedScripts(labels map[string]string) []string {
	var out []string
	for k, want := range labels {
		name, ok := strings.CutPrefix(k, engine.LabelScriptPrefix)
		if !ok || strings.ContainsAny(name, `/\`) {
			continue
		}
		rel := filepath.Join("script", name)
		if got, err := fileDigest(filepath.Join(r.Root, rel)); err != nil || got != want {
			out = append(out, rel)
		}
	}
	sort.Strings(out)
	return out
}

// Node is an image of a run with the tag it builds and the image it starts
// FROM (as the Makefile's evaluated FROM variable or the generated
// Dockerfile says).
type Node struct {
	Name string
	Tag  string
	From string
}

// normTag is the tag of an image reference as a FROM resolves it.
func normTag(t string) string { return graph.NormTag(t) }

// Parents returns the names of the images of all that the images named
// want are built FROM, directly or through others, nearest first, without
// those in want: make's prerequisites over the FROM graph.
func Parents(all []Node, want []string) []string {
	byTag := map[string]Node{}
	for _, n := range all {
		byTag[normTag(n.Tag)] = n
	}
	byName := map[string]Node{}
	for _, n := range all {
		byName[n.Name] = n
	}
	seen := map[string]bool{}
	for _, w := range want {
		seen[w] = true
	}
	var out []string
	queue := append([]string(nil), want...)
	for len(queue) > 0 {
		n, ok := byName[queue[0]]
		queue = queue[1:]
		if !ok || n.From == "" {
			continue
		}
		p, ok := byTag[normTag(n.From)]
		if !ok || seen[p.Name] {
			continue
		}
		seen[p.Name] = true
		out = append(out, p.Name)
		queue = append(queue, p.Name)
	}
	return out
}

// Deps returns the image graph of one run in build order: each image
// after the image of the run it is built FROM (DependsOn names it), the
// relative order of the input kept otherwise (graph.ImageOrder). A FROM
// cycle is an error naming it.
func Deps(nodes []Node) ([]graph.DocImage, error) {
	gi := make([]graph.Image, len(nodes))
	for i, n := range nodes {
		gi[i] = graph.Image{Name: n.Name, Tag: n.Tag, From: n.From}
	}
	ordered, err := graph.ImageOrder(gi)
	if err != nil {
		var ce *graph.CycleError
		if errors.As(err, &ce) {
			return nil, fmt.Errorf("images FROM each other in a cycle: %s", strings.Join(ce.Path, " → "))
		}
		return nil, err
	}
	return ordered, nil
}

// Order sorts the images of one run so that an image comes after the image
// of the run it is built FROM, and groups them in waves: the images of a
// wave depend only on earlier waves and can be built in parallel. The
// relative order of the input is kept otherwise. The order is the image
// graph's (Deps).
func Order(nodes []Node) ([][]Node, error) {
	ordered, err := Deps(nodes)
	if err != nil {
		return nil, err
	}
	level := map[string]int{}
	for _, di := range ordered {
		for _, d := range di.DependsOn {
			level[di.Name] = max(level[di.Name], level[d]+1)
		}
	}
	var waves [][]Node
	for _, n := range nodes {
		l := level[n.Name]
		for len(waves) <= l {
			waves = append(waves, nil)
		}
		waves[l] = append(waves[l], n)
	}
	return waves, nil
}
