package image

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"mvdan.cc/sh/v3/interp"
)

// BuildCommand is a parsed "docker build" command line.
type BuildCommand struct {
	Tags       []string
	Dockerfile string // -f, as given
	BuildArgs  map[string]*string
	Labels     map[string]string
	Network    string
	NoCache    bool
	Pull       bool
	Quiet      bool
	IIDFile    string
	Context    string // directory, or "-" for standard input
}

// docker build flags that take a value and that dmake accepts but ignores.
var ignoredValueFlags = map[string]bool{
	"--cache-from": true, "--target": true, "--platform": true, "--add-host": true,
	"--cpu-shares": true, "-c": true, "--cpuset-cpus": true, "--cpuset-mems": true,
	"--memory": true, "-m": true, "--memory-swap": true, "--shm-size": true,
	"--isolation": true, "--ulimit": true, "--progress": true, "--cgroup-parent": true,
	"--cpu-period": true, "--cpu-quota": true, "--security-opt": true,
}

var ignoredBoolFlags = map[string]bool{
	"--rm": true, "--force-rm": true, "--squash": true, "--compress": true,
	"--disable-content-trust": true,
}

// ParseBuildArgs parses the words after "docker build". env answers
// "--build-arg NAME" without a value, as the CLI takes it from the
// environment.
func ParseBuildArgs(words []string, env func(string) (string, bool)) (BuildCommand, error) {
	bc := BuildCommand{BuildArgs: map[string]*string{}, Labels: map[string]string{}}
	for i := 0; i < len(words); i++ {
		w := words[i]
		if w == "--" {
			if i+1 < len(words) {
				bc.Context = words[i+1]
			}
			break
		}
		if !strings.HasPrefix(w, "-") || w == "-" {
			if bc.Context != "" {
				return bc, fmt.Errorf("docker build: more than one context: %q and %q", bc.Context, w)
			}
			bc.Context = w
			continue
		}
		name, val, hasVal := strings.Cut(w, "=")
		if !strings.HasPrefix(name, "--") && len(name) > 2 {
			// -tfoo, or combined short booleans like -q.
			name, val, hasVal = name[:2], name[2:], true
		}
		value := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(words) {
				return "", fmt.Errorf("docker build: flag %s needs a value", name)
			}
			i++
			return words[i], nil
		}
		var err error
		var v string
		switch name {
		case "-t", "--tag":
			if v, err = value(); err == nil {
				bc.Tags = append(bc.Tags, v)
			}
		case "-f", "--file":
			bc.Dockerfile, err = value()
		case "--build-arg":
			if v, err = value(); err == nil {
				k, val, ok := strings.Cut(v, "=")
				if ok {
					bc.BuildArgs[k] = &val
				} else if ev, ok := env(k); ok {
					bc.BuildArgs[k] = &ev
				} else {
					bc.BuildArgs[k] = nil
				}
			}
		case "--label":
			if v, err = value(); err == nil {
				k, val, _ := strings.Cut(v, "=")
				bc.Labels[k] = val
			}
		case "--network":
			bc.Network, err = value()
		case "--iidfile":
			bc.IIDFile, err = value()
		case "--no-cache":
			bc.NoCache = !hasVal || val == "true"
		case "--pull":
			bc.Pull = !hasVal || val == "true"
		case "-q", "--quiet":
			bc.Quiet = true
		default:
			switch {
			case ignoredValueFlags[name]:
				_, err = value()
			case ignoredBoolFlags[name]:
			default:
				return bc, fmt.Errorf("docker build: flag %s is not supported by dmake", name)
			}
		}
		if err != nil {
			return bc, err
		}
	}
	if bc.Context == "" {
		return bc, fmt.Errorf("docker build: no context given (a directory, or - for a tar on standard input)")
	}
	return bc, nil
}

// docker CLI global flags that take a value.
var dockerGlobalValueFlags = map[string]bool{
	"-H": true, "--host": true, "--config": true, "-c": true, "--context": true,
	"-l": true, "--log-level": true, "--tlscacert": true, "--tlscert": true, "--tlskey": true,
}

// dockerSubcommand returns the subcommand of a docker argv and the words
// after it, or false when argv is not the docker CLI.
func dockerSubcommand(args []string) (string, []string, bool) {
	if len(args) == 0 {
		return "", nil, false
	}
	base := filepath.Base(args[0])
	if base != "docker" && base != "docker.io" {
		return "", nil, false
	}
	i := 1
	for i < len(args) && strings.HasPrefix(args[i], "-") {
		if dockerGlobalValueFlags[args[i]] {
			i++
		}
		i++
	}
	if i >= len(args) {
		return "", nil, true
	}
	sub, rest := args[i], args[i+1:]
	if (sub == "image" || sub == "builder") && len(rest) > 0 && rest[0] == "build" {
		sub, rest = "build", rest[1:]
	}
	return sub, rest, true
}

