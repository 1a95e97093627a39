package image

import (
	"reflect"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/engine"
)

// TestParseBuildxArgs: a docker buildx build that does what a docker build
// does (load into the engine, one platform) is parsed as one; what only
// buildx does is left to it, with the reason.
func TestParseBuildxArgs(t *testing.T) {
	noEnv := func(string) (string, bool) { return "", false }
	type S = engine.BuildSettings
	tests := []struct {
		args string
		want BuildCommand
		why  string // the error, when left to buildx
	}{
		{"-t x .", BuildCommand{Settings: S{Tags: []string{"x"}}, Context: "."}, ""},
		{"--load -t x -f docker/Dockerfile --build-arg A=1 ctx", BuildCommand{Settings: S{Tags: []string{"x"}, BuildArgs: map[string]*string{"A": ptr("1")}}, Dockerfile: "docker/Dockerfile", Context: "ctx"}, ""},
		{"-o type=docker -t x --platform linux/amd64 --provenance=false --sbom=false --push=false --progress plain .", BuildCommand{Settings: S{Tags: []string{"x"}, Platform: "linux/amd64"}, Context: "."}, ""},
		{"--pull --no-cache --target dev --cache-from x/cache:1 .", BuildCommand{Settings: S{Pull: true, NoCache: true, Target: "dev", CacheFrom: []string{"x/cache:1"}}, Context: "."}, ""},
		{"--push -t x .", BuildCommand{}, "--push sends the image to a registry"},
		{"--platform linux/amd64,linux/arm64 -t x .", BuildCommand{}, "several platforms"},
		{"--builder crossplatform -t x .", BuildCommand{}, "--builder crossplatform names a buildx builder instance"},
		{"-o type=registry -t x .", BuildCommand{}, "--output type=registry goes where dmake does not send images"},
		{"--output type=local,dest=out .", BuildCommand{}, "--output type=local,dest=out"},
		{"--cache-to type=registry,ref=r/c .", BuildCommand{}, "--cache-to is buildx's alone"},
		{"--cache-from type=registry,ref=r/c .", BuildCommand{}, "--cache-from type=registry is a buildx cache source"},
		{"--provenance=mode=max .", BuildCommand{}, "attestations"},
		{"--sbom .", BuildCommand{}, "attestations"},
		{"--attest type=sbom .", BuildCommand{}, "--attest is buildx's alone"},
		{"--secret id=s,src=f .", BuildCommand{}, "--secret: build secrets"},
		{"--check .", BuildCommand{}, "--check runs buildx's lint"},
		{"-t x https://github.com/a/b.git", BuildCommand{}, "a remote context"},
		{"--nosuch .", BuildCommand{}, "unknown flag: --nosuch"},
		{"-t x", BuildCommand{}, "no context given"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			got, err := ParseBuildxArgs(strings.Fields(tt.args), noEnv)
			if tt.why != "" {
				if err == nil || !strings.Contains(err.Error(), tt.why) {
					t.Fatalf("err = %v, want one saying %q", err, tt.why)
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
}

func ptr(s string) *string { return &s }
