package image

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// File is one entry of a build context: Name is its slash path inside the
// context, Src the file or directory on disk it is read from (symlinks are
// followed). A directory is sent with everything below it.
type File struct {
	Name string
	Src  string
	Mode os.FileMode // permission bits to send; 0 means the file's own
	// Dest is where the build puts the file in the image, when dmake
	// knows it (the scripts and files of a recognised script loop, a
	// script ADDed and run, a script fetched from the build host).
	Dest string
}

// Step is one Dockerfile instruction of a plan, in order: the classic
// builder's step n is Steps[n-1].
type Step struct {
	Instruction string // as the engine will print it, continuation joined
	Script      string // the install script this step runs or copies, if any
	Line        int    // line in the Dockerfile dmake sends
	// SourceLine is the line of Plan.Source the step comes from (the
	// instruction dmake sends as written, or turns into this step), in a
	// plan of layout "dockerfile"; 0 in other layouts.
	SourceLine int
}

// Plan is what dmake sends to the engine for one image: the Dockerfile, the
// files of the context, and what each step means.
type Plan struct {
	Layout     string             // "layered" or "dockerfile"
	Dockerfile []byte             // the Dockerfile sent (context path "Dockerfile" unless DockerfileName)
	Source     string             // the Dockerfile the plan was made from, its path
	Target     string             // the stage the build makes (--target); "" for the last
	BuildArgs  map[string]*string // the build's --build-arg values (nil: the environment's, unknown)
	Platform   string             // the platform the build is for ("": the builder's)
	Files      []File             // context entries besides the Dockerfile
	Steps      []Step             // one per instruction
	Scripts    map[string]string  // install script name → "sha256:…" of its content
	Components []string           // components of the image (from script names)
	From       []string           // images the Dockerfile starts from (stages excluded)
	// Busted is the script (or, in a Dockerfile as given, the RUN step)
	// that a --bust word named: it and every step after it re-run. Empty
	// when no word names a step of this image (a run of several images
	// busts only those that have the step; see UnmatchedBust).
	Busted string
	// Busts are the steps that carry a bust token in this plan: the one
	// busted now and those kept from earlier busts (PlanOptions.Kept),
	// keyed as Kept is.
	Busts map[string]KeptBust
	// HostFetches are the RUN steps that fetch files from the build
	// host's web server in a way dmake does not turn into a copy (wget
	// options it does not know, curl): they are sent as written, with a
	// comment keyed on the fetched files' content (so the cache notices
	// an edit), and the Builder serves those files over HTTP during the
	// build, as the legacy web server did.
	HostFetches []HostFetch
}

// HostFetch is a RUN step of a Plan sent as written that fetches from the
// build host.
type HostFetch struct {
	Line  int      // the line of the repository's Dockerfile
	Why   string   // what dmake does not turn into a copy
	Paths []string // the URL paths fetched
}

// KeptBust is the bust token a step of an image was built with, and the
// digest its script had then ("" for a step without a script file).
type KeptBust struct {
	Token  string `json:"token"`
	Digest string `json:"digest,omitempty"`
}

// PlanOptions change how a plan is generated.
type PlanOptions struct {
	// Bust names steps to re-run with everything after them: a script
	// name ("03_ssh.sh" or "03_ssh"), a component ("ssh") or "all".
	Bust []string
	// Token is the fresh value injected into the first busted step.
	Token string
	// Mode "prod" sets PRODUCTION=1 (the legacy switch that makes
	// 99_cleanup.sh remove the build-only packages) for the first script
	// that reads it and those after it.
	Mode string
	// ServeRoots are directories where scripts that the Dockerfile fetches
	// over HTTP from the build host are looked up (echo-style repos).
	ServeRoots []string
	// Kept are the busts the image was last built with (the previous
	// plan's Busts): a step keeps its token while its script is unchanged,
	// so that a plain build after "--bust STEP" matches the busted layers,
	// not the older ones the token was there to avoid. Keys are script
	// names (layered) or a RUN step's text (a Dockerfile as given).
	Kept map[string]KeptBust
}

// TemporaryPackages is where the legacy functions.sh records the packages
// installed for the build only (install_temporary); the legacy 99_cleanup.sh
// removes them when PRODUCTION is set.
const TemporaryPackages = "/etc/legacy/packages.temporary"

