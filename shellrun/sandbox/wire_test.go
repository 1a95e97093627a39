package sandbox

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"reflect"
	"testing"
)

// fillValue sets every exported field of v (a pointer's target) to a
// non-zero value, slices to two elements, strings from a small set so that
// some repeat; n varies the values.
func fillValue(v reflect.Value, n *int) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fillValue(v.Elem(), n)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillValue(v.Field(i), n)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fillValue(s.Index(i), n)
		}
		v.Set(s)
	case reflect.String:
		*n++
		v.SetString(fmt.Sprintf("s%d-é\x00", *n%7))
	case reflect.Int:
		*n++
		v.SetInt(int64(*n*1000 - 3000))
	case reflect.Bool:
		*n++
		v.SetBool(*n%2 == 1)
	default:
		panic(fmt.Sprintf("fillValue: %v: add it to the wire format and here", v.Type()))
	}
}

// TestReportWire checks that the child's report encoding carries every
// field of a Report (filled by reflection, so a field added to the report
// and not to the wire format fails here), keeps nil apart from empty, and
// that a damaged encoding is refused without a panic.
func TestReportWire(t *testing.T) {
	n := 0
	var full Report
	fillValue(reflect.ValueOf(&full), &n)
	empty := newReport("e")
	nils := &Report{}
	for _, r := range []*Report{&full, empty, nils} {
		b := encodeReport(r)
		got, err := decodeReport(b)
		if err != nil {
			t.Fatalf("%v", err)
		}
		got.seenDiag = r.seenDiag
		if !reflect.DeepEqual(got, r) {
			t.Errorf("round trip:\ngot  %+v\nwant %+v", got, r)
		}
	}
	b := encodeReport(&full)
	for i := range b {
		if _, err := decodeReport(b[:i]); err == nil {
			t.Errorf("a report cut at %d of %d bytes was accepted", i, len(b))
		}
		c := append([]byte(nil), b...)
		c[i] ^= 0xff
		decodeReport(c) // must not panic; may decode to something else
	}
	if _, err := decodeReport(append(b, 0)); err == nil {
		t.Errorf("trailing bytes were accepted")
	}
}

// TestPackagesWire: a package set reaches the child (through the
// request's gob, which calls Packages' GobEncode) with every exported
// field as it was: nil sets apart from empty ones, false entries kept;
// a damaged encoding is refused without a panic. A field added to
// Packages and not to the wire form fails here (the exported fields are
// counted).
func TestPackagesWire(t *testing.T) {
	if n := reflect.TypeFor[Packages]().NumField(); n != 6 {
		t.Fatalf("Packages has %d fields: add the new one to GobEncode, GobDecode and this test", n)
	}
	full := &Packages{Base: "debian:bookworm", Available: map[string]bool{"bash": true, "ssh-server": true, "gone": false, "é\x00": true},
		Installed: map[string]bool{"bash": true, "dash": false}, Updated: true, IndexFile: "/cache/x.index"}
	for _, p := range []*Packages{full, {}, {Available: map[string]bool{}, Installed: map[string]bool{}}} {
		var buf bytes.Buffer
		req := request{PackageSets: []*Packages{p, p}}
		if err := gob.NewEncoder(&buf).Encode(req); err != nil {
			t.Fatal(err)
		}
		var got request
		if err := gob.NewDecoder(&buf).Decode(&got); err != nil {
			t.Fatal(err)
		}
		if len(got.PackageSets) != 2 || !reflect.DeepEqual(got.PackageSets[0], p) || !reflect.DeepEqual(got.PackageSets[1], p) {
			t.Errorf("round trip of %+v: got %+v", p, got.PackageSets)
		}
	}
	b, _ := full.GobEncode()
	for i := range b {
		var p Packages
		if err := p.GobDecode(b[:i]); err == nil {
			t.Errorf("a package set cut at %d of %d bytes was accepted", i, len(b))
		}
		c := append([]byte(nil), b...)
		c[i] ^= 0xff
		p.GobDecode(c) // must not panic
	}
	var p Packages
	if err := p.GobDecode(append(b, 0)); err == nil {
		t.Errorf("trailing bytes were accepted")
	}
}
