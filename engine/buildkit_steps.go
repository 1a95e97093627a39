package engine

import (
	"github.com/dmake-dev/dmake/dockerfile"
)

// dockerfileSteps numbers a Dockerfile's instructions as the classic
// builder does ("Step N/TOTAL": every instruction) and returns, in order,
// the classic step of each instruction that BuildKit's Dockerfile frontend
// numbers in its vertex names ("[N/M] RUN …": only FROM, RUN, COPY, ADD and
// WORKDIR, the instructions that make a vertex), so a BuildKit build's
// events carry the same step numbers as the classic builder's and as
// dmake's plan. A Dockerfile of several stages gives nil: its vertices
// are numbered per stage; so does one that does not parse.
func dockerfileSteps(df []byte) (numbered []int, total int) {
	ins, err := dockerfile.Parse("Dockerfile", df)
	if err != nil {
		return nil, 0
	}
	froms := 0
	for i, in := range ins {
		switch in.Cmd {
		case "FROM":
			froms++
			numbered = append(numbered, i+1)
		case "RUN", "COPY", "ADD", "WORKDIR":
			numbered = append(numbered, i+1)
		}
	}
	if froms != 1 {
		return nil, 0
	}
	return numbered, len(ins)
}