// installPlacements mirrors legacy-images/install.sh: what it installs, from
// where, with which mode, before it runs the scripts.
//
//	boot/*.sh      install -m 755 → /etc/my_init.d/
//	runit/*/run    install -m 755 → /etc/service/SERVICE/run (mkdir -p)
//	init/my_init   install -m 755 → /sbin/my_init
func installPlacements(dir string) (files []File, copies []string) {
	var boot []File
	if m, _ := filepath.Glob(filepath.Join(dir, "boot", "*.sh")); len(m) > 0 {
		sort.Strings(m)
		for _, f := range m {
			if fi, err := os.Stat(f); err == nil && fi.Mode().IsRegular() {
				boot = append(boot, File{Name: "boot/" + filepath.Base(f), Src: f, Mode: 0o755})
			}
		}
	}
	if len(boot) > 0 {
		files = append(files, boot...)
		copies = append(copies, "COPY boot/ /etc/my_init.d/")
	}
	var runit []File
	if m, _ := filepath.Glob(filepath.Join(dir, "runit", "*", "run")); len(m) > 0 {
		sort.Strings(m)
		for _, f := range m {
			if fi, err := os.Stat(f); err == nil && fi.Mode().IsRegular() {
				svc := filepath.Base(filepath.Dir(f))
				runit = append(runit, File{Name: "runit/" + svc + "/run", Src: f, Mode: 0o755})
			}
		}
	}
	if len(runit) > 0 {
		files = append(files, runit...)
		copies = append(copies, "COPY runit/ /etc/service/")
	}
	if fi, err := os.Stat(filepath.Join(dir, "init", "my_init")); err == nil && fi.Mode().IsRegular() {
		files = append(files, File{Name: "init/my_init", Src: filepath.Join(dir, "init", "my_init"), Mode: 0o755})
		copies = append(copies, "COPY init/my_init /sbin/my_init")
	}
	return files, copies
}

var (
	scriptRe  = regexp.MustCompile(`^[0-9][^/]*\.sh$`)
	installRe = regexp.MustCompile(`^((?:/usr)?/bin/)?(ba)?sh\s+/build/install\.sh$`)
	addAllRe  = regexp.MustCompile(`^(?:--chown=\S+\s+)?\.\s+/build/?$`)
)

// MakePlan reads the Dockerfile df (a path inside or outside dir) of the
// build context dir and returns what to send: the layered form for a
// link-style build directory, else the Dockerfile as given (fetches of
// host-served scripts turned into COPY+RUN).
func MakePlan(dir, df string, opts PlanOptions) (*Plan, error) {
	src, err := os.ReadFile(df)
	if err != nil {
		return nil, err
	}
	ins, err := ParseDockerfile(df, src)
	if err != nil {
		return nil, err
	}
	var p *Plan
	if add, run, shell, ok := linkStyle(dir, ins); ok {
		p, err = layered(dir, ins, add, run, shell, opts)
	} else if add, run, glob, src, dst, ok := scriptLoop(dir, ins); ok {
		p, err = loopLayered(dir, df, ins, add, run, glob, src, dst, opts)
	} else {
		p, err = asGiven(dir, df, ins, opts)
	}
	if err != nil {
		return nil, err
	}
	for _, in := range ins {
		if in.Cmd == "FROM" {
			ref, _ := fromImage(in)
			if ref != "" && !strings.EqualFold(ref, "scratch") && !isStage(ins, ref) {
				p.From = append(p.From, ref)
			}
		}
	}
	p.Source = df
	return p, nil
}

// StageRange returns where, in ins, the stage a build of target makes
// (the last stage when target is "") begins (its FROM) and ends (one past
// its last instruction), and the image it starts from: "" when it starts
// from another stage of the Dockerfile, from scratch, or from a reference
// with a variable in it, whose files are not known before the build. ok
// is false when ins has no such stage.
func StageRange(ins []Instruction, target string) (from, to int, base string, ok bool) {
	from = -1
	for i, in := range ins {
		if in.Cmd != "FROM" {
			continue
		}
		if from >= 0 && target != "" {
			return from, i, stageBase(ins, from), true
		}
		if _, name := fromImage(in); target == "" || strings.EqualFold(name, target) {
			from = i
		}
	}
	if from < 0 {
		return 0, 0, "", false
	}
	return from, len(ins), stageBase(ins, from), true
}

