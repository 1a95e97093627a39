package driver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/image"
	"github.com/dmake-dev/dmake/internal/buildinfo"
	"github.com/dmake-dev/dmake/shellrun/sandbox"
	"github.com/dmake-dev/dmake/shellrun/sandbox/rootfs"
	"github.com/dmake-dev/dmake/symlinker"
	"mvdan.cc/sh/v3/interp"
)

// runCheckScripts is --check-scripts FILE…: the sandboxed dry run of loose
// scripts, in the order given, as one image would run them (over the
// files and packages of image --check-from, when given). It prints the
// report, writes the JSON report to --check-report, and returns 1 when the
// dry run found errors.
func runCheckScripts(ctx context.Context, opts Options, stdio Stdio) int {
	if len(opts.Goals) == 0 {
		fmt.Fprintln(stdio.Err, "dmake: --check-scripts needs script files")
		return 2
	}
	// The repository of the scripts: no file is read through a link out
	// of it.
	var repo image.Repo
	if r, err := image.FindRepo(filepath.Dir(opts.Goals[0])); err == nil {
		repo = r
	} else if r, err := image.FindRepo("."); err == nil {
		repo = r
	}
	img, err := sandbox.LooseImage("scripts", readRoot(opts, repo.Root), opts.Goals)
	if err != nil {
		fmt.Fprintf(stdio.Err, "dmake: %v\n", err)
		return 2
	}
	// The seed's naming and order warnings: only for the scripts of a
	// repository with its layout.
	img.SeedConvention = repo.Root != "" && repo.ReferenceLayout()
	if rootfs := os.Getenv("DMAKE_CHECK_ROOTFS"); rootfs != "" {
		img.Rootfs = rootfs
	}
	if opts.CheckFrom != "" {
		eng, err := engine.New(ctx)
		if err != nil {
			fmt.Fprintf(stdio.Err, "dmake: --check-from %s: the image is read from the engine: %v\n", opts.CheckFrom, err)
			return 125
		}
		defer eng.Close()
		if err := fromImage(ctx, eng, &img, opts.CheckFrom, opts.Platform); err != nil {
			fmt.Fprintf(stdio.Err, "dmake: --check-from %s: %v (dmake never pulls: load the image, or build it)\n", opts.CheckFrom, err)
			return 2
		}
	}
	return checkImages(ctx, []sandbox.Image{img}, opts, stdio)
}

// fromImage sets the lower layer of si's dry run to the root filesystem
// of image ref, as the engine has it (the index of its headers kept next
// to it: rootfs.LowerIndexFile), and its package set to ref's
// (basePackages); the report names it with its platform (fromLabel,
// platforms: --platform's list). On an error (no such image, the engine
// failing) si is left as it was: the dry run then sees the sandbox's
// built-in base.
func fromImage(ctx context.Context, eng *engine.Engine, si *sandbox.Image, ref, platforms string) error {
	tar, err := rootfs.Export(ctx, eng, ref)
	if err != nil {
		return err
	}
	si.Rootfs, si.RootfsIndex, si.Packages = tar, rootfs.LowerIndexFile(tar), basePackages(ctx, eng, tar, ref)
	si.From = fromLabel(ctx, eng, ref, platforms)
	return nil
}

// fromLabel names the local image ref for a dry run's report: its
// reference and platform, and, when --platform asks for others
// (platforms), that the scripts were checked over this one: dmake reads
// the engine's image and never pulls.
func fromLabel(ctx context.Context, eng *engine.Engine, ref, platforms string) string {
	info, found, err := eng.InspectImage(ctx, ref)
	if err != nil || !found || info.Platform == "" {
		return ref
	}
	label := ref + ", " + info.Platform
	if platforms == "" {
		return label
	}
	for _, p := range strings.Split(platforms, ",") {
		if pp, err := engine.ParsePlatform(strings.TrimSpace(p)); err == nil && engine.FormatPlatform(pp) == info.Platform {
			return label
		}
	}
	return label + ": the local image, not of the platforms --platform asks for (" + platforms + ")"
}

// basePackages is the package set of the base image ref, read from its
// root filesystem tarFile as the engine exported it (its apt lists and
// dpkg status), for the sandbox. A base without package lists gets those
// of an apt-get update in a throwaway container of it (eng); nil when
// neither is to be had. Both are cached by image ID (rootfs.BaseApt). The
// command index (which packages ship each command, from the mirror's
// Contents files) comes from another apt-get update in a throwaway
// container, cached by image ID too; without it (no network, no Contents
// files) the set has none and the sandbox says "unknown" where it would
// need it.
func basePackages(ctx context.Context, eng *engine.Engine, tarFile, ref string) *sandbox.Packages {
	st, err := rootfs.BaseApt(ctx, eng, ref, tarFile)
	if err != nil || len(st.Installed) == 0 {
		return nil // no dpkg: no apt to judge
	}
	p := &sandbox.Packages{Base: ref, Available: st.Available, Installed: st.Installed, Updated: st.Updated}
	if file, err := rootfs.IndexFile(ctx, eng, ref); err == nil {
		p.IndexFile = file
	}
	return p
}

