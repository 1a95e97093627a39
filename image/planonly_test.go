package image

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestPlanOnly builds with PlanOnly and no engine: Check gets the plan of
// the stage built, Build records it and returns, and nothing of the
// context beyond the plan is read (a dangling link there, which sending
// the context would stop at, is never reached) nor written.
func TestPlanOnly(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"Dockerfile": "FROM debian:bookworm AS build\nRUN true\nFROM busybox:latest\nCOPY . /app\nRUN ls /app\n",
		"a.txt":      "a\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/no/such/file", filepath.Join(dir, "dangling")); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadDir(dir)
	for _, tc := range []struct {
		target string
		from   []string
	}{
		{"", []string{"debian:bookworm", "busybox:latest"}},
		{"build", []string{"debian:bookworm", "busybox:latest"}},
	} {
		var checked []*Plan
		b := &Builder{PlanOnly: true, Plain: true, Check: func(ctx context.Context, req Request, plan *Plan) error {
			checked = append(checked, plan)
			return nil
		}}
		req := Request{ContextDir: dir}
		req.Settings.Tags = []string{"planonly:1"}
		req.Settings.Target = tc.target
		res, err := b.Build(context.Background(), req)
		if err != nil {
			t.Fatalf("target %q: %v", tc.target, err)
		}
		if len(checked) != 1 || checked[0] != res.Plan || res.Plan.Target != tc.target || len(res.Plan.From) != len(tc.from) || res.Tag != "planonly:1" {
			t.Errorf("target %q: checked %d plans, result %+v", tc.target, len(checked), res)
		}
		if r := b.Results(); len(r) != 1 || r[0] != res || res.Built || res.Written != "" {
			t.Errorf("target %q: results %v, built %v, written %q", tc.target, r, res.Built, res.Written)
		}
	}
	if after, _ := os.ReadDir(dir); len(after) != len(before) {
		t.Errorf("the context changed: %v, was %v", after, before)
	}
}