// stageBase is the image the stage beginning at ins[at] starts from, as
// StageRange says.
func stageBase(ins []Instruction, at int) string {
	ref, _ := fromImage(ins[at])
	if ref == "" || strings.Contains(ref, "$") || strings.EqualFold(ref, "scratch") || isStage(ins[:at], ref) {
		return ""
	}
	return ref
}

func isStage(ins []Instruction, name string) bool {
	for _, in := range ins {
		if in.Cmd == "FROM" {
			if _, st := fromImage(in); st != "" && strings.EqualFold(st, name) {
				return true
			}
		}
	}
	return false
}

// linkStyle reports whether ins is the legacy one-step Dockerfile of a
// link-style build directory: "ADD . /build" and one "RUN bash
// /build/install.sh", with install.sh and script/ in the context.
func linkStyle(dir string, ins []Instruction) (add, run int, shell string, ok bool) {
	add, run = -1, -1
	for i, in := range ins {
		switch in.Cmd {
		case "ADD", "COPY":
			if addAllRe.MatchString(in.Args) && add < 0 {
				add = i
			}
		case "RUN":
			if m := installRe.FindStringSubmatch(in.Args); m != nil && add >= 0 && run < 0 {
				run, shell = i, m[1]+m[2]+"sh"
				if m[1] == "" {
					shell = m[2] + "sh"
				}
			}
		}
	}
	if add < 0 || run < 0 {
		return -1, -1, "", false
	}
	if fi, err := os.Stat(filepath.Join(dir, "install.sh")); err != nil || !fi.Mode().IsRegular() {
		return -1, -1, "", false
	}
	if fi, err := os.Stat(filepath.Join(dir, "script")); err != nil || !fi.IsDir() {
		return -1, -1, "", false
	}
	return add, run, shell, true
}

func fileDigest(name string) (string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return "", err
	}
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:]), nil
}

// component returns the component a script name stands for: 03_ssh.sh →
// ssh; a numbered part of a script in a directory of its parts stands for
// that directory: parts/app/01.sh → app.
func component(script string) string {
	if i := strings.LastIndexByte(script, '/'); i >= 0 {
		base := script[i+1:]
		if strings.IndexByte(base, '_') < 0 && i > 0 {
			return path.Base(script[:i])
		}
		script = base
	}
	c := strings.TrimSuffix(script, ".sh")
	if i := strings.IndexByte(c, '_'); i >= 0 {
		c = c[i+1:]
	}
	return c
}

// bustMatches reports whether the bust word w names script s.
func bustMatches(w, s string) bool {
	return w == "all" || w == s || w == strings.TrimSuffix(s, ".sh") || w == component(s)
}

// layered generates the one-layer-per-script Dockerfile for a link-style
// build directory: the legacy Dockerfile's instructions are kept, its
// "ADD . /build" and one-step RUN are replaced.
func layered(dir string, ins []Instruction, add, run int, shell string, opts PlanOptions) (*Plan, error) {
	entries, err := os.ReadDir(filepath.Join(dir, "script"))
	if err != nil {
		return nil, err
	}
	var scripts, helpers []string
	for _, e := range entries {
		fi, err := os.Stat(filepath.Join(dir, "script", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "script", e.Name()), err)
		}
		switch {
		case scriptRe.MatchString(e.Name()) && fi.Mode().IsRegular():
			scripts = append(scripts, e.Name())
		default:
			helpers = append(helpers, e.Name())
		}
	}
	sort.Strings(scripts) // the glob order of script/[0-9]*.sh
	sort.Strings(helpers)

	p := &Plan{Layout: "layered", Scripts: map[string]string{}}
	var out []string
	emit := func(script, text string) {
		out = append(out, text)
		p.Steps = append(p.Steps, Step{Instruction: text, Script: script, Line: len(out)})
	}
	copyFile := func(script, name, dst string) {
		p.Files = append(p.Files, File{Name: name, Src: filepath.Join(dir, filepath.FromSlash(name))})
		emit(script, fmt.Sprintf("COPY %s %s", name, dst))
	}
	for i := 0; i < add; i++ {
		emit("", ins[i].Args0())
	}
	// The installer's placements go first, as legacy install.sh copies
	// them before running any script.
	pfiles, pcopies := installPlacements(dir)
	p.Files = append(p.Files, pfiles...)
	for _, c := range pcopies {
		emit("", c)
	}
	for _, h := range helpers {
		copyFile("", "script/"+h, "/build/script/"+h)
	}
	for i := add + 1; i < run; i++ {
		emit("", ins[i].Args0())
	}
	busted := false
	prodAt := -1 // the first script that reads PRODUCTION (prod mode)
	if opts.Mode == "prod" && !hasArg(ins[add+1:run], "PRODUCTION") {
		prodAt = len(scripts)
		for _, h := range helpers {
			if fileMentions(filepath.Join(dir, "script", h), "PRODUCTION") {
				prodAt = 0
			}
		}
		for i := len(scripts) - 1; i >= 0 && prodAt != 0; i-- {
			if fileMentions(filepath.Join(dir, "script", scripts[i]), "PRODUCTION") {
				prodAt = i
			}
		}
	}
	hyg := aptHygiene(dir, scripts, helpers)
	for si, s := range scripts {
		if si == prodAt {
			emit("", "ARG PRODUCTION=1")
		}
		d, err := fileDigest(filepath.Join(dir, "script", s))
		if err != nil {
			return nil, err
		}
		p.Scripts[s] = d
		p.Components = append(p.Components, component(s))
		copyFile(s, "script/"+s, "/build/script/"+s)
		runText := "RUN " + scriptRun(shell, "/build/script/"+s)
		if h := hyg[si]; h != "" {
			runText += " && " + h
		}
		emit(s, p.bustScript(runText, s, d, opts, &busted))
	}
	emit("", "RUN rm -rf /build")
	for i := run + 1; i < len(ins); i++ {
		emit("", ins[i].Args0())
	}
	p.Dockerfile = []byte("# Generated by dmake: the legacy one-step install, one cached layer per script.\n" + strings.Join(out, "\n") + "\n")
	return p, nil
}

