package sandbox

import "testing"

// TestAccountsIndex checks the index of /etc/passwd against what the file
// says after appends, a rewrite and an unterminated last line.
func TestAccountsIndex(t *testing.T) {
	d := &dryRun{vfs: newVFS(nil)}
	d.vfs.WriteFile("/etc/passwd", []byte("root:x:0:0::/root:/bin/sh\nsys:x:105:105::/:/bin/sh\n"), 0o644)
	steps := []struct {
		do       func()
		name     string
		id       int
		found    bool
		sys, usr int
	}{
		{func() {}, "sys", 105, true, 106, 1000},
		{func() { d.vfs.appendFile("/etc/passwd", []byte("app:x:1000:1000::/opt/app:/bin/sh\n")) }, "app", 1000, true, 106, 1001},
		{func() { d.vfs.appendFile("/etc/passwd", []byte("late:x:1200:1200::/:/bin/sh")) }, "late", 1200, true, 106, 1201},
		{func() { d.vfs.appendFile("/etc/passwd", []byte("\nsvc:x:120:120::/:/bin/sh\n")) }, "svc", 120, true, 121, 1201},
		{func() { d.vfs.WriteFile("/etc/passwd", []byte("root:x:0:0::/root:/bin/sh\n"), 0o644) }, "app", 0, false, 100, 1000},
		{func() {}, "ap", 0, false, 100, 1000},
	}
	for i, s := range steps {
		s.do()
		id, ok := d.lookupID("/etc/passwd", s.name)
		if id != s.id || ok != s.found {
			t.Errorf("step %d: lookupID(%q) = %d, %v; want %d, %v", i, s.name, id, ok, s.id, s.found)
		}
		if got := d.nextID("/etc/passwd", true); got != s.sys {
			t.Errorf("step %d: next system id %d, want %d", i, got, s.sys)
		}
		if got := d.nextID("/etc/passwd", false); got != s.usr {
			t.Errorf("step %d: next user id %d, want %d", i, got, s.usr)
		}
	}
}
