package driver

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/image"
	"github.com/dmake-dev/dmake/shellrun/sandbox"
)

// TestPlanImageCarriesSteps checks that the dry run of a Dockerfile's
// steps (a plan as given) sees in each RUN what the steps before it put
// into the image: a file ADDed from the context (source /build/config), a
// file the build fetches from the build host (served from the context),
// a file an earlier RUN wrote, a package an earlier RUN installed, ENV and
// WORKDIR; and that a RUN's failure is reported at its Dockerfile line.
func TestPlanImageCarriesSteps(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string, mode os.FileMode) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("config", "APP_PORT=8080\nAPP_USER=app\n", 0o644)
	write("conf/app.conf", "port 8080\n", 0o644)
	write("scripts/02_app.sh", "set -e\n. /build/config\n[ \"$APP_PORT\" = 8080 ]\ngrep -q 8080 /build/conf/app.conf\n[ -f /opt/step1 ]\nsshd -t || true\n[ \"$APP_HOME\" = /opt/app ]\n", 0o644)
	write("Dockerfile", `FROM debian:bookworm
ENV APP_HOME /opt/app
ADD config /build/config
RUN . /build/config && test "$APP_USER" = app && touch /opt/step1
RUN apt-get install -y openssh-server
RUN mkdir -p /build/conf && wget -q -P /build/conf $HOST_ADDR:$HOST_PORT/conf/app.conf
RUN wget -q -O - $HOST_ADDR:$HOST_PORT/scripts/02_app.sh | sh
WORKDIR /opt/app
RUN test "$(pwd)" = /opt/app && . /build/config
RUN cat /opt/missing
`, 0o644)
	plan, err := image.MakePlan(dir, filepath.Join(dir, "Dockerfile"), image.PlanOptions{ServeRoots: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	si, _, _, err := planImage("app", dir, plan)
	if err != nil {
		t.Fatal(err)
	}
	r := sandbox.DryRunInProcess(context.Background(), si, sandbox.Options{Timeout: 10 * time.Second})
	var errs []string
	for _, e := range r.Errors {
		errs = append(errs, e.Pos+" "+e.Code)
	}
	var b strings.Builder
	r.WriteText(&b)
	if got, want := strings.Join(errs, ","), "Dockerfile:"; len(r.Errors) != 1 || !strings.HasPrefix(got, want) || !strings.Contains(r.Errors[0].Msg, "/opt/missing") {
		t.Errorf("errors %q, want one, at the last RUN, of cat /opt/missing\n%s", got, b.String())
	}
	var scripts []string
	for _, s := range r.Scripts {
		scripts = append(scripts, s.Path+":"+s.Status)
	}
	if got, want := strings.Join(scripts, " "), "Dockerfile:ok Dockerfile:ok Dockerfile:ok .dmake-served/scripts/02_app.sh:ok Dockerfile:ok Dockerfile:failed"; got != want {
		t.Errorf("scripts %s, want %s\n%s", got, want, b.String())
	}
}

// The dry run of a script loop's steps sees the tree the loop's ADD keeps
// (its scripts taken out, sent file by file): /build/boot/start.sh is in
// the image when the first script runs.
func TestPlanImageLoopTree(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"Dockerfile":            "FROM busybox:latest\nADD build /build\nRUN for s in /build/scripts/*.sh; do [ -x $s ] && $s || : ; done\n",
		"build/scripts/00_a.sh": "#!/bin/sh\nset -e\ncp /build/boot/start.sh /sbin/start\n",
		"build/boot/start.sh":   "#!/bin/sh\n",
	} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o755)
	}
	plan, err := image.MakePlan(dir, filepath.Join(dir, "Dockerfile"), image.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	si, _, _, err := planImage("t", dir, plan)
	if err != nil {
		t.Fatal(err)
	}
	var dests []string
	for _, s := range si.Scripts {
		for _, f := range s.Files {
			dests = append(dests, f.Dest)
		}
	}
	if !slices.Contains(dests, "/build/boot/start.sh") {
		t.Errorf("the loop's tree is not in the image its scripts see: %q", dests)
	}
}

