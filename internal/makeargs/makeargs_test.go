package makeargs

import (
	"reflect"
	"testing"
)

func TestNormalize(t *testing.T) {
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
		{[]string{"-kj2"}, []string{"--keep-going", "--jobs=2"}, "", nil},
		{[]string{"-j2k"}, []string{"--jobs=2k"}, "", nil}, // make: not a positive integer
		{[]string{"-js", "x"}, []string{"--jobs=s", "x"}, "", nil},
		{[]string{"-lfoo"}, []string{"--load-average=foo"}, "", nil},
		{[]string{"-l", "2.5", "x"}, []string{"--load-average=2.5", "x"}, "", nil},
		{[]string{"-sl", "x"}, []string{"--silent", "--load-average", "x"}, "", nil},
		{[]string{"-Otarget"}, []string{"--output-sync=target"}, "", nil},
		{[]string{"-O", "all"}, []string{"--output-sync", "all"}, "", nil},
		{[]string{"--just-print"}, []string{"--dry-run"}, "", nil},
		{[]string{"-n", "--util", "ssh", "-p", "22", "web"}, []string{"--dry-run"}, "ssh", []string{"-p", "22", "web"}},
		{[]string{"--util=clean", "--dry-run"}, nil, "clean", []string{"--dry-run"}},
		{[]string{"--", "-weird"}, []string{"--", "-weird"}, "", nil},
		{[]string{"X=-j", "-f", "M.mk"}, []string{"X=-j", "--file=M.mk"}, "", nil},
	}
	for _, tt := range tests {
		flags, util, utilArgs, err := Normalize(tt.in)
		if err != nil {
			t.Errorf("Normalize(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(flags, tt.flags) || util != tt.util || !reflect.DeepEqual(utilArgs, tt.utilArgs) {
			t.Errorf("Normalize(%q) = %q, %q, %q; want %q, %q, %q", tt.in, flags, util, utilArgs, tt.flags, tt.util, tt.utilArgs)
		}
	}
}

func TestNormalizeErrors(t *testing.T) {
	for _, in := range [][]string{{"-C"}, {"-x"}, {"--util"}} {
		if _, _, _, err := Normalize(in); err == nil {
			t.Errorf("Normalize(%q): no error", in)
		}
	}
}
