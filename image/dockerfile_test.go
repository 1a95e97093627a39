package image

import "testing"

// The steps a build runs ahead of the check of its scripts: up to the
// first that runs a command or fetches from the network.
func TestAheadSteps(t *testing.T) {
	for _, c := range []struct{ name, df, want string }{
		{"layered", "FROM base\nCOPY boot/ /etc/my_init.d/\nCOPY script/00_a.sh /build/script/00_a.sh\nRUN /build/script/00_a.sh\nCOPY script/01_b.sh /b\nRUN /b\n",
			"FROM base\nCOPY boot/ /etc/my_init.d/\nCOPY script/00_a.sh /build/script/00_a.sh\n"},
		{"configuration kept", "ARG V=1\nFROM base:$V AS b\nENV A=1 \\\n  B=2\nLABEL x=y\nWORKDIR /w\nUSER u\nEXPOSE 22\nCMD [\"/sbin/init\"]\nRUN true\n",
			"ARG V=1\nFROM base:$V AS b\nENV A=1 \\\n  B=2\nLABEL x=y\nWORKDIR /w\nUSER u\nEXPOSE 22\nCMD [\"/sbin/init\"]\n"},
		{"directives and comments", "# syntax=docker/dockerfile:1\n# escape=\\\n\n# a comment\nFROM base\n# another\nCOPY a /a\nRUN x\n",
			"# syntax=docker/dockerfile:1\n# escape=\\\nFROM base\nCOPY a /a\n"},
		{"ADD of a URL stops", "FROM base\nADD a.tar /\nADD http://host/x /x\nCOPY b /b\n", "FROM base\nADD a.tar /\n"},
		{"heredoc stops", "FROM base\nCOPY <<EOF /x\nRUN no\nEOF\nCOPY a /a\n", "FROM base\n"},
		{"COPY --from kept", "FROM a AS one\nFROM base\nCOPY --from=one /x /x\nONBUILD RUN x\nCOPY a /a\n", "FROM a AS one\nFROM base\nCOPY --from=one /x /x\n"},
		{"a RUN first: nothing ahead", "RUN x\nFROM base\n", ""},
		{"no FROM", "ARG A\n", ""},
		{"does not parse", "FROM base\nRUN a \\\n", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := string(aheadSteps([]byte(c.df))); got != c.want {
				t.Errorf("aheadSteps(%q)\n got %q\nwant %q", c.df, got, c.want)
			}
		})
	}
}
