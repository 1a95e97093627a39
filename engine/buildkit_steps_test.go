package engine

import (
	"slices"
	"testing"
)

// The classic builder numbers every instruction; BuildKit's frontend only
// those that make a vertex. dockerfileSteps maps the second to the first.
func TestDockerfileSteps(t *testing.T) {
	for _, tc := range []struct {
		name, df string
		numbered []int
		total    int
	}{
		{"layered", "FROM busybox\nCOPY a /a\nRUN sh /a\nLABEL x=1\n", []int{1, 2, 3}, 4},
		{"metadata between", "# syntax comment\nFROM busybox\nARG GREETING\nENV A=1 \\\n  B=2\nCOPY a /a\n\nRUN sh /a \\\n  && echo \\\n# a comment inside\n  done\nUSER nobody\nWORKDIR /w\nCMD [\"sh\"]\n",
			[]int{1, 4, 5, 7}, 8},
		{"lower case", "from busybox\nrun true\nenv A=1\nadd x /x\n", []int{1, 2, 4}, 4},
		// A here-document's lines are its instruction's, not more.
		{"heredoc", "FROM busybox\nRUN <<EOT\necho a\nRUN not an instruction\nEOT\nCOPY <<EOF /x\ny\nEOF\nRUN true\n", []int{1, 2, 3, 4}, 4},
		{"two stages", "FROM busybox AS a\nRUN true\nFROM busybox\nCOPY --from=a /x /x\n", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, total := dockerfileSteps([]byte(tc.df))
			if !slices.Equal(n, tc.numbered) || total != tc.total {
				t.Errorf("dockerfileSteps = %v, %d; want %v, %d", n, total, tc.numbered, tc.total)
			}
		})
	}
}
