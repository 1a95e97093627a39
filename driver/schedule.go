package driver

import (
	"context"
	"fmt"
	"slices"

	"github.com/dmake-dev/dmake/executor"
	"github.com/dmake-dev/dmake/graph"
)

// imageOutcome is how one image of a scheduled run ended.
type imageOutcome int

const (
	notStarted  imageOutcome = iota // the run stopped (a failure without -k, an interrupt) before it
	imageBuilt                      // its build returned status 0
	imageFailed                     // its build returned a status other than 0
	depFailed                       // not started: an image it is FROM failed or was not built (-k)
)

// schedule is the outcome of scheduleImages.
type schedule struct {
	// Status is the status of the first build that failed, 0 when none.
	Status int
	// Outcome is how each image ended, by name.
	Outcome map[string]imageOutcome
	// Blocked names, for each image not built because an image it is
	// FROM failed, that image (the failed one, not an image between).
	Blocked map[string]string
}

// scheduleImages builds the images of order, a run's image graph in build
// order (image.Deps), as make runs the recipes of independent targets:
// at most slots builds at once (0: no limit), an image only once every
// image it depends on has been built, the images ready first started
// first in order. With tokens (a jobserver shared with the makes of a
// recursion, or of the images' own recipes), the first build runs on this
// make's own slot and each further one on a token taken from tokens,
// given back when a build ends. A build returning a status other than 0
// is a failure: without keepGoing no image starts after it (the builds
// running finish); with keepGoing every image not depending on a failed
// one is still built, and the images that do are not started. ctx ending
// stops the start of new images too. started, when not nil, is called on
// the scheduling goroutine as each build starts; done likewise as each
// build's status is taken in, before any further image is started.
func scheduleImages(ctx context.Context, order []graph.DocImage, slots int, tokens executor.Jobserver, keepGoing bool, build func(ctx context.Context, name string) int, started func(name string), done func(name string, status int)) schedule {
	s := schedule{Outcome: map[string]imageOutcome{}, Blocked: map[string]string{}}
	type finished struct {
		name   string
		status int
	}
	type token struct {
		b   byte
		err error
	}
	results := make(chan finished)
	tokenc := make(chan token, 1)
	actx, cancelAcquire := context.WithCancel(ctx)
	defer cancelAcquire()
	var held []byte // tokens of the builds beyond the first
	acquiring := false
	running := 0
	isRunning := map[string]bool{}
	stopped := false
	for {
		if ctx.Err() != nil {
			stopped = true
		}
		waiting := false // an image is ready but no slot is free
		for _, im := range order {
			if stopped {
				break
			}
			if _, decided := s.Outcome[im.Name]; decided || isRunning[im.Name] {
				continue
			}
			ready := true
			for _, d := range im.DependsOn {
				switch s.Outcome[d] {
				case imageFailed:
					s.Outcome[im.Name], s.Blocked[im.Name] = depFailed, d
				case depFailed:
					s.Outcome[im.Name], s.Blocked[im.Name] = depFailed, s.Blocked[d]
				case imageBuilt:
					continue
				}
				ready = false
			}
			if !ready {
				continue
			}
			if slots > 0 && running >= slots || tokens != nil && running >= 1+len(held) {
				waiting = true
				break
			}
			isRunning[im.Name] = true
			running++
			if started != nil {
				started(im.Name)
			}
			go func(name string) {
				results <- finished{name, build(ctx, name)}
			}(im.Name)
		}
		// A token no build needs goes back at once.
		for tokens != nil && len(held) > max(running-1, 0) {
			tokens.Release(held[len(held)-1])
			held = held[:len(held)-1]
		}
		if waiting && tokens != nil && !acquiring {
			acquiring = true
			go func() {
				b, err := tokens.Acquire(actx)
				tokenc <- token{b, err}
			}()
		}
		if running == 0 {
			break
		}
		select {
		case r := <-results:
			running--
			delete(isRunning, r.name)
			if r.status == 0 {
				s.Outcome[r.name] = imageBuilt
			} else {
				s.Outcome[r.name] = imageFailed
				if s.Status == 0 {
					s.Status = r.status
				}
				if !keepGoing {
					stopped = true
				}
			}
			if done != nil {
				done(r.name, r.status)
			}
		case t := <-tokenc:
			acquiring = false
			if t.err == nil {
				held = append(held, t.b)
			}
		}
	}
	if acquiring {
		cancelAcquire()
		if t := <-tokenc; t.err == nil {
			held = append(held, t.b)
		}
	}
	for _, b := range held {
		tokens.Release(b)
	}
	for _, im := range order {
		if _, ok := s.Outcome[im.Name]; !ok {
			s.Outcome[im.Name] = notStarted
		}
	}
	return s
}

