package driver

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"

	"github.com/dmake-dev/dmake/dockerfile"
	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/image"
	"github.com/dmake-dev/dmake/shellrun/sandbox"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// servedRunRe matches the RUN a plan makes of a script the Dockerfile
// fetched from the build host and piped into a shell (image.asGiven).
var servedRunRe = regexp.MustCompile(`^((?:/usr)?(?:/bin/)?(?:ba)?sh) < /(\.dmake-served/\S+); s=\$\?;`)

// planImage describes for the sandbox the build a plan sends (a Dockerfile
// as given): its steps in order, so that the dry run of each RUN sees what
// the steps before it put into the image — the files COPY and ADD take from
// the context (ctxDir), the files served from the build host that a fetch
// reads, what earlier RUNs wrote and installed — with ENV and WORKDIR as
// they stand at that step. A RUN of a script served by the build host is
// checked as that script, and so is a RUN of a script the plan knows (one
// ADDed and run, a step of the layered form): its file and lines in
// diagnostics. Any other RUN is checked as a script named after the
// Dockerfile, at the step's line. root is the repository: no file is read
// through a link out of it (sandbox.ReadFile).
//
// Only the stage the build makes is described (the last, or the plan's
// target), and base is the image it starts from, whose files the dry run
// starts with. What cannot be described without false errors is left out,
// and skipped says why: a stage that starts from another stage or from a
// reference with a variable (nothing of it is checked), and the RUNs after
// a COPY --from (files of another stage or image).
func planImage(name, root string, plan *image.Plan) (img sandbox.Image, base, skipped string, err error) {
	img = sandbox.Image{Name: name, Root: root}
	all, err := image.ParseDockerfile("Dockerfile", plan.Dockerfile)
	if err != nil {
		return img, "", "", err
	}
	from, to, base, ok := image.StageRange(all, plan.Target)
	switch {
	case !ok:
		return img, "", fmt.Sprintf("the Dockerfile has no stage %q", plan.Target), nil
	case base == "":
		return img, "", fmt.Sprintf("the stage built, which starts from %q (another stage, scratch, or a reference with a variable), whose files are not known before the build", strings.TrimSpace(all[from].Args)), nil
	}
	ins := all[from:to]
	srcOf := map[string]string{} // context name → file on disk
	byScript := map[string]image.File{}
	for _, f := range plan.Files {
		srcOf[f.Name] = f.Src
		if f.Dest != "" {
			byScript[path.Base(f.Dest)] = f
			byScript[f.Name] = f // a step's script may be its context path (parts/app/00.sh)
		}
	}
	ctxDir := srcOf["."]
	// The plan's steps are its Dockerfile's instructions, one a line.
	steps := plan.Steps
	if len(steps) != len(all) {
		steps = nil
	} else {
		steps = steps[from:to]
	}
	var (
		pending []sandbox.ContextFile
		env     []string // NAME=value of the ENVs and ARGs so far
		workdir string
		shell   = "sh" // what RUN's shell form runs in (SHELL)
	)
	// The ARGs declared before the first FROM: their defaults are what
	// an ARG of the same name in a stage starts from.
	global := map[string]string{}
	for _, in := range all[:from] {
		if in.Cmd == "ARG" {
			for _, kv := range envPairs(in.Args, nil) {
				k, v, _ := strings.Cut(kv, "=")
				if strings.Contains(in.Args, "=") {
					global[k] = v
				}
			}
		}
	}
	for i, in := range ins {
		switch in.Cmd {
		case "ENV":
			env = append(env, envPairs(in.Args, env)...)
		case "ARG":
			// In the RUNs after it, an ARG is the --build-arg given,
			// else its default, else the global one; unset without.
			for _, w := range strings.Fields(in.Args) {
				name, def, hasDef := strings.Cut(w, "=")
				if !syntax.ValidName(name) {
					continue
				}
				if v, ok := plan.BuildArgs[name]; ok && v != nil {
					env = append(env, name+"="+*v)
				} else if v, ok := automaticArg(name, plan.Platform); ok {
					env = append(env, name+"="+v)
				} else if hasDef {
					env = append(env, envPairs(name+"="+def, env)...)
				} else if v, ok := global[name]; ok {
					env = append(env, name+"="+v)
				}
			}
		case "SHELL":
			words, ok := execWords(in.Args)
			if !ok || len(words) == 0 {
				continue
			}
			switch path.Base(words[0]) {
			case "bash":
				shell = "bash"
			case "sh", "dash", "ash":
				shell = "sh"
			default:
				if slices.ContainsFunc(ins[i:], func(in image.Instruction) bool { return in.Cmd == "RUN" }) {
					skipped = fmt.Sprintf("the RUN lines after the SHELL %s, which is not a shell the dry run knows", words[0])
				}
				return img, base, skipped, nil
			}
		case "WORKDIR":
			dir := expandArg(strings.TrimSpace(in.Args), env)
			if !strings.HasPrefix(dir, "/") {
				dir = path.Join("/", workdir, dir)
			}
			workdir = path.Clean(dir)
			// The builder makes the directory when the image lacks it.
			pending = append(pending, sandbox.ContextFile{Dest: workdir, Mode: fs.ModeDir | 0o755})
		case "COPY", "ADD":
			if copiesFromStage(in) {
				if slices.ContainsFunc(ins[i:], func(in image.Instruction) bool { return in.Cmd == "RUN" }) {
					at := fmt.Sprintf("Dockerfile:%d", in.Line)
					if steps != nil && steps[i].SourceLine > 0 && plan.Source != "" {
						at = fmt.Sprintf("%s:%d", sourceName(root, plan.Source), steps[i].SourceLine)
					}
					skipped = fmt.Sprintf("the RUN lines after %s, whose %s --from brings files of another stage or image", at, in.Cmd)
				}
				return img, base, skipped, nil
			}
			files, err := copyFiles(root, ctxDir, srcOf, in, workdir, env)
			if err != nil {
				return img, "", "", err
			}
			pending = append(pending, files...)
		case "RUN":
			s := sandbox.Script{Role: sandbox.RoleInstall, Shell: shell, Files: pending, Env: slices.Clone(env), Dir: workdir}
			pending = nil
			if steps != nil && steps[i].Script != "" {
				// A RUN of the Dockerfile as written that does more than
				// run the script (apt-get install … && /install.sh) is
				// checked as its command line, which runs the script
				// from the image: what it installs first counts. (The
				// RUN dmake makes of a served script is that script's.)
				if f, ok := byScript[steps[i].Script]; ok && f.Dest != "" && (plan.Layout != "dockerfile" || servedRunRe.MatchString(in.Args) || runsOnly(runCommand(in.Args), f.Dest)) {
					fi, err := os.Stat(f.Src)
					if err == nil && fi.Mode().IsRegular() {
						// The script the step runs, as the image has it.
						s.Path, s.File, s.Dest, s.Shell = strings.TrimPrefix(f.Dest, "/"), f.Src, f.Dest, ""
						img.Scripts = append(img.Scripts, s)
						continue
					}
				}
			}
			if m := servedRunRe.FindStringSubmatch(in.Args); m != nil {
				if src, ok := srcOf[m[2]]; ok {
					b, _, err := sandbox.ReadFile(root, src)
					if err != nil {
						return img, "", "", err
					}
					s.Path, s.Source = strings.TrimPrefix(m[2], ".dmake-served/"), b
					if strings.Contains(m[1], "bash") {
						s.Shell = "bash"
					}
					img.Scripts = append(img.Scripts, s)
					continue
				}
			}
			cmd := runCommand(in.Args)
			// The column the command starts at: after RUN and its flags.
			col := len(in.Cmd) + 1 + len(in.Args) - len(cmd)
			line := in.Line
			s.Path = "Dockerfile"
			if steps != nil && steps[i].SourceLine > 0 && plan.Source != "" {
				s.Path, line = sourceName(root, plan.Source), steps[i].SourceLine
			}
			if script, ok := dockerfile.HeredocScript(cmd); ok {
				// RUN <<EOF: the here-document is the script, on the
				// lines after the RUN's; one for another interpreter
				// (#!/usr/bin/env python3) is not the shell's.
				if strings.HasPrefix(script, "#!") && !image.ShellShebang(script) {
					pending = s.Files // for the next RUN the dry run sees
					continue
				}
				s.Source = []byte(strings.Repeat("\n", line) + script)
				img.Scripts = append(img.Scripts, s)
				continue
			}
			if words, ok := execWords(cmd); ok {
				q := make([]string, len(words))
				for i, w := range words {
					if q[i], err = syntax.Quote(w, syntax.LangBash); err != nil {
						return img, "", "", fmt.Errorf("the RUN at Dockerfile:%d: %v", in.Line, err)
					}
				}
				cmd = strings.Join(q, " ")
			}
			// The command at its own line and column of the Dockerfile:
			// the repository's, when the plan sends its lines as written.
			s.Source = []byte(strings.Repeat("\n", line-1) + strings.Repeat(" ", col) + cmd + "\n")
			img.Scripts = append(img.Scripts, s)
		}
	}
	return img, base, "", nil
}

