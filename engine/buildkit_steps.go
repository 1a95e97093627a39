package engine

import (
	"bufio"
	"bytes"
	"strings"
)

// dockerfileSteps numbers a Dockerfile's instructions as the classic
// builder does ("Step N/TOTAL": every instruction) and returns, in order,
// the classic step of each instruction that BuildKit's Dockerfile frontend
// numbers in its vertex names ("[N/M] RUN …": only FROM, RUN, COPY, ADD and
// WORKDIR, the instructions that make a vertex), so a BuildKit build's
// events carry the same step numbers as the classic builder's and as
// dmake's plan. A Dockerfile of several stages gives nil: its vertices
// are numbered per stage.
func dockerfileSteps(dockerfile []byte) (numbered []int, total int) {
	sc := bufio.NewScanner(bytes.NewReader(dockerfile))
	sc.Buffer(nil, 1<<20)
	var line strings.Builder
	froms := 0
	flush := func() {
		text := strings.TrimSpace(line.String())
		line.Reset()
		if text == "" {
			return
		}
		kw, _, _ := strings.Cut(text, " ")
		kw = strings.ToUpper(strings.TrimSpace(strings.SplitN(kw, "\t", 2)[0]))
		total++
		switch kw {
		case "FROM":
			froms++
			numbered = append(numbered, total)
		case "RUN", "COPY", "ADD", "WORKDIR":
			numbered = append(numbered, total)
		}
	}
	for sc.Scan() {
		l := sc.Text()
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "#") {
			continue // a comment (or a parser directive), also inside a continued line
		}
		if strings.HasSuffix(t, "\\") {
			line.WriteString(strings.TrimSuffix(t, "\\"))
			line.WriteByte(' ')
			continue
		}
		line.WriteString(l)
		flush()
	}
	flush()
	if froms != 1 {
		return nil, 0
	}
	return numbered, total
}
