package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	setting := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	for _, tt := range []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"nil", nil, "unknown (built without version control information)"},
		{"no vcs", &debug.BuildInfo{Settings: setting("-trimpath", "true")}, "unknown (built without version control information)"},
		{"clean", &debug.BuildInfo{Settings: setting("vcs", "git", "vcs.revision", "3e2c9a9", "vcs.time", "2026-12-04T04:00:00Z", "vcs.modified", "false")}, "3e2c9a9 (2026-12-04T04:00:00Z)"},
		{"modified", &debug.BuildInfo{Settings: setting("vcs.revision", "3e2c9a9", "vcs.time", "2026-12-04T04:00:00Z", "vcs.modified", "true")}, "3e2c9a9 (2026-12-04T04:00:00Z, modified)"},
		{"no time", &debug.BuildInfo{Settings: setting("vcs.revision", "3e2c9a9", "vcs.modified", "true")}, "3e2c9a9 (modified)"},
	} {
		i := FromBuildInfo(tt.bi)
		if got := i.CommitText(); got != tt.want {
			t.Errorf("%s: CommitText() = %q, want %q", tt.name, got, tt.want)
		}
		if i.Version != Version || i.Go == "" || i.Platform == "" {
			t.Errorf("%s: %+v: version, Go or platform missing", tt.name, i)
		}
	}
}
