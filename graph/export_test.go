package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dmake-dev/dmake/makefile"
)

// testDB is a small database: all: foo.o | dir; %.o: %.c; %.c: %.y.
func testDB() *makefile.Database {
	rec := func(line string) *makefile.Recipe {
		return &makefile.Recipe{Lines: []makefile.RecipeLine{{Text: line}}, Pos: makefile.Pos{File: "Makefile", Line: 2}}
	}
	return &makefile.Database{
		Targets: map[string]*makefile.Target{
			"all": {Name: "all", Phony: true, Rules: []*makefile.Rule{{Prereqs: []string{"foo.o"}, OrderOnly: []string{"dir"}, Pos: makefile.Pos{File: "Makefile", Line: 1}}}},
			"dir": {Name: "dir", Rules: []*makefile.Rule{{Recipe: rec("mkdir dir"), Pos: makefile.Pos{File: "Makefile", Line: 3}}}},
		},
		PatternRules: []*makefile.PatternRule{
			{Targets: []string{"%.o"}, Prereqs: []string{"%.c"}, Recipe: rec("cp $< $@")},
			{Targets: []string{"%.c"}, Prereqs: []string{"%.y"}, Recipe: rec("cp $< $@")},
		},
	}
}

func TestTargetsChain(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "foo.y"), nil, 0o644)
	g := New(context.Background(), testDB(), Options{Dir: dir})
	got := g.Targets([]string{"all"})
	var names []string
	for _, tg := range got {
		names = append(names, tg.Name)
	}
	if want := []string{"all", "foo.o", "foo.c", "foo.y", "dir"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("traversal order %q, want %q", names, want)
	}
	if !got[2].Intermediate || got[1].Intermediate {
		t.Errorf("foo.c should be intermediate, foo.o not: %+v %+v", got[1], got[2])
	}
	if got[1].Pattern != "%.o: %.c" {
		t.Errorf("foo.o pattern %q", got[1].Pattern)
	}
}

func TestCheckCycles(t *testing.T) {
	db := &makefile.Database{Targets: map[string]*makefile.Target{
		"a": {Name: "a", Rules: []*makefile.Rule{{Prereqs: []string{"b"}}}},
		"b": {Name: "b", Rules: []*makefile.Rule{{Prereqs: []string{"c"}}}},
		"c": {Name: "c", Rules: []*makefile.Rule{{Prereqs: []string{"a"}}}},
	}}
	g := New(context.Background(), db, Options{Dir: t.TempDir()})
	err := g.CheckCycles([]string{"a"})
	ce, ok := err.(*CycleError)
	if !ok {
		t.Fatalf("CheckCycles = %v, want a *CycleError", err)
	}
	if want := []string{"a", "b", "c", "a"}; !reflect.DeepEqual(ce.Path, want) {
		t.Errorf("cycle %q, want %q", ce.Path, want)
	}
	if ce.Error() != "dependency cycle: a -> b -> c -> a" {
		t.Errorf("message %q", ce.Error())
	}
}

func TestImageOrder(t *testing.T) {
	images := []Image{
		{Name: "web", Tag: "legacy/web", From: "legacy/ssh", Components: []string{"nginx"}},
		{Name: "base", Tag: "legacy/base", From: "debian:bookworm", Components: []string{"init", "runit"}},
		{Name: "ssh", Tag: "legacy/ssh", From: "legacy/base", Components: []string{"sshd"}},
	}
	got, err := ImageOrder(images)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, im := range got {
		order = append(order, im.Name+"<"+strings.Join(im.DependsOn, ","))
	}
	if want := []string{"base<", "ssh<base", "web<ssh"}; !reflect.DeepEqual(order, want) {
		t.Errorf("order %q, want %q", order, want)
	}
	_, err = ImageOrder([]Image{{Name: "a", Tag: "a", From: "b"}, {Name: "b", Tag: "b", From: "a"}})
	if _, ok := err.(*CycleError); !ok {
		t.Errorf("FROM cycle: got %v, want a CycleError", err)
	}
}

