package symlinker

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestFallbackConditions checks the environments in which the symlinker
// must leave a command to the real binary, and some in which it must not.
func TestFallbackConditions(t *testing.T) {
	bin := t.TempDir()
	fake := filepath.Join(bin, "ln")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho fake ln \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		env      []string
		cmd      string
		fallback bool
	}{
		{[]string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}, "ln -s f l", false},
		{[]string{"PATH=/usr/bin:/bin"}, "ln -s f l", false},
		{[]string{"PATH=/usr/bin:/bin", "LANG=de_DE.UTF-8", "LC_ALL=C"}, "ln -s f l", false},
		{[]string{"PATH=/usr/bin:/bin", "LANG=POSIX"}, "ln -s f l", false},
		{[]string{"PATH=/usr/bin:/bin", "LC_ALL=C.utf8"}, "ln -s f l", false},
		{[]string{"PATH=/usr/bin:/bin", "LANG=de_DE.UTF-8"}, "ln -s f l", true},
		{[]string{"PATH=/usr/bin:/bin", "LANG=C", "LC_MESSAGES=fr_FR.UTF-8"}, "ln -s f l", true},
		{[]string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "LANGUAGE=de"}, "ln -s f l", true},
		{[]string{"PATH=/usr/bin:/bin", "LANG=C", "LANGUAGE=de"}, "ln -s f l", false},
		{[]string{"PATH=/usr/bin:/bin", "POSIXLY_CORRECT=1"}, "ln -s f l", true},
		{[]string{"PATH=/usr/bin:/bin"}, "POSIXLY_CORRECT= ln -s f l", true},
		{[]string{"PATH=/usr/bin:/bin"}, "LANG=de_DE.UTF-8; ln -s f l", false}, // not exported
		{[]string{"PATH=/usr/bin:/bin"}, "export LANG=de_DE.UTF-8; ln -s f l", true},
		{[]string{"PATH=" + bin + ":/usr/bin:/bin"}, "ln -s f l", true},
		{[]string{"PATH=/usr/bin:/bin"}, "/bin/ln -s f l", true},
		{[]string{"PATH=/usr/bin:/bin"}, "ln -s f $'l\\tm'", true},
		{[]string{"PATH=/usr/bin:/bin"}, "ln -s f l\u00e9", true},
		{[]string{"PATH=/usr/bin:/bin"}, "rm -f l </dev/tty", false},
	}
	if _, err := os.Stat("/dev/tty"); err != nil || exec.Command("sh", "-c", "test -t 0 </dev/tty").Run() != nil {
		cases = cases[:len(cases)-1]
	} else {
		cases = append(cases, struct {
			env      []string
			cmd      string
			fallback bool
		}{[]string{"PATH=/usr/bin:/bin"}, "rm l </dev/tty", true})
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.env, " ")+" "+tc.cmd, func(t *testing.T) {
			dir := setupDir(t, "echo x > f; ln -s f l")
			got := runLine(t, dir, tc.cmd, tc.env, New(Config{}))
			if got.fellBack != tc.fallback {
				t.Errorf("fell back: %v, want %v (stderr %q)", got.fellBack, tc.fallback, got.stderr)
			}
		})
	}
}

// TestQuoteMatchesLs compares the quoting functions with ls's
// --quoting-style, which uses the same gnulib code as the coreutils
// messages.
func TestQuoteMatchesLs(t *testing.T) {
	dir := t.TempDir()
	var names []string
	for c := byte(0x20); c < 0x7f; c++ {
		if c == '/' {
			continue
		}
		names = append(names, "a"+string(c)+"b", string(c)+"b", "a'"+string(c)+"b")
	}
	names = append(names, "plain", "it's", "'", "''", "a b'c", "-x")
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
	}
	ls := func(style string, env ...string) []string {
		cmd := exec.Command("ls", append([]string{"-d", "--quoting-style=" + style, "--"}, names...)...)
		cmd.Dir = dir
		cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, env...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	}
	// ls prints in its own order: match by running it name by name would
	// be slow, so sort the names the same way (C collation, bytewise).
	sorted := append([]string(nil), names...)
	sortBytes(sorted)
	sorted = dedup(sorted)
	for _, check := range []struct {
		style string
		env   []string
		quote func(string) string
	}{
		{"shell-escape-always", nil, quoteaf},
		{"shell-escape", nil, quotef},
		{"locale", []string{"LC_ALL=C.UTF-8"}, func(s string) string { return quoteLocale(s, true) }},
		{"locale", []string{"LC_ALL=C"}, func(s string) string { return quoteLocale(s, false) }},
	} {
		got := ls(check.style, append(check.env, "LC_COLLATE=C")...)
		if len(got) != len(sorted) {
			t.Fatalf("%s: ls printed %d names, want %d", check.style, len(got), len(sorted))
		}
		for i, n := range sorted {
			want := got[i]
			q := check.quote(n)
			if check.style == "shell-escape" && strings.Contains(n, ":") {
				continue // quotef also quotes colons; ls does not
			}
			if q != want {
				t.Errorf("%s %v: %q quoted as %s, ls says %s", check.style, check.env, n, q, want)
			}
		}
	}
}

func sortBytes(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func dedup(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
