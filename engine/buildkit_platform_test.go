package engine

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/internal/registrytest"
)

// TestBuildKitPlatformsProvenance builds one Dockerfile for linux/amd64
// and linux/386 on the standalone builder, FROM the registry's two-platform
// busybox, with a provenance attestation, and pushes it: the registry then
// holds a manifest list of both platforms, each image of its own
// architecture (the 386 one's RUN ran the i386 busybox natively), and for each an
// attestation manifest whose in-toto statement is SLSA provenance.
func TestBuildKitPlatformsProvenance(t *testing.T) {
	e, bk := needBuildKit(t)
	reg := needRegistry(t)
	n := nonce(t)
	repo := "dmake-bktest/platforms"
	ref := reg + "/" + repo + ":" + n

	var ctxTar bytes.Buffer
	tw := tar.NewWriter(&ctxTar)
	// Each half's RUN runs its own busybox (ELF class 2 is 64-bit, 1 is
	// 32-bit), or fails.
	df := fmt.Sprintf("FROM busybox:latest\nARG TARGETARCH\n"+
		"RUN c=$(od -An -tx1 -j4 -N1 /bin/busybox | tr -d ' '); echo %s; case $TARGETARCH:$c in amd64:02|386:01) ;; *) echo busybox of ELF class $c for $TARGETARCH; exit 1;; esac\n", n)
	tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(df)), ModTime: time.Unix(0, 0)})
	tw.Write([]byte(df))
	tw.Close()

	e.UseBuildKit(bk, Outputs{Push: true, Attest: []string{"type=provenance,mode=min"}})
	defer e.UseBuildKit(nil, Outputs{})
	var out []string
	_, err := e.Build(context.Background(), BuildRequest{Context: &ctxTar, BuildSettings: BuildSettings{
		Tags: []string{ref}, Platform: "linux/amd64,linux/386"}},
		func(ev BuildEvent) {
			if ev.Kind == EventOutput {
				out = append(out, ev.Text)
			}
		})
	if err != nil {
		t.Fatalf("build for two platforms on %s: %v\n%s", bk.Addr(), err, strings.Join(out, "\n"))
	}

	var index registrytest.Manifest
	registrytest.Get(t, reg, repo+"/manifests/"+n, &index)
	var archs []string
	attested := map[string]bool{}
	for _, m := range index.Manifests {
		if m.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
			attested[m.Annotations["vnd.docker.reference.digest"]] = true
			var am registrytest.Manifest
			registrytest.Get(t, reg, repo+"/manifests/"+m.Digest, &am)
			found := false
			for _, l := range am.Layers {
				if l.MediaType != "application/vnd.in-toto+json" {
					continue
				}
				var st struct {
					PredicateType string `json:"predicateType"`
					Subject       []struct {
						Name string `json:"name"`
					} `json:"subject"`
				}
				registrytest.Get(t, reg, repo+"/blobs/"+l.Digest, &st)
				if strings.Contains(st.PredicateType, "slsa.dev/provenance") {
					found = true
				}
			}
			if !found {
				t.Errorf("attestation manifest %s has no SLSA provenance statement: %+v", m.Digest, am.Layers)
			}
			continue
		}
		if m.Platform == nil {
			t.Fatalf("index entry %s without a platform", m.Digest)
		}
		archs = append(archs, m.Platform.OS+"/"+m.Platform.Architecture)
		var im registrytest.Manifest
		registrytest.Get(t, reg, repo+"/manifests/"+m.Digest, &im)
		var cfg struct {
			Architecture string `json:"architecture"`
		}
		registrytest.Get(t, reg, repo+"/blobs/"+im.Config.Digest, &cfg)
		if cfg.Architecture != m.Platform.Architecture {
			t.Errorf("the %s image's config says %s", m.Platform.Architecture, cfg.Architecture)
		}
	}
	slices.Sort(archs)
	if !slices.Equal(archs, []string{"linux/386", "linux/amd64"}) {
		t.Errorf("the manifest list holds %v, want linux/386 and linux/amd64", archs)
	}
	for _, m := range index.Manifests {
		if m.Platform != nil && m.Annotations["vnd.docker.reference.type"] == "" && !attested[m.Digest] {
			t.Errorf("the %s image has no attestation", m.Platform.Architecture)
		}
	}
}