// A RUN of a Dockerfile sent as written is reported at that file's own
// path (below the repository) and line, which comments, blank lines and
// continued lines make differ from the line of the Dockerfile dmake sends.
func TestPlanImageSourceLines(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "docker", "app.Dockerfile")
	os.MkdirAll(filepath.Dir(df), 0o755)
	src := "FROM busybox:latest\n# a comment\n\nRUN true \\\n  && true\nRUN cat /no/such/file\n"
	if err := os.WriteFile(df, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	plan, err := image.MakePlan(dir, df, image.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	si, _, _, err := planImage("app", dir, plan)
	if err != nil {
		t.Fatal(err)
	}
	r := sandbox.DryRunInProcess(context.Background(), si, sandbox.Options{Timeout: 10 * time.Second})
	if len(r.Errors) != 1 || !strings.HasPrefix(r.Errors[0].Pos, "docker/app.Dockerfile:6:5") {
		t.Errorf("errors %+v, want one at docker/app.Dockerfile:6:5 (the cat)", r.Errors)
	}
}

// TestPlanImageStages: only the stage the build makes is dry-run, over the
// image it starts from; a stage from another stage is not dry-run at all,
// and the RUNs after a COPY --from are not (their files come from
// elsewhere), each with the reason; RUN's BuildKit flags are not the
// command.
func TestPlanImageStages(t *testing.T) {
	const df = `FROM busybox:latest AS build
RUN busybox --help && mkdir /out
FROM debian:bookworm
RUN --mount=type=cache,target=/var/cache/apt cat /no/such
COPY --from=build /out /out
RUN cat /out/app
`
	tests := []struct {
		name, dockerfile, target string
		base                     string
		errors                   []string // the dry run's error positions
		skipped                  string
	}{
		{name: "last stage", dockerfile: df, base: "debian:bookworm", errors: []string{"Dockerfile:4:46"}, skipped: "the RUN lines after Dockerfile:5, whose COPY --from"},
		{name: "target", dockerfile: df, target: "build", base: "busybox:latest", errors: []string{"Dockerfile:2:5"}},
		{name: "from a stage", dockerfile: "FROM debian:bookworm AS base\nRUN true\nFROM base\nRUN cat /no/such\n", skipped: `the stage built, which starts from "base"`},
		{name: "from a variable", dockerfile: "ARG BASE=debian:bookworm\nFROM ${BASE}\nRUN cat /no/such\n", skipped: `starts from "${BASE}"`},
		{name: "no such target", dockerfile: df, target: "nosuch", skipped: `no stage "nosuch"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(tt.dockerfile), 0o644); err != nil {
				t.Fatal(err)
			}
			plan, err := image.MakePlan(dir, filepath.Join(dir, "Dockerfile"), image.PlanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			plan.Target = tt.target
			si, base, skipped, err := planImage("app", dir, plan)
			if err != nil {
				t.Fatal(err)
			}
			if base != tt.base || !strings.Contains(skipped, tt.skipped) || (tt.skipped == "") != (skipped == "") {
				t.Errorf("base %q, skipped %q; want %q, %q", base, skipped, tt.base, tt.skipped)
			}
			var errs []string
			if len(si.Scripts) > 0 {
				r := sandbox.DryRunInProcess(context.Background(), si, sandbox.Options{Timeout: 10 * time.Second})
				for _, e := range r.Errors {
					errs = append(errs, e.Pos)
				}
			}
			if !slices.Equal(errs, tt.errors) {
				t.Errorf("errors at %q, want %q", errs, tt.errors)
			}
		})
	}
}

// TestPlanImageHeredocs: RUN <<EOF is its here-document run by the shell,
// at its own lines; COPY <<EOF puts the here-document in the image; a
// here-document for another interpreter is not the shell's.
func TestPlanImageHeredocs(t *testing.T) {
	dir := t.TempDir()
	src := "FROM debian:bookworm\n" +
		"COPY <<EOF /etc/greeting\nhi\nEOF\n" +
		"RUN <<EOT\ngrep -q hi /etc/greeting\ncat /no/such\nEOT\n" +
		"RUN <<EOT\n#!/usr/bin/env python3\nimport nosuch\nEOT\n" +
		"RUN cat <<EOF > /x\nbody\nEOF\n" +
		"RUN grep -q body /x && cat /missing\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	plan, err := image.MakePlan(dir, filepath.Join(dir, "Dockerfile"), image.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	si, _, _, err := planImage("app", dir, plan)
	if err != nil {
		t.Fatal(err)
	}
	r := sandbox.DryRunInProcess(context.Background(), si, sandbox.Options{Timeout: 10 * time.Second})
	var errs []string
	for _, e := range r.Errors {
		errs = append(errs, e.Pos)
	}
	if want := []string{"Dockerfile:7:1", "Dockerfile:16:24"}; !slices.Equal(errs, want) || len(si.Scripts) != 3 {
		t.Errorf("%d scripts, errors at %q; want 3, %q", len(si.Scripts), errs, want)
	}
	if sent := string(plan.Dockerfile); !strings.Contains(sent, "COPY <<EOF /etc/greeting\nhi\nEOF\n") {
		t.Errorf("the Dockerfile sent lost the here-document:\n%s", sent)
	}
}

// TestPlanImageArgsAndShell: the RUNs after an ARG see its value (the
// --build-arg given, its default, the global default, BuildKit's platform
// ARGs; unset without one), a SHELL of bash runs them in bash, and one the
// dry run does not know leaves the RUNs after it out, said.
func TestPlanImageArgsAndShell(t *testing.T) {
	dir := t.TempDir()
	src := `ARG GLOBAL=g1
FROM debian:bookworm
ARG VERSION=1.0
ARG GLOBAL
ARG NAME
ARG TARGETARCH
ARG GIVEN=default
RUN test -n "$VERSION" && test "$GLOBAL" = g1 && test -z "$NAME" && test "$TARGETARCH" = arm64 && test "$GIVEN" = given
SHELL ["/bin/bash", "-c"]
RUN arr=(a b) && [[ ${arr[1]} = b ]] && [[ -n "$VERSION" ]]
SHELL ["pwsh", "-c"]
RUN Write-Host hi
`
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	plan, err := image.MakePlan(dir, filepath.Join(dir, "Dockerfile"), image.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	given := "given"
	plan.BuildArgs, plan.Platform = map[string]*string{"GIVEN": &given}, "linux/arm64"
	si, _, skipped, err := planImage("app", dir, plan)
	if err != nil {
		t.Fatal(err)
	}
	if want := "the RUN lines after the SHELL pwsh"; !strings.Contains(skipped, want) || len(si.Scripts) != 2 {
		t.Errorf("%d scripts, skipped %q; want 2, %q", len(si.Scripts), skipped, want)
	}
	r := sandbox.DryRunInProcess(context.Background(), si, sandbox.Options{Timeout: 10 * time.Second})
	if len(r.Errors) != 0 || len(r.Warnings) != 0 {
		t.Errorf("errors %+v, warnings %+v; want none", r.Errors, r.Warnings)
	}
}

// TestRunsOnly: which RUN commands only run a script the Dockerfile
// copied in (checked as that script) and which do more (checked as the
// command line, which runs the script from the image).
func TestRunsOnly(t *testing.T) {
	for _, tt := range []struct {
		cmd  string
		only bool
	}{
		{"/install.sh", true},
		{"/install.sh --prod", true},
		{"chmod +x /install.sh && /install.sh && rm -f /install.sh", true},
		{"bash -e /install.sh", true},
		{"sh /install.sh; rm /install.sh", true},
		{"apt-get install -y wget && /install.sh", false},
		{"/install.sh | tee /log", false},
		{"for s in /install.sh; do $s; done", false},
		{"X=1 /install.sh && Y=2", false},
		{"/other.sh", false},
		{"echo /install.sh", false},
	} {
		if got := runsOnly(tt.cmd, "/install.sh"); got != tt.only {
			t.Errorf("runsOnly(%q) = %v, want %v", tt.cmd, got, tt.only)
		}
	}
}
