package driver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/shellrun/sandbox"
)

// TestCheckScripts runs --check-scripts on planted bugs and on a clean
// script: the exit status says whether there were errors, the text names
// them with their positions, and --check-report writes the JSON report.
func TestCheckScripts(t *testing.T) {
	planted, _ := filepath.Abs("../testdata/shellrun/planted")
	dir := t.TempDir()
	clean := filepath.Join(dir, "03_ok.sh")
	os.WriteFile(clean, []byte("#!/bin/bash\nset -e\napt-get install -y --no-install-recommends curl\nmkdir -p /opt/x\n"), 0o644)
	for _, tc := range []struct {
		files  []string
		status int
		want   string
	}{
		{[]string{clean}, 0, "packages installed: curl"},
		{[]string{filepath.Join(planted, "03_unset.sh")}, 1, "03_unset.sh:6:15: APP_DIR: unbound variable"},
		{[]string{clean, filepath.Join(planted, "03_misspelt.sh")}, 1, "03_misspelt.sh:5:1: apt-gte: command not found"},
	} {
		report := filepath.Join(dir, "report.json")
		var out, errb bytes.Buffer
		status := Run(context.Background(), Options{CheckScripts: true, Goals: tc.files, CheckReport: report}, Stdio{Out: &out, Err: &errb})
		if status != tc.status || !strings.Contains(out.String(), tc.want) {
			t.Errorf("%v: status %d, want %d with %q; output:\n%s%s", tc.files, status, tc.status, tc.want, out.String(), errb.String())
		}
		var doc struct {
			SchemaVersion int `json:"schemaVersion"`
			Tool          struct{ Name, Version string }
			Summary       struct {
				OK     bool `json:"ok"`
				Errors int  `json:"errors"`
			} `json:"summary"`
			Images []struct {
				Errors []struct {
					Pos, Msg     string
					Line, Column int
				} `json:"errors"`
			} `json:"images"`
		}
		b, err := os.ReadFile(report)
		if err != nil || json.Unmarshal(b, &doc) != nil || doc.SchemaVersion != sandbox.SchemaVersion || len(doc.Images) != 1 {
			t.Errorf("%v: bad report %s: %v", tc.files, b, err)
		} else if (len(doc.Images[0].Errors) > 0) != (tc.status != 0) || doc.Summary.OK != (tc.status == 0) || doc.Summary.Errors != len(doc.Images[0].Errors) {
			t.Errorf("%v: report errors %v, summary %+v disagree with status %d", tc.files, doc.Images[0].Errors, doc.Summary, status)
		} else if doc.Tool.Name != "dmake" || doc.Tool.Version == "" {
			t.Errorf("%v: tool %+v", tc.files, doc.Tool)
		}
		for _, e := range doc.Images[0].Errors {
			if !strings.HasSuffix(e.Pos, fmt.Sprintf(":%d:%d", e.Line, e.Column)) {
				t.Errorf("%v: error at %s has line %d, column %d", tc.files, e.Pos, e.Line, e.Column)
			}
		}

		// The same findings as SARIF.
		status = Run(context.Background(), Options{CheckScripts: true, Goals: tc.files, CheckReport: report, CheckFormat: "sarif"}, Stdio{Out: &out, Err: &errb})
		var sarif struct {
			Version string `json:"version"`
			Runs    []struct {
				Results []struct {
					Level     string `json:"level"`
					Locations []struct {
						PhysicalLocation struct {
							Region struct{ StartLine, StartColumn int } `json:"region"`
						} `json:"physicalLocation"`
					} `json:"locations"`
				} `json:"results"`
			} `json:"runs"`
		}
		b, err = os.ReadFile(report)
		if status != tc.status || err != nil || json.Unmarshal(b, &sarif) != nil || sarif.Version != "2.1.0" || len(sarif.Runs) != 1 {
			t.Fatalf("%v: --check-format=sarif: status %d, %v:\n%s", tc.files, status, err, b)
		}
		errors := 0
		for _, r := range sarif.Runs[0].Results {
			if r.Level == "error" {
				errors++
				if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.Region.StartLine < 1 {
					t.Errorf("%v: SARIF error without a line:\n%s", tc.files, b)
				}
			}
		}
		if errors != len(doc.Images[0].Errors) {
			t.Errorf("%v: %d SARIF errors, %d in the JSON report", tc.files, errors, len(doc.Images[0].Errors))
		}
	}
	// With --progress=json, each image's check ends with a report event
	// in the envelope of the build events, its summary that of the report.
	var out, errb bytes.Buffer
	st := Run(context.Background(), Options{CheckScripts: true, Goals: []string{filepath.Join(planted, "03_unset.sh")}, Progress: "json"}, Stdio{Out: &out, Err: &errb})
	var ev struct {
		V       int    `json:"v"`
		Time    string `json:"time"`
		Source  string `json:"source"`
		Event   string `json:"event"`
		Image   string `json:"image"`
		Summary struct {
			OK     bool `json:"ok"`
			Errors int  `json:"errors"`
		} `json:"summary"`
	}
	if !strings.Contains(errb.String(), "APP_DIR: unbound variable") {
		t.Errorf("--progress=json check: the report for people is not on stderr:\n%s", errb.String())
	}
	if st != 1 || json.Unmarshal(out.Bytes(), &ev) != nil || ev.V != 1 || ev.Time == "" || ev.Source != "check" || ev.Event != "report" || ev.Image != "scripts" || ev.Summary.OK || ev.Summary.Errors == 0 {
		t.Errorf("--progress=json check: status %d, event %+v from stdout %q", st, ev, out.String())
	}
	errb.Reset()
	if st := Run(context.Background(), Options{CheckScripts: true}, Stdio{Out: &errb, Err: &errb}); st != 2 {
		t.Errorf("no files: status %d, want 2", st)
	}
}