// automaticArg is the value BuildKit gives a platform ARG a stage declares
// (TARGETPLATFORM, TARGETOS, TARGETARCH, BUILDPLATFORM…): the build's
// platform (platform, or this machine's), as the image will have it.
func automaticArg(name, platform string) (string, bool) {
	goos, arch := "linux", runtime.GOARCH
	if p, err := engine.ParsePlatform(platform); err == nil && platform != "" {
		goos, arch = p.OS, p.Architecture
	}
	switch strings.TrimPrefix(strings.TrimPrefix(name, "TARGET"), "BUILD") {
	case "PLATFORM":
		return goos + "/" + arch, name != "PLATFORM"
	case "OS":
		return goos, name != "OS"
	case "ARCH":
		return arch, name != "ARCH"
	}
	return "", false
}

// runsOnly reports whether the shell command cmd only runs the script at
// dest in the image (dest ARGS, sh dest, bash -e dest…), maybe making it
// executable first and removing it after.
func runsOnly(cmd, dest string) bool {
	f, err := syntax.NewParser().Parse(strings.NewReader(cmd), "")
	if err != nil {
		return false
	}
	runs, other := false, false
	syntax.Walk(f, func(n syntax.Node) bool {
		if n == nil {
			return true // the end of a node's children
		}
		switch n := n.(type) {
		case *syntax.CallExpr:
			var words []string
			for _, w := range n.Args {
				words = append(words, w.Lit())
			}
			if len(words) == 0 {
				other = true // an assignment alone
				return false
			}
			switch prog := path.Base(words[0]); {
			case words[0] == dest:
				runs = true
			case (prog == "sh" || prog == "bash") && slices.Contains(words[1:], dest):
				runs = true
			case (prog == "rm" || prog == "chmod") && slices.Contains(words[1:], dest):
			default:
				other = true
			}
			return false
		case *syntax.Stmt, *syntax.BinaryCmd, *syntax.File:
			return true
		}
		other = true // a loop, a subshell, a pipe…
		return false
	})
	return runs && !other
}

