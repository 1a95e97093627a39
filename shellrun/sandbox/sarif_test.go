package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"
)

// checkReports are reports with errors, warnings, a sandbox limitation and
// an unknown command.
func checkReports(t *testing.T) []*Report {
	t.Helper()
	reports := []*Report{dry(t, "set -e\napt-get install -y nginx curl\ncurl -o /x https://e.x/y\nfoo\nmkdir /opt/a\n")}
	img, err := LooseImage("planted", "", []string{plantedDir + "/03_unset.sh", plantedDir + "/runit/sshd/run", plantedDir + "/boot/20_noexec.sh"})
	if err != nil {
		t.Fatal(err)
	}
	return append(reports, DryRunInProcess(context.Background(), img, Options{}))
}

// The JSON report names the tool, sums up what was found (the unknown
// commands and sandbox limitations included) and takes each position
// apart into file, line and column.
func TestDocumentSummaryAndPositions(t *testing.T) {
	reports := checkReports(t)
	d := NewDocument(Tool{Name: "dmake", Version: "1.2.3"}, reports)
	var errs, warns, unknown int
	for _, r := range reports {
		errs += len(r.Errors)
		warns += len(r.Warnings)
		for _, c := range r.Commands {
			if c.Kind == "unknown" {
				unknown++
			}
		}
	}
	s := d.Summary
	if s.Images != 2 || s.Errors != errs || s.Warnings != warns || s.Unmodelled != unknown || unknown == 0 || errs == 0 || s.OK || s.Verdict != VerdictError {
		t.Errorf("summary %+v; want 2 images, %d errors, %d warnings, %d unmodelled, not ok, verdict error", s, errs, warns, unknown)
	}
	var buf bytes.Buffer
	if err := d.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tool   Tool `json:"tool"`
		Images []struct {
			Errors []struct {
				Pos    string `json:"pos"`
				File   string `json:"file"`
				Line   int    `json:"line"`
				Column int    `json:"column"`
			} `json:"errors"`
		} `json:"images"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tool.Version != "1.2.3" {
		t.Errorf("tool %+v", doc.Tool)
	}
	located := 0
	for _, img := range doc.Images {
		for _, e := range img.Errors {
			file, line, col := SplitPos(e.Pos)
			if e.File != file || e.Line != line || e.Column != col {
				t.Errorf("%s: file %q line %d column %d", e.Pos, e.File, e.Line, e.Column)
			}
			if line > 0 {
				located++
			}
		}
	}
	if located == 0 {
		t.Error("no error with a line")
	}
}

func TestSplitPos(t *testing.T) {
	for _, tt := range []struct {
		pos       string
		file      string
		line, col int
	}{
		{"script/03_a.sh:12:5", "script/03_a.sh", 12, 5},
		{"script/03_a.sh:12", "script/03_a.sh", 12, 0},
		{"script/03_a.sh", "script/03_a.sh", 0, 0},
		{"/x:y/a.sh:3:1", "/x:y/a.sh", 3, 1},
		{"", "", 0, 0},
	} {
		f, l, c := SplitPos(tt.pos)
		if f != tt.file || l != tt.line || c != tt.col {
			t.Errorf("SplitPos(%q) = %q, %d, %d", tt.pos, f, l, c)
		}
	}
}

// The SARIF log is valid against SARIF 2.1.0 (the required structure of
// every object written, testdata/sarif-2.1.0-subset.schema.json) and has a
// result per error and warning at its file, line and column.
func TestSARIF(t *testing.T) {
	reports := checkReports(t)
	d := NewDocument(Tool{Name: "dmake", Version: "1.2.3"}, reports)
	var buf bytes.Buffer
	if err := d.WriteSARIF(&buf); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("testdata/sarif-2.1.0-subset.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	var log any
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	v := validator{root: schema}
	v.validate(schema, log, "$")
	for _, e := range v.errs {
		t.Error(e)
	}
	bad := validator{root: schema}
	bad.validate(schema, map[string]any{"version": "2.1.0", "runs": []any{map[string]any{"tool": map[string]any{"driver": map[string]any{}}}}}, "$")
	if len(bad.errs) == 0 {
		t.Error("the validator accepted a tool without a name")
	}

	var sl sarifLog
	json.Unmarshal(buf.Bytes(), &sl)
	levels := map[string]int{}
	for _, r := range sl.Runs[0].Results {
		levels[r.Level]++
		if sl.Runs[0].Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %q: ruleIndex %d names %q", r.RuleID, r.RuleIndex, sl.Runs[0].Tool.Driver.Rules[r.RuleIndex].ID)
		}
		for _, l := range r.Locations {
			if _, err := url.Parse(l.PhysicalLocation.ArtifactLocation.URI); err != nil || l.PhysicalLocation.ArtifactLocation.URI == "" {
				t.Errorf("result %q: uri %q", r.RuleID, l.PhysicalLocation.ArtifactLocation.URI)
			}
		}
	}
	if levels["error"] != d.Summary.Errors || levels["warning"] != d.Summary.Warnings || levels["note"] < d.Summary.Unmodelled+d.Summary.Unknown {
		t.Errorf("levels %v, summary %+v", levels, d.Summary)
	}
	if !strings.Contains(buf.String(), `"startLine"`) {
		t.Error("no result has a line")
	}
}
