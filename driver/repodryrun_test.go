package driver

import (
	"strings"
	"testing"
)

// TestReadOnly checks which commands a dry run runs for real: those that
// only read and print, git's reading commands among them (a tag of
// "$(git rev-parse --short HEAD)"), never one that writes, sets the clock
// or runs a program the repository's configuration names.
func TestReadOnly(t *testing.T) {
	for _, c := range []struct {
		cmd  string
		want bool
	}{
		{"cat Makefile", true},
		{"/bin/echo x", true},
		{"date +%Y%m%d", true},
		{"date -u +%s", true},
		{"date -s 2020-01-01", false},
		{"date --set=2020-01-01", false},
		{"date -us 2020-01-01", false},
		{"date -u -Iseconds", true},
		{"date -d @0 +%s", true},
		{"date -uIseconds", true},
		{"date -Is", true},
		{"git rev-parse --short HEAD", true},
		{"git -C sub rev-parse HEAD", true},
		{"git --no-pager log -1 --format=%cd --date=short", true},
		{"git describe --tags --always", true},
		{"git describe --tags --always --dirty", false},
		{"git describe --dirty=-wip", false},
		{"git rev-list --count HEAD", true},
		{"git show -s --format=%ci HEAD", true},
		{"git show HEAD", false},
		{"git log -p -1", false},
		{"git log -1 -U3", false},
		{"git log --output=/tmp/x -1", false},
		{"git log --ext-diff -1", false},
		{"git -c core.pager=sh log", false},
		{"git symbolic-ref --short HEAD", true},
		{"git symbolic-ref HEAD refs/heads/other", false},
		{"git branch --show-current", true},
		{"git branch new", false},
		{"git commit -m x", false},
		{"git status", false},
		{"git", false},
		{"rm -rf build", false},
		{"docker push app", false},
	} {
		if got := readOnly(strings.Fields(c.cmd)); got != c.want {
			t.Errorf("readOnly(%q) = %v, want %v", c.cmd, got, c.want)
		}
	}
}
