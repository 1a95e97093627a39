package image

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseBuildArgs(t *testing.T) {
	s := func(v string) *string { return &v }
	env := func(k string) (string, bool) {
		if k == "FROMENV" {
			return "e", true
		}
		return "", false
	}
	tests := []struct {
		args string
		want BuildCommand
		err  string
	}{
		{"-t x -", BuildCommand{Tags: []string{"x"}, Context: "-"}, ""},
		{"--tag=x --tag y:1 build", BuildCommand{Tags: []string{"x", "y:1"}, Context: "build"}, ""},
		{"-tx -f build/Dockerfile.dev .", BuildCommand{Tags: []string{"x"}, Dockerfile: "build/Dockerfile.dev", Context: "."}, ""},
		{"--build-arg A=1 --build-arg B= --build-arg FROMENV --build-arg UNSET -", BuildCommand{
			BuildArgs: map[string]*string{"A": s("1"), "B": s(""), "FROMENV": s("e"), "UNSET": nil}, Context: "-"}, ""},
		{"--network host --no-cache --pull --label a=b --label c -q --rm --force-rm .", BuildCommand{
			Network: "host", NoCache: true, Pull: true, Quiet: true, Labels: map[string]string{"a": "b", "c": ""}, Context: "."}, ""},
		{"--network=none --iidfile id --cache-from x --progress plain .", BuildCommand{Network: "none", IIDFile: "id", Context: "."}, ""},
		{"-t x", BuildCommand{}, "no context"},
		{"-t", BuildCommand{}, "needs a value"},
		{"--secret id=x .", BuildCommand{}, "not supported"},
		{"a b", BuildCommand{}, "more than one context"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			got, err := ParseBuildArgs(strings.Fields(tt.args), env)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want.BuildArgs == nil {
				tt.want.BuildArgs = map[string]*string{}
			}
			if tt.want.Labels == nil {
				tt.want.Labels = map[string]string{}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// Each way a recipe hands docker build its context reaches the Builder
// (NoBuild: the plan is made, nothing is sent); other commands go on.
func TestMiddlewareForms(t *testing.T) {
	root := prepare(t, bbRepo, "bb")
	dir := filepath.Join(root, "images", "bb")
	tests := []struct {
		line   string
		layout string
		tag    string
	}{
		{"tar -czh -C build . | docker build --network host -t p/bb -", "layered", "p/bb"},
		{"tar -ch -C build . | /usr/bin/docker build -t p/bb2 -", "layered", "p/bb2"},
		{"docker -H unix:///x.sock build -t p/bb3 build", "layered", "p/bb3"},
		{"docker image build -t p/bb4 -f build/Dockerfile build", "layered", "p/bb4"},
		{"printf 'FROM busybox:latest\\nRUN true\\n' | docker build -t p/df -", "dockerfile", "p/df"},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			b := &Builder{NoBuild: true, NoBuildDir: t.TempDir(), TempDir: t.TempDir()}
			out, err := runRecipe(t, b, dir, tt.line)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			rs := b.Results()
			if len(rs) != 1 {
				t.Fatalf("%d builds, want 1", len(rs))
			}
			if rs[0].Plan.Layout != tt.layout || rs[0].Tag != tt.tag {
				t.Errorf("layout %s tag %s, want %s %s", rs[0].Plan.Layout, rs[0].Tag, tt.layout, tt.tag)
			}
			if _, err := os.Stat(filepath.Join(rs[0].Written, "context.tar")); err != nil {
				t.Error(err)
			}
		})
	}
	// Not docker build: the next handler runs it.
	b := &Builder{NoBuild: true}
	out, err := runRecipe(t, b, dir, "echo hi | cat; docker-compose 2>/dev/null; true")
	if err != nil || out != "hi\n" || len(b.Results()) != 0 {
		t.Errorf("out %q err %v builds %d", out, err, len(b.Results()))
	}
	// A bad docker build command line fails like the CLI, with a message.
	out, err = runRecipe(t, b, dir, "docker build --secret id=x build")
	if err == nil || !strings.Contains(out, "--secret is not supported") {
		t.Errorf("out %q err %v", out, err)
	}
}

// The legacy host helpers of echo-style repos are stood in for.
func TestMiddlewareHostHelpers(t *testing.T) {
	b := &Builder{NoBuild: true}
	dir := t.TempDir()
	out, err := runRecipe(t, b, dir, "ifconfig eth0 | awk '/inet /{ sub(\"addr:\", \"\", $2); print $2; exit }'")
	if err != nil || out != "127.0.0.1\n" {
		t.Errorf("ifconfig: out %q err %v", out, err)
	}
	if _, err := runRecipe(t, b, dir, "python3 -m http.server 8000 --directory www >/dev/null 2>&1"); err != nil {
		t.Fatal(err)
	}
	if got := b.serveRoots; len(got) != 1 || got[0] != filepath.Join(dir, "www") {
		t.Errorf("serve roots %q", got)
	}
}

func TestDockerSubcommand(t *testing.T) {
	tests := []struct {
		args []string
		sub  string
		ok   bool
	}{
		{[]string{"docker", "build", "."}, "build", true},
		{[]string{"/usr/local/bin/docker", "--log-level", "debug", "tag", "a", "b"}, "tag", true},
		{[]string{"docker", "builder", "build", "."}, "build", true},
		{[]string{"dockerd"}, "", false},
		{[]string{"docker"}, "", true},
	}
	for _, tt := range tests {
		sub, _, ok := dockerSubcommand(tt.args)
		if sub != tt.sub || ok != tt.ok {
			t.Errorf("%q: %q %v, want %q %v", tt.args, sub, ok, tt.sub, tt.ok)
		}
	}
}
