package legacyutil

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
)

// A scratch daemon is a second, throwaway dockerd that one test starts on
// its own socket, data root, exec root and pidfile, so that the destructive
// utilities (clean, purge, stopall, killall) and name resolution can be
// tested on "everything" without touching anyone else's containers. It has
// one image, busybox:latest, imported from the host's /bin/busybox.
type scratch struct {
	t    *testing.T
	host string // DOCKER_HOST value
	c    *engine.Engine
}

// newScratch starts a scratch daemon and points DOCKER_HOST at it for the
// rest of the test. It needs root and dockerd; without them it skips, or
// fails where engine tests are mandatory.
func newScratch(t *testing.T) *scratch {
	t.Helper()
	enginetest.Require(t) // the machine is set up for engine tests
	dockerd, err := exec.LookPath("dockerd")
	if err != nil || os.Geteuid() != 0 {
		msg := fmt.Sprintf("a scratch daemon needs root and dockerd (euid %d, %v)", os.Geteuid(), err)
		if enginetest.Required() {
			t.Fatal(msg)
		}
		t.Skip("SKIPPED: " + msg)
	}
	// Short paths: containerd's sockets live under the exec root.
	dir, err := os.MkdirTemp("", "dmk")
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "d.sock")
	logf, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(dockerd,
		"--host", "unix://"+sock,
		"--data-root", filepath.Join(dir, "root"),
		"--exec-root", filepath.Join(dir, "ex"),
		"--pidfile", filepath.Join(dir, "pid"),
		"--bridge=none", "--iptables=false", "--ip-masq=false",
		"--storage-driver=vfs", "--shutdown-timeout=2",
	)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &scratch{t: t, host: "unix://" + sock}
	t.Cleanup(func() {
		if s.c != nil {
			// Leave nothing running: a daemon stops faster without containers.
			ctx := context.Background()
			if l, err := s.c.ListContainers(ctx, engine.ListContainersOptions{All: true}); err == nil {
				for _, ct := range l.Containers {
					_, _ = s.c.RemoveContainer(ctx, ct.ID, engine.RemoveContainerOptions{Force: true})
				}
			}
			// A network's bridge would outlive the daemon on the host.
			if l, err := s.c.ListNetworks(ctx); err == nil {
				for _, n := range l {
					if n.Name != "host" && n.Name != "none" && n.Name != "bridge" {
						if err := s.c.RemoveNetwork(ctx, n.ID); err != nil {
							t.Errorf("scratch daemon: removing network %s: %v", n.Name, err)
						}
					}
				}
			}
			s.c.Close()
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logf.Close()
		unmountUnder(t, dir)
		if err := os.RemoveAll(dir); err != nil {
			t.Logf("scratch daemon: cleaning %s: %v", dir, err)
		}
	})
	var c *engine.Engine
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err = engine.Dial(ctx, s.host)
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			t.Fatalf("scratch daemon did not answer: %v\n%s", err, tail(string(log), 15))
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.c = c
	t.Setenv("DOCKER_HOST", s.host)
	s.importBusybox("busybox:latest", nil)
	return s
}

// unmountUnder detaches what the daemon left mounted under dir (the host
// network namespace under the exec root, for one), deepest first.
func unmountUnder(t *testing.T, dir string) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return
	}
	var mounts []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && (f[4] == dir || strings.HasPrefix(f[4], dir+"/")) {
			mounts = append(mounts, f[4])
		}
	}
	slices.Sort(mounts)
	for i := len(mounts) - 1; i >= 0; i-- {
		if err := syscall.Unmount(mounts[i], syscall.MNT_DETACH); err != nil {
			t.Logf("scratch daemon: unmounting %s: %v", mounts[i], err)
		}
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// busyboxTar is a root file system with /bin/busybox and its applets (sh,
// sleep…), and /bin/bash as one more name for busybox's sh, plus extra
// files (path → content; mode 0755 for paths under /sbin or /bin).
func busyboxTar(t *testing.T, extra map[string]string) []byte {
	t.Helper()
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Fatalf("the scratch image needs the host's /bin/busybox: %v", err)
	}
	out, err := exec.Command("/bin/busybox", "--list").Output()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	now := time.Now()
	seen := map[string]bool{}
	add := func(h *tar.Header, data []byte) {
		if seen[h.Name] {
			return
		}
		seen[h.Name] = true
		h.ModTime = now
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"bin/", "sbin/", "etc/", "tmp/", "root/"} {
		add(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755}, nil)
	}
	add(&tar.Header{Name: "bin/busybox", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(bb))}, bb)
	// bash is sh: busybox runs applets by name and has none called bash.
	bash := []byte("#!/bin/sh\nexec sh \"$@\"\n")
	add(&tar.Header{Name: "bin/bash", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(bash))}, bash)
	for _, a := range strings.Fields(string(out)) {
		if a != "busybox" {
			add(&tar.Header{Name: "bin/" + a, Typeflag: tar.TypeSymlink, Linkname: "busybox", Mode: 0o777}, nil)
		}
	}
	passwd := []byte("root:x:0:0:root:/root:/bin/sh\n")
	add(&tar.Header{Name: "etc/passwd", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(passwd))}, passwd)
	for p, content := range extra {
		mode := int64(0o644)
		if strings.HasPrefix(p, "/sbin/") || strings.HasPrefix(p, "/bin/") {
			mode = 0o755
		}
		name := strings.TrimPrefix(p, "/")
		if d := filepath.Dir(name); d != "." {
			add(&tar.Header{Name: d + "/", Typeflag: tar.TypeDir, Mode: 0o755}, nil)
		}
		add(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: mode, Size: int64(len(content))}, []byte(content))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// importBusybox imports a busybox file system (with extra files) as ref,
