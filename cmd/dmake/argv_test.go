package main

import (
	"reflect"
	"testing"

	"github.com/dmake-dev/dmake/makefile"
)

func TestNormalizeArgs(t *testing.T) {
	tests := []struct {
		in       []string
		flags    []string
		util     string
		utilArgs []string
	}{
		{[]string{"base", "ssh"}, []string{"base", "ssh"}, "", nil},
		{[]string{"-j4"}, []string{"--jobs=4"}, "", nil},
		{[]string{"-j", "4", "all"}, []string{"--jobs=4", "all"}, "", nil},
		{[]string{"-j", "all"}, []string{"--jobs", "all"}, "", nil},
		{[]string{"-j"}, []string{"--jobs"}, "", nil},
		{[]string{"--jobs", "3"}, []string{"--jobs=3"}, "", nil},
		{[]string{"-Cdir", "x"}, []string{"--directory=dir", "x"}, "", nil},
		{[]string{"-C", "dir"}, []string{"--directory=dir"}, "", nil},
		{[]string{"-sk"}, []string{"--silent", "--keep-going"}, "", nil},
		{[]string{"-skC", "d"}, []string{"--silent", "--keep-going", "--directory=d"}, "", nil},
		{[]string{"-j2k"}, []string{"--jobs=2", "--keep-going"}, "", nil},
		{[]string{"-Otarget"}, []string{"--output-sync=target"}, "", nil},
		{[]string{"-O", "all"}, []string{"--output-sync", "all"}, "", nil},
		{[]string{"--just-print"}, []string{"--dry-run"}, "", nil},
		{[]string{"-n", "--util", "ssh", "-p", "22", "web"}, []string{"--dry-run"}, "ssh", []string{"-p", "22", "web"}},
		{[]string{"--util=clean", "--dry-run"}, nil, "clean", []string{"--dry-run"}},
		{[]string{"--", "-weird"}, []string{"--", "-weird"}, "", nil},
		{[]string{"X=-j", "-f", "M.mk"}, []string{"X=-j", "--file=M.mk"}, "", nil},
	}
	for _, tt := range tests {
		flags, util, utilArgs, err := normalizeArgs(tt.in)
		if err != nil {
			t.Errorf("normalizeArgs(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(flags, tt.flags) || util != tt.util || !reflect.DeepEqual(utilArgs, tt.utilArgs) {
			t.Errorf("normalizeArgs(%q) = %q, %q, %q; want %q, %q, %q", tt.in, flags, util, utilArgs, tt.flags, tt.util, tt.utilArgs)
		}
	}
}

func TestNormalizeArgsErrors(t *testing.T) {
	for _, in := range [][]string{{"-C"}, {"-x"}, {"--util"}} {
		if _, _, _, err := normalizeArgs(in); err == nil {
			t.Errorf("normalizeArgs(%q): no error", in)
		}
	}
}

func TestParseFlags(t *testing.T) {
	flags, _, _, err := normalizeArgs([]string{"-j", "4", "-sk", "-S", "V=1", "base", "--bust", "03_x.sh", "ssh"})
	if err != nil {
		t.Fatal(err)
	}
	o, _, err := parseFlags(flags)
	if err != nil {
		t.Fatal(err)
	}
	if o.Jobs != 4 || !o.Silent || o.KeepGoing {
		t.Errorf("jobs=%d silent=%v keepgoing=%v", o.Jobs, o.Silent, o.KeepGoing)
	}
	if !reflect.DeepEqual(o.Goals, []string{"base", "ssh"}) || !reflect.DeepEqual(o.Variables, []string{"V=1"}) || !reflect.DeepEqual(o.Bust, []string{"03_x.sh"}) {
		t.Errorf("goals=%q vars=%q bust=%q", o.Goals, o.Variables, o.Bust)
	}
	flags, _, _, _ = normalizeArgs([]string{"-j"})
	if o, _, _ = parseFlags(flags); o.Jobs != makefile.UnlimitedJobs {
		t.Errorf("-j alone: jobs=%d, want makefile.UnlimitedJobs", o.Jobs)
	}
}

// TestNoSilent checks that --no-silent turns off an earlier -s and that a
// later -s turns it on again, as make's flag_off does (and -j1 given is
// told from the default, so that it wins over MAKEFLAGS).
func TestNoSilent(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		silent bool
	}{
		{[]string{"-s", "--no-silent"}, false},
		{[]string{"--quiet", "--no-silent"}, false},
		{[]string{"--no-silent", "-s"}, true},
		{[]string{"--no-silent", "--silent"}, true},
		{[]string{"--no-silent"}, false},
	} {
		flags, _, _, err := normalizeArgs(tt.args)
		if err != nil {
			t.Fatal(err)
		}
		o, _, err := parseFlags(flags)
		if err != nil {
			t.Fatalf("%q: %v", tt.args, err)
		}
		if o.Silent != tt.silent {
			t.Errorf("%q: Silent = %v, want %v", tt.args, o.Silent, tt.silent)
		}
	}
	for _, tt := range []struct {
		args []string
		set  bool
	}{{nil, false}, {[]string{"-j1"}, true}, {[]string{"-j"}, true}} {
		flags, _, _, _ := normalizeArgs(tt.args)
		if o, _, _ := parseFlags(flags); o.Jobs.Given() != tt.set {
			t.Errorf("%q: Jobs.Given() = %v, want %v", tt.args, o.Jobs.Given(), tt.set)
		}
	}
}
