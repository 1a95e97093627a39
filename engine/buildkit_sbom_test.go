package engine

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/internal/registrytest"
)

// An attestation needs BuildKit v0.11: an older daemon is refused by name
// and version; a version that does not parse (a development build) passes.
func TestAttestVersionOK(t *testing.T) {
	for _, tc := range []struct {
		version string
		ok      bool
	}{
		{"v0.34.2", true},
		{"v0.11.0", true},
		{"v1.0.0", true},
		{"v0.10.6", false},
		{"v0.9.3", false},
		{"", true},
		{"3f2a1c9", true},
	} {
		err := attestVersionOK("tcp://b:1234", tc.version)
		if tc.ok != (err == nil) {
			t.Errorf("version %q: %v, want ok=%v", tc.version, err, tc.ok)
		}
		if err != nil && (!strings.Contains(err.Error(), "tcp://b:1234 is "+tc.version) || !strings.Contains(err.Error(), "v0.11 or later")) {
			t.Errorf("version %q: %v, want the address, the version and the one needed", tc.version, err)
		}
	}
}

// spdxStatement is the part of an SBOM attestation the test reads: an
// in-toto statement whose predicate is an SPDX document.
type spdxStatement struct {
	PredicateType string `json:"predicateType"`
	Subject       []struct {
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
	Predicate struct {
		SPDXVersion string `json:"spdxVersion"`
		Packages    []struct {
			Name        string `json:"name"`
			VersionInfo string `json:"versionInfo"`
		} `json:"packages"`
	} `json:"predicate"`
}

// TestBuildKitSBOM builds FROM debian:bookworm on the standalone builder
// with an SBOM attestation made by dmake's scanner (.ci/sbom-scanner, in
// the registry as $DMAKE_SBOM_SCANNER) and pushes it: the registry's index
// then holds, for the image, an attestation manifest whose in-toto
// statement is an SPDX document about that image listing the base's dpkg
// packages (base-files, bash, dpkg) with their bookworm versions.
func TestBuildKitSBOM(t *testing.T) {
	e, bk := needBuildKit(t)
	reg := needRegistry(t)
	scanner := os.Getenv("DMAKE_SBOM_SCANNER")
	if scanner == "" {
		t.Fatal("DMAKE_ENGINE_TESTS=1 but DMAKE_SBOM_SCANNER names no SBOM scanner image (.ci/engine.sh up builds and pushes one)")
	}
	n := nonce(t)
	repo := "dmake-bktest/sbom"
	ref := reg + "/" + repo + ":" + n

	var ctxTar bytes.Buffer
	tw := tar.NewWriter(&ctxTar)
	df := fmt.Sprintf("FROM debian:bookworm\nRUN echo %s >/built\n", n)
	tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(df)), ModTime: time.Unix(0, 0)})
	tw.Write([]byte(df))
	tw.Close()

	e.UseBuildKit(bk, Outputs{Push: true, Attest: []string{"type=sbom,generator=" + scanner}})
	defer e.UseBuildKit(nil, Outputs{})
	var out []string
	_, err := e.Build(context.Background(), BuildRequest{Context: &ctxTar, BuildSettings: BuildSettings{Tags: []string{ref}}},
		func(ev BuildEvent) {
			if ev.Kind == EventOutput {
				out = append(out, ev.Text)
			}
		})
	if err != nil {
		t.Fatalf("build with an SBOM by %s on %s: %v\n%s", scanner, bk.Addr(), err, strings.Join(out, "\n"))
	}

	var index registrytest.Manifest
	registrytest.Get(t, reg, repo+"/manifests/"+n, &index)
	var image string
	var attestations []registrytest.Desc
	for _, m := range index.Manifests {
		if m.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
			attestations = append(attestations, m)
		} else {
			image = m.Digest
		}
	}
	if image == "" || len(attestations) != 1 {
		t.Fatalf("the index holds image %q and attestation manifests %+v, want one of each", image, attestations)
	}
	if got := attestations[0].Annotations["vnd.docker.reference.digest"]; got != image {
		t.Errorf("the attestation manifest refers to %s, want the image %s", got, image)
	}
	var am registrytest.Manifest
	registrytest.Get(t, reg, repo+"/manifests/"+attestations[0].Digest, &am)
	var sboms []spdxStatement
	for _, l := range am.Layers {
		if l.MediaType != "application/vnd.in-toto+json" {
			continue
		}
		var st spdxStatement
		registrytest.Get(t, reg, repo+"/blobs/"+l.Digest, &st)
		if st.PredicateType == "https://spdx.dev/Document" {
			sboms = append(sboms, st)
		}
	}
	if len(sboms) != 1 {
		t.Fatalf("attestation manifest %s holds %d SPDX statements, want 1: %+v", attestations[0].Digest, len(sboms), am.Layers)
	}
	st := sboms[0]
	if len(st.Subject) != 1 || "sha256:"+st.Subject[0].Digest["sha256"] != image {
		t.Errorf("the SBOM's subject is %+v, want the image %s", st.Subject, image)
	}
	if !strings.HasPrefix(st.Predicate.SPDXVersion, "SPDX-") {
		t.Errorf("the predicate's spdxVersion is %q, want SPDX-…", st.Predicate.SPDXVersion)
	}
	versions := map[string]string{}
	for _, p := range st.Predicate.Packages {
		versions[p.Name] = p.VersionInfo
	}
	// The bookworm versions of three packages every Debian base has.
	for name, prefix := range map[string]string{"base-files": "12", "bash": "5.2", "dpkg": "1.21"} {
		if v, ok := versions[name]; !ok || !strings.HasPrefix(v, prefix) {
			t.Errorf("the SBOM lists %s at version %q (listed: %v), want bookworm's %s…; it lists %d packages", name, v, ok, prefix, len(versions))
		}
	}
}
