package image

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/engine"
	"github.com/docker/go-units"
	"github.com/spf13/pflag"
)

// Each docker build command line maps onto the engine's build settings,
// or is an error naming the flag.
func TestParseBuildArgs(t *testing.T) {
	s := func(v string) *string { return &v }
	env := func(k string) (string, bool) {
		if k == "FROMENV" {
			return "e", true
		}
		return "", false
	}
	type S = engine.BuildSettings
	tests := []struct {
		args string
		want BuildCommand
		err  string
	}{
		{"-t x -", BuildCommand{Settings: S{Tags: []string{"x"}}, Context: "-"}, ""},
		{"--tag=x --tag y:1 build", BuildCommand{Settings: S{Tags: []string{"x", "y:1"}}, Context: "build"}, ""},
		{"-tx -f build/Dockerfile.dev .", BuildCommand{Settings: S{Tags: []string{"x"}}, Dockerfile: "build/Dockerfile.dev", Context: "."}, ""},
		// Combined short flags, as pflag takes them.
		{"-qt img .", BuildCommand{Settings: S{Tags: []string{"img"}}, Quiet: true, Context: "."}, ""},
		{"-qtimg -m 512m -c 2 .", BuildCommand{Settings: S{Tags: []string{"img"}, Memory: 512 << 20, CPUShares: 2}, Quiet: true, Context: "."}, ""},
		{"--build-arg A=1 --build-arg B= --build-arg FROMENV --build-arg UNSET -", BuildCommand{Settings: S{
			BuildArgs: map[string]*string{"A": s("1"), "B": s(""), "FROMENV": s("e"), "UNSET": nil}}, Context: "-"}, ""},
		{"--network host --no-cache --pull --label a=b --label c -q --rm --force-rm .", BuildCommand{Settings: S{
			NetworkMode: "host", NoCache: true, Pull: true, Labels: map[string]string{"a": "b", "c": ""}}, Quiet: true, Context: "."}, ""},
		{"--network=default --iidfile id --progress plain --compress --disable-content-trust .", BuildCommand{IIDFile: "id", Context: "."}, ""},
		{"--rm=false .", BuildCommand{Settings: S{KeepContainers: true}, Context: "."}, ""},
		{"--platform linux/arm64 --add-host db:10.0.0.5 --add-host gw:host-gateway --target dev --cache-from a,b --cache-from c .",
			BuildCommand{Settings: S{Platform: "linux/arm64", ExtraHosts: []string{"db:10.0.0.5", "gw:host-gateway"}, Target: "dev", CacheFrom: []string{"a", "b", "c"}}, Context: "."}, ""},
		{"--memory-swap -1 --shm-size 64m --cpu-period 100000 --cpu-quota 50000 --cpuset-cpus 0-1 --cpuset-mems 0 --cgroup-parent p --isolation default --security-opt seccomp=unconfined --squash .",
			BuildCommand{Settings: S{MemorySwap: -1, ShmSize: 64 << 20, CPUPeriod: 100000, CPUQuota: 50000, CPUSetCPUs: "0-1", CPUSetMems: "0",
				CgroupParent: "p", Isolation: "default", SecurityOpt: []string{"seccomp=unconfined"}, Squash: true}, Context: "."}, ""},
		{"--ulimit nofile=1024:2048 .", BuildCommand{Settings: S{Ulimits: []*units.Ulimit{{Name: "nofile", Soft: 1024, Hard: 2048}}}, Context: "."}, ""},
		{"-- -x", BuildCommand{Context: "-x"}, ""},
		{"-t x", BuildCommand{}, "no context"},
		{"-t", BuildCommand{}, "flag needs an argument: 't' in -t"},
		{"--secret id=x .", BuildCommand{}, "flag --secret is not supported: build secrets go through BuildKit's session"},
		{"--ssh default .", BuildCommand{}, "flag --ssh is not supported"},
		{"-o out .", BuildCommand{}, "flag --output is not supported"},
		{"--stream .", BuildCommand{}, "flag --stream is not supported"},
		{"--disable-content-trust=false .", BuildCommand{}, "--disable-content-trust=false is not supported"},
		{"--platform linux/ .", BuildCommand{}, `flag --platform: invalid platform "linux/"`},
		{"--add-host db .", BuildCommand{}, `invalid IP address in add-host: "db"`},
		{"-m lots .", BuildCommand{}, `invalid argument "lots" for "-m, --memory" flag`},
		{"--ulimit nofile .", BuildCommand{}, `invalid argument "nofile" for "--ulimit" flag`},
		{"--nosuch .", BuildCommand{}, "unknown flag: --nosuch"},
		{"-Z .", BuildCommand{}, "unknown shorthand flag: 'Z' in -Z"},
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
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
	// DOCKER_DEFAULT_PLATFORM is --platform's default, as in the CLI.
	got, err := ParseBuildArgs([]string{"."}, func(k string) (string, bool) {
		return "linux/arm64", k == "DOCKER_DEFAULT_PLATFORM"
	})
	if err != nil || got.Settings.Platform != "linux/arm64" {
		t.Errorf("DOCKER_DEFAULT_PLATFORM: %+v %v", got.Settings, err)
	}
}

// helpFlag is one flag as a docker --help text lists it.
type helpFlag struct {
	short, typ, usage, def string
	classic                bool // listed by the classic builder's help
}

// readDockerHelp reads the flags of a captured "docker build --help".
func readDockerHelp(t *testing.T, name string, into map[string]*helpFlag, classic bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	_, opts, ok := strings.Cut(string(b), "\nOptions:\n")
	if !ok {
		t.Fatalf("%s: no Options", name)
	}
	flagRe := regexp.MustCompile(`^  (?:-(\w), )?\s*--([a-z-]+)(?: (\w+))?\s{2,}(.*)$`)
	defRe := regexp.MustCompile(` \(default (.*)\)$`)
	var cur *helpFlag
	finish := func() {
		if cur != nil {
			if m := defRe.FindStringSubmatch(cur.usage); m != nil {
				cur.def, cur.usage = m[1], strings.TrimSuffix(cur.usage, m[0])
			}
		}
	}
	for _, l := range strings.Split(opts, "\n") {
		if m := flagRe.FindStringSubmatch(l); m != nil {
			finish()
			cur = &helpFlag{short: m[1], typ: m[3], usage: m[4], classic: classic}
			if old, ok := into[m[2]]; ok && old.classic {
				cur.classic = true
			}
			into[m[2]] = cur
		} else if strings.TrimSpace(l) != "" && cur != nil {
			cur.usage += " " + strings.TrimSpace(l)
		}
	}
	finish()
}

// The flag set declares exactly the flags of Debian's docker.io 20.10
// "docker build" (its --help, captured with the classic builder and with
// BuildKit, under testdata/), with the same short names, value types,
// usage and defaults; the flags the classic builder's help hides are
// hidden here too.
func TestBuildFlagsMatchDockerHelp(t *testing.T) {
	docker := map[string]*helpFlag{}
	readDockerHelp(t, "docker-build-help-buildkit.golden", docker, false)
	readDockerHelp(t, "docker-build-help.golden", docker, true)
	if len(docker) < 30 {
		t.Fatalf("only %d flags read from the goldens", len(docker))
	}
	var bc BuildCommand
	fs := buildFlagSet(&bc, func(string) (string, bool) { return "", false })
	fs.VisitAll(func(f *pflag.Flag) {
		want, ok := docker[f.Name]
		if !ok {
			// Experimental: listed only when the daemon is.
			if (f.Name != "stream" && f.Name != "squash") || !f.Hidden {
				t.Errorf("--%s: not a flag of docker 20.10's build", f.Name)
			}
			return
		}
		delete(docker, f.Name)
		typ, _ := pflag.UnquoteUsage(f)
		def := f.DefValue
		switch {
		case def == "" || def == "false" || def == "0" || (def == "[]" && typ != "ulimit"):
			def = ""
		case typ == "string":
			def = `"` + def + `"`
		}
		got := helpFlag{short: f.Shorthand, typ: typ, usage: f.Usage, def: def, classic: !f.Hidden}
		if got != *want {
			t.Errorf("--%s:\n got %+v\nwant %+v", f.Name, got, *want)
		}
	})
	for name := range docker {
		t.Errorf("--%s: a flag of docker 20.10's build that dmake does not declare", name)
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
		{"printf 'FROM busybox:latest\\nRUN echo stdin\\n' | docker build -t p/dfstdin -f - build", "dockerfile", "p/dfstdin"},
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
			if strings.Contains(tt.line, "-f -") && !strings.Contains(string(rs[0].Plan.Dockerfile), "RUN echo stdin") {
				t.Errorf("-f -: the Dockerfile sent is not standard input's:\n%s", rs[0].Plan.Dockerfile)
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
	if err == nil || !strings.Contains(out, "flag --secret is not supported") {
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
	// The 2015 Makefiles grep the net-tools format of the time.
	out, err = runRecipe(t, b, dir, "ifconfig eth0 | grep 'inet addr:' | cut -d: -f2 | awk '{ print $1 }'")
	if err != nil || out != "127.0.0.1\n" {
		t.Errorf("ifconfig | grep 'inet addr:': out %q err %v", out, err)
	}
	// The empty "kill -9 $(lsof …)" after the build is a warning, and
	// succeeds; a kill that names a process is left alone. (make runs
	// "kill -9" directly, as exec does here: the interpreter has no kill
	// builtin.)
	out, err = runRecipe(t, b, dir, "exec kill -9")
	if err != nil || !strings.Contains(out, `dmake: warning: "kill -9" names no process to stop`) {
		t.Errorf("kill -9: out %q err %v", out, err)
	}
	if _, err := runRecipe(t, b, dir, "exec kill -0 999999999"); err == nil {
		t.Errorf("kill -0 of no such process succeeded")
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
