package sandbox

import (
	"errors"
	"fmt"

	"github.com/dmake-dev/dmake/internal/wire"
)

// The sandbox child sends each report in a compact binary form inside its
// gob event stream. Gob decodes by reflection and allocates every string
// afresh: for a run of hundreds of scripts (tens of thousands of commands
// and files) decoding took a tenth of the whole check. Here the decoder
// makes one string of the whole encoding and every string of the report
// is a piece of it.
//
// Encoding: internal/wire's primitives (unsigned varints throughout; an
// int is a zigzag varint, a bool one byte; a slice is 0 for nil, else 1+len
// followed by its elements); a string is its length and its bytes. Structs
// are their fields in declaration order.

// reportWriter encodes reports.
type reportWriter struct {
	wire.Writer
}

func (w *reportWriter) int(v int) { w.Int(int64(v)) }

func (w *reportWriter) str(s string) {
	w.Uint(uint64(len(s)))
	w.B = append(w.B, s...)
}

func (w *reportWriter) strs1(ss []string) {
	w.Count(ss == nil, len(ss))
	for _, s := range ss {
		w.str(s)
	}
}

func (w *reportWriter) diags(ds []Diagnostic) {
	w.Count(ds == nil, len(ds))
	for _, d := range ds {
		w.str(d.Pos)
		w.str(d.Code)
		w.str(d.Msg)
	}
}

// encodeReport returns the wire form of r.
func encodeReport(r *Report) []byte {
	w := &reportWriter{wire.Writer{B: make([]byte, 0, 4<<10+64*(len(r.Commands)+len(r.Files)))}}
	w.int(r.SchemaVersion)
	w.str(r.Image)
	w.str(r.Base)
	w.str(r.From)
	w.Count(r.Scripts == nil, len(r.Scripts))
	for _, s := range r.Scripts {
		w.str(s.Path)
		w.str(string(s.Role))
		w.str(s.Shell)
		w.str(s.Status)
		w.int(s.Exit)
		w.int(s.Steps)
	}
	w.Count(r.Commands == nil, len(r.Commands))
	for _, c := range r.Commands {
		w.str(c.Pos)
		w.strs1(c.Argv)
		w.str(c.Kind)
		w.int(c.Exit)
		w.str(c.Model)
	}
	w.Count(r.Packages == nil, len(r.Packages))
	for _, p := range r.Packages {
		w.str(p.Name)
		w.str(p.Manager)
		w.str(p.Action)
		w.Bool(p.BuildOnly)
		w.str(p.Pos)
	}
	w.Count(r.Files == nil, len(r.Files))
	for _, f := range r.Files {
		w.str(f.Path)
		w.str(f.Change)
		w.str(f.Type)
		w.str(f.Mode)
		w.str(f.Script)
		w.str(f.Package)
	}
	w.Count(r.Services == nil, len(r.Services))
	for _, s := range r.Services {
		w.str(s.Name)
		w.str(s.Run)
	}
	w.Count(r.Network == nil, len(r.Network))
	for _, f := range r.Network {
		w.str(f.Pos)
		w.str(f.Tool)
		w.strs1(f.URLs)
	}
	w.diags(r.Warnings)
	w.diags(r.Errors)
	w.diags(r.Unknowns)
	w.str(r.Verdict)
	w.Count(r.Contained == nil, len(r.Contained))
	for _, c := range r.Contained {
		w.str(c.Pos)
		w.str(c.What)
		w.str(c.Msg)
	}
	return w.B
}

var errWire = errors.New("sandbox: malformed report from the sandbox child")

// reportReader decodes reports; the first error sticks and every read
// after it returns zero values. s is b as one string; i is where the next
// value starts (an index, not a moving slice: no write barrier per value).
type reportReader struct {
	wire.Reader
	s string
}

func (r *reportReader) int() int { return int(r.Int()) }

func (r *reportReader) str() string {
	n := r.Uint()
	if r.Err != nil {
		return ""
	}
	if n > uint64(r.Left()) {
		r.Fail()
		return ""
	}
	s := r.s[r.I : r.I+int(n)]
	r.I += int(n)
	return s
}

// count reads a slice's nil-ness and length; each element takes at least
// min bytes, which bounds what a corrupt length can make allocate.
func (r *reportReader) count(min int) (n int, isNil bool) {
	v := r.Uint()
	if r.Err != nil || v == 0 {
		return 0, true
	}
	if v-1 > uint64(r.Left()/min) {
		r.Fail()
		return 0, true
	}
	return int(v - 1), false
}

func (r *reportReader) strs1() []string {
	n, isNil := r.count(1)
	if isNil {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = r.str()
	}
	return ss
}