// readRoot is the root the dry run reads a repository's files under:
// the repository, or everything with --allow-outside-links.
func readRoot(opts Options, repoRoot string) string {
	if opts.AllowOutsideLinks {
		return "/"
	}
	return repoRoot
}

// checkImages dry-runs images in the sandbox and reports: the text report
// on stdout, the JSON one in opts.CheckReport. It returns the exit status.
func checkImages(ctx context.Context, imgs []sandbox.Image, opts Options, stdio Stdio) int {
	reports, err := sandbox.Check(ctx, imgs, sandbox.Options{})
	if err != nil {
		fmt.Fprintf(stdio.Err, "dmake: check: %v\n", err)
		return 2
	}
	status := 0
	info := buildinfo.Read()
	tool := sandbox.Tool{Name: "dmake", Version: info.Version, Commit: info.Commit}
	var events *json.Encoder
	if opts.Progress == "json" {
		w := stdio.Err
		if opts.events != nil {
			w = opts.events
		}
		events = json.NewEncoder(w) // with the build events
	}
	for _, r := range reports {
		r.WriteText(stdio.Out)
		if !r.OK() {
			status = 1
		}
		if events != nil {
			e := image.NewEvent("check", r.Image, "report")
			e.Summary = sandbox.NewDocument(tool, []*sandbox.Report{r}).Summary
			events.Encode(e)
		}
	}
	if opts.CheckReport != "" {
		doc := sandbox.NewDocument(tool, reports)
		f, err := os.Create(opts.CheckReport)
		if err == nil {
			if opts.CheckFormat == "sarif" {
				err = doc.WriteSARIF(f)
			} else {
				err = doc.WriteJSON(f)
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(stdio.Err, "dmake: --check-report: %v\n", err)
			return 2
		}
	}
	return status
}

// checkGoals is --check at a legacy repository: it prepares the build
// directories (the repository's own prepare goal, which calls no docker)
// and dry-runs in the sandbox the scripts of each image, after those of the
// images of the repository it is built FROM, as the images will run them.
func checkGoals(ctx context.Context, opts Options, repo image.Repo, imgs []image.Image, stdio Stdio) int {
	var eng *engine.Engine
	if e, err := engine.New(ctx); err == nil {
		eng = e // the base image's files, where an engine has them
		defer eng.Close()
	}
	checks, status := sandboxImages(ctx, opts, repo, imgs, eng, Stdio{In: stdio.In, Out: stdio.Err, Err: stdio.Err})
	if checks == nil {
		return status
	}
	return checkImages(ctx, checks, opts, stdio)
}

// sandboxImages describes imgs for the sandbox: each image's build
// directory after its prepare goal, with the image of the repository it is
// built FROM as its parent (prepared too), and, for an image FROM a base
// outside the repository, that base's root filesystem when eng is not nil.
func sandboxImages(ctx context.Context, opts Options, repo image.Repo, imgs []image.Image, eng *engine.Engine, out Stdio) ([]sandbox.Image, int) {
	all, err := repo.Images()
	if err != nil {
		fmt.Fprintf(out.Err, "%s: %v\n", programName, err)
		return nil, 2
	}
	goals, status := loadImages(ctx, opts, repo, all, out)
	if goals == nil {
		return nil, status
	}
	byTag := map[string]*imageGoal{}
	byName := map[string]*imageGoal{}
	for _, g := range goals {
		byTag[g.node.Tag] = g
		byName[g.node.Name] = g
	}
	env := append(environ(opts), "DOCKER_HOME="+repo.Root)
	prepared := map[string]*sandbox.Image{}
	var describe func(g *imageGoal, depth int) (*sandbox.Image, int)
	describe = func(g *imageGoal, depth int) (*sandbox.Image, int) {
		if si, ok := prepared[g.node.Name]; ok {
			return si, 0
		}
		if depth > len(goals) {
			fmt.Fprintf(out.Err, "%s: images FROM each other in a cycle at %s\n", programName, g.node.Name)
			return nil, 2
		}
		si, status := prepareForCheck(ctx, opts, repo, g.img, env, out)
		if status != 0 {
			return nil, status
		}
		if parent, ok := byTag[g.node.From]; ok {
			p, status := describe(parent, depth+1)
			if p == nil {
				return nil, status
			}
			si.Parent = p
			// The sandbox opens every image's lower layer before it
			// gives up the file system: name it on the child too.
			si.Rootfs, si.RootfsIndex, si.From = p.Rootfs, p.RootfsIndex, p.From
		} else if eng != nil {
			fromImage(ctx, eng, &si, g.node.From, opts.Platform)
		}
		prepared[g.node.Name] = &si
		return &si, 0
	}
	var checks []sandbox.Image
	for _, img := range imgs {
		si, status := describe(byName[img.Name], 0)
		if si == nil {
			return nil, status
		}
		checks = append(checks, *si)
	}
	return checks, 0
}

// checkBuild is the image layer's Check for image img: before anything is
// sent to the engine, it dry-runs in the sandbox the scripts of the build
// context the recipes produced, after those of the repository image it is
// built FROM (prepared for this), over the base image's files where the
// engine has them. An image whose inputs are unchanged is never checked:
// the image layer calls this only for a build it is about to send.
func checkBuild(opts Options, repo image.Repo, img imageGoal, eng *engine.Engine, stdio Stdio) func(context.Context, image.Request, *image.Plan) error {
	return func(ctx context.Context, req image.Request, plan *image.Plan) error {
		si, err := sandbox.BuildDirImage(img.node.Name, readRoot(opts, image.ContextRoot(repo.Root, req.ContextDir)), req.ContextDir)
		if err != nil {
			return err
		}
		var log bytes.Buffer
		quiet := Stdio{Out: &log, Err: &log}
		if all, err := repo.Images(); err == nil {
			var parents []image.Image
			if goals, _ := loadImages(ctx, opts, repo, all, quiet); goals != nil {
				for _, g := range goals {
					if g.node.Tag == img.node.From && g.node.Name != img.node.Name {
						parents = append(parents, g.img)
					}
				}
			}
			if len(parents) > 0 {
				ps, status := sandboxImages(ctx, opts, repo, parents[:1], eng, quiet)
				if ps == nil {
					return fmt.Errorf("preparing %s, the image it is built FROM, for the dry run failed (status %d):\n%s", parents[0].Name, status, log.String())
				}
				si.Parent, si.Rootfs, si.RootfsIndex = &ps[0], ps[0].Rootfs, ps[0].RootfsIndex
			}
		}
		if si.Parent == nil && eng != nil {
			fromImage(ctx, eng, &si, img.node.From, opts.Platform)
		}
		reports, err := sandbox.Check(ctx, []sandbox.Image{si}, sandbox.Options{})
		if err != nil {
			return fmt.Errorf("dry run of the scripts: %w", err)
		}
		for _, r := range reports {
			if !r.OK() {
				r.WriteText(stdio.Err)
				return errors.New("the dry run of the scripts found errors; nothing was sent to the engine (fix them, or build anyway with --no-check)")
			}
		}
		fmt.Fprintf(stdio.Err, "%s: dry run of the scripts: no errors\n", img.node.Name)
		return nil
	}
}

// prepareForCheck runs the prepare goal of img (its recipe output goes to
// stderr, so that stdout holds the report alone) and describes the build
// directory for the sandbox.
func prepareForCheck(ctx context.Context, opts Options, repo image.Repo, img image.Image, env []string, stdio Stdio) (sandbox.Image, int) {
	defer opts.prepares.take(img.Dir)()
	job := makeJob{dir: img.Dir, goals: []string{"prepare"}, env: env}
	quiet := Stdio{In: stdio.In, Out: stdio.Err, Err: stdio.Err}
	db, status := load(ctx, opts, job, quiet)
	if db == nil {
		return sandbox.Image{}, status
	}
	sl := symlinker.New(symlinker.Config{
		Root:         repo.Root,
		IsBuildPath:  symlinker.UnderDirs(filepath.Join(img.Dir, "build")),
		AllowOutside: opts.AllowOutsideLinks,
	})
	job.middlewares = []func(interp.ExecHandlerFunc) interp.ExecHandlerFunc{sl.Middleware()}
	job.direct = directRunner(sl)
	sub := opts
	sub.DryRun = false
	if status, err := execute(ctx, sub, job, db, quiet); status != 0 || err != nil {
		if status == 0 {
			status = 2
		}
		return sandbox.Image{}, status
	}
	si, err := sandbox.BuildDirImage(img.Name, readRoot(opts, repo.Root), filepath.Join(img.Dir, "build"))
	if err != nil {
		fmt.Fprintf(stdio.Err, "%s: %v\n", programName, err)
		return sandbox.Image{}, 2
	}
	return si, 0
}
