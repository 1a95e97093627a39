package watch

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// validate checks a decoded JSON value against the subset of JSON Schema
// 2020-12 that events.schema.json uses. A keyword outside that subset is an
// error, so the schema cannot grow a rule this check silently skips.
type validator struct {
	root map[string]any
}

func newValidator(t *testing.T, schema []byte) *validator {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(schema, &root); err != nil {
		t.Fatalf("schema: %v", err)
	}
	return &validator{root: root}
}

var annotations = map[string]bool{"$schema": true, "$id": true, "title": true, "description": true, "$defs": true}

func (v *validator) validate(schema any, x any, at string) error {
	switch s := schema.(type) {
	case bool:
		if !s {
			return fmt.Errorf("%s: schema false", at)
		}
		return nil
	case map[string]any:
		keys := make([]string, 0, len(s))
		for k := range s {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := v.keyword(s, k, s[k], x, at); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("%s: schema is %T", at, schema)
}

func (v *validator) keyword(s map[string]any, k string, arg any, x any, at string) error {
	switch k {
	case "$ref":
		ref := arg.(string)
		name, ok := strings.CutPrefix(ref, "#/$defs/")
		if !ok {
			return fmt.Errorf("unsupported $ref %q", ref)
		}
		def, ok := v.root["$defs"].(map[string]any)[name]
		if !ok {
			return fmt.Errorf("$ref %q: no such definition", ref)
		}
		return v.validate(def, x, at)
	case "type":
		var types []any
		if l, ok := arg.([]any); ok {
			types = l
		} else {
			types = []any{arg}
		}
		for _, t := range types {
			if hasType(x, t.(string)) {
				return nil
			}
		}
		return fmt.Errorf("%s: %v is not of type %v", at, x, arg)
	case "enum":
		for _, e := range arg.([]any) {
			if reflect.DeepEqual(e, x) {
				return nil
			}
		}
		return fmt.Errorf("%s: %v is not one of %v", at, x, arg)
	case "const":
		if !reflect.DeepEqual(arg, x) {
			return fmt.Errorf("%s: %v is not %v", at, x, arg)
		}
	case "minimum":
		if n, ok := x.(float64); ok && n < arg.(float64) {
			return fmt.Errorf("%s: %v < %v", at, n, arg)
		}
	case "required":
		if obj, ok := x.(map[string]any); ok {
			for _, r := range arg.([]any) {
				if _, ok := obj[r.(string)]; !ok {
					return fmt.Errorf("%s: missing %q", at, r)
				}
			}
		}
	case "properties":
		if obj, ok := x.(map[string]any); ok {
			for name, sub := range arg.(map[string]any) {
				if val, ok := obj[name]; ok {
					if err := v.validate(sub, val, at+"."+name); err != nil {
						return err
					}
				}
			}
		}
	case "additionalProperties":
		if obj, ok := x.(map[string]any); ok {
			props, _ := s["properties"].(map[string]any)
			for name, val := range obj {
				if _, ok := props[name]; ok {
					continue
				}
				if err := v.validate(arg, val, at+"."+name); err != nil {
					return fmt.Errorf("%s: property %q not allowed (%v)", at, name, err)
				}
			}
		}
	case "items":
		if l, ok := x.([]any); ok {
			for i, e := range l {
				if err := v.validate(arg, e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	case "allOf":
		for _, sub := range arg.([]any) {
			if err := v.validate(sub, x, at); err != nil {
				return err
			}
		}
	case "oneOf":
		var n int
		var errs []string
		for _, sub := range arg.([]any) {
			if err := v.validate(sub, x, at); err == nil {
				n++
			} else {
				errs = append(errs, err.Error())
			}
		}
		if n != 1 {
			return fmt.Errorf("%s: matches %d of oneOf, want 1: %s", at, n, strings.Join(errs, "; "))
		}
	default:
		if !annotations[k] {
			return fmt.Errorf("schema keyword %q is not supported by this check", k)
		}
	}
	return nil
}

func hasType(x any, t string) bool {
	switch t {
	case "object":
		_, ok := x.(map[string]any)
		return ok
	case "array":
		_, ok := x.([]any)
		return ok
	case "string":
		_, ok := x.(string)
		return ok
	case "boolean":
		_, ok := x.(bool)
		return ok
	case "number":
		_, ok := x.(float64)
		return ok
	case "integer":
		n, ok := x.(float64)
		return ok && n == math.Trunc(n)
	case "null":
		return x == nil
	}
	return false
}

// validateLine checks one line of JSONWriter output against EventSchema.
func validateLine(t *testing.T, v *validator, line []byte) {
	t.Helper()
	var x any
	if err := json.Unmarshal(line, &x); err != nil {
		t.Fatalf("event %s: %v", line, err)
	}
	if err := v.validate(map[string]any(v.root), x, "event"); err != nil {
		t.Errorf("event %s does not match the schema: %v", line, err)
	}
}

func TestSchemaRejectsBadEvents(t *testing.T) {
	v := newValidator(t, EventSchema)
	bad := []string{
		`{}`,
		`{"v":1,"time":"2026-12-04T05:00:00Z","source":"watch","event":"start","type":"watch.start","time_ns":1}`,
		`{"v":1,"time":"2026-12-04T05:00:00Z","source":"watch","event":"start","type":"watch.start","time_ns":1,"policy":"sometimes"}`,
		`{"v":1,"time":"2026-12-04T05:00:00Z","source":"watch","event":"start","type":"watch.start","time_ns":-1,"policy":"cancel"}`,
		`{"v":1,"time":"2026-12-04T05:00:00Z","source":"watch","event":"start","type":"watch.start","time_ns":1,"policy":"cancel","extra":1}`,
		`{"v":1,"time":"2026-12-04T05:00:00Z","source":"watch","event":"cycle","type":"watch.cycle","time_ns":1,"cycle":1,"changes":[{"path":"/a","kind":"touched"}],"first_change_ns":1,"last_change_ns":1}`,
		`{"v":1,"time":"2026-12-04T05:00:00Z","source":"watch","event":"done","type":"watch.done","time_ns":1,"cycle":1,"changes":[],"first_change_ns":1,"last_change_ns":1,"canceled":"yes"}`,
		`{"v":1,"time":"2026-12-04T05:00:00Z","source":"watch","event":"done","type":"watch.done","time_ns":1,"cycle":1,"changes":[],"first_change_ns":1,"last_change_ns":1,"duration_ns":1.5}`,
		`{"v":1,"time":"2026-12-04T05:00:00Z","source":"watch","event":"start","type":"watch.other","time_ns":1}`,
		`{"type":"watch.stop","time_ns":1}`, // no envelope
		`{"v":1,"time":"2026-12-04T05:00:00Z","source":"build","event":"stop","type":"watch.stop","time_ns":1}`,
	}
	for _, b := range bad {
		var x any
		if err := json.Unmarshal([]byte(b), &x); err != nil {
			t.Fatal(err)
		}
		if err := v.validate(map[string]any(v.root), x, "event"); err == nil {
			t.Errorf("schema accepts %s", b)
		}
	}
	good := `{"v":1,"time":"2026-12-04T05:00:00Z","source":"watch","event":"done","type":"watch.done","time_ns":1,"cycle":1,"changes":[{"path":"/a","kind":"mode"}],"first_change_ns":1,"last_change_ns":1,"duration_ns":0,"error":"x","stage":"replan"}`
	validateLine(t, v, []byte(good))
}
