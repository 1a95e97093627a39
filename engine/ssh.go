package engine

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"sync"
	"time"
)

// sshArgs are the ssh arguments that reach the engine of an ssh:// host
// as the docker CLI does: ssh runs "docker system dial-stdio" on the
// remote machine, whose standard input and output are then the Engine
// API connection.
func sshArgs(host string) ([]string, error) {
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("DOCKER_HOST %s: %w", host, err)
	}
	if u.Scheme != "ssh" || u.Hostname() == "" {
		return nil, fmt.Errorf("DOCKER_HOST %s: want ssh://[USER@]HOST[:PORT]", host)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("DOCKER_HOST %s: an ssh host has no path, query or fragment", host)
	}
	if _, set := u.User.Password(); set {
		return nil, fmt.Errorf("DOCKER_HOST %s: put no password in an ssh host (ssh asks for it, or use a key)", host)
	}
	var args []string
	if u.User != nil && u.User.Username() != "" {
		args = append(args, "-l", u.User.Username())
	}
	if p := u.Port(); p != "" {
		args = append(args, "-p", p)
	}
	return append(args, "--", u.Hostname(), "docker", "system", "dial-stdio"), nil
}

// sshDialer returns a dial function for the moby client that starts ssh
// with args for each connection.
func sshDialer(args []string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		cmd := exec.Command("ssh", args...)
		cmd.Stderr = os.Stderr // ssh's own prompts and errors
		stdin, err := cmd.StdinPipe()
		if err != nil {
			return nil, err
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("ssh to the docker engine: %w", err)
		}
		return &cmdConn{cmd: cmd, w: stdin, r: stdout}, nil
	}
}

// cmdConn is a net.Conn over a command's standard input and output.
type cmdConn struct {
	cmd  *exec.Cmd
	w    io.WriteCloser
	r    io.ReadCloser
	once sync.Once
}

func (c *cmdConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c *cmdConn) Write(p []byte) (int, error) { return c.w.Write(p) }

// CloseWrite closes the command's standard input (a hijacked stream's
// end of input).
func (c *cmdConn) CloseWrite() error { return c.w.Close() }

// Close ends the command.
func (c *cmdConn) Close() error {
	c.once.Do(func() {
		c.w.Close()
		c.cmd.Process.Kill()
		c.cmd.Wait()
	})
	return nil
}

func (c *cmdConn) LocalAddr() net.Addr                { return cmdAddr{} }
func (c *cmdConn) RemoteAddr() net.Addr               { return cmdAddr{} }
func (c *cmdConn) SetDeadline(t time.Time) error      { return nil }
func (c *cmdConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *cmdConn) SetWriteDeadline(t time.Time) error { return nil }

type cmdAddr struct{}

func (cmdAddr) Network() string { return "cmd" }
func (cmdAddr) String() string  { return "ssh" }
