package main

import (
	"reflect"
	"testing"

	"github.com/dmake-dev/dmake/internal/makeargs"
	"github.com/dmake-dev/dmake/makefile"
)

func TestParseFlags(t *testing.T) {
	flags, _, _, err := makeargs.Normalize([]string{"-j", "4", "-sk", "-S", "V=1", "base", "--bust", "03_x.sh", "ssh"})
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
	flags, _, _, _ = makeargs.Normalize([]string{"-j"})
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
		flags, _, _, err := makeargs.Normalize(tt.args)
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
		flags, _, _, _ := makeargs.Normalize(tt.args)
		if o, _, _ := parseFlags(flags); o.Jobs.Given() != tt.set {
			t.Errorf("%q: Jobs.Given() = %v, want %v", tt.args, o.Jobs.Given(), tt.set)
		}
	}
}

// The remote builder's flags take their values as separate words or after
// =, and leave the goals alone.
func TestBuilderFlags(t *testing.T) {
	flags, _, _, err := makeargs.Normalize([]string{"--builder", "tcp://b:1234", "--tlsdir=/certs", "--push", "--cache-to", "type=local,dest=/c",
		"--cache-from", "type=registry,ref=r/c", "--cache-from=type=local,src=/c", "ssh"})
	if err != nil {
		t.Fatal(err)
	}
	o, _, err := parseFlags(flags)
	if err != nil {
		t.Fatal(err)
	}
	if o.Builder != "tcp://b:1234" || o.BuilderTLSDir != "/certs" || !o.Push || o.Load ||
		!reflect.DeepEqual(o.CacheTo, []string{"type=local,dest=/c"}) || !reflect.DeepEqual(o.CacheFrom, []string{"type=registry,ref=r/c", "type=local,src=/c"}) ||
		!reflect.DeepEqual(o.Goals, []string{"ssh"}) {
		t.Errorf("parsed %+v", o)
	}
	flags, _, _, _ = makeargs.Normalize([]string{"--cache-to", "type=nfs"})
	if _, _, err := parseFlags(flags); err == nil {
		t.Error("--cache-to type=nfs: no error")
	}
}
