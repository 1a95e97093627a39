package engine_test

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
)

// startContainer creates and starts a container, removed at the end of
// the test.
func startContainer(t *testing.T, eng *engine.Engine, opts engine.CreateContainerOptions) string {
	t.Helper()
	id, err := eng.CreateContainer(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = eng.RemoveContainer(context.Background(), id, engine.RemoveContainerOptions{Force: true})
	})
	if err := eng.StartContainer(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestContainerCalls exercises the container adapter on the shared engine,
// on a busybox container of its own (labelled, removed at the end).
func TestContainerCalls(t *testing.T) {
	eng := enginetest.Require(t)
	ctx := t.Context()
	mark := fmt.Sprintf("engine-%d", time.Now().UnixNano())
	sel := enginetest.Label + "=" + mark
	id := startContainer(t, eng, engine.CreateContainerOptions{Image: "busybox:latest", Cmd: []string{"sleep", "600"},
		Env: []string{"A=1", "B=two"}, Labels: map[string]string{enginetest.Label: mark}, NetworkMode: "none"})

	l, err := eng.ListContainers(ctx, engine.ListContainersOptions{Labels: []string{sel}})
	if err != nil || len(l.Containers) != 1 || l.Containers[0].ID != id || l.Containers[0].State != "running" || l.Containers[0].Image != "busybox:latest" {
		t.Fatalf("ListContainers by label = %+v, %v", l.Containers, err)
	}
	if l, _ := eng.ListContainers(ctx, engine.ListContainersOptions{States: []string{"exited"}, Labels: []string{sel}}); len(l.Containers) != 0 {
		t.Errorf("ListContainers(exited) lists the running container")
	}

	d, err := eng.InspectContainer(ctx, id, engine.InspectContainerOptions{})
	if err != nil || !d.Running || d.NetworkMode != "none" || d.StartedAt.IsZero() || len(d.IPAddresses) != 0 {
		t.Errorf("InspectContainer = %+v, %v", d, err)
	}
	if v, ok := d.Getenv("B"); !ok || v != "two" {
		t.Errorf("Getenv(B) = %q, %v", v, ok)
	}
	if _, err := eng.InspectContainer(ctx, "no-such-container-"+mark, engine.InspectContainerOptions{}); !engine.IsNotFound(err) {
		t.Errorf("InspectContainer of nothing: %v, want a not-found error", err)
	}

	var out, errb bytes.Buffer
	x, err := eng.Exec(ctx, id, engine.ExecOptions{
		Cmd:     []string{"sh", "-c", `read l; echo "out $l $A"; echo err >&2; exit 5`},
		Streams: engine.Streams{In: strings.NewReader("line\n"), Out: &out, Err: &errb},
	})
	if err != nil || x.ExitCode != 5 || out.String() != "out line 1\n" || errb.String() != "err\n" {
		t.Errorf("Exec = %+v, %v; stdout %q, stderr %q", x, err, out.String(), errb.String())
	}

	f, err := eng.ReadFile(ctx, id, "/etc/passwd", engine.ReadFileOptions{})
	if err != nil || !strings.HasPrefix(string(f.Data), "root:") || f.Path != "/etc/passwd" {
		t.Errorf("ReadFile(/etc/passwd) = %q, %v", f.Data, err)
	}
	if f, err := eng.ReadFile(ctx, id, "/bin/sh", engine.ReadFileOptions{}); err != nil || f.Path != "/bin/busybox" || f.Mode&0o100 == 0 {
		t.Errorf("ReadFile(/bin/sh) follows to %q (mode %v), %v; want /bin/busybox", f.Path, f.Mode, err)
	}
	if _, err := eng.ReadFile(ctx, id, "/bin/sh", engine.ReadFileOptions{MaxSize: 10}); err == nil || !strings.Contains(err.Error(), "more than the 10 allowed") {
		t.Errorf("ReadFile over MaxSize: %v", err)
	}
	if _, err := eng.ReadFile(ctx, id, "/no/such/file", engine.ReadFileOptions{}); !engine.IsNotFound(err) {
		t.Errorf("ReadFile of a missing file: %v, want a not-found error", err)
	}
	if _, err := eng.ReadFile(ctx, id, "/etc", engine.ReadFileOptions{}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("ReadFile of a directory: %v", err)
	}
	for _, tc := range []struct{ name, pathList, want string }{
		{"sh", "/usr/bin:/bin", "/bin/sh"},
		{"sh", "relative:/nowhere:/bin", "/bin/sh"},
		{"bash", "/usr/local/bin:/usr/bin:/bin", ""}, // busybox has no bash
		{"passwd", "/etc", ""},                       // not executable
		{"etc", "/", ""},                             // a directory
	} {
		if got, err := eng.LookPath(ctx, id, tc.name, tc.pathList); got != tc.want || err != nil {
			t.Errorf("LookPath(%s, %s) = %q, %v; want %q", tc.name, tc.pathList, got, err, tc.want)
		}
	}

	if _, err := eng.KillContainer(ctx, id, engine.KillContainerOptions{}); err != nil {
		t.Fatal(err)
	}
	w, err := eng.WaitContainer(ctx, id, engine.WaitContainerOptions{})
	if err != nil || w.ExitCode != 137 {
		t.Errorf("WaitContainer after KillContainer = %+v, %v; want 137", w, err)
	}
	if _, err := eng.RemoveContainer(ctx, id, engine.RemoveContainerOptions{}); err != nil {
		t.Errorf("RemoveContainer: %v", err)
	}
	if _, err := eng.InspectContainer(ctx, id, engine.InspectContainerOptions{}); !engine.IsNotFound(err) {
		t.Errorf("the container is still there after RemoveContainer: %v", err)
	}
}

func TestRun(t *testing.T) {
	eng := enginetest.Require(t)
	ctx := t.Context()
	mark := fmt.Sprintf("engine-run-%d", time.Now().UnixNano())
	var out, errb bytes.Buffer
	r, err := eng.Run(ctx, engine.RunOptions{
		Image:       "busybox:latest",
		Cmd:         []string{"sh", "-c", `cat; echo err >&2; exit 9`},
		Labels:      map[string]string{enginetest.Label: mark},
		NetworkMode: "none",
		Streams:     engine.Streams{In: strings.NewReader("from stdin\n"), Out: &out, Err: &errb},
	})
	if err != nil || r.ExitCode != 9 || out.String() != "from stdin\n" || errb.String() != "err\n" {
		t.Errorf("Run = %+v, %v; stdout %q, stderr %q", r, err, out.String(), errb.String())
	}
	l, err := eng.ListContainers(ctx, engine.ListContainersOptions{All: true, Labels: []string{enginetest.Label + "=" + mark}})
	if err != nil || len(l.Containers) != 0 {
		t.Errorf("Run left its container: %+v, %v", l.Containers, err)
	}
	if _, err := eng.Run(ctx, engine.RunOptions{Image: "no/such-image:" + mark}); !engine.IsNotFound(err) {
		t.Errorf("Run of a missing image: %v, want a not-found error", err)
	}
}

func TestHumanSize(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{999, "999 B"},
		{1000, "1 kB"},
		{1040000, "1.04 MB"}, // was "1040.0 kB" in the build summary
		{123456789, "123 MB"},
		{5_000_000_000, "5 GB"},
	} {
		if got := engine.HumanSize(tt.n); got != tt.want {
			t.Errorf("engine.HumanSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

// TestCreatedContainer exercises the calls around a container that stays
// after it exits (logs, exit status, file changes) and the image import,
// export and network calls.
func TestCreatedContainer(t *testing.T) {
	eng := enginetest.Require(t)
	ctx := t.Context()
	mark := fmt.Sprintf("engine-created-%d", time.Now().UnixNano())
	id := startContainer(t, eng, engine.CreateContainerOptions{Image: "busybox:latest",
		Entrypoint: []string{"sh", "-c"}, Cmd: []string{`echo out; echo err >&2; echo x >/added; rm /etc/passwd; exit 3`},
		Labels: map[string]string{enginetest.Label: mark}, NetworkMode: "none", PidsLimit: 64})
	if w, err := eng.WaitContainer(ctx, id, engine.WaitContainerOptions{}); err != nil || w.ExitCode != 3 {
		t.Fatalf("WaitContainer = %+v, %v; want exit 3", w, err)
	}
	if d, err := eng.InspectContainer(ctx, id, engine.InspectContainerOptions{}); err != nil || d.ExitCode != 3 || d.Running {
		t.Errorf("InspectContainer after exit = %+v, %v; want exit code 3", d, err)
	}
	var out, errb bytes.Buffer
	if err := eng.ContainerLogs(ctx, id, &out, &errb); err != nil || out.String() != "out\n" || errb.String() != "err\n" {
		t.Errorf("ContainerLogs: %v; stdout %q, stderr %q", err, out.String(), errb.String())
	}
	changes, err := eng.ContainerChanges(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]byte{}
	for _, ch := range changes {
		got[ch.Path] = ch.Kind
	}
	if got["/added"] != 'A' || got["/etc/passwd"] != 'D' || got["/etc"] != 'C' {
		t.Errorf("ContainerChanges = %+v; want A /added, D /etc/passwd, C /etc", changes)
	}

	rc, err := eng.ExportImage(ctx, "busybox:latest", map[string]string{enginetest.Label: mark})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		names = append(names, h.Name)
	}
	if err := rc.Close(); err != nil {
		t.Errorf("closing the export: %v", err)
	}
	if !slices.Contains(names, "bin/busybox") {
		t.Errorf("ExportImage(busybox) has no bin/busybox among %d entries", len(names))
	}
	if l, err := eng.ListContainers(ctx, engine.ListContainersOptions{All: true, Labels: []string{enginetest.Label + "=" + mark}}); err != nil || len(l.Containers) != 1 {
		t.Errorf("ExportImage left its container behind: %+v, %v", l.Containers, err)
	}

	var fs bytes.Buffer
	tw := tar.NewWriter(&fs)
	_ = tw.WriteHeader(&tar.Header{Name: "hello", Mode: 0o644, Size: 3, Typeflag: tar.TypeReg})
	_, _ = tw.Write([]byte("hi\n"))
	_ = tw.Close()
	ref := "dmake-engine-test/import:" + mark
	imgID, err := eng.ImportImage(ctx, &fs, ref, []string{"LABEL " + enginetest.Label + "=" + mark})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = eng.RemoveImage(context.Background(), ref, engine.RemoveImageOptions{Force: true}) })
	if info, found, err := eng.InspectImage(ctx, ref); err != nil || !found || info.ID != imgID || info.Labels[enginetest.Label] != mark {
		t.Errorf("InspectImage of the import = %+v, %v, %v; want id %s with the label", info, found, err, imgID)
	}

	netID, err := eng.CreateNetwork(ctx, mark, "bridge")
	if err != nil {
		t.Fatal(err)
	}
	nets, err := eng.ListNetworks(ctx)
	if err != nil || !slices.Contains(nets, engine.Network{ID: netID, Name: mark}) {
		t.Errorf("ListNetworks = %+v, %v; want %s among them", nets, err, mark)
	}
	if err := eng.RemoveNetwork(ctx, netID); err != nil {
		t.Errorf("RemoveNetwork: %v", err)
	}
}
