package image

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/engine"
)

const bbRepo = "../testdata/bb-repo"

// The layered Dockerfile for the link-style fixture, with each option.
func TestLayeredGolden(t *testing.T) {
	root := prepare(t, bbRepo, "bb")
	rootProd := prepare(t, bbRepo, "bb", "PRODUCTION=1")
	dir := filepath.Join(root, "images", "bb", "build")
	tests := []struct {
		golden string
		dir    string
		opts   PlanOptions
	}{
		{"bb.Dockerfile", dir, PlanOptions{}},
		{"bb-bust-script.Dockerfile", dir, PlanOptions{Bust: []string{"02_tool.sh"}, Token: "T0K"}},
		{"bb-bust-component.Dockerfile", dir, PlanOptions{Bust: []string{"app"}, Token: "T0K"}},
		{"bb-bust-all.Dockerfile", dir, PlanOptions{Bust: []string{"all"}, Token: "T0K"}},
		{"bb-prod.Dockerfile", dir, PlanOptions{Mode: "prod"}},
		// PRODUCTION=1 on make's command line: the legacy ARG stays
		// where it was and --mode prod adds nothing.
		{"bb-prod-legacy.Dockerfile", filepath.Join(rootProd, "images", "bb", "build"), PlanOptions{Mode: "prod"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			p, err := MakePlan(tt.dir, filepath.Join(tt.dir, "Dockerfile"), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if p.Layout != "layered" {
				t.Fatalf("layout %q, want layered", p.Layout)
			}
			golden(t, tt.golden, p.Dockerfile)
		})
	}
}

func TestLayeredPlanDetails(t *testing.T) {
	root := prepare(t, bbRepo, "bb")
	dir := filepath.Join(root, "images", "bb", "build")
	p, err := MakePlan(dir, filepath.Join(dir, "Dockerfile"), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(p.Components, " "), "init tool app cleanup"; got != want {
		t.Errorf("components %q, want %q", got, want)
	}
	if got := p.From; len(got) != 1 || got[0] != "busybox:latest" {
		t.Errorf("From %q", got)
	}
	if d := p.Scripts["03_app.sh"]; !strings.HasPrefix(d, "sha256:") {
		t.Errorf("digest of 03_app.sh: %q", d)
	}
	// Every step maps back to its script; steps are the Dockerfile's lines.
	lines := strings.Split(strings.TrimSpace(string(p.Dockerfile)), "\n")[1:]
	if len(lines) != len(p.Steps) {
		t.Fatalf("%d instructions, %d steps", len(lines), len(p.Steps))
	}
	for i, s := range p.Steps {
		if s.Instruction != lines[i] {
			t.Errorf("step %d: %q, Dockerfile line %q", i+1, s.Instruction, lines[i])
		}
		if strings.Contains(s.Instruction, "script/03_app.sh") && s.Script != "03_app.sh" {
			t.Errorf("step %d (%s) maps to script %q", i+1, s.Instruction, s.Script)
		}
	}
}

// A --bust word that names nothing of an image leaves it alone (another
// image of the run may have that script); UnmatchedBust finds typos.
func TestBustUnmatched(t *testing.T) {
	root := prepare(t, bbRepo, "bb")
	dir := filepath.Join(root, "images", "bb", "build")
	plain, err := MakePlan(dir, filepath.Join(dir, "Dockerfile"), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := MakePlan(dir, filepath.Join(dir, "Dockerfile"), PlanOptions{Bust: []string{"sshd"}, Token: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Busted != "" || string(p.Dockerfile) != string(plain.Dockerfile) {
		t.Errorf("a bust word of another image changed this one: busted %q", p.Busted)
	}
	q, _ := MakePlan(dir, filepath.Join(dir, "Dockerfile"), PlanOptions{Bust: []string{"tool"}, Token: "x"})
	if q.Busted != "02_tool.sh" {
		t.Errorf("Busted = %q, want 02_tool.sh", q.Busted)
	}
	if got := UnmatchedBust([]string{"sshd", "tool", "03_app", "all", "99_cleanup.sh"}, []*Plan{p}); strings.Join(got, " ") != "sshd" {
		t.Errorf("UnmatchedBust = %q, want [sshd]", got)
	}
}

// A bust kept from the image's last build stays in its step's RUN line while
// the script is unchanged, and goes once the script changes; a new --bust
// of another step adds its own token.
func TestBustKept(t *testing.T) {
	root := prepare(t, bbRepo, "bb")
	dir := filepath.Join(root, "images", "bb", "build")
	df := filepath.Join(dir, "Dockerfile")
	busted, err := MakePlan(dir, df, PlanOptions{Bust: []string{"tool"}, Token: "T1"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]KeptBust{"02_tool.sh": {Token: "T1", Digest: busted.Scripts["02_tool.sh"]}}
	if !reflect.DeepEqual(busted.Busts, want) {
		t.Fatalf("Busts = %+v, want %+v", busted.Busts, want)
	}
	kept, err := MakePlan(dir, df, PlanOptions{Kept: busted.Busts})
	if err != nil {
		t.Fatal(err)
	}
	if kept.Busted != "" || string(kept.Dockerfile) != string(busted.Dockerfile) || !reflect.DeepEqual(kept.Busts, want) {
		t.Errorf("kept bust: busted %q, Busts %+v\n%s", kept.Busted, kept.Busts, kept.Dockerfile)
	}
	both, _ := MakePlan(dir, df, PlanOptions{Kept: busted.Busts, Bust: []string{"app"}, Token: "T2"})
	if len(both.Busts) != 2 || !strings.Contains(string(both.Dockerfile), "02_tool.sh # dmake-bust=T1") || !strings.Contains(string(both.Dockerfile), "03_app.sh # dmake-bust=T2") {
		t.Errorf("kept and new bust: %+v\n%s", both.Busts, both.Dockerfile)
	}
	old := map[string]KeptBust{"02_tool.sh": {Token: "T1", Digest: "sha256:older"}}
	changed, _ := MakePlan(dir, df, PlanOptions{Kept: old})
	if len(changed.Busts) != 0 || strings.Contains(string(changed.Dockerfile), "dmake-bust") {
		t.Errorf("the script changed since the bust, the token stayed:\n%s", changed.Dockerfile)
	}
}

// The context holds exactly what the layered Dockerfile uses, links
// dereferenced, with the modes install.sh would give.
func TestLayeredContext(t *testing.T) {
	root := prepare(t, bbRepo, "bb")
	dir := filepath.Join(root, "images", "bb", "build")
	p, err := MakePlan(dir, filepath.Join(dir, "Dockerfile"), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, _, err := WriteContext(&buf, "Dockerfile", p.Dockerfile, p.Files, "", ContextOptions{}); err != nil {
		t.Fatal(err)
	}
	got := tarListing(t, &buf)
	want := []string{
		"Dockerfile 644 reg",
		"boot/ 755 dir",
		"boot/10_app.sh 755 reg",
		"init/ 755 dir",
		"init/my_init 755 reg",
		"runit/ 755 dir",
		"runit/app/ 755 dir",
		"runit/app/run 755 reg",
		"script/ 755 dir",
		"script/00_init.sh 644 reg",
		"script/02_tool.sh 644 reg",
		"script/03_app.sh 644 reg",
		"script/99_cleanup.sh 644 reg",
		"script/functions.sh 644 reg",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("context:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Deterministic: the same plan gives the same bytes.
	var again bytes.Buffer
	WriteContext(&again, "Dockerfile", p.Dockerfile, p.Files, "", ContextOptions{})
	WriteContext(&buf, "Dockerfile", p.Dockerfile, p.Files, "", ContextOptions{}) // buf was drained
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("two context tars of one plan differ")
	}
}

func tarListing(t *testing.T, r io.Reader) []string {
	t.Helper()
	tr := tar.NewReader(r)
	var out []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		kind := map[byte]string{tar.TypeReg: "reg", tar.TypeDir: "dir", tar.TypeSymlink: "link"}[h.Typeflag]
		out = append(out, h.Name+" "+strings.TrimPrefix(os.FileMode(h.Mode).Perm().String(), "-")+" "+kind)
	}
	for i, l := range out {
		// rwxr-xr-x → 755
		f := strings.Fields(l)
		out[i] = f[0] + " " + octal(f[1]) + " " + f[2]
	}
	sort.Strings(out)
	return out
}

func octal(perm string) string {
	perm = strings.TrimPrefix(perm, "d")
	if len(perm) == 10 {
		perm = perm[1:]
	}
	n := 0
	for i, c := range perm {
		if c != '-' {
			n |= 1 << (8 - i)
		}
	}
	return strings.TrimLeft(string([]byte{'0' + byte(n>>6&7), '0' + byte(n>>3&7), '0' + byte(n&7)}), "")
}

// The legacy repo's own images: the layered Dockerfiles dmake sends.
func TestLegacyImagesGolden(t *testing.T) {
	src := filepath.Join("..", "legacy-images")
	if _, err := os.Stat(filepath.Join(src, "install.sh")); err != nil {
		t.Skip("SKIPPED: legacy-images/ is not there")
	}
	for _, tt := range []struct {
		name, golden string
		vars         []string
	}{
		{"base", "legacy-base.Dockerfile", nil},
		{"ssh", "legacy-ssh.Dockerfile", nil},
		{"web", "legacy-web.Dockerfile", nil},
		// The legacy cache idiom (BUST=1: ARG CACHE_BUST set to
		// $RANDOM) busts every script, as it did the one install step;
		// PRODUCTION=1 keeps its place too.
		{"ssh", "legacy-ssh-bust-prod.Dockerfile", []string{"BUST=1", "PRODUCTION=1"}},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			root := prepare(t, src, tt.name, tt.vars...)
			dir := filepath.Join(root, "images", tt.name, "build")
			p, err := MakePlan(dir, filepath.Join(dir, "Dockerfile"), PlanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.golden, p.Dockerfile)
		})
	}
}

// A Dockerfile that is not the link-style one-step form is sent as given,
// with only the files its COPY/ADD read.
func TestAsGiven(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "conf"), 0o755)
	os.WriteFile(filepath.Join(dir, "conf", "a.conf"), []byte("a"), 0o644)
	os.WriteFile(filepath.Join(dir, "unused"), []byte("u"), 0o644)
	os.WriteFile(filepath.Join(dir, "run.sh"), []byte("echo"), 0o755)
	df := "FROM busybox:latest AS b\n# comment\nCOPY conf/ /etc/conf/\nADD run.sh /run.sh\nRUN /bin/sh /run.sh \\\n  && true\nFROM b\nCMD [\"/run.sh\"]\n"
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644)
	p, err := MakePlan(dir, filepath.Join(dir, "Dockerfile"), PlanOptions{Bust: []string{"run"}, Token: "T"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Layout != "dockerfile" {
		t.Fatalf("layout %q", p.Layout)
	}
	if got := strings.Join(p.From, ","); got != "busybox:latest" {
		t.Errorf("From %q, want only busybox:latest (b is a stage)", got)
	}
	want := "FROM busybox:latest AS b\nCOPY conf/ /etc/conf/\nADD run.sh /run.sh\nRUN /bin/sh /run.sh && true # dmake-bust=T\nFROM b\nCMD [\"/run.sh\"]\n"
	if string(p.Dockerfile) != want {
		t.Errorf("Dockerfile:\n%s\nwant:\n%s", p.Dockerfile, want)
	}
	var buf bytes.Buffer
	if _, _, err := WriteContext(&buf, "Dockerfile", p.Dockerfile, p.Files, "", ContextOptions{}); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(tarListing(t, &buf), "\n")
	if want := "Dockerfile 644 reg\nconf/ 755 dir\nconf/a.conf 644 reg\nrun.sh 755 reg"; got != want {
		t.Errorf("context:\n%s\nwant:\n%s", got, want)
	}
}

func TestParseDockerfileErrors(t *testing.T) {
	_, err := ParseDockerfile("Dockerfile", []byte("FROM x\nRUN a \\\n"))
	if err == nil || !strings.Contains(err.Error(), "Dockerfile:2:1:") {
		t.Fatalf("err = %v, want a position", err)
	}
}

// The input digest changes with each input and only with them.
func TestInputDigest(t *testing.T) {
	dir := t.TempDir()
	mk := filepath.Join(dir, "Makefile")
	os.WriteFile(mk, []byte("IMAGE = x\n"), 0o644)
	one := "1"
	base := func() (string, error) {
		return inputDigest("tar", []byte("FROM x\n"), engine.BuildSettings{BuildArgs: map[string]*string{"A": &one}}, map[string]string{"l": "v"}, []string{"busybox@sha256:1"}, []string{mk})
	}
	d0, err := base()
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := base(); d != d0 {
		t.Fatal("digest is not stable")
	}
	two := "2"
	variants := map[string]func() (string, error){
		"context": func() (string, error) {
			return inputDigest("tar2", []byte("FROM x\n"), engine.BuildSettings{BuildArgs: map[string]*string{"A": &one}}, map[string]string{"l": "v"}, []string{"busybox@sha256:1"}, []string{mk})
		},
		"Dockerfile": func() (string, error) {
			return inputDigest("tar", []byte("FROM y\n"), engine.BuildSettings{BuildArgs: map[string]*string{"A": &one}}, map[string]string{"l": "v"}, []string{"busybox@sha256:1"}, []string{mk})
		},
		"build arg": func() (string, error) {
			return inputDigest("tar", []byte("FROM x\n"), engine.BuildSettings{BuildArgs: map[string]*string{"A": &two}}, map[string]string{"l": "v"}, []string{"busybox@sha256:1"}, []string{mk})
		},
		"unset build arg": func() (string, error) {
			return inputDigest("tar", []byte("FROM x\n"), engine.BuildSettings{BuildArgs: map[string]*string{"A": nil}}, map[string]string{"l": "v"}, []string{"busybox@sha256:1"}, []string{mk})
		},
		"label": func() (string, error) {
			return inputDigest("tar", []byte("FROM x\n"), engine.BuildSettings{BuildArgs: map[string]*string{"A": &one}}, map[string]string{"l": "w"}, []string{"busybox@sha256:1"}, []string{mk})
		},
		"base id": func() (string, error) {
			return inputDigest("tar", []byte("FROM x\n"), engine.BuildSettings{BuildArgs: map[string]*string{"A": &one}}, map[string]string{"l": "v"}, []string{"busybox@sha256:2"}, []string{mk})
		},
		"platform": func() (string, error) {
			return inputDigest("tar", []byte("FROM x\n"), engine.BuildSettings{BuildArgs: map[string]*string{"A": &one}, Platform: "linux/arm64"}, map[string]string{"l": "v"}, []string{"busybox@sha256:1"}, []string{mk})
		},
		"target": func() (string, error) {
			return inputDigest("tar", []byte("FROM x\n"), engine.BuildSettings{BuildArgs: map[string]*string{"A": &one}, Target: "dev"}, map[string]string{"l": "v"}, []string{"busybox@sha256:1"}, []string{mk})
		},
		"add-host": func() (string, error) {
			return inputDigest("tar", []byte("FROM x\n"), engine.BuildSettings{BuildArgs: map[string]*string{"A": &one}, ExtraHosts: []string{"db:10.0.0.5"}}, map[string]string{"l": "v"}, []string{"busybox@sha256:1"}, []string{mk})
		},
		"Makefile": func() (string, error) {
			mk2 := filepath.Join(dir, "Makefile2")
			os.WriteFile(mk2, []byte("IMAGE = y\n"), 0o644)
			return inputDigest("tar", []byte("FROM x\n"), engine.BuildSettings{BuildArgs: map[string]*string{"A": &one}}, map[string]string{"l": "v"}, []string{"busybox@sha256:1"}, []string{mk2})
		},
	}
	for name, f := range variants {
		if d, err := f(); err != nil || d == d0 {
			t.Errorf("%s: digest unchanged (%v)", name, err)
		}
	}
}

// The build context follows links inside the repository (the symlinked
// build directories of legacy-images) but never reads through a link out
// of it: such a link, to a file or a directory, absolute or relative,
// dangling or not, is sent as the link itself, as the docker CLI sends
// every link, and reported. With no root, links are followed as before.
func TestWriteContextLinksOut(t *testing.T) {
	top := t.TempDir()
	repo := filepath.Join(top, "repo")
	ctx := filepath.Join(repo, "images", "x")
	outside := filepath.Join(top, "outside")
	for _, d := range []string{ctx, filepath.Join(repo, "script"), outside} {
		os.MkdirAll(d, 0o755)
	}
	os.WriteFile(filepath.Join(repo, "script", "in.sh"), []byte("in\n"), 0o755)
	os.WriteFile(filepath.Join(outside, "secret"), []byte("host file\n"), 0o644)
	links := map[string]string{
		"in.sh":    "../../script/in.sh",
		"abs":      filepath.Join(outside, "secret"),
		"rel":      "../../../outside/secret",
		"dir":      outside,
		"dangling": "/nonexistent/file",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(ctx, name)); err != nil {
			t.Fatal(err)
		}
	}
	files := []File{{Name: "build", Src: ctx}}
	var buf bytes.Buffer
	out, _, err := WriteContext(&buf, "Dockerfile", []byte("FROM scratch\n"), files, repo, ContextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(bytes.NewReader(buf.Bytes()))
	got := map[string]string{}
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		body, _ := io.ReadAll(tr)
		got[h.Name] = map[byte]string{tar.TypeReg: "file ", tar.TypeDir: "dir ", tar.TypeSymlink: "link "}[h.Typeflag] + h.Linkname + string(body)
	}
	want := map[string]string{
		"build/":         "dir ",
		"build/in.sh":    "file in\n",
		"build/abs":      "link " + links["abs"],
		"build/rel":      "link " + links["rel"],
		"build/dir":      "link " + links["dir"],
		"build/dangling": "link " + links["dangling"],
		"Dockerfile":     "file FROM scratch\n",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("context:\n got %v\nwant %v", got, want)
	}
	sort.Strings(out)
	if want := []string{"abs", "dangling", "dir", "rel"}; len(out) != len(want) {
		t.Errorf("links reported out of the repository: %q, want those of %q", out, want)
	}
	if strings.Contains(buf.String(), "host file") {
		t.Error("a file out of the repository was read into the context")
	}
	// A context outside the repository is its own limit.
	if r := ContextRoot(repo, outside); r != outside {
		t.Errorf("ContextRoot(%s, %s) = %s", repo, outside, r)
	}
	if r := ContextRoot(repo, ctx); r != repo {
		t.Errorf("ContextRoot(%s, %s) = %s", repo, ctx, r)
	}
}
