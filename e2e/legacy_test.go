package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dmake-dev/dmake/internal/legacybuild"
)

// runningLine matches my_init's boot log line for one boot script.
var runningLine = regexp.MustCompile(`(?m)^\*\*\* Running /etc/my_init\.d/(\S+)\.\.\.$`)

// TestLegacySSH runs the ssh image the legacy way (host networking, a high
// loopback port) and checks the boot, the environment, runit, key login and
// the shutdown on docker stop.
func TestLegacySSH(t *testing.T) {
	checkSSH(t, legacybuild.Ensure(t, legacybuild.Prefix))
}

// checkSSH runs the ssh image of im and checks the boot, the environment,
// runit, key login and the shutdown on docker stop.
func checkSSH(t *testing.T, im legacybuild.Images) {
	sshClient := needCommand(t, "ssh")

	port := freePort(t)
	state := t.TempDir() // sigtrap's records survive the container here
	greeting := fmt.Sprintf("hello-%d", os.Getpid())
	quoted := `it's "quoted" $HOME \n`
	name := runContainer(t, "ssh", im.Tag("ssh"),
		"-e", "SSH_PORT="+port, "-e", "SSH_ADDRESS=127.0.0.1",
		"-e", "E2E_GREETING="+greeting, "-e", "E2E_QUOTED="+quoted,
		"-v", state+":/var/log/sigtrap")
	waitPort(t, port, 20*time.Second)

	t.Run("boot scripts in numeric order", func(t *testing.T) {
		bootLog := mustDocker(t, "exec", name, "cat", "/var/log/my_init.log")
		var ran []string
		for _, m := range runningLine.FindAllStringSubmatch(bootLog, -1) {
			ran = append(ran, m[1])
		}
		installed := strings.Fields(mustDocker(t, "exec", name, "ls", "/etc/my_init.d"))
		want := slices.Clone(installed)
		slices.Sort(want)
		if !slices.Equal(ran, want) {
			t.Fatalf("boot scripts ran %v, want every one of /etc/my_init.d in order: %v\n%s", ran, want, bootLog)
		}
		// Each script's own output sits after its Running line and before the next.
		markers := []string{
			"Running /etc/my_init.d/00_env.sh", "\nenv: ",
			"Running /etc/my_init.d/01_network.sh", "\nnetwork: interface ",
			"Running /etc/my_init.d/10_sshd.sh", "\nsshd: host keys ",
			"Starting runsvdir",
		}
		at := 0
		for _, m := range markers {
			i := strings.Index(bootLog[at:], m)
			if i < 0 {
				t.Fatalf("boot log lacks %q after offset %d:\n%s", m, at, bootLog)
			}
			at += i + len(m)
		}
		t.Logf("boot scripts ran in order: %v", ran)
	})

	t.Run("container environment reaches services", func(t *testing.T) {
		// runit starts sigtrap beside sshd: the open ssh port says
		// nothing of it. It writes its env file before its start.
		waitEvent(t, filepath.Join(state, "events"), "start")
		data, err := os.ReadFile(filepath.Join(state, "env"))
		if err != nil {
			t.Fatalf("sigtrap service wrote no env: %v", err)
		}
		env := envFile(string(data))
		want := map[string]string{
			"E2E_GREETING":      greeting,            // docker run -e
			"SSH_PORT":          port,                // docker run -e, over the image's default 22
			"SSH_ADDRESS":       "127.0.0.1",         // docker run -e, over the image's default
			"LANG":              "C.UTF-8",           // the Dockerfile's ENV
			"NETWORK_INTERFACE": defaultInterface(t), // written by boot/01_network.sh
			"WEB_PORT":          "",                  // a default of the web image only
		}
		for k, v := range want {
			if got := env[k]; got != v {
				t.Errorf("service sees %s=%q, want %q", k, got, v)
			}
		}
	})

	t.Run("runit supervises sshd", func(t *testing.T) {
		pid := svPid(t, name, "sshd")
		mustDocker(t, "exec", name, "kill", "-KILL", pid)
		deadline := time.Now().Add(10 * time.Second)
		for {
			if p := svPid(t, name, "sshd"); p != "" && p != pid {
				t.Logf("runit restarted sshd: pid %s, then %s", pid, p)
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("sshd (pid %s) killed, runit did not restart it within 10s", pid)
			}
			time.Sleep(100 * time.Millisecond)
		}
		waitPort(t, port, 10*time.Second)
	})

	t.Run("key login from the host", func(t *testing.T) {
		dir := t.TempDir()
		key := filepath.Join(dir, "insecure_key")
		mustDocker(t, "cp", name+":/etc/insecure_key", key)
		if err := os.Chmod(key, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(sshClient, "-i", key, "-p", port,
			"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
			"-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR",
			"root@127.0.0.1", `echo "greeting=$E2E_GREETING"; echo "quoted=$E2E_QUOTED"; id -u`).CombinedOutput()
		if err != nil {
			t.Fatalf("ssh with the image's key: %v\n%s", err, out)
		}
		if got, want := string(out), "greeting="+greeting+"\nquoted="+quoted+"\n0\n"; got != want {
			t.Errorf("ssh session printed %q, want %q", got, want)
		}

		// The legacy utility does the same: bin/ssh CONTAINER COMMAND.
		cmd := exec.Command(filepath.Join(im.Repo, "bin", "ssh"), name, "hostname")
		cmd.Env = append(os.Environ(),
			"DOCKER_HOME="+im.Repo,
			"SSH_KEY_DIR="+filepath.Join(dir, "keys"),
			"PATH="+filepath.Dir(legacybuild.Docker())+":"+os.Getenv("PATH"))
		out, err = cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("bin/ssh %s hostname: %v\n%s", name, err, out)
		}
		host, _ := os.Hostname()
		if got := strings.TrimSpace(string(out)); got != host {
			t.Errorf("bin/ssh ran hostname: %q, want %q (host networking)", got, host)
		}
	})

	t.Run("my_init reaps orphans", func(t *testing.T) {
		// The sleep's parent, a subshell, has exited when setsid
		// returns: the kernel has handed the sleep to PID 1 by then.
		// Killed, it must be reaped by PID 1.
		out := mustDocker(t, "exec", name, "bash", "-c",
			`setsid bash -c '(sleep 600 & echo $! >/tmp/e2e-orphan); exit' </dev/null >/dev/null 2>&1; cat /tmp/e2e-orphan`)
		pid := strings.TrimSpace(out)
		if ppid := mustDocker(t, "exec", name, "ps", "-o", "ppid=", "-p", pid); strings.TrimSpace(ppid) != "1" {
			t.Fatalf("the orphan %s's parent is %q, want PID 1", pid, ppid)
		}
		mustDocker(t, "exec", name, "kill", pid)
		// A time limit only against a hang: the reaping is awaited.
		deadline := time.Now().Add(30 * time.Second)
		for {
			ps := mustDocker(t, "exec", name, "ps", "-eo", "pid=,ppid=,stat=,args=")
			zombies := regexp.MustCompile(`(?m)^\s*\d+\s+1\s+Z.*$`).FindAllString(ps, -1)
			orphan := regexp.MustCompile(`(?m)^\s*` + pid + `\s`).MatchString(ps)
			if len(zombies) == 0 && !orphan {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("PID 1 did not reap its orphan %s:\n%s", pid, ps)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})

	t.Run("docker stop sends every service SIGTERM", func(t *testing.T) {
		services := strings.Fields(mustDocker(t, "exec", name, "ls", "/etc/service"))
		took, code := stopContainer(t, name)
		t.Logf("docker stop took %s, exit code %d", took.Round(time.Millisecond), code)
		// docker stop -t 10 kills what is still up after 10 s (137): exit
		// 0 is my_init's own, its services stopped in time. How long the
		// docker command took is no measure of that on a loaded machine.
		if code != 0 {
			t.Errorf("container exited %d, want 0 (137: killed at docker stop's timeout)", code)
		}
		bootLog := copyOut(t, name, "/var/log/my_init.log", t.TempDir())
		for _, s := range services {
			// sv force-stop: TERM, then "ok: down" if the service went down in
			// time, "kill:" if it had to be killed.
			if !strings.Contains(bootLog, "ok: down: /etc/service/"+s+":") {
				t.Errorf("service %s was not stopped by its TERM:\n%s", s, bootLog)
			}
		}
		for _, bad := range []string{"kill: ", "timeout: "} {
			if strings.Contains(bootLog, bad) {
				t.Errorf("a service had to be killed (%q):\n%s", bad, bootLog)
			}
		}
		if !strings.Contains(bootLog, "*** Got signal TERM") || !strings.Contains(bootLog, "*** Exit 0") {
			t.Errorf("my_init did not log the TERM and its exit:\n%s", bootLog)
		}
		events, err := os.ReadFile(filepath.Join(state, "events"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(events)), "\n")
		start, last := strings.Fields(lines[0]), strings.Fields(lines[len(lines)-1])
		if len(lines) != 2 || start[0] != "start" || last[0] != "TERM" || start[1] != last[1] {
			t.Errorf("sigtrap recorded %q, want its start and then a TERM to the same pid", lines)
		}
		t.Logf("services stopped by TERM: %v", services)
	})
}

// svPid returns the pid runit reports for a running service, "" if it is
// not running.
func svPid(t *testing.T, container, service string) string {
	t.Helper()
	out := mustDocker(t, "exec", container, "sv", "status", "/etc/service/"+service)
	m := regexp.MustCompile(`^run: \S+ \(pid (\d+)\)`).FindStringSubmatch(out)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestLegacyWeb runs the web image (FROM ssh) and checks that nginx answers
// on the configured port, that the port-based helper finds it, and that the
// container stops cleanly.
func TestLegacyWeb(t *testing.T) {
	checkWeb(t, legacybuild.Ensure(t, legacybuild.Prefix))
}

// checkWeb runs the web image of im and checks that it answers on its port.
func checkWeb(t *testing.T, im legacybuild.Images) {
	webPort, sshPort := freePort(t), freePort(t)
	name := runContainer(t, "web", im.Tag("web"),
		"-e", "WEB_PORT="+webPort, "-e", "WEB_ADDRESS=127.0.0.1",
		"-e", "SSH_PORT="+sshPort, "-e", "SSH_ADDRESS=127.0.0.1")

	url := "http://127.0.0.1:" + webPort + "/"
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(20 * time.Second)
	var body string
	for {
		resp, err := client.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				body = string(b)
				break
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(body, "<h1>legacy web</h1>") {
		t.Errorf("GET %s answered %q, want the legacy web page", url, body)
	}

	// The seed's todo: helpers are found by the port they hold.
	pids := strings.Fields(mustDocker(t, "exec", name, "port-pids", "tcp", webPort))
	if len(pids) == 0 {
		t.Fatalf("port-pids tcp %s found nothing", webPort)
	}
	comm := mustDocker(t, "exec", name, "cat", "/proc/"+pids[0]+"/comm")
	if comm != "nginx" {
		t.Errorf("port-pids tcp %s: pid %s is %q, want nginx", webPort, pids[0], comm)
	}

	took, code := stopContainer(t, name)
	t.Logf("web answered on %s; docker stop took %s, exit code %d", url, took.Round(time.Millisecond), code)
	if code != 0 {
		t.Errorf("docker stop: exit %d after %s, want 0 (137: killed at docker stop's 10 s timeout)", code, took)
	}
}
