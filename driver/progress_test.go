package driver

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/engine"
	"github.com/dmake-dev/dmake/image"
	"github.com/dmake-dev/dmake/internal/enginetest"
)

// With --progress=tty or quiet, a run whose image is up to date shows no
// recipe echo (ln -sfn lines, the tar | docker build line); plain still
// shows it, and a run that sends shows it in every kind. quiet prints no
// progress at all.
func TestProgressHidesEchoOfNoOp(t *testing.T) {
	enginetest.Require(t)
	root := copyRepo(t)
	prefix := fmt.Sprintf("dmaketest-echo-%d/", os.Getpid())
	eng, err := engine.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	t.Cleanup(func() {
		eng.RemoveImage(context.Background(), prefix+"solo", engine.RemoveImageOptions{})
	})
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	build := func(progress string) (stdout, stderr string) {
		t.Helper()
		var out, errb bytes.Buffer
		opts := Options{
			Dir:       []string{root},
			Goals:     []string{"solo"},
			Progress:  progress,
			NoCheck:   true,
			Jobs:      1,
			Variables: []string{"IMAGE_PREFIX=" + prefix, "DOCKER_ARGS=--label " + enginetest.Label + "=1"},
		}
		if st := Run(context.Background(), opts, Stdio{In: null, Out: &out, Err: &errb}); st != 0 {
			t.Fatalf("--progress=%s: status %d\n%s\n%s", progress, st, out.String(), errb.String())
		}
		return out.String(), errb.String()
	}
	echoed := func(stdout string) bool {
		return strings.Contains(stdout, "ln -sfn") && strings.Contains(stdout, "docker build")
	}

	// The first build sends: its echo shows even under tty.
	eng.RemoveImage(context.Background(), prefix+"solo", engine.RemoveImageOptions{})
	if stdout, _ := build("tty"); !echoed(stdout) {
		t.Errorf("tty, a build that sends: no recipe echo:\n%s", stdout)
	}
	for _, tt := range []struct {
		progress string
		echo     bool
	}{
		{"tty", false},
		{"quiet", false},
		{"plain", true},
		{"json", true},
	} {
		stdout, stderr := build(tt.progress)
		if tt.progress == "json" {
			// Standard output is the events' alone: make's output is on
			// standard error.
			for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
				if !strings.HasPrefix(l, `{"v":1,`) {
					t.Errorf("--progress=json: standard output has %q", l)
				}
			}
			stdout = stderr
		}
		if echoed(stdout) != tt.echo {
			t.Errorf("--progress=%s, up to date: recipe echo shown %v, want %v:\n%s", tt.progress, !tt.echo, tt.echo, stdout)
		}
		if tt.progress == "quiet" && stderr != "" {
			t.Errorf("--progress=quiet printed progress:\n%s", stderr)
		}
		if tt.progress == "tty" && !strings.Contains(stderr, "up to date") {
			t.Errorf("--progress=tty does not say the image is up to date:\n%s", stderr)
		}
	}
	if !image.HidesRecipeEcho("tty") || image.HidesRecipeEcho("lines") {
		t.Error("HidesRecipeEcho: tty hides, lines (auto off a terminal) shows")
	}
}
