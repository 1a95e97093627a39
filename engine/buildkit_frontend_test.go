package engine

import (
	"bytes"
	"context"
	"testing"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/client/llb"
)

// BenchmarkBuildKitPlan measures what sending a plan as a Dockerfile
// through BuildKit's Dockerfile frontend (what dmake does) costs against
// sending the same steps as LLB made in dmake: the fixture's build (FROM
// the engine's busybox, three COPY+RUN steps), every step cached after
// the first round, so that what is measured is each path's own work per
// build (the frontend parses the Dockerfile and resolves the FROM image's
// config in the daemon; the LLB is marshalled here), not the steps'.
//
//	DMAKE_ENGINE_TESTS=1 go test -run '^$' -bench BuildKitPlan ./engine
func BenchmarkBuildKitPlan(b *testing.B) {
	e, bk := needBuildKit(b)
	ctx := context.Background()
	base, found, err := e.InspectImage(ctx, "busybox:latest")
	if err != nil || !found {
		b.Fatalf("the engine has no busybox:latest (%v)", err)
	}
	ctxTar := fixture(b, "bench-plan")
	req := BuildRequest{Bases: map[string]string{"busybox:latest": base.ID}}
	solve := func(b *testing.B, asLLB bool) {
		req.Context = bytes.NewReader(ctxTar)
		sv, err := e.solveSetup(ctx, bk, req, nil)
		if sv != nil {
			defer sv.close()
		}
		if err != nil {
			b.Fatal(err)
		}
		if !asLLB {
			if _, err := bk.c.Solve(ctx, nil, sv.opt, nil); err != nil {
				b.Fatal(err)
			}
			return
		}
		_, manifests, err := e.localBases(ctx, req.Bases)
		if err != nil {
			b.Fatal(err)
		}
		named, _ := reference.ParseNormalizedNamed("busybox:latest")
		ref, _ := reference.WithDigest(reference.TrimNamed(named), manifests["busybox:latest"])
		st := llb.OCILayout(ref.String(), llb.OCIStore("", basesStoreID)).
			AddEnv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
		src := llb.Local("context", llb.SharedKeyHint("context"))
		for _, s := range []string{"one", "two", "three"} {
			st = st.File(llb.Copy(src, s+".sh", "/s/"+s+".sh", &llb.CopyInfo{CreateDestPath: true}))
			st = st.Run(llb.Shlex("sh /s/" + s + ".sh")).Root()
		}
		def, err := st.Marshal(ctx)
		if err != nil {
			b.Fatal(err)
		}
		opt := sv.opt
		opt.Frontend, opt.FrontendAttrs = "", nil
		if _, err := bk.c.Solve(ctx, def, opt, nil); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct {
		name  string
		asLLB bool
	}{{"dockerfile-frontend", false}, {"llb", true}} {
		b.Run(c.name, func(b *testing.B) {
			solve(b, c.asLLB) // the steps made once: cached from here on
			b.ResetTimer()
			for b.Loop() {
				solve(b, c.asLLB)
			}
		})
	}
}