// Middleware returns the exec-handler middleware that takes over the docker
// CLI in recipes: "docker build …" (a context directory, "-f FILE", or a tar
// context on standard input) builds through the Engine API; "docker tag"
// tags through it; other docker subcommands run the real CLI (next). It
// also stands in for the legacy host helpers of echo-style repos: a
// "python -m http.server"/"SimpleHTTPServer" started to serve scripts to the
// build is not started (dmake sends those scripts in the context; the
// directory is remembered), and "ifconfig IFACE" answers with a loopback
// address, so no eth0 is needed.
func (b *Builder) Middleware() func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
	return func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
		return func(ctx context.Context, args []string) error {
			hc := interp.HandlerCtx(ctx)
			if sub, rest, ok := dockerSubcommand(args); ok {
				switch sub {
				case "build":
					return b.runDockerBuild(ctx, hc, rest)
				case "tag":
					if b.Engine != nil && len(rest) == 2 && !strings.HasPrefix(rest[0], "-") {
						if err := b.Engine.Tag(ctx, rest[0], rest[1]); err != nil {
							fmt.Fprintf(hc.Stderr, "docker tag: %v\n", err)
							return interp.ExitStatus(1)
						}
						return nil
					}
				}
				return next(ctx, args)
			}
			if dir, ok := httpServer(args, hc.Dir); ok {
				b.AddServeRoot(dir)
				fmt.Fprintf(hc.Stderr, "dmake: not starting %s: the build gets the files of %s from dmake\n", strings.Join(args, " "), dir)
				return nil
			}
			if filepath.Base(args[0]) == "ifconfig" && len(args) == 2 {
				fmt.Fprintf(hc.Stdout, "%s: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536\n        inet 127.0.0.1  netmask 255.0.0.0\n", args[1])
				return nil
			}
			return next(ctx, args)
		}
	}
}

// httpServer recognises the one-line web servers legacy Makefiles start to
// serve files to a build, and returns the directory they would serve.
func httpServer(args []string, cwd string) (string, bool) {
	if len(args) < 3 || !strings.HasPrefix(filepath.Base(args[0]), "python") || args[1] != "-m" {
		return "", false
	}
	if args[2] != "http.server" && args[2] != "SimpleHTTPServer" {
		return "", false
	}
	dir := cwd
	for i := 3; i < len(args); i++ {
		switch {
		case (args[i] == "-d" || args[i] == "--directory") && i+1 < len(args):
			dir = args[i+1]
			i++
		case strings.HasPrefix(args[i], "--directory="):
			dir = strings.TrimPrefix(args[i], "--directory=")
		}
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(cwd, dir)
	}
	return dir, true
}

func (b *Builder) runDockerBuild(ctx context.Context, hc interp.HandlerContext, words []string) error {
	env := func(k string) (string, bool) {
		v := hc.Env.Get(k)
		return v.String(), v.IsSet()
	}
	bc, err := ParseBuildArgs(words, env)
	if err != nil {
		fmt.Fprintf(hc.Stderr, "dmake: %v\n", err)
		return interp.ExitStatus(125)
	}
	req := Request{
		Tags: bc.Tags, BuildArgs: bc.BuildArgs, Labels: bc.Labels, Network: bc.Network,
		NoCache: bc.NoCache, Pull: bc.Pull, Quiet: bc.Quiet, Stdout: hc.Stdout, Stderr: hc.Stderr,
		WorkDir: hc.Dir,
	}
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(hc.Dir, p)
	}
	if bc.IIDFile != "" {
		req.IIDFile = abs(bc.IIDFile)
	}
	if bc.Context == "-" {
		sc, err := ReadStdinContext(hc.Stdin, b.TempDir)
		if err != nil {
			fmt.Fprintf(hc.Stderr, "dmake: %v\n", err)
			return interp.ExitStatus(125)
		}
		if sc.Dir == "" {
			// "docker build - < Dockerfile": no context.
			tmp, err := os.MkdirTemp(b.TempDir, "dmake-context-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			if err := os.WriteFile(filepath.Join(tmp, "Dockerfile"), sc.Dockerfile, 0o644); err != nil {
				return err
			}
			req.ContextDir = tmp
		} else {
			defer os.RemoveAll(sc.Dir)
			req.ContextDir = sc.Dir
			if bc.Dockerfile != "" {
				req.Dockerfile = filepath.Join(sc.Dir, filepath.FromSlash(bc.Dockerfile))
			}
		}
	} else {
		if strings.Contains(bc.Context, "://") || strings.HasPrefix(bc.Context, "git@") {
			fmt.Fprintf(hc.Stderr, "dmake: docker build %s: remote contexts are not supported\n", bc.Context)
			return interp.ExitStatus(125)
		}
		req.ContextDir = abs(bc.Context)
		if bc.Dockerfile != "" {
			req.Dockerfile = abs(bc.Dockerfile)
		}
	}
	if _, err := b.Build(ctx, req); err != nil {
		fmt.Fprintf(hc.Stderr, "dmake: %v\n", err)
		return interp.ExitStatus(1)
	}
	return nil
}