// maxParallel is how many images of order can build at once with slots
// job slots (0: no limit): the widest set of images none of which is
// built FROM another, at most slots. One means the run is sequential.
func maxParallel(order []graph.DocImage, slots int) int {
	level := map[string]int{}
	width := map[int]int{}
	widest := 0
	for _, im := range order {
		for _, d := range im.DependsOn {
			level[im.Name] = max(level[im.Name], level[d]+1)
		}
		width[level[im.Name]]++
		widest = max(widest, width[level[im.Name]])
	}
	if slots > 0 {
		return min(widest, slots)
	}
	return widest
}

// names returns the names of order whose outcome is o, in order.
func (s schedule) names(order []graph.DocImage, o imageOutcome) []string {
	var out []string
	for _, im := range order {
		if s.Outcome[im.Name] == o {
			out = append(out, im.Name)
		}
	}
	return slices.Clip(out)
}

// buildInParallel builds the images of order through build, as many at
// once as the run's job slots allow (its -j, or the jobserver of the make
// it runs under) and -k decides after a failure (scheduleImages). When
// images can build at once, each has streams of its own whose every line
// starts with its name ("ssh | ..."), or, under -Otarget and -Orecurse,
// whose output is written whole once the image is done (make's grouped
// output of a job), standard input is shared only when
// it is a file, and --progress=tty, which redraws one image's lines in
// place, shows lines instead. With -k, each image not built because an
// image it is built FROM failed is named on standard error, as make names
// a target not remade because of errors; without -k, a failure while
// other images build says that they are waited for, as make does. build is
// called concurrently.
func buildInParallel(ctx context.Context, opts Options, js *jobSlots, order []graph.DocImage, stdio Stdio, build func(ctx context.Context, name string, opts Options, stdio Stdio) int) schedule {
	slots := js.jobs.Slots()
	var tokens executor.Jobserver
	if js.js != nil {
		tokens, slots = js.js, 0
	}
	limit := js.jobs.Slots()
	if js.js != nil && js.inherited && !js.jobs.Given() {
		limit = 0 // a parent make's slots, how many unsaid
	}
	par := maxParallel(order, limit)
	shared := sharedStreams{in: stdio.In, out: stdio.Out, err: stdio.Err}
	running, waiting := 0, false
	if par > 1 {
		shared = newSharedStreams(stdio)
		opts.prepares = &dirTurns{}
		if opts.Progress == "tty" {
			opts.Progress = "auto" // lines, on the prefixed streams
		}
	}
	s := scheduleImages(ctx, order, slots, tokens, opts.KeepGoing, func(ctx context.Context, name string) int {
		if par <= 1 {
			return build(ctx, name, opts, stdio)
		}
		st, flush := shared.image(name, opts.OutputSync == "target" || opts.OutputSync == "recurse")
		defer flush()
		return build(ctx, name, opts, st)
	}, func(string) { running++ }, func(name string, status int) {
		running--
		if status != 0 && !opts.KeepGoing && running > 0 && !waiting && ctx.Err() == nil {
			// As make says when a job fails while others run.
			waiting = true
			fmt.Fprintf(shared.err, "%s: *** Waiting for unfinished images....\n", programName)
		}
	})
	for _, name := range s.names(order, depFailed) {
		fmt.Fprintf(stdio.Err, "%s: image %s not built because of errors: it is built FROM %s, which failed\n", programName, name, s.Blocked[name])
	}
	return s
}