// errTrap is the ERR trap scriptRun sets before an install script: when
// the failing command makes the script exit (errexit is on), it prints where
// ("dmake: FILE: line N: COMMAND: exit status S", which FailedStep reads).
// It is a command, not a function: bash cannot leave a function cleanly
// when errexit fires in a trap's function.
const errTrap = `case $- in *e*) printf "dmake: %s: line %s: %s: exit status %s\n" "${BASH_SOURCE[0]}" "$LINENO" "$BASH_COMMAND" "$?" >&2;; esac`

// errTrapRun is what scriptRun puts between bash and the script: it sets
// errTrap (given as $1, then shifted away, so the script sees no argument),
// sends stderr to stdout (one stream, which the engine cannot reorder), and
// runs the script with "." so that the trap sees its lines. The script's
// commands and status are as with "bash SCRIPT": a failure under "set -e"
// just gets its file and line.
const errTrapRun = ` -Ec 'trap "$1" ERR; shift; exec 2>&1; . "$0"'`

// scriptRun returns the shell command that runs an install script: with
// bash, under errTrap.
func scriptRun(shell, script string) string {
	if strings.HasSuffix(shell, "bash") {
		return shell + errTrapRun + " " + script + " '" + errTrap + "'"
	}
	return shell + " " + script
}

// displayInstruction returns an instruction as the user reads it: the
// script's run without the errTrap dmake added.
func displayInstruction(s string) string {
	return strings.Replace(strings.Replace(s, errTrapRun, "", 1), " '"+errTrap+"'", "", 1)
}

// bustScript returns runText, the RUN step of script s (content digest d),
// with its bust token: a new one for the first script a --bust word
// matches (*busted records that one was given), else the token the script
// kept from an earlier bust while its content is unchanged. The token is
// recorded in the plan's Busts, so a later plain build keeps the busted
// layers as the cache.
func (p *Plan) bustScript(runText, s, d string, opts PlanOptions, busted *bool) string {
	token := ""
	if !*busted {
		for _, w := range opts.Bust {
			if bustMatches(w, s) {
				token, *busted, p.Busted = opts.Token, true, s
				break
			}
		}
	}
	if k, ok := opts.Kept[s]; ok && token == "" && k.Digest == d {
		token = k.Token
	}
	if token == "" {
		return runText
	}
	p.addBust(s, KeptBust{Token: token, Digest: d})
	return runText + " # dmake-bust=" + token
}

func (p *Plan) addBust(key string, k KeptBust) {
	if p.Busts == nil {
		p.Busts = map[string]KeptBust{}
	}
	p.Busts[key] = k
}

