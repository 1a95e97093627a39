package engine

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	bkclient "github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
)

// vertexRe matches the name the Dockerfile frontend gives a step's vertex:
// "[3/7] RUN …" or "[stage-0 3/7] RUN …".
var vertexRe = regexp.MustCompile(`^\[(?:[^\]]* )?(\d+)/(\d+)\] (.*)$`)

// exitRe finds a RUN's exit status in BuildKit's error text.
var exitRe = regexp.MustCompile(`exit code: (\d+)`)

// statusEvents turns BuildKit's status stream into BuildEvents: a step
// vertex that starts is an EventStep, a RUN step that runs (is not cached)
// an EventRunning, one completed from the cache an EventCached, one
// completed after running an EventDone, each log line an EventOutput; every status also arrives whole as an EventStatus.
type statusEvents struct {
	events  func(BuildEvent)
	steps   int
	seen    map[digest.Digest]*vertexState
	res     BuildResult
	failed  *stepFailure
	partial map[digest.Digest]string
	// offset is 1 once a FROM image came from a named context: the
	// frontend then numbers the steps after FROM from 1 (while the
	// total counts it), and dmake's steps count FROM as step 1.
	offset int
	// classic maps the frontend's numbering (1-based, FROM counted) to
	// the classic builder's steps, out of classicTotal
	// (dockerfileSteps); nil keeps the frontend's numbers.
	classic      []int
	classicTotal int
}

type vertexState struct {
	step          int
	instr         string
	started, done bool
	cached        bool // when done: taken from the cache
	running       bool // an EventRunning was sent (a RUN step not cached)
}

type stepFailure struct {
	step  int
	instr string
	msg   string
	code  int
}

func newStatusEvents(events func(BuildEvent), dockerfile []byte) *statusEvents {
	if events == nil {
		events = func(BuildEvent) {}
	}
	s := &statusEvents{events: events, seen: map[digest.Digest]*vertexState{}, partial: map[digest.Digest]string{}}
	s.classic, s.classicTotal = dockerfileSteps(dockerfile)
	return s
}

func (s *statusEvents) update(st *bkclient.SolveStatus) {
	if raw, err := json.Marshal(st); err == nil {
		s.events(BuildEvent{Kind: EventStatus, Steps: s.steps, Raw: raw})
	}
	for _, v := range st.Vertexes {
		vs := s.seen[v.Digest]
		if vs == nil {
			vs = &vertexState{}
			if strings.HasPrefix(v.Name, "[context ") {
				s.offset = 1
			}
			if m := vertexRe.FindStringSubmatch(v.Name); m != nil {
				vs.step, _ = strconv.Atoi(m[1])
				vs.step += s.offset
				n, _ := strconv.Atoi(m[2])
				vs.instr = m[3]
				switch {
				case s.classic == nil:
					s.steps = max(s.steps, n)
				case vs.step >= 1 && vs.step <= len(s.classic):
					// BuildKit merges equal vertices of builds
					// running at once: one shared with another
					// build carries that build's name, whose total
					// may differ, but a common prefix of steps has
					// the same positions in both. The total is
					// this Dockerfile's.
					vs.step, s.steps = s.classic[vs.step-1], s.classicTotal
				default:
					vs.step = 0 // another build's step, past this Dockerfile's
				}
				s.res.Steps = s.steps
			}
			s.seen[v.Digest] = vs
		}
		if vs.step == 0 {
			continue
		}
		if v.Started != nil && !vs.started {
			vs.started = true
			s.events(BuildEvent{Kind: EventStep, Step: vs.step, Steps: s.steps, Text: vs.instr})
		}
		// A RUN step that is not taken from the cache runs in a
		// container, as the classic builder's "Running in" says:
		// an EventRunning once, before it completes (its Text the
		// vertex's short digest, there being no container id).
		if v.Started != nil && !v.Cached && !vs.running && !vs.done && strings.HasPrefix(vs.instr, "RUN ") {
			vs.running = true
			s.events(BuildEvent{Kind: EventRunning, Step: vs.step, Steps: s.steps, Text: v.Digest.Encoded()[:12]})
		}
		if v.Error != "" && s.failed == nil && !strings.Contains(v.Error, "context canceled") {
			f := &stepFailure{step: vs.step, instr: vs.instr, msg: v.Error}
			if m := exitRe.FindStringSubmatch(v.Error); m != nil {
				f.code, _ = strconv.Atoi(m[1])
			}
			s.failed = f
		}
		if v.Completed != nil && v.Error == "" {
			// A vertex may complete more than once (a cache import
			// reports it again, cached): the last report counts.
			first := !vs.done
			vs.done, vs.cached = true, v.Cached
			switch {
			case !first || strings.HasPrefix(vs.instr, "FROM "):
				// FROM is neither cached nor run, as with the
				// classic builder.
			case v.Cached:
				s.events(BuildEvent{Kind: EventCached, Step: vs.step, Steps: s.steps})
			default:
				// It ran (BuildKit says so only once it is done;
				// a RUN step said it when it started).
				if !vs.running {
					vs.running = true
					s.events(BuildEvent{Kind: EventRunning, Step: vs.step, Steps: s.steps})
				}
				s.events(BuildEvent{Kind: EventDone, Step: vs.step, Steps: s.steps})
			}
		}
	}
	for _, l := range st.Logs {
		vs := s.seen[l.Vertex]
		step := 0
		if vs != nil {
			step = vs.step
		}
		text := s.partial[l.Vertex] + string(l.Data)
		lines := strings.Split(text, "\n")
		s.partial[l.Vertex] = lines[len(lines)-1]
		for _, line := range lines[:len(lines)-1] {
			s.events(BuildEvent{Kind: EventOutput, Step: step, Steps: s.steps, Text: strings.TrimSuffix(line, "\r")})
		}
	}
}

func (s *statusEvents) result() BuildResult {
	r := s.res
	for _, vs := range s.seen {
		if vs.step == 0 || !vs.done || strings.HasPrefix(vs.instr, "FROM ") {
			continue
		}
		if vs.cached {
			r.Cached++
		} else {
			r.Ran++
		}
	}
	return r
}
