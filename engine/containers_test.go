package engine

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// TestContainerCalls exercises the container adapter on the shared engine,
// on a busybox container of its own (labelled, removed at the end).
func TestContainerCalls(t *testing.T) {
	c := enginetest.Require(t)
	ctx := t.Context()
	eng, err := New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	mark := fmt.Sprintf("engine-%d", time.Now().UnixNano())
	sel := enginetest.Label + "=" + mark
	r, err := c.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{Image: "busybox:latest", Cmd: []string{"sleep", "600"},
			Env: []string{"A=1", "B=two"}, Labels: map[string]string{enginetest.Label: mark}},
		HostConfig: &container.HostConfig{NetworkMode: "none"},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := r.ID
	t.Cleanup(func() { _, _ = c.ContainerRemove(context.Background(), id, client.ContainerRemoveOptions{Force: true}) })
	if _, err := c.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}

	l, err := eng.ListContainers(ctx, ListContainersOptions{Labels: []string{sel}})
	if err != nil || len(l.Containers) != 1 || l.Containers[0].ID != id || l.Containers[0].State != "running" || l.Containers[0].Image != "busybox:latest" {
		t.Fatalf("ListContainers by label = %+v, %v", l.Containers, err)
	}
	if l, _ := eng.ListContainers(ctx, ListContainersOptions{States: []string{"exited"}, Labels: []string{sel}}); len(l.Containers) != 0 {
		t.Errorf("ListContainers(exited) lists the running container")
	}

	d, err := eng.InspectContainer(ctx, id, InspectContainerOptions{})
	if err != nil || !d.Running || d.NetworkMode != "none" || d.StartedAt.IsZero() || len(d.IPAddresses) != 0 {
		t.Errorf("InspectContainer = %+v, %v", d, err)
	}
	if v, ok := d.Getenv("B"); !ok || v != "two" {
		t.Errorf("Getenv(B) = %q, %v", v, ok)
	}
	if _, err := eng.InspectContainer(ctx, "no-such-container-"+mark, InspectContainerOptions{}); !IsNotFound(err) {
		t.Errorf("InspectContainer of nothing: %v, want a not-found error", err)
	}

	var out, errb bytes.Buffer
	x, err := eng.Exec(ctx, id, ExecOptions{
		Cmd:     []string{"sh", "-c", `read l; echo "out $l $A"; echo err >&2; exit 5`},
		Streams: Streams{In: strings.NewReader("line\n"), Out: &out, Err: &errb},
	})
	if err != nil || x.ExitCode != 5 || out.String() != "out line 1\n" || errb.String() != "err\n" {
		t.Errorf("Exec = %+v, %v; stdout %q, stderr %q", x, err, out.String(), errb.String())
	}

	f, err := eng.ReadFile(ctx, id, "/etc/passwd", ReadFileOptions{})
	if err != nil || !strings.HasPrefix(string(f.Data), "root:") || f.Path != "/etc/passwd" {
		t.Errorf("ReadFile(/etc/passwd) = %q, %v", f.Data, err)
	}
	if f, err := eng.ReadFile(ctx, id, "/bin/sh", ReadFileOptions{}); err != nil || f.Path != "/bin/busybox" || f.Mode&0o100 == 0 {
		t.Errorf("ReadFile(/bin/sh) follows to %q (mode %v), %v; want /bin/busybox", f.Path, f.Mode, err)
	}
	if _, err := eng.ReadFile(ctx, id, "/bin/sh", ReadFileOptions{MaxSize: 10}); err == nil || !strings.Contains(err.Error(), "more than the 10 allowed") {
		t.Errorf("ReadFile over MaxSize: %v", err)
	}
	if _, err := eng.ReadFile(ctx, id, "/no/such/file", ReadFileOptions{}); !IsNotFound(err) {
		t.Errorf("ReadFile of a missing file: %v, want a not-found error", err)
	}
	if _, err := eng.ReadFile(ctx, id, "/etc", ReadFileOptions{}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("ReadFile of a directory: %v", err)
	}

	if _, err := eng.KillContainer(ctx, id, KillContainerOptions{}); err != nil {
		t.Fatal(err)
	}
	w, err := eng.WaitContainer(ctx, id, WaitContainerOptions{})
	if err != nil || w.ExitCode != 137 {
		t.Errorf("WaitContainer after KillContainer = %+v, %v; want 137", w, err)
	}
	if _, err := eng.RemoveContainer(ctx, id, RemoveContainerOptions{}); err != nil {
		t.Errorf("RemoveContainer: %v", err)
	}
	if _, err := eng.InspectContainer(ctx, id, InspectContainerOptions{}); !IsNotFound(err) {
		t.Errorf("the container is still there after RemoveContainer: %v", err)
	}
}

func TestRun(t *testing.T) {
	enginetest.Require(t)
	ctx := t.Context()
	eng, err := New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	mark := fmt.Sprintf("engine-run-%d", time.Now().UnixNano())
	var out, errb bytes.Buffer
	r, err := eng.Run(ctx, RunOptions{
		Image:       "busybox:latest",
		Cmd:         []string{"sh", "-c", `cat; echo err >&2; exit 9`},
		Labels:      map[string]string{enginetest.Label: mark},
		NetworkMode: "none",
		Streams:     Streams{In: strings.NewReader("from stdin\n"), Out: &out, Err: &errb},
	})
	if err != nil || r.ExitCode != 9 || out.String() != "from stdin\n" || errb.String() != "err\n" {
		t.Errorf("Run = %+v, %v; stdout %q, stderr %q", r, err, out.String(), errb.String())
	}
	l, err := eng.ListContainers(ctx, ListContainersOptions{All: true, Labels: []string{enginetest.Label + "=" + mark}})
	if err != nil || len(l.Containers) != 0 {
		t.Errorf("Run left its container: %+v, %v", l.Containers, err)
	}
	if _, err := eng.Run(ctx, RunOptions{Image: "no/such-image:" + mark}); !IsNotFound(err) {
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
		if got := HumanSize(tt.n); got != tt.want {
			t.Errorf("HumanSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