// copiesFromStage says whether a COPY or ADD takes its files from another
// stage or an image (--from).
func copiesFromStage(in image.Instruction) bool {
	for _, w := range strings.Fields(in.Args) {
		if !strings.HasPrefix(w, "--") {
			return false
		}
		if strings.HasPrefix(w, "--from") {
			return true
		}
	}
	return false
}

// runCommand is the command of a RUN's arguments, without the flags
// BuildKit takes before it (--mount=…, --network=…, --security=…).
func runCommand(args string) string {
	args = strings.TrimLeft(args, " \t")
	for strings.HasPrefix(args, "--") {
		_, rest, ok := strings.Cut(args, " ")
		if !ok {
			return ""
		}
		args = strings.TrimLeft(rest, " \t")
	}
	return args
}

// sourceName is how diagnostics name the file p: relative to root when
// it is below it, else as it is.
func sourceName(root, p string) string {
	if root != "" {
		if rel, err := filepath.Rel(root, p); err == nil && filepath.IsLocal(rel) {
			return rel
		}
	}
	return p
}

// expandArg expands the variables of a WORKDIR's or a COPY destination's
// argument as the builder does, with the ENVs and ARGs so far (env); an
// argument that does not expand is kept as written.
func expandArg(arg string, env []string) string {
	if !strings.Contains(arg, "$") {
		return arg
	}
	w, err := syntax.NewParser().Document(strings.NewReader(arg))
	if err != nil {
		return arg
	}
	v, err := expand.Literal(&expand.Config{Env: expand.ListEnviron(env...)}, w)
	if err != nil {
		return arg
	}
	return v
}

// envPairs turns the arguments of an ENV into NAME=value pairs: "K V" or
// "K=V K2=V2" (shell words, expanded as Docker expands them, with the
// pairs of the ENVs before, prev).
func envPairs(args string, prev []string) []string {
	args = strings.TrimSpace(args)
	k, v, _ := strings.Cut(args, " ")
	if !strings.Contains(k, "=") {
		if !syntax.ValidName(k) {
			return nil
		}
		return []string{k + "=" + strings.TrimSpace(v)}
	}
	f, err := syntax.NewParser().Parse(strings.NewReader(args), "")
	if err != nil || len(f.Stmts) != 1 {
		return nil
	}
	call, ok := f.Stmts[0].Cmd.(*syntax.CallExpr)
	if !ok || len(call.Args) > 0 {
		return nil
	}
	cfg := &expand.Config{Env: expand.ListEnviron(prev...)}
	var out []string
	for _, as := range call.Assigns {
		val := ""
		if as.Value != nil {
			if val, err = expand.Literal(cfg, as.Value); err != nil {
				return out
			}
		}
		out = append(out, as.Name.Value+"="+val)
		cfg.Env = expand.ListEnviron(append(prev, out...)...)
	}
	return out
}