// with Dockerfile-style changes ("LABEL k=v", "CMD [...]"), and returns the
// image id.
func (s *scratch) importBusybox(ref string, extra map[string]string, changes ...string) string {
	s.t.Helper()
	ctx := context.Background()
	id, err := s.c.ImportImage(ctx, bytes.NewReader(busyboxTar(s.t, extra)), ref, changes)
	if err != nil {
		s.t.Fatal(err)
	}
	return id
}

func (s *scratch) imageID(ref string) string {
	s.t.Helper()
	r, found, err := s.c.InspectImage(context.Background(), ref)
	if err != nil || !found {
		s.t.Fatalf("inspecting %s: found %v, %v", ref, found, err)
	}
	return r.ID
}

// start creates and starts a container of image running cmd, named name
// (empty: the engine's choice), with labels, and returns its id.
func (s *scratch) start(name, image string, labels map[string]string, cmd ...string) string {
	s.t.Helper()
	id := s.create(name, image, labels, cmd...)
	if err := s.c.StartContainer(context.Background(), id); err != nil {
		s.t.Fatalf("starting %s: %v", name, err)
	}
	return id
}

// create creates a container without starting it.
func (s *scratch) create(name, image string, labels map[string]string, cmd ...string) string {
	s.t.Helper()
	id, err := s.c.CreateContainer(context.Background(), engine.CreateContainerOptions{
		Name: name, Image: image, Cmd: cmd, Labels: labels, NetworkMode: "none",
	})
	if err != nil {
		s.t.Fatalf("creating %s: %v", name, err)
	}
	return id
}

// exited runs a container to its end and returns its id.
func (s *scratch) exited(name, image string, labels map[string]string, cmd ...string) string {
	s.t.Helper()
	id := s.start(name, image, labels, cmd...)
	s.wait(id)
	return id
}

// wait waits for a container to stop and returns its exit status.
func (s *scratch) wait(id string) int {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := s.c.WaitContainer(ctx, id, engine.WaitContainerOptions{})
	if err != nil {
		s.t.Fatalf("waiting for %s: %v", id, err)
	}
	return w.ExitCode
}

// state returns a container's state ("running", "exited"…), or "gone".
func (s *scratch) state(id string) (string, int) {
	s.t.Helper()
	r, err := s.c.InspectContainer(context.Background(), id, engine.InspectContainerOptions{})
	if err != nil {
		return "gone", 0
	}
	return r.State, r.ExitCode
}

// containers returns the names of all containers, sorted.
func (s *scratch) containers() []string {
	s.t.Helper()
	l, err := s.c.ListContainers(context.Background(), engine.ListContainersOptions{All: true})
	if err != nil {
		s.t.Fatal(err)
	}
	var names []string
	for _, c := range l.Containers {
		names = append(names, c.Names[0])
	}
	slices.Sort(names)
	return names
}

// utilRun runs utility name of the default set with args, returning its
// status, standard output and standard error.
func utilRun(t *testing.T, in io.Reader, name string, args ...string) (int, string, string) {
	t.Helper()
	u, ok := Default().Lookup(name)
	if !ok {
		t.Fatalf("no utility %s", name)
	}
	if in == nil {
		in = strings.NewReader("")
	}
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st := u.Main(ctx, Stdio{In: in, Out: &out, Err: &errb}, args)
	return st, out.String(), errb.String()
}
