package makefile

import (
	"reflect"
	"testing"

	"github.com/dmake-dev/dmake/internal/wire"
)

// TestFlagsEncoding sets every field of Flags to a value other than its
// zero value and requires the encoding to bring each back: a field the
// codec leaves out (as OutputSync was: -O was lost whenever the load
// cache answered) fails here the day it is added.
func TestFlagsEncoding(t *testing.T) {
	var f Flags
	v := reflect.ValueOf(&f).Elem()
	for i := 0; i < v.NumField(); i++ {
		fv := v.Field(i)
		switch fv.Kind() {
		case reflect.Bool:
			fv.SetBool(true)
		case reflect.Int, reflect.Int64:
			fv.SetInt(int64(7 + i))
		case reflect.String:
			fv.SetString(v.Type().Field(i).Name + "-value")
		case reflect.Slice:
			fv.Set(reflect.ValueOf([]string{v.Type().Field(i).Name + "-1", "two"}))
		default:
			t.Fatalf("Flags.%s: a field of kind %s this test cannot set", v.Type().Field(i).Name, fv.Kind())
		}
	}
	var e encoder
	e.flags(&f)
	d := &decoder{Reader: wire.Reader{B: e.B, Corrupt: errCorrupt}, strs: e.strs.list}
	var got Flags
	d.flags(&got)
	if d.Err != nil {
		t.Fatal(d.Err)
	}
	if d.I != len(d.B) {
		t.Fatalf("decoding read %d of %d bytes", d.I, len(d.B))
	}
	gv := reflect.ValueOf(got)
	for i := 0; i < v.NumField(); i++ {
		if w, g := v.Field(i).Interface(), gv.Field(i).Interface(); !reflect.DeepEqual(w, g) {
			t.Errorf("Flags.%s: encoded %v, decoded %v", v.Type().Field(i).Name, w, g)
		}
	}
}

// dumpedFields are the fields of Database that Dump compares, and
// unstoredFields those the encoding leaves out on purpose (caches and the
// lock): a field added to Database fails TestDumpCoversDatabase until it
// is in one of them, so that the load cache's round trip checks it.
var (
	dumpedFields = []string{"Targets", "TargetOrder", "PatternRules", "PatternVars", "VPaths",
		"Makefiles", "MissingIncludes", "RemakeOrder", "OptionalMakefiles", "ExtraPrereqs",
		"SecondExpansion", "OneShell", "Posix", "ExportAll", "NotParallel", "DeleteOnError",
		"SilentAll", "IgnoreAll", "SecondaryAll", "Suffixes", "Globals", "Flags", "Inputs",
		"ev", "curdir", "missingRequired", "specialPrereqs", "builtinFiles", "snapped", "sortedPV"}
	unstoredFields = []string{"mu", "exprs", "dirs"}
)

// TestDumpCoversDatabase requires every field of Database to be one that
// Dump compares or one the encoding leaves out on purpose.
func TestDumpCoversDatabase(t *testing.T) {
	known := map[string]bool{}
	for _, f := range append(dumpedFields, unstoredFields...) {
		known[f] = true
	}
	typ := reflect.TypeOf(Database{})
	for i := 0; i < typ.NumField(); i++ {
		if name := typ.Field(i).Name; !known[name] {
			t.Errorf("Database.%s: neither compared by Dump (the encoding's round trip) nor left out of the encoding on purpose", name)
		}
		delete(known, typ.Field(i).Name)
	}
	for name := range known {
		t.Errorf("Database has no field %s any more", name)
	}
}
