// Package image knows the legacy image repositories' conventions and turns
// their "docker build" into a build through the Engine API: it recognises the
// docker CLI in recipes (Builder.Middleware), generates a layered Dockerfile
// for link-style build directories (one cached COPY+RUN per install script),
// writes the context tar in Go, decides when a build can be skipped (an input
// digest kept as a label on the image), and reports progress.
package image

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/dmake-dev/dmake/dockerfile"
)

// Instruction is one Dockerfile instruction (dockerfile.Instruction).
type Instruction = dockerfile.Instruction

// ParseDockerfile splits a Dockerfile into instructions (dockerfile.Parse).
func ParseDockerfile(name string, src []byte) ([]Instruction, error) {
	return dockerfile.Parse(name, src)
}

// execForm returns the words of a JSON (exec form) argument list, or false.
func execForm(args string) ([]string, bool) {
	if !strings.HasPrefix(args, "[") {
		return nil, false
	}
	var words []string
	if json.Unmarshal([]byte(args), &words) != nil {
		return nil, false
	}
	return words, true
}

// fromImage returns the image a FROM instruction names and its stage name.
func fromImage(in Instruction) (ref, stage string) {
	f := strings.Fields(in.Args)
	for len(f) > 0 && strings.HasPrefix(f[0], "--") {
		f = f[1:]
	}
	if len(f) == 0 {
		return "", ""
	}
	ref = f[0]
	if len(f) >= 3 && strings.EqualFold(f[1], "as") {
		stage = f[2]
	}
	return ref, stage
}

// copySources returns the context paths a COPY or ADD instruction reads
// (false for COPY --from, URLs, or sources dmake cannot resolve statically).
func copySources(in Instruction) ([]string, bool) {
	words, ok := execForm(in.ArgsLine())
	if !ok {
		words = strings.Fields(in.ArgsLine())
	}
	for len(words) > 0 && strings.HasPrefix(words[0], "--") {
		if strings.HasPrefix(words[0], "--from") {
			return nil, true // reads another stage, not the context
		}
		words = words[1:]
	}
	if len(words) < 2 {
		return nil, false
	}
	var srcs []string
	for _, s := range words[:len(words)-1] {
		if strings.HasPrefix(s, "<<") {
			continue // a here-document: the Dockerfile has the file
		}
		if strings.Contains(s, "://") || strings.Contains(s, "$") {
			return nil, false
		}
		srcs = append(srcs, s)
	}
	return srcs, true
}

// aheadSteps returns the first instructions of the Dockerfile df that run
// no command (FROM, COPY and ADD of context files, and the instructions
// that only set the image's configuration), up to its first RUN or any
// other instruction, with its parser directives: what a build can run
// before its scripts are checked. nil when that is not even a FROM, or df
// does not parse.
func aheadSteps(df []byte) []byte {
	ins, err := ParseDockerfile("Dockerfile", df)
	if err != nil {
		return nil
	}
	var out []string
	// Parser directives (# syntax=, # escape=) head the file.
	for _, line := range strings.Split(string(df), "\n") {
		if !directiveRe.MatchString(line) {
			break
		}
		out = append(out, line)
	}
	froms := 0
	for _, in := range ins {
		if strings.Contains(in.Args, "<<") {
			break // a heredoc: the lines after it are not instructions
		}
		ok := false
		switch in.Cmd {
		case "FROM":
			ok, froms = true, froms+1
		case "COPY", "ADD":
			srcs, local := copySources(in)
			ok = local && (in.Cmd == "COPY" || srcs != nil)
		case "ARG", "ENV", "LABEL", "WORKDIR", "USER", "EXPOSE", "VOLUME", "STOPSIGNAL",
			"MAINTAINER", "SHELL", "CMD", "ENTRYPOINT", "HEALTHCHECK":
			ok = true
		}
		if !ok {
			break
		}
		out = append(out, in.Text)
	}
	if froms == 0 {
		return nil
	}
	return []byte(strings.Join(out, "\n") + "\n")
}

// directiveRe matches a Dockerfile parser directive line.
var directiveRe = regexp.MustCompile(`^#\s*[a-zA-Z]+\s*=`)