// servedRe matches a RUN that fetches a script from the build host and pipes
// it into a shell: wget -O - $HOST_ADDR:$HOST_PORT/scripts/x.sh | bash.
// A comment may follow (the md5 of the script that echo-style Makefiles add
// so that Docker's cache notices an edit).
var servedRe = regexp.MustCompile(`^(?:wget|curl)\s[^|]*?(?:https?://)?[^\s/|]*:[^\s/|]+(/[^\s|]+)[^|]*\|\s*((?:/usr)?(?:/bin/)?(?:ba)?sh)\s*(?:#.*)?$`)

// asGiven keeps the Dockerfile as written, except that fetches of scripts
// served by the build host become a COPY of the same file and a RUN of it
// (no web server, no host address, and a content-keyed cache).
func asGiven(dir, df string, ins []Instruction, opts PlanOptions) (*Plan, error) {
	p := &Plan{Layout: "dockerfile", Scripts: map[string]string{}}
	var out []string
	// from is the instruction of the Dockerfile the steps emitted now
	// come from.
	var from Instruction
	lines := 0 // of out, an instruction with here-documents spanning several
	emit := func(script, text string) {
		out = append(out, text)
		p.Steps = append(p.Steps, Step{Instruction: text, Script: script, Line: lines + 1, SourceLine: from.Line})
		lines += strings.Count(text, "\n") + 1
	}
	whole := false
	if _, err := os.Stat(filepath.Join(dir, ".dockerignore")); err == nil {
		whole = true
	}
	seen := map[string]bool{}
	var served []File
	added := map[string]addedScript{} // image path → the script ADDed there
	busted := false
	bust := func(script, text string) string {
		digest := p.Scripts[script]
		for _, w := range opts.Bust {
			if busted {
				break
			}
			if w == "all" || (script != "" && bustMatches(w, script)) || (script == "" && strings.Contains(text, w)) {
				busted = true
				p.Busted = script
				if script == "" {
					p.Busted = text
				}
				p.addBust(text, KeptBust{Token: opts.Token, Digest: digest})
				return text + " # dmake-bust=" + opts.Token
			}
		}
		if k, ok := opts.Kept[text]; ok && k.Digest == digest {
			p.addBust(text, k)
			return text + " # dmake-bust=" + k.Token
		}
		return text
	}
	for _, in := range ins {
		from = in
		switch in.Cmd {
		case "COPY", "ADD":
			srcs, ok := copySources(in)
			if !ok {
				whole = true
			}
			for _, s := range srcs {
				matches, err := filepath.Glob(filepath.Join(dir, filepath.FromSlash(path.Clean("/" + s)[1:])))
				if err != nil || len(matches) == 0 {
					return nil, fmt.Errorf("%s:%d: %s %s: no such file in the build context %s", df, in.Line, in.Cmd, s, dir)
				}
				for _, m := range matches {
					rel, _ := filepath.Rel(dir, m)
					if rel == "." {
						whole = true
						continue
					}
					if !seen[rel] {
						seen[rel] = true
						p.Files = append(p.Files, File{Name: filepath.ToSlash(rel), Src: m})
					}
				}
			}
			if dst, ok := copyDest(in); ok && len(srcs) == 1 && strings.HasSuffix(srcs[0], ".sh") {
				// ADD path /path of one script (or part of one), which
				// a later RUN runs: the pair is that script's step.
				src := path.Clean(srcs[0])
				if strings.HasSuffix(dst, "/") {
					dst += path.Base(src)
				}
				if fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(src))); err == nil && fi.Mode().IsRegular() {
					added[path.Clean(dst)] = addedScript{src: src, step: len(p.Steps)}
					for i := range p.Files {
						if p.Files[i].Name == src && p.Files[i].Dest == "" {
							p.Files[i].Dest = path.Clean(dst)
						}
					}
				}
			}
			emit("", in.Args0())
		case "RUN":
			if m := servedRe.FindStringSubmatch(in.Args); m != nil {
				urlPath := path.Clean(m[1])
				src := findServed(urlPath, append(opts.ServeRoots, dir))
				if src == "" {
					return nil, fmt.Errorf("%s:%d: the build fetches %s from the build host, but no served directory (%s) has it", df, in.Line, urlPath, strings.Join(append(opts.ServeRoots, dir), ", "))
				}
				name := ".dmake-served" + urlPath
				script := path.Base(urlPath)
				d, err := fileDigest(src)
				if err != nil {
					return nil, err
				}
				p.Scripts[script] = d
				p.Components = append(p.Components, component(script))
				served = append(served, File{Name: name, Src: src, Dest: "/" + name})
				emit(script, fmt.Sprintf("COPY %s /%s", name, name))
				emit(script, bust(script, fmt.Sprintf("RUN %s < /%s; s=$?; rm -rf /.dmake-served; exit $s", m[2], name)))
				continue
			}
			text, urls, err := rewriteFetches(in.Args)
			var nf errNotFetch
			if errors.As(err, &nf) {
				// Never worse than legacy: the line as written, the
				// files served over HTTP during the build (Builder).
				paths := servedPaths(in.Args)
				h := sha256.New()
				for _, u := range paths {
					src := findServed(u, append(opts.ServeRoots, dir))
					if src == "" {
						return nil, fmt.Errorf("%s:%d: the build fetches %s from the build host, but no served directory (%s) has it", df, in.Line, u, strings.Join(append(opts.ServeRoots, dir), ", "))
					}
					d, err := fileDigest(src)
					if err != nil {
						return nil, err
					}
					fmt.Fprintf(h, "%s %s\n", u, d)
				}
				p.HostFetches = append(p.HostFetches, HostFetch{Line: in.Line, Why: nf.why, Paths: paths})
				text := in.Args0()
				if !strings.HasPrefix(strings.TrimSpace(in.Args), "[") {
					text += fmt.Sprintf(" # dmake-served=%x", h.Sum(nil)[:8])
				}
				emit("", bust("", text))
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("%s:%d: the build fetches from the build host: %v", df, in.Line, err)
			}
			if len(urls) > 0 {
				// Other fetches from the build host (boot and runit
				// files, configuration): the same files, copied for
				// this step and read where wget would have written.
				for _, u := range urls {
					src := findServed(u, append(opts.ServeRoots, dir))
					if src == "" {
						return nil, fmt.Errorf("%s:%d: the build fetches %s from the build host, but no served directory (%s) has it", df, in.Line, u, strings.Join(append(opts.ServeRoots, dir), ", "))
					}
					name := ".dmake-served" + u
					served = append(served, File{Name: name, Src: src})
					emit("", fmt.Sprintf("COPY %s /%s", name, name))
				}
				emit("", bust("", fmt.Sprintf("RUN %s; s=$?; rm -rf /.dmake-served; exit $s", text)))
				continue
			}
			script := ""
			if a, ok := runsAdded(in.Args, added); ok {
				d, err := fileDigest(filepath.Join(dir, filepath.FromSlash(a.src)))
				if err != nil {
					return nil, err
				}
				script = a.src
				p.Scripts[script] = d
				p.Components = appendNew(p.Components, component(script))
				p.Steps[a.step].Script = script
			} else if sm := regexp.MustCompile(`([^\s/'"]+\.sh)\b`).FindStringSubmatch(in.Args); sm != nil {
				script = sm[1]
			}
			emit(script, bust(script, in.Args0()))
		default:
			emit("", in.Args0())
		}
	}
	if whole {
		p.Files = []File{{Name: ".", Src: dir}}
	}
	for _, f := range served {
		if !seen[f.Name] {
			seen[f.Name] = true
			p.Files = append(p.Files, f)
		}
	}
	p.Dockerfile = []byte(strings.Join(out, "\n") + "\n")
	return p, nil
}

