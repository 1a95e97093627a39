package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestReportSchema validates real reports (the planted corpus, a rich
// script) against the documented schema.
func TestReportSchema(t *testing.T) {
	b, err := os.ReadFile("testdata/report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	var reports []*Report
	reports = append(reports, dry(t, "set -e\napt-get install -y nginx\ncurl -o /x https://e.x/y\nfoo\nmkdir /opt/a\n"))
	img, err := LooseImage("planted", "", []string{plantedDir + "/03_unset.sh", plantedDir + "/runit/sshd/run", plantedDir + "/boot/20_noexec.sh"})
	if err != nil {
		t.Fatal(err)
	}
	reports = append(reports, DryRunInProcess(context.Background(), img, Options{}))
	var buf bytes.Buffer
	if err := WriteJSON(&buf, reports); err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	v := validator{root: schema}
	v.validate(schema, doc, "$")
	for _, e := range v.errs {
		t.Error(e)
	}
	// The validator itself must reject what the schema forbids.
	bad := validator{root: schema}
	bad.validate(schema, map[string]any{"schemaVersion": 1.0, "images": []any{map[string]any{"image": 3}}}, "$")
	if len(bad.errs) == 0 {
		t.Error("the validator accepted an invalid document")
	}
}

// validator checks the JSON Schema subset the report and SARIF schemas
// use: type, enum, minimum, minItems, required, properties,
// additionalProperties false, items, $ref.
type validator struct {
	root map[string]any
	errs []string
}

func (v *validator) errorf(format string, args ...any) {
	v.errs = append(v.errs, fmt.Sprintf(format, args...))
}

func (v *validator) validate(s map[string]any, x any, at string) {
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/$defs/")
		def, ok := v.root["$defs"].(map[string]any)[name].(map[string]any)
		if !ok {
			v.errorf("%s: unknown $ref %s", at, ref)
			return
		}
		v.validate(def, x, at)
		return
	}
	if t, ok := s["type"]; ok {
		var types []string
		switch t := t.(type) {
		case string:
			types = []string{t}
		case []any:
			for _, e := range t {
				types = append(types, e.(string))
			}
		}
		if !slices.Contains(types, jsonType(x)) && !(jsonType(x) == "integer" && slices.Contains(types, "number")) {
			v.errorf("%s: %s, want %v", at, jsonType(x), types)
			return
		}
	}
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, x) {
		v.errorf("%s: %v not in %v", at, x, enum)
	}
	if min, ok := s["minimum"].(float64); ok {
		if n, isNum := x.(float64); isNum && n < min {
			v.errorf("%s: %v below the minimum %v", at, n, min)
		}
	}
	if min, ok := s["minItems"].(float64); ok {
		if a, isArr := x.([]any); isArr && float64(len(a)) < min {
			v.errorf("%s: %d items, fewer than %v", at, len(a), min)
		}
	}
	switch x := x.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		req, _ := s["required"].([]any)
		for _, r := range req {
			if _, ok := x[r.(string)]; !ok {
				v.errorf("%s: missing %s", at, r)
			}
		}
		var keys []string
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ps, ok := props[k].(map[string]any)
			if !ok {
				if s["additionalProperties"] == false {
					v.errorf("%s: unexpected property %s", at, k)
				}
				continue
			}
			v.validate(ps, x[k], at+"."+k)
		}
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range x {
				v.validate(items, e, fmt.Sprintf("%s[%d]", at, i))
			}
		}
	}
}

func jsonType(x any) string {
	switch x := x.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

// TestCheckReportsAsInProcess checks that the reports the sandbox child
// sends back (a gob stream) print as the same JSON as the reports of an
// in-process dry run, empty lists included.
func TestCheckReportsAsInProcess(t *testing.T) {
	img, err := LooseImage("planted", "", []string{plantedDir + "/03_unset.sh", plantedDir + "/runit/sshd/run", plantedDir + "/boot/20_noexec.sh"})
	if err != nil {
		t.Fatal(err)
	}
	rich := Image{Name: "rich", Scripts: []Script{{Path: "r.sh", Role: RoleInstall, Shell: "bash",
		Source: []byte("set -e\napt-get install -y nginx\ncurl -o /x https://e.x/y\npip install\nfoo\nmkdir /opt/a\n")}}}
	e := filepath.Join(t.TempDir(), "03_empty.sh")
	if err := os.WriteFile(e, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	empty, err := LooseImage("empty", "", []string{e})
	if err != nil {
		t.Fatal(err)
	}
	imgs := []Image{img, rich, empty}
	got, err := Check(context.Background(), imgs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var want []*Report
	for _, img := range imgs {
		want = append(want, DryRunInProcess(context.Background(), img, Options{}))
	}
	var gb, wb bytes.Buffer
	if err := WriteJSON(&gb, got); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&wb, want); err != nil {
		t.Fatal(err)
	}
	if gb.String() != wb.String() {
		t.Errorf("reports from the child differ from the in-process ones:\nchild:\n%s\nin process:\n%s", gb.String(), wb.String())
	}
}
