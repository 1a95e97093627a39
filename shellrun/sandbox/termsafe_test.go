package sandbox

import (
	"strings"
	"testing"
)

// TestReportTextEscaped checks that what a script names (packages, URLs,
// paths, messages) cannot drive the terminal the text report is printed
// on: escape sequences, carriage returns, newlines and bidirectional
// overrides come out as Go escapes, one report line stays one line.
func TestReportTextEscaped(t *testing.T) {
	r := newReport("img\x1b]0;title\x07")
	r.Scripts = []ScriptResult{{Path: "s\r.sh", Role: RoleInstall, Shell: "bash", Status: "ok"}}
	r.Packages = []Package{{Name: "curl\x1b[1A\x1b[2K", Manager: "apt", Action: "install"}}
	r.Network = []Fetch{{Pos: "s.sh:1:1", Tool: "curl", URLs: []string{"https://x.example/\x1b[2K\r  ok: 0 warnings\n"}}}
	r.warnf("s.sh:2:1", "w", "name \u202eexe.sh\u009b31m")
	var b strings.Builder
	r.WriteText(&b)
	out := b.String()
	if strings.ContainsAny(out, "\x1b\r\x07\u202e\u009b") {
		t.Errorf("control characters reached the text report:\n%q", out)
	}
	for _, want := range []string{`curl\x1b[1A\x1b[2K`, `\r  ok: 0 warnings\n`, `\u202eexe.sh\u009b31m`, `img\x1b]0;title\a`} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %s:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n != 7 {
		t.Errorf("%d lines, want 7:\n%s", n, out)
	}
}
