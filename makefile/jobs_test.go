package makefile

import "testing"

func TestJobs(t *testing.T) {
	for _, tt := range []struct {
		j     Jobs
		given bool
		slots int
		flag  string
	}{
		{DefaultJobs, false, 1, ""},
		{UnlimitedJobs, true, 0, "-j"},
		{1, true, 1, "-j1"},
		{4, true, 4, "-j4"},
	} {
		if g, s, f := tt.j.Given(), tt.j.Slots(), tt.j.String(); g != tt.given || s != tt.slots || f != tt.flag {
			t.Errorf("Jobs(%d): Given %v, Slots %d, String %q; want %v, %d, %q", tt.j, g, s, f, tt.given, tt.slots, tt.flag)
		}
	}
}
