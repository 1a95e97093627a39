package legacyutil

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/internal/enginetest"
	"github.com/dmake-dev/dmake/internal/legacybuild"
)

// legacyContainer runs a container of a legacy test image on the shared
// engine, on the host's network, labelled for this test only, and removes
// it at the end. It returns its id and the label value that selects it.
func legacyContainer(t *testing.T, c *engine.Engine, image string, env ...string) (id, label string) {
	t.Helper()
	label = fmt.Sprintf("util-%s-%d", t.Name(), time.Now().UnixNano())
	id, err := c.CreateContainer(t.Context(), engine.CreateContainerOptions{
		Image: image, Env: env, Labels: map[string]string{enginetest.Label: label}, NetworkMode: "host",
	})
	if err != nil {
		t.Fatalf("creating a container of %s: %v", image, err)
	}
	t.Cleanup(func() {
		_, _ = c.RemoveContainer(context.Background(), id, engine.RemoveContainerOptions{Force: true})
	})
	if err := c.StartContainer(t.Context(), id); err != nil {
		t.Fatalf("starting a container of %s: %v", image, err)
	}
	return id, label
}

// freePort returns a loopback TCP port nobody listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestSSHLegacyImage logs in to a container of the legacy ssh image (built
// the legacy way by internal/legacybuild) with the key the image carries.
func TestSSHLegacyImage(t *testing.T) {
	c := enginetest.Require(t)
	im := legacybuild.Ensure(t, legacybuild.Prefix)
	port := freePort(t)
	id, _ := legacyContainer(t, c, im.Tag("ssh"), fmt.Sprintf("SSH_PORT=%d", port))
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd of %s never listened on port %d", im.Tag("ssh"), port)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// enter sees the container environment my_init wrote (SSH_ADDRESS is
	// only there, a default of the ssh component).
	st, out, errs := utilRun(t, nil, "enter", id, "sh", "-c", "echo $SSH_ADDRESS $SSH_PORT")
	if want := fmt.Sprintf("0.0.0.0 %d\n", port); st != 0 || out != want {
		t.Errorf("enter: status %d, stdout %q, stderr %q; want 0, %q", st, out, errs, want)
	}

	keys := t.TempDir()
	t.Setenv("SSH_KEY_DIR", keys)

	st, out, errs = utilRun(t, nil, "ssh", id[:12], "echo", "hello from", "$(id -un)", "on port", "$SSH_PORT;", "exit", "3")
	if want := fmt.Sprintf("hello from root on port %d\n", port); st != 3 || out != want {
		t.Fatalf("ssh: status %d, stdout %q, stderr %q; want 3, %q", st, out, errs, want)
	}
	fi, err := os.Stat(filepath.Join(keys, id))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the key is not kept as %s with mode 0600: %v %v", filepath.Join(keys, id), fi, err)
	}
	// The key is kept: the second login reads no file from the container.
	st, out, errs = utilRun(t, strings.NewReader("uname -s\n"), "ssh", id)
	if st != 0 || !strings.Contains(out, "Linux") {
		t.Errorf("ssh with commands on stdin: status %d, stdout %q, stderr %q", st, out, errs)
	}

	// The legacy bin/ssh, given the same arguments and input, ends the
	// same way (it fetches its own copy of the key).
	needDockerCLI(t)
	t.Setenv("SSH_KEY_DIR", t.TempDir())
	for _, tc := range []struct {
		stdin  string
		args   []string
		status int
		out    string
	}{
		{"", []string{id[:12], "echo", "hello from", "$(id -un)", "on port", "$SSH_PORT;", "exit", "3"}, 3, fmt.Sprintf("hello from root on port %d\n", port)},
		{"uname -s; exit 4\n", []string{id}, 4, "Linux\n"},
	} {
		lst, lout, lerr := runLegacy(t, t.TempDir(), "ssh", tc.stdin, tc.args...)
		dst, dout, derr := utilRun(t, strings.NewReader(tc.stdin), "ssh", tc.args...)
		if lst != tc.status || !strings.HasSuffix(lout, tc.out) { // a login session prints the motd first
			t.Errorf("legacy ssh %q: status %d stdout %q (stderr %q), want %d %q", tc.args, lst, lout, lerr, tc.status, tc.out)
		}
		if lst != dst || lout != dout {
			t.Errorf("ssh %q with stdin %q:\nlegacy: status %d stdout %q (stderr %q)\n dmake: status %d stdout %q (stderr %q)", tc.args, tc.stdin, lst, lout, lerr, dst, dout, derr)
		}
	}
}

