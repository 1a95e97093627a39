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
