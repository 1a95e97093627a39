package driver

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
			Images        []struct {
				Errors []struct{ Pos, Msg string } `json:"errors"`
			} `json:"images"`
		}
		b, err := os.ReadFile(report)
		if err != nil || json.Unmarshal(b, &doc) != nil || doc.SchemaVersion != 1 || len(doc.Images) != 1 {
			t.Errorf("%v: bad report %s: %v", tc.files, b, err)
		} else if (len(doc.Images[0].Errors) > 0) != (tc.status != 0) {
			t.Errorf("%v: report errors %v disagree with status %d", tc.files, doc.Images[0].Errors, status)
		}
	}
	var errb bytes.Buffer
	if st := Run(context.Background(), Options{CheckScripts: true}, Stdio{Out: &errb, Err: &errb}); st != 2 {
		t.Errorf("no files: status %d, want 2", st)
	}
}