func (r *reportReader) diags() []Diagnostic {
	n, isNil := r.count(3)
	if isNil {
		return nil
	}
	ds := make([]Diagnostic, n)
	for i := range ds {
		ds[i] = Diagnostic{Pos: r.str(), Code: r.str(), Msg: r.str()}
	}
	return ds
}

// decodeReport reads a report encodeReport wrote.
func decodeReport(b []byte) (*Report, error) {
	r := &reportReader{Reader: wire.Reader{B: b, Corrupt: errWire}, s: string(b)}
	rep := &Report{SchemaVersion: r.int(), Image: r.str(), Base: r.str(), From: r.str()}
	if n, isNil := r.count(6); !isNil {
		rep.Scripts = make([]ScriptResult, n)
		for i := range rep.Scripts {
			rep.Scripts[i] = ScriptResult{Path: r.str(), Role: Role(r.str()), Shell: r.str(), Status: r.str(), Exit: r.int(), Steps: r.int()}
		}
	}
	if n, isNil := r.count(5); !isNil {
		rep.Commands = make([]Command, n)
		for i := range rep.Commands {
			rep.Commands[i] = Command{Pos: r.str(), Argv: r.strs1(), Kind: r.str(), Exit: r.int(), Model: r.str()}
		}
	}
	if n, isNil := r.count(5); !isNil {
		rep.Packages = make([]Package, n)
		for i := range rep.Packages {
			rep.Packages[i] = Package{Name: r.str(), Manager: r.str(), Action: r.str(), BuildOnly: r.Bool(), Pos: r.str()}
		}
	}
	if n, isNil := r.count(6); !isNil {
		rep.Files = make([]FileChange, n)
		for i := range rep.Files {
			rep.Files[i] = FileChange{Path: r.str(), Change: r.str(), Type: r.str(), Mode: r.str(), Script: r.str(), Package: r.str()}
		}
	}
	if n, isNil := r.count(2); !isNil {
		rep.Services = make([]Service, n)
		for i := range rep.Services {
			rep.Services[i] = Service{Name: r.str(), Run: r.str()}
		}
	}
	if n, isNil := r.count(3); !isNil {
		rep.Network = make([]Fetch, n)
		for i := range rep.Network {
			rep.Network[i] = Fetch{Pos: r.str(), Tool: r.str(), URLs: r.strs1()}
		}
	}
	rep.Warnings = r.diags()
	rep.Errors = r.diags()
	rep.Unknowns = r.diags()
	rep.Verdict = r.str()
	if n, isNil := r.count(3); !isNil {
		rep.Contained = make([]Containment, n)
		for i := range rep.Contained {
			rep.Contained[i] = Containment{Pos: r.str(), What: r.str(), Msg: r.str()}
		}
	}
	if r.Err == nil && r.Left() != 0 {
		return nil, fmt.Errorf("%w: %d bytes left over", errWire, r.Left())
	}
	if r.Err != nil {
		return nil, r.Err
	}
	return rep, nil
}

// The package sets go to the child in the same form (Packages'
// GobEncode): gob sends a map entry by entry and decodes it by
// reflection, which for a base's tens of thousands of available packages
// took ~40 ms of every dry run over it; here the decoder makes one string
// of the set and every name is a piece of it.

// errWirePackages is the error of a malformed package set.
var errWirePackages = errors.New("sandbox: malformed package set sent to the sandbox child")

// GobEncode encodes p's exported fields in the sandbox's wire form.
func (p *Packages) GobEncode() ([]byte, error) {
	size := 32 + len(p.Base) + len(p.IndexFile)
	for _, set := range []map[string]bool{p.Available, p.Installed} {
		for name := range set {
			size += len(name) + 3 // its length's varint (most), the bool
		}
	}
	w := &reportWriter{wire.Writer{B: make([]byte, 0, size)}}
	w.str(p.Base)
	for _, set := range []map[string]bool{p.Available, p.Installed} {
		w.Count(set == nil, len(set))
		for name, v := range set {
			w.str(name)
			w.Bool(v)
		}
	}
	w.Bool(p.Updated)
	w.str(p.IndexFile)
	return w.B, nil
}

// GobDecode decodes what GobEncode wrote into p.
func (p *Packages) GobDecode(b []byte) error {
	r := &reportReader{Reader: wire.Reader{B: b, Corrupt: errWirePackages}, s: string(b)}
	q := Packages{Base: r.str()}
	for _, set := range []*map[string]bool{&q.Available, &q.Installed} {
		n, isNil := r.count(2)
		if isNil {
			continue
		}
		m := make(map[string]bool, n)
		for range n {
			name := r.str()
			m[name] = r.Bool()
		}
		*set = m
	}
	q.Updated = r.Bool()
	q.IndexFile = r.str()
	if r.Err != nil {
		return r.Err
	}
	if r.Left() != 0 {
		return fmt.Errorf("%w: %d bytes left over", errWirePackages, r.Left())
	}
	*p = q
	return nil
}
