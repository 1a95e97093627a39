package legacyutil

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/dmake-dev/dmake/engine"
)

// Where the legacy ssh component keeps what bin/ssh needs in the image.
const (
	// sshKeyPath is the private key whose public half is root's
	// authorized key (made by script/03_sshd.sh).
	sshKeyPath = "/etc/insecure_key"
	// sshPortPath holds the container's effective SSH_PORT (my_init's
	// container environment).
	sshPortPath = "/etc/container_environment/SSH_PORT"
)

func sshUtility() Utility {
	return Utility{
		Name:    "ssh",
		Summary: "ssh into a running container with its image's key, or run a command there",
		Main:    sshMain,
	}
}

func sshMain(ctx context.Context, stdio Stdio, args []string) int {
	c := newCommand(stdio, "ssh", "CONTAINER [CMD [ARG]...]", "Open an ssh session as root in a running container of an image with the legacy ssh component, or run CMD there.", false)
	c.details = `As the legacy bin/ssh: the private key the image carries (` + sshKeyPath + `)
is fetched through the engine's archive API and kept in $SSH_KEY_DIR
(default ~/.legacy-ssh) under the container's id; the port is the
container's SSH_PORT (` + sshPortPath + `, else its environment, else 22);
the address is 127.0.0.1 for a container on the host's network, else its IP.
Then the host's ssh client runs, host keys unchecked (containers make fresh
ones at boot). CONTAINER is an id, id prefix, name, or an image name (its
newest running container). The exit status is ssh's: the command's, or 255
when the connection fails.`
	c.examples = []string{
		"dmake --util ssh web                 a login shell in the newest container of image web",
		"dmake --util ssh web uptime          run uptime there",
	}
	user := c.flags.StringP("login", "l", "root", "log in as `USER`")
	opts := c.flags.StringArrayP("option", "o", nil, "pass `OPTION` to ssh as -o OPTION (repeatable)")
	rest, status, ok := c.parse(args)
	if !ok {
		return status
	}
	if len(rest) == 0 {
		return c.usageError("missing CONTAINER")
	}
	self, _ := os.Executable()
	binDir := ""
	if home, err := dockerHome(); err == nil {
		binDir = filepath.Join(home, "bin")
	}
	client, err := lookPathNotSelf("ssh", os.Getenv("PATH"), self, binDir)
	if err != nil {
		c.errorf("no ssh client: %v (install openssh-client)", err)
		return ExitFailed
	}
	eng, ok := c.connect(ctx)
	if !ok {
		return ExitEngine
	}
	defer eng.Close()
	ct, err := findRunning(ctx, eng, rest[0])
	if err != nil {
		return c.fail(err)
	}
	key, err := sshKey(ctx, eng, ct)
	if err != nil {
		c.errorf("%s (%s): %v", ct.Name, engine.ShortID(ct.ID), err)
		if engine.IsNotFound(err) {
			return ExitFailed
		}
		return ExitEngine
	}
	addr, port, err := sshAddress(ctx, eng, ct)
	if err != nil {
		c.errorf("%s (%s): %v", ct.Name, engine.ShortID(ct.ID), err)
		return ExitFailed
	}
	argv := []string{"-i", key, "-p", port,
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"}
	for _, o := range *opts {
		argv = append(argv, "-o", o)
	}
	argv = append(argv, *user+"@"+addr)
	argv = append(argv, rest[1:]...)
	cmd := exec.Command(client, argv...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdio.In, stdio.Out, stdio.Err
	// No context: on ^C ssh gets the terminal's SIGINT itself and decides.
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	default:
		c.errorf("running %s: %v", client, err)
		return ExitFailed
	}
}

// sshKey returns the path of the container's private key on the host,
// fetching it from the container the first time.
func sshKey(ctx context.Context, eng *engine.Engine, ct engine.ContainerDetails) (string, error) {
	dir := os.Getenv("SSH_KEY_DIR")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no place for the key: %v (set SSH_KEY_DIR)", err)
		}
		dir = filepath.Join(home, ".legacy-ssh")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", err
	}
	p := filepath.Join(dir, ct.ID)
	if fi, err := os.Stat(p); err == nil && fi.Size() > 0 {
		return p, nil
	}
	f, err := eng.ReadFile(ctx, ct.ID, sshKeyPath, engine.ReadFileOptions{MaxSize: 1 << 20})
	if err != nil {
		if engine.IsNotFound(err) {
			return "", fmt.Errorf("no ssh key in the container (%s): is its image built with the ssh component? %w", sshKeyPath, err)
		}
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".key-*")
	if err != nil {
		return "", err
	}
	_, werr := tmp.Write(f.Data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr, os.Chmod(tmp.Name(), 0o600)); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return p, nil
}

// sshAddress returns where the container's sshd listens.
func sshAddress(ctx context.Context, eng *engine.Engine, ct engine.ContainerDetails) (addr, port string, err error) {
	port = "22"
	if f, err := eng.ReadFile(ctx, ct.ID, sshPortPath, engine.ReadFileOptions{MaxSize: 64}); err == nil && strings.TrimSpace(string(f.Data)) != "" {
		port = strings.TrimSpace(string(f.Data))
	} else if v, ok := ct.Getenv("SSH_PORT"); ok && v != "" {
		port = v
	}
	if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
		return "", "", fmt.Errorf("SSH_PORT is %q, not a port number", port)
	}
	if ct.NetworkMode == "host" {
		return "127.0.0.1", port, nil
	}
	if len(ct.IPAddresses) == 0 {
		return "", "", fmt.Errorf("the container has no IP address (network mode %q); run it with --network host or on a network", ct.NetworkMode)
	}
	return ct.IPAddresses[0].String(), port, nil
}