func testDoc(t *testing.T) *Doc {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "foo.y"), nil, 0o644)
	g := New(context.Background(), testDB(), Options{Dir: dir})
	imgs, err := ImageOrder([]Image{
		{Name: "base", Tag: "legacy/base", From: "debian:bookworm", Components: []string{"init"}},
		{Name: "ssh", Tag: "legacy/ssh", From: "legacy/base", Components: []string{"sshd"}},
		// A plain Makefile's image: the recipe of target all builds it.
		{Name: "app:1", Tag: "app:1", From: "legacy/ssh", Dir: dir, Target: "all"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &Doc{Goals: []string{"all"}, Images: imgs, Targets: g.Targets([]string{"all"})}
}

// TestJSONMatchesSchema validates --graph=json output against
// graph.schema.json.
func TestJSONMatchesSchema(t *testing.T) {
	var buf bytes.Buffer
	if err := testDoc(t).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	schemaText, err := os.ReadFile("graph.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema, doc any
	if err := json.Unmarshal(schemaText, &schema); err != nil {
		t.Fatalf("schema: %v", err)
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("output: %v", err)
	}
	if errs := validate(schema.(map[string]any), doc, "$"); len(errs) > 0 {
		t.Errorf("output does not match the schema:\n%s\n%s", strings.Join(errs, "\n"), buf.String())
	}
	// The validator must reject what the schema forbids.
	bad := map[string]any{"version": 2.0, "goals": []any{}, "images": []any{map[string]any{"name": "x"}}, "targets": []any{}, "extra": true}
	if errs := validate(schema.(map[string]any), bad, "$"); len(errs) < 3 {
		t.Errorf("validator accepted a bad document: %q", errs)
	}
}

// validate checks v against the subset of JSON Schema graph.schema.json
// uses: type, enum, required, properties, additionalProperties, items.
func validate(s map[string]any, v any, at string) []string {
	var errs []string
	if typ, ok := s["type"].(string); ok {
		okType := false
		switch typ {
		case "object":
			_, okType = v.(map[string]any)
		case "array":
			_, okType = v.([]any)
		case "string":
			_, okType = v.(string)
		case "boolean":
			_, okType = v.(bool)
		case "integer":
			f, isNum := v.(float64)
			okType = isNum && f == float64(int64(f))
		}
		if !okType {
			return []string{fmt.Sprintf("%s: want %s, got %T", at, typ, v)}
		}
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if reflect.DeepEqual(e, v) {
				found = true
			}
		}
		if !found {
			errs = append(errs, fmt.Sprintf("%s: %v not in %v", at, v, enum))
		}
	}
	if obj, ok := v.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		for _, r := range asList(s["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: missing %q", at, r))
			}
		}
		for k, pv := range obj {
			ps, ok := props[k].(map[string]any)
			if !ok {
				if s["additionalProperties"] == false {
					errs = append(errs, fmt.Sprintf("%s: unexpected property %q", at, k))
				}
				continue
			}
			errs = append(errs, validate(ps, pv, at+"."+k)...)
		}
	}
	if arr, ok := v.([]any); ok {
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range arr {
				errs = append(errs, validate(items, e, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return errs
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func TestDOTAndMermaid(t *testing.T) {
	d := testDoc(t)
	var dot, mer bytes.Buffer
	if err := d.Write(&dot, "dot"); err != nil {
		t.Fatal(err)
	}
	if err := d.Write(&mer, "mermaid"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"image:ssh" -> "image:base" [label="FROM"];`, `"all" -> "foo.o";`, `"all" -> "dir" [style=dashed];`, `"foo.o" -> "foo.c";`, `"all" -> "image:app:1" [label="docker build"];`} {
		if !strings.Contains(dot.String(), want) {
			t.Errorf("dot output lacks %s:\n%s", want, dot.String())
		}
	}
	for _, want := range []string{"flowchart LR", `-->|FROM|`, `-.->`, `-->|docker build|`} {
		if !strings.Contains(mer.String(), want) {
			t.Errorf("mermaid output lacks %s:\n%s", want, mer.String())
		}
	}
	if err := d.Write(&dot, "svg"); err == nil {
		t.Error("unknown format accepted")
	}
}