// addedScript is a script (or part of one) that an ADD or COPY put into
// the image: its context path and the step that did.
type addedScript struct {
	src  string
	step int
}

// runsAdded returns the script of added that the RUN command cmd runs (its
// image path is a word of cmd), if any.
func runsAdded(cmd string, added map[string]addedScript) (addedScript, bool) {
	for _, w := range strings.FieldsFunc(cmd, func(r rune) bool { return strings.ContainsRune(" \t;&|'\"()", r) }) {
		if a, ok := added[path.Clean(w)]; ok && strings.HasPrefix(w, "/") {
			return a, true
		}
	}
	return addedScript{}, false
}

// copyDest returns the destination of a COPY or ADD.
func copyDest(in Instruction) (string, bool) {
	words, ok := execForm(in.ArgsLine())
	if !ok {
		words = strings.Fields(in.ArgsLine())
	}
	if len(words) < 2 {
		return "", false
	}
	return words[len(words)-1], true
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func findServed(urlPath string, roots []string) string {
	for _, r := range roots {
		f := filepath.Join(r, filepath.FromSlash(urlPath))
		if fi, err := os.Stat(f); err == nil && fi.Mode().IsRegular() {
			return f
		}
	}
	return ""
}

func hasArg(ins []Instruction, name string) bool {
	for _, in := range ins {
		if in.Cmd == "ARG" {
			k, _, _ := strings.Cut(in.Args, "=")
			if strings.TrimSpace(k) == name {
				return true
			}
		}
	}
	return false
}

func fileMentions(name, word string) bool {
	b, err := os.ReadFile(name)
	return err == nil && strings.Contains(string(b), word)
}

// UnmatchedBust returns the --bust words that name no script or step of
// any of the plans (all of one run): a typo the user should hear about.
func UnmatchedBust(words []string, plans []*Plan) []string {
	var out []string
	for _, w := range words {
		found := false
		for _, p := range plans {
			if p == nil {
				continue
			}
			if w == "all" && len(p.Steps) > 0 {
				found = true
			}
			for s := range p.Scripts {
				found = found || bustMatches(w, s)
			}
			for _, st := range p.Steps {
				found = found || (st.Script == "" && strings.HasPrefix(st.Instruction, "RUN ") && strings.Contains(st.Instruction, w))
			}
		}
		if !found {
			out = append(out, w)
		}
	}
	return out
}

// The apt caches that legacy cleanup scripts remove at the end of the one
// install step. In a layer per script they would stay in every layer that
// ran apt: aptHygiene removes them at the end of those layers instead.
const (
	aptCaches = "rm -rf /var/cache/apt/archives/*.deb /var/cache/apt/*.bin"
	aptLists  = "rm -rf /var/lib/apt/lists/*"
)

var funcDefRe = regexp.MustCompile(`(?m)^\s*(?:function\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*\(\)`)

// aptHygiene returns, per script (in order), a command to append to its RUN
// that removes what a later cleanup script removes anyway, so the final file
// tree is the same and the layers are not bloated:
//   - the package archives and apt's binary caches (*.bin), after each script
//     that uses apt, when a later script runs "apt-get clean";
//   - the package lists, after the last script that uses apt before a later
//     script removes /var/lib/apt/lists (no script in between needs them).
//
// A script uses apt when it mentions apt or dpkg, or calls a shell function
// of the helper files (functions.sh) that does.
func aptHygiene(dir string, scripts, helpers []string) []string {
	texts := make([]string, len(scripts))
	for i, s := range scripts {
		b, _ := os.ReadFile(filepath.Join(dir, "script", s))
		texts[i] = string(b)
	}
	// The helper functions that use apt, to a fixed point.
	bodies := map[string]string{}
	for _, h := range helpers {
		b, err := os.ReadFile(filepath.Join(dir, "script", h))
		if err != nil {
			continue
		}
		src := string(b)
		locs := funcDefRe.FindAllStringSubmatchIndex(src, -1)
		for i, l := range locs {
			end := len(src)
			if i+1 < len(locs) {
				end = locs[i+1][0]
			}
			bodies[src[l[2]:l[3]]] = src[l[1]:end]
		}
	}
	aptish := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for name, body := range bodies {
			if !aptish[name] && usesApt(body, aptish) {
				aptish[name], changed = true, true
			}
		}
	}
	out := make([]string, len(scripts))
	cleanAt, listsAt := -1, -1
	for i, t := range texts {
		if strings.Contains(t, "apt-get clean") && cleanAt < 0 {
			cleanAt = i
		}
		if strings.Contains(t, "/var/lib/apt/lists") && listsAt < 0 {
			listsAt = i
		}
	}
	lastApt := -1
	for i := range scripts {
		if i == cleanAt || i == listsAt {
			break
		}
		if usesApt(texts[i], aptish) {
			lastApt = i
			if cleanAt > i {
				out[i] = aptCaches
			}
		}
	}
	if lastApt >= 0 && listsAt > lastApt {
		for i := lastApt + 1; i < listsAt; i++ {
			if usesApt(texts[i], aptish) {
				return out
			}
		}
		if out[lastApt] != "" {
			out[lastApt] += " /var/lib/apt/lists/*"
		} else {
			out[lastApt] = aptLists
		}
	}
	return out
}

var wordRe = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_-]*`)

func usesApt(text string, aptish map[string]bool) bool {
	for _, line := range strings.Split(text, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			line = line[:i]
		}
		for _, w := range wordRe.FindAllString(line, -1) {
			if strings.HasPrefix(w, "apt") || w == "dpkg" || aptish[w] {
				return true
			}
		}
	}
	return false
}
