package engine

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/moby/moby/client"
)

// TestRemoveDanglingWaitsForBuilds: while a build of the same Engine is in
// flight, the old image of a tag (and its untagged parents, which that
// build may be using from the cache) stays; the last build to end removes
// it.
func TestRemoveDanglingWaitsForBuilds(t *testing.T) {
	if os.Getenv("DMAKE_ENGINE_TESTS") != "1" {
		t.Skip("set DMAKE_ENGINE_TESTS=1 (with a Docker engine) to run")
	}
	ctx := context.Background()
	e, err := New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	b := make([]byte, 6)
	rand.Read(b)
	tag := "dmaketest/prune-" + hex.EncodeToString(b)
	build := func(n string) string {
		t.Helper()
		df := "FROM busybox:latest\nLABEL n=" + n + "\n"
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(df)), Typeflag: tar.TypeReg})
		tw.Write([]byte(df))
		tw.Close()
		res, err := e.Build(ctx, BuildRequest{Context: &buf, BuildSettings: BuildSettings{
			Tags:   []string{tag},
			Labels: map[string]string{LabelManaged: "1", LabelTag: tag, "dev.dmake.test": "prune"},
		}}, nil)
		if err != nil {
			t.Fatalf("build %s: %v", n, err)
		}
		return res.ImageID
	}
	old := build("1")
	cur := build("2")
	t.Cleanup(func() {
		e.c.ImageRemove(context.Background(), cur, client.ImageRemoveOptions{Force: true, PruneChildren: true})
		e.c.ImageRemove(context.Background(), old, client.ImageRemoveOptions{Force: true, PruneChildren: true})
	})
	if old == cur {
		t.Fatalf("both builds gave %s", cur)
	}
	exists := func(id string) bool {
		t.Helper()
		_, found, err := e.InspectImage(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return found
	}

	e.buildStarted() // another image's build, in flight
	removed, err := e.RemoveDangling(ctx, tag, cur)
	if err != nil || len(removed) != 0 {
		t.Fatalf("RemoveDangling during a build = %v, %v; want nothing removed yet", removed, err)
	}
	if !exists(old) {
		t.Fatalf("the old image %s was removed while a build was in flight", old)
	}
	e.buildEnded(ctx)
	if exists(old) {
		t.Errorf("the old image %s is still there after the last build ended", old)
	}
	if !exists(cur) {
		t.Errorf("the kept image %s was removed", cur)
	}
}
