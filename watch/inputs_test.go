package watch

import (
	"slices"
	"testing"
)

func TestClassify(t *testing.T) {
	in := &Static{
		Watch: []string{"/r/images", "/r/script", "/r/make"},
		Makes: []string{"/r/images/base/Makefile", "/r/images/ssh/Makefile", "/r/images/web/Makefile", "/r/make/common.mk"},
		Globs: []string{"/r/make/*.mk"},
		ImageIn: map[string][]string{
			"base": {"/r/images/base", "/r/script/00_base.sh", "/r/script/functions.sh"},
			"ssh":  {"/r/images/ssh", "/r/script/10_ssh.sh", "/r/script/functions.sh"},
			"web":  {"/r/images/web", "/r/script/20_nginx.sh"},
			"solo": {"/r/images/solo"},
		},
		ImageFrom: map[string][]string{"ssh": {"base"}, "web": {"ssh"}, "base": {"debian:bookworm"}},
	}
	tests := []struct {
		name    string
		paths   []string
		reparse bool
		images  []string
	}{
		{"leaf script", []string{"/r/script/20_nginx.sh"}, false, []string{"web"}},
		{"middle script rebuilds what is FROM it", []string{"/r/script/10_ssh.sh"}, false, []string{"ssh", "web"}},
		{"shared script", []string{"/r/script/functions.sh"}, false, []string{"base", "ssh", "web"}},
		{"file below an image directory", []string{"/r/images/ssh/runit/sshd/run"}, false, []string{"ssh", "web"}},
		{"two unrelated images, in order", []string{"/r/images/solo/x", "/r/script/20_nginx.sh"}, false, []string{"solo", "web"}},
		{"image Makefile", []string{"/r/images/base/Makefile"}, true, []string{"base", "ssh", "web"}},
		{"shared .mk", []string{"/r/make/common.mk"}, true, nil},
		{"new .mk matching the wildcard include", []string{"/r/make/redis.mk"}, true, nil},
		{"not a .mk in make/", []string{"/r/make/README"}, false, nil},
		{"prefix that is not a directory boundary", []string{"/r/images/sshd/x"}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b Batch
			for _, p := range tt.paths {
				b.Changes = append(b.Changes, Change{Path: p, Kind: Modified})
			}
			Classify(in, &b)
			if b.Reparse != tt.reparse {
				t.Errorf("Reparse = %v, want %v", b.Reparse, tt.reparse)
			}
			if !slices.Equal(b.Images, tt.images) {
				t.Errorf("Images = %q, want %q", b.Images, tt.images)
			}
		})
	}
}

func TestOrder(t *testing.T) {
	from := map[string][]string{
		"b": {"a"}, "c": {"a"}, "d": {"b", "c"}, // a diamond (multi-stage)
		"x": {"y"}, "y": {"x"}, // a cycle: last, by name
		"z": {"ext:latest"},
	}
	in := &Static{ImageFrom: from}
	tests := []struct {
		set  []string
		want []string
	}{
		{[]string{"a"}, []string{"a", "b", "c", "d"}},
		{[]string{"c"}, []string{"c", "d"}},
		{[]string{"d", "a"}, []string{"a", "b", "c", "d"}},
		{[]string{"z"}, []string{"z"}},
		{[]string{"x", "z"}, []string{"z", "x", "y"}},
		{nil, nil},
	}
	for _, tt := range tests {
		set := map[string]bool{}
		for _, s := range tt.set {
			set[s] = true
		}
		if got := Order(in, set); !slices.Equal(got, tt.want) {
			t.Errorf("Order(%q) = %q, want %q", tt.set, got, tt.want)
		}
	}
}

func TestBatchMerge(t *testing.T) {
	b := Batch{Changes: []Change{{"/a", Created}, {"/b", Modified}, {"/c", Removed}}}
	b.Merge(Batch{Changes: []Change{{"/a", Modified}, {"/b", Removed}, {"/c", Created}, {"/d", Mode}}})
	want := []Change{{"/a", Created}, {"/b", Removed}, {"/c", Created}, {"/d", Mode}}
	if !slices.Equal(b.Changes, want) {
		t.Errorf("Merge = %v, want %v", b.Changes, want)
	}
}

func TestParsePolicy(t *testing.T) {
	for s, want := range map[string]Policy{"": Cancel, "cancel": Cancel, "finish": Finish} {
		if got, err := ParsePolicy(s); err != nil || got != want || (s != "" && got.String() != s) {
			t.Errorf("ParsePolicy(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParsePolicy("later"); err == nil {
		t.Error("ParsePolicy(later) did not fail")
	}
}
