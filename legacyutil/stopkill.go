package legacyutil

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dmake-dev/dmake/engine"
)

func stopallUtility() Utility {
	return Utility{
		Name:    "stopall",
		Summary: "stop all running containers, gracefully (or those of given images)",
		Main:    stopallMain,
	}
}

func killallUtility() Utility {
	return Utility{
		Name:    "killall",
		Summary: "kill all running containers (or those of given images)",
		Main:    killallMain,
	}
}

// maxParallelStops bounds how many containers stopall stops at once.
const maxParallelStops = 8

func stopallMain(ctx context.Context, stdio Stdio, args []string) int {
	c := newCommand(stdio, "stopall", "[IMAGE]...", "Stop every running container, or only those created from the given images, listing each.", true)
	c.details = `Each container gets its stop signal (SIGTERM unless its image says
otherwise), so its init can stop its services cleanly; after the timeout it
is killed. Containers are stopped in parallel. IMAGE is a name, name:tag or
id; only containers of exactly that image match, not of images built FROM it.`
	c.examples = []string{
		"dmake --util stopall                  stop everything that runs",
		"dmake --util stopall -t 30 legacy/web stop legacy/web's containers, 30 s grace",
	}
	secs := c.flags.IntP("time", "t", 10, "seconds to wait for each container before killing it")
	labels := labelFlag(c.flags, "containers")
	images, status, ok := c.parse(args)
	if !ok {
		return status
	}
	if *secs < 0 {
		return c.usageError("--time must be 0 or more seconds")
	}
	return forRunning(ctx, c, images, *labels, "stopped", func(eng *engine.Engine, ct engine.Container) error {
		_, err := eng.StopContainer(ctx, ct.ID, engine.StopContainerOptions{Timeout: time.Duration(*secs) * time.Second})
		return err
	}, maxParallelStops)
}

func killallMain(ctx context.Context, stdio Stdio, args []string) int {
	c := newCommand(stdio, "killall", "[IMAGE]...", "Kill every running container, or only those created from the given images, listing each.", true)
	c.details = `The signal (SIGKILL by default) goes to each container's main process at
once, with no grace time: use stopall to let services shut down. IMAGE is a
name, name:tag or id; only containers of exactly that image match.`
	c.examples = []string{
		"dmake --util killall                 kill everything that runs",
		"dmake --util killall -s HUP legacy/web  send SIGHUP to legacy/web's containers",
	}
	sig := c.flags.StringP("signal", "s", "KILL", "the `SIGNAL` to send (name or number)")
	labels := labelFlag(c.flags, "containers")
	images, status, ok := c.parse(args)
	if !ok {
		return status
	}
	verb := "killed"
	if *sig != "KILL" && *sig != "SIGKILL" && *sig != "9" {
		verb = "signalled (" + *sig + ")"
	}
	return forRunning(ctx, c, images, *labels, verb, func(eng *engine.Engine, ct engine.Container) error {
		_, err := eng.KillContainer(ctx, ct.ID, engine.KillContainerOptions{Signal: *sig})
		return err
	}, 1)
}

// forRunning applies op to every running container with the labels and of
// one of the images (all when none), parallel at most par at a time,
// printing "VERB container" for each done.
func forRunning(ctx context.Context, c *command, images, labels []string, verb string, op func(*engine.Engine, engine.Container) error, par int) int {
	eng, ok := c.connect(ctx)
	if !ok {
		return ExitEngine
	}
	defer eng.Close()
	var ids map[string]bool
	if len(images) > 0 {
		var err error
		if ids, err = matchImages(ctx, eng, images); err != nil {
			return c.fail(err)
		}
	}
	list, err := eng.ListContainers(ctx, engine.ListContainersOptions{Labels: labels})
	if err != nil {
		return c.fail(err)
	}
	var todo []engine.Container
	for _, ct := range list.Containers {
		if ids == nil || ids[ct.ImageID] {
			todo = append(todo, ct)
		}
	}
	if len(todo) == 0 {
		fmt.Fprintln(c.stdio.Out, "no running containers")
		return ExitOK
	}
	var (
		mu     sync.Mutex
		wg     sync.WaitGroup
		failed int
		sem    = make(chan struct{}, par)
	)
	for _, ct := range todo {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			err := op(eng, ct)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				fmt.Fprintf(c.stdio.Out, "%s %s\n", verb, label(ct))
			case engine.IsNotFound(err), engine.IsConflict(err):
				// removed or stopped meanwhile: nothing left to do
			default:
				c.errorf("%v", err)
				failed++
			}
		}()
	}
	wg.Wait()
	if failed > 0 {
		c.errorf("%d of %d containers not %s", failed, len(todo), verb)
		return ExitFailed
	}
	return ExitOK
}