// TestStopallLegacyInit stops a container of the legacy ssh image: its
// my_init gives the sigtrap service SIGTERM, which the service records. The
// test selects its container by a label of its own.
func TestStopallLegacyInit(t *testing.T) {
	eng := enginetest.Require(t)
	im := legacybuild.Ensure(t, legacybuild.Prefix)
	id, label := legacyContainer(t, eng, im.Tag("ssh"), fmt.Sprintf("SSH_PORT=%d", freePort(t)))
	const events = "/var/log/sigtrap/events"
	for i := 0; ; i++ {
		f, err := eng.ReadFile(t.Context(), id, events, engine.ReadFileOptions{})
		if err == nil && strings.Contains(string(f.Data), "start") {
			break
		}
		if i > 300 {
			t.Fatalf("the sigtrap service never started: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	st, out, errs := utilRun(t, nil, "stopall", "--label", enginetest.Label+"="+label, "-t", "20")
	if st != 0 || !strings.Contains(out, "stopped "+engine.ShortID(id)) || strings.Count(out, "\n") != 1 {
		t.Fatalf("stopall --label: status %d, stdout %q, stderr %q", st, out, errs)
	}
	d, err := eng.InspectContainer(t.Context(), id, engine.InspectContainerOptions{})
	if err != nil || d.Running {
		t.Fatalf("the container still runs (%v)", err)
	}
	f, err := eng.ReadFile(t.Context(), id, events, engine.ReadFileOptions{})
	if err != nil || !strings.Contains(string(f.Data), "TERM") {
		t.Errorf("the service did not record SIGTERM: %q %v", f.Data, err)
	}
	r, err := eng.InspectContainer(t.Context(), id, engine.InspectContainerOptions{})
	if err != nil || r.ExitCode != 0 {
		t.Errorf("my_init exited %d, want 0 (a clean shutdown) (%v)", r.ExitCode, err)
	}
}

// TestSSHFindsKeyPortAndAddress checks what ssh hands the ssh client, with
// a stand-in client on PATH, against containers on a scratch daemon: the
// key read out of the container, the port from the container environment
// or the environment, the address for host networking or a network's IP.
func TestSSHFindsKeyPortAndAddress(t *testing.T) {
	s := newScratch(t)
	bin := t.TempDir()
	fake := "#!/bin/sh\n# stand-in ssh: print the arguments, the key, and fail as asked\n" +
		"for a in \"$@\"; do echo \"arg $a\"; done\necho key; cat \"$2\"\nexit 42\n"
	if err := os.WriteFile(filepath.Join(bin, "ssh"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	keys := t.TempDir()
	t.Setenv("SSH_KEY_DIR", keys)
	const key = "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n-----END OPENSSH PRIVATE KEY-----\n"
	s.importBusybox("t/ssh:1", map[string]string{
		"/etc/insecure_key.real":              key,
		"/etc/container_environment/SSH_PORT": "2222",
	})
	s.importBusybox("t/nokey:1", nil)

	host := s.startWith("onhost", "t/ssh:1", "host", "sleep", "600")
	s.startWith("nonet", "t/ssh:1", "none", "sleep", "600")
	s.startWith("nokey", "t/nokey:1", "host", "sleep", "600")
	// The key as a link, as an image might ship it.
	if st, _, errs := utilRun(t, nil, "enter", "onhost", "ln", "-s", "insecure_key.real", "/etc/insecure_key"); st != 0 {
		t.Fatalf("linking the key: %s", errs)
	}
	if st, _, errs := utilRun(t, nil, "enter", "nonet", "ln", "-s", "/etc/insecure_key.real", "/etc/insecure_key"); st != 0 {
		t.Fatalf("linking the key: %s", errs)
	}

	st, out, errs := utilRun(t, nil, "ssh", "-o", "ConnectTimeout=3", "onhost", "uptime", "-p")
	want := "arg -i\narg " + filepath.Join(keys, host) + "\narg -p\narg 2222\n" +
		"arg -o\narg StrictHostKeyChecking=no\narg -o\narg UserKnownHostsFile=/dev/null\narg -o\narg LogLevel=ERROR\n" +
		"arg -o\narg ConnectTimeout=3\narg root@127.0.0.1\narg uptime\narg -p\nkey\n" + key
	if st != 42 || out != want {
		t.Errorf("ssh onhost: status %d, stderr %q, stdout:\n%s\nwant 42 and:\n%s", st, errs, out, want)
	}

	// On a network of its own, the container's IP. (No sshd answers: the
	// stand-in client shows where the real one would connect.)
	if _, err := s.c.CreateNetwork(t.Context(), "tnet", "bridge"); err != nil {
		t.Fatalf("creating a network on the scratch daemon: %v", err)
	}
	onnet := s.startWith("onnet", "t/ssh:1", "tnet", "sleep", "600")
	if st, _, errs := utilRun(t, nil, "enter", "onnet", "ln", "-s", "/etc/insecure_key.real", "/etc/insecure_key"); st != 0 {
		t.Fatalf("linking the key: %s", errs)
	}
	ins, err := s.c.InspectContainer(t.Context(), onnet, engine.InspectContainerOptions{})
	if err != nil || len(ins.IPAddresses) != 1 {
		t.Fatalf("inspecting onnet: IP addresses %v, %v; want one (on tnet)", ins.IPAddresses, err)
	}
	ip := ins.IPAddresses[0].String()
	st, out, errs = utilRun(t, nil, "ssh", "onnet", "true")
	if st != 42 || !strings.Contains(out, "\narg root@"+ip+"\narg true\n") || ip == "invalid IP" {
		t.Errorf("ssh onnet: status %d, stderr %q, stdout:\n%s\nwant 42 and root@%s", st, errs, out, ip)
	}

	st, _, errs = utilRun(t, nil, "ssh", "nonet")
	if st != ExitFailed || !strings.Contains(errs, "no IP address") {
		t.Errorf("ssh to a container without a network: status %d, stderr %q", st, errs)
	}
	st, _, errs = utilRun(t, nil, "ssh", "nokey")
	if st != ExitFailed || !strings.Contains(errs, "no ssh key in the container (/etc/insecure_key)") {
		t.Errorf("ssh to a container without a key: status %d, stderr %q", st, errs)
	}
	st, _, errs = utilRun(t, nil, "ssh", "nosuch")
	if st != ExitFailed || !strings.Contains(errs, "no such container: nosuch") {
		t.Errorf("ssh to an unknown container: status %d, stderr %q", st, errs)
	}
}

// startWith creates and starts a container on a network.
func (s *scratch) startWith(name, image, network string, cmd ...string) string {
	s.t.Helper()
	ctx := context.Background()
	id, err := s.c.CreateContainer(ctx, engine.CreateContainerOptions{Name: name, Image: image, Cmd: cmd, NetworkMode: network})
	if err != nil {
		s.t.Fatalf("creating %s: %v", name, err)
	}
	if err := s.c.StartContainer(ctx, id); err != nil {
		s.t.Fatalf("starting %s: %v", name, err)
	}
	return id
}