// execWords returns the words of an exec-form (JSON array) argument.
func execWords(args string) ([]string, bool) {
	if !strings.HasPrefix(args, "[") {
		return nil, false
	}
	var words []string
	if json.Unmarshal([]byte(args), &words) != nil || len(words) == 0 {
		return nil, false
	}
	return words, true
}

// copyFiles returns the files a COPY or ADD of the context puts into the
// image, as Docker places them: a file to DEST (or DEST/NAME when DEST
// ends in / or there are several sources), a directory's contents into
// DEST. Sources that are URLs, other stages or not in the plan's context
// are skipped.
func copyFiles(root, ctxDir string, srcOf map[string]string, in image.Instruction, workdir string, env []string) ([]sandbox.ContextFile, error) {
	words, ok := execWords(in.ArgsLine())
	if !ok {
		words = strings.Fields(in.ArgsLine())
	}
	for len(words) > 0 && strings.HasPrefix(words[0], "--") {
		if strings.HasPrefix(words[0], "--from") {
			return nil, nil
		}
		words = words[1:]
	}
	if len(words) < 2 {
		return nil, nil
	}
	srcs, dst := words[:len(words)-1], expandArg(words[len(words)-1], env)
	if !strings.HasPrefix(dst, "/") {
		dst = path.Join("/", workdir, dst) + map[bool]string{true: "/"}[strings.HasSuffix(dst, "/")]
	}
	var out []sandbox.ContextFile
	docs := in.Heredocs()
	for _, s := range srcs {
		if word, ok := strings.CutPrefix(s, "<<"); ok {
			// COPY <<EOF /path: the here-document is the file.
			word = strings.Trim(strings.TrimPrefix(word, "-"), `"'`)
			to := dst
			if strings.HasSuffix(dst, "/") {
				to = path.Join(dst, word)
			}
			out = append(out, sandbox.ContextFile{Dest: path.Clean(to), Data: []byte(docs[word]), Mode: 0o644, Name: "Dockerfile"})
			continue
		}
		if strings.Contains(s, "://") || strings.Contains(s, "$") {
			continue
		}
		rel := path.Clean("/" + s)[1:]
		host := ""
		if src, ok := srcOf[rel]; ok {
			host = src
		} else if _, whole := srcOf["."]; whole || rel == "" {
			host = filepath.Join(ctxDir, filepath.FromSlash(rel))
		} else {
			// A directory the plan sends file by file (the tree a
			// script loop's ADD keeps, its scripts taken out).
			files, err := filesUnder(root, srcOf, rel, dst)
			if err != nil {
				return nil, err
			}
			out = append(out, files...)
			continue
		}
		fi, err := os.Stat(host)
		if err != nil {
			continue
		}
		if !fi.IsDir() {
			to := dst
			if strings.HasSuffix(dst, "/") || len(srcs) > 1 {
				to = path.Join(dst, path.Base(host))
			}
			cf, err := sandbox.ContextFileAt(root, host, path.Clean(to), rel)
			if err != nil {
				return nil, err
			}
			out = append(out, cf)
			continue
		}
		err = filepath.WalkDir(host, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			r, _ := filepath.Rel(host, p)
			to := path.Join(dst, filepath.ToSlash(r))
			fi, err := os.Stat(p)
			if err != nil {
				return nil
			}
			if fi.IsDir() {
				out = append(out, sandbox.ContextFile{Dest: to, Mode: fs.ModeDir | fi.Mode().Perm()})
				return nil
			}
			cf, err := sandbox.ContextFileAt(root, p, to, path.Join(rel, filepath.ToSlash(r)))
			if err != nil {
				return err
			}
			out = append(out, cf)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// filesUnder returns the files of the plan's context below the directory
// rel (context names rel/…, each a file of its own), as a COPY of rel to
// dst puts them into the image, in name order.
func filesUnder(root string, srcOf map[string]string, rel, dst string) ([]sandbox.ContextFile, error) {
	var names []string
	for n := range srcOf {
		if strings.HasPrefix(n, rel+"/") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var out []sandbox.ContextFile
	for _, n := range names {
		src := srcOf[n]
		fi, err := os.Stat(src)
		if err != nil {
			continue
		}
		to := path.Join(dst, strings.TrimPrefix(n, rel+"/"))
		if fi.IsDir() {
			out = append(out, sandbox.ContextFile{Dest: to, Mode: fs.ModeDir | fi.Mode().Perm()})
			continue
		}
		cf, err := sandbox.ContextFileAt(root, src, to, n)
		if err != nil {
			return nil, err
		}
		out = append(out, cf)
	}
	return out, nil
}
