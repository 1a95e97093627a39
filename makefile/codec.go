package makefile

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"sort"

	"github.com/dmake-dev/dmake/internal/wire"
)

// The encoding of a Database (AppendEncoding, DecodeDatabase) is a
// compact binary one made for a cache of loads: a header, a table of the
// distinct strings, then the variables, variable sets, recipes, rules and
// targets each once (so that what the database shares stays shared: a
// variable in PatternVars, a recipe of several targets), then the
// database's own fields referring to them by index. Integers are varints.
// Parsed expression trees are not stored: they are parsed again, lazily,
// from the text.

// codecMagic starts an encoded Database; codecVersion changes whenever
// the encoding or the meaning of a stored field does.
const (
	codecMagic   = "dmakeDB\x00"
	codecVersion = 12
)

type encoder struct {
	wire.Writer
	// What the database points to, numbered in the order first met: the
	// encoding refers to each by its number, so shared pointers stay
	// shared.
	strs  table[string]
	vars  table[*Var]
	sets  table[*VarSet]
	recs  table[*Recipe]
	rules table[*Rule]
	tgts  table[*Target]
}

// table numbers the distinct values it is given, in the order first given.
type table[T comparable] struct {
	ids  map[T]uint64
	list []T
}

// add returns p's number, numbering it if it is new (isNew).
func (t *table[T]) add(p T) (id uint64, isNew bool) {
	if id, ok := t.ids[p]; ok {
		return id, false
	}
	if t.ids == nil {
		t.ids = make(map[T]uint64)
	}
	id = uint64(len(t.list))
	t.ids[p] = id
	t.list = append(t.list, p)
	return id, true
}

// bits writes up to 64 booleans as one varint.
func (e *encoder) bits(bs ...bool) {
	var v uint64
	for i, b := range bs {
		if b {
			v |= 1 << i
		}
	}
	e.Uint(v)
}

func (e *encoder) str(s string) {
	id, _ := e.strs.add(s)
	e.Uint(id)
}

func (e *encoder) list(l []string) {
	if l == nil {
		e.Uint(0)
		return
	}
	e.Uint(uint64(len(l)) + 1)
	for _, s := range l {
		e.str(s)
	}
}

func (e *encoder) bytes(b []byte) {
	e.Uint(uint64(len(b)))
	e.B = append(e.B, b...)
}

func (e *encoder) pos(p Pos) {
	e.str(p.File)
	e.Uint(uint64(p.Line))
}

// ref writes 0 for nil, else index+1.
func ref[T comparable](e *encoder, m map[T]uint64, p T, isNil bool) {
	if isNil {
		e.Uint(0)
		return
	}
	e.Uint(m[p] + 1)
}

func (e *encoder) addVar(v *Var) {
	if v != nil {
		e.vars.add(v)
	}
}

func (e *encoder) addSet(s *VarSet) {
	if s == nil {
		return
	}
	if _, isNew := e.sets.add(s); isNew {
		for _, n := range s.order {
			e.addVar(s.m[n])
		}
	}
}

func (e *encoder) addRecipe(r *Recipe) {
	if r != nil {
		e.recs.add(r)
	}
}

func (e *encoder) addTarget(t *Target) {
	if t == nil {
		return
	}
	if _, isNew := e.tgts.add(t); !isNew {
		return
	}
	for _, r := range t.Rules {
		if _, isNew := e.rules.add(r); isNew {
			e.addRecipe(r.Recipe)
		}
	}
	e.addSet(t.Vars)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// AppendEncoding appends the encoding of db to b: everything a Database
// read by Load holds (its Inputs included), for DecodeDatabase. It fails
// for a database that is not the result of a complete Load.
func (db *Database) AppendEncoding(b []byte) ([]byte, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	ev := db.ev
	if ev == nil || ev.globals != db.Globals || ev.global.set != db.Globals || ev.scope != ev.global || !db.snapped {
		return nil, errors.New("makefile: only a database read by Load can be encoded")
	}
	if len(db.missingRequired) > 0 {
		return nil, errors.New("makefile: a database with missing makefiles is not encoded")
	}
	e := &encoder{}
	e.strs.add("") // number 0
	// Collect what the database points to, in a fixed order.
	e.addSet(db.Globals)
	targetKeys := sortedKeys(db.Targets)
	for _, k := range targetKeys {
		e.addTarget(db.Targets[k])
	}
	builtinKeys := sortedKeys(db.builtinFiles)
	for _, k := range builtinKeys {
		e.addTarget(db.builtinFiles[k])
	}
	for _, pr := range db.PatternRules {
		e.addRecipe(pr.Recipe)
	}
	for _, pv := range db.PatternVars {
		e.addVar(pv.Var)
	}

	e.Uint(uint64(len(e.vars.list)))
	for _, v := range e.vars.list {
		e.str(v.Name)
		e.Uint(uint64(v.Flavor))
		e.Uint(uint64(v.Origin))
		e.Uint(uint64(v.Export))
		e.str(v.Value)
		e.bits(v.Append, v.Conditional, v.Private, v.cmdline)
		e.pos(v.Pos)
		e.str(v.op)
		e.str(v.envValue)
	}
	e.Uint(uint64(len(e.sets.list)))
	for _, s := range e.sets.list {
		e.list(s.order)
		e.Uint(uint64(len(s.m)))
		written := 0
		var seen map[string]bool // (names deleted and defined again are listed twice)
		if len(s.order) != len(s.m) {
			seen = make(map[string]bool, len(s.m))
		}
		for _, n := range s.order {
			if v, ok := s.m[n]; ok && !seen[n] {
				if seen != nil {
					seen[n] = true
				}
				e.str(n)
				e.Uint(e.vars.ids[v])
				written++
			}
		}
		if written != len(s.m) {
			return nil, errors.New("makefile: a variable set's order does not list every variable")
		}
	}
	e.Uint(uint64(len(e.recs.list)))
	for _, r := range e.recs.list {
		e.Uint(uint64(len(r.Lines)))
		for _, l := range r.Lines {
			e.str(l.Text)
			e.pos(l.Pos)
		}
		e.pos(r.Pos)
		e.Uint(uint64(r.prefix))
	}
	e.Uint(uint64(len(e.rules.list)))
	for _, r := range e.rules.list {
		e.list(r.Prereqs)
		e.list(r.OrderOnly)
		e.Uint(uint64(len(r.OrderOnlyAt)))
		for _, a := range r.OrderOnlyAt {
			e.Uint(uint64(a))
		}
		ref(e, e.recs.ids, r.Recipe, r.Recipe == nil)
		e.str(r.SecondExpansion)
		e.list(r.SecondExpansionTexts)
		e.list(r.SecondExpansionStems)
		e.str(r.Stem)
		e.str(r.StaticPattern)
		e.list(r.Grouped)
		e.pos(r.Pos)
	}
	e.Uint(uint64(len(e.tgts.list)))
	for _, t := range e.tgts.list {
		e.str(t.Name)
		e.bits(t.DoubleColon, t.Phony, t.Precious, t.Intermediate, t.Secondary, t.NotIntermediate, t.isTarget, t.builtin, t.Rules == nil)
		e.Uint(uint64(len(t.Rules)))
		for _, r := range t.Rules {
			e.Uint(e.rules.ids[r])
		}
		ref(e, e.sets.ids, t.Vars, t.Vars == nil)
		e.list(t.ExtraPrereqs)
		e.pos(t.Pos)
	}

	// The database.
	e.Uint(uint64(len(targetKeys)))
	for _, k := range targetKeys {
		e.str(k)
		ref(e, e.tgts.ids, db.Targets[k], db.Targets[k] == nil)
	}
	e.Uint(uint64(len(builtinKeys)))
	for _, k := range builtinKeys {
		e.str(k)
		ref(e, e.tgts.ids, db.builtinFiles[k], db.builtinFiles[k] == nil)
	}
	e.list(db.TargetOrder)
	e.Uint(uint64(len(db.PatternRules)))
	for _, pr := range db.PatternRules {
		e.list(pr.Targets)
		e.list(pr.Prereqs)
		e.list(pr.OrderOnly)
		ref(e, e.recs.ids, pr.Recipe, pr.Recipe == nil)
		e.bits(pr.Terminal, pr.Builtin, pr.Suffix)
		e.str(pr.SecondExpansion)
		e.pos(pr.Pos)
	}
	e.Uint(uint64(len(db.PatternVars)))
	for _, pv := range db.PatternVars {
		e.str(pv.Pattern)
		ref(e, e.vars.ids, pv.Var, pv.Var == nil)
	}
	e.Bool(db.VPaths != nil)
	e.Uint(uint64(len(db.VPaths)))
	for _, vp := range db.VPaths {
		e.str(vp.Pattern)
		e.list(vp.Dirs)
	}
	e.list(db.Makefiles)
	e.list(db.MissingIncludes)
	e.list(db.RemakeOrder)
	e.list(db.OptionalMakefiles)
	e.list(db.ExtraPrereqs)
	e.bits(db.SecondExpansion, db.OneShell, db.Posix, db.ExportAll, db.NotParallel, db.DeleteOnError,
		db.SilentAll, db.IgnoreAll, db.SecondaryAll, db.snapped,
		ev.posix, ev.secondExp, ev.exportAll, db.specialPrereqs != nil)
	e.list(db.Suffixes)
	e.Uint(e.sets.ids[db.Globals])
	e.flags(&db.Flags)
	e.str(db.curdir)
	e.Uint(uint64(ev.recipePrefix))
	specialKeys := sortedKeys(db.specialPrereqs)
	e.Uint(uint64(len(specialKeys)))
	for _, k := range specialKeys {
		e.str(k)
		e.list(db.specialPrereqs[k])
	}
	e.inputs(db.Inputs)

	// Header, string table, body.
	b = append(b, codecMagic...)
	b = binary.AppendUvarint(b, codecVersion)
	b = binary.AppendUvarint(b, uint64(len(e.strs.list)))
	total := 0
	for _, s := range e.strs.list {
		b = binary.AppendUvarint(b, uint64(len(s)))
		total += len(s)
	}
	b = slices.Grow(b, total+len(e.B))
	for _, s := range e.strs.list {
		b = append(b, s...)
	}
	return append(b, e.B...), nil
}

func (e *encoder) flags(f *Flags) {
	e.bits(f.DryRun, f.Silent, f.KeepGoing, f.IgnoreErrors, f.AlwaysMake, f.Question, f.Touch, f.EnvOverrides,
		f.PrintDatabase, f.NoBuiltinRules, f.NoBuiltinVars, f.PrintDirectory, f.NoPrintDir)
	e.Int(int64(f.Jobs))
	e.str(f.JobserverAuth)
	e.list(f.IncludeDirs)
	e.list(f.OldFiles)
	e.list(f.WhatIf)
	e.bits(f.Debug, f.CheckSymlinks, f.Trace, f.WarnUndefined)
	e.str(f.DebugFlags)
	e.str(f.LoadAverage)
	e.str(f.OutputSync)
	e.list(f.Eval)
}

func (e *encoder) stat(st FileStat) {
	e.Bool(st.Exists)
	e.Uint(uint64(st.Mode))
	e.Int(st.Size)
	e.Int(st.ModTime)
	e.Int(st.ChangeTime)
	e.Uint(st.Inode)
}

func (e *encoder) inputs(in *Inputs) {
	e.Bool(in != nil)
	if in == nil {
		return
	}
	e.str(in.Uncacheable)
	e.Uint(uint64(len(in.Items)))
	for i := range in.Items {
		it := &in.Items[i]
		e.Uint(uint64(it.Kind))
		e.str(it.Name)
		e.Bool(it.Content)
		e.stat(it.Stat)
		e.bytes(it.Hash)
		e.str(it.Dir)
		e.list(it.Result)
		e.Uint(uint64(len(it.Listed)))
		for _, l := range it.Listed {
			e.str(l.Path)
			e.Uint(uint64(l.Kind))
			e.stat(l.Stat)
		}
		e.str(it.Shell)
		e.str(it.ShellFlags)
		e.bytes(it.Stdout)
		e.bytes(it.Stderr)
		e.Int(int64(it.Status))
	}
	e.Uint(uint64(len(in.Output)))
	for _, o := range in.Output {
		e.bits(o.Stderr, o.Debug)
		e.bytes(o.Data)
	}
}

// decoder reads an encoding; the first error sticks and reads return
// zero values after it.
type decoder struct {
	wire.Reader
	strs []string
	pool []string // backing store of string slices
}

var errCorrupt = errors.New("makefile: corrupt database encoding")

// count reads a length that must not exceed what is left of the data
// times perByte (a corrupt length would allocate without bound).
func (d *decoder) count() int {
	v := d.Uint()
	if v > uint64(len(d.B)-d.I)+1 {
		d.Fail()
		return 0
	}
	return int(v)
}

// bits reads n (at most 16) booleans written by encoder.bits.
func (d *decoder) bits(n int) (out [16]bool) {
	v := d.Uint()
	for i := 0; i < n; i++ {
		out[i] = v&(1<<i) != 0
	}
	return out
}

func (d *decoder) str() string {
	i := d.Uint()
	if i >= uint64(len(d.strs)) {
		d.Fail()
		return ""
	}
	return d.strs[i]
}

func (d *decoder) strList() []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	n--
	if n == 0 {
		return []string{}
	}
	if len(d.pool) < n {
		d.pool = make([]string, max(n, 4096))
	}
	l := d.pool[:n:n]
	d.pool = d.pool[n:]
	for i := range l {
		l[i] = d.str()
	}
	return l
}

func (d *decoder) bytes() []byte {
	n := d.count()
	if d.Err != nil || d.I+n > len(d.B) {
		d.Fail()
		return nil
	}
	if n == 0 {
		return nil
	}
	b := slices.Clone(d.B[d.I : d.I+n])
	d.I += n
	return b
}

func (d *decoder) pos() Pos {
	return Pos{File: d.str(), Line: int(d.Uint())}
}

func (d *decoder) uint8() byte {
	v := d.Uint()
	if v > math.MaxUint8 {
		d.Fail()
	}
	return byte(v)
}

// index reads a reference written by ref: -1 for nil.
func (d *decoder) index(n int) int {
	v := d.Uint()
	if v > uint64(n) {
		d.Fail()
		return -1
	}
	return int(v) - 1
}

// DecodeDatabase decodes a database encoded by AppendEncoding for a run
// with cfg: the database is the one that was encoded, evaluating further
// ($(eval), recipes, $(shell)) with cfg's streams, shell and environment,
// as if Load had just read it with cfg. A truncated or corrupt encoding,
// or one of another version, gives an error.
func DecodeDatabase(ctx context.Context, data []byte, cfg Config) (db *Database, err error) {
	if len(data) < len(codecMagic) || string(data[:len(codecMagic)]) != codecMagic {
		return nil, errors.New("makefile: not a database encoding")
	}
	d := &decoder{Reader: wire.Reader{B: data, I: len(codecMagic), Corrupt: errCorrupt}}
	if v := d.Uint(); v != codecVersion {
		return nil, fmt.Errorf("makefile: database encoding version %d, want %d", v, codecVersion)
	}
	defer func() {
		// a corrupt encoding may still index out of range somewhere
		if r := recover(); r != nil {
			db, err = nil, errCorrupt
		}
	}()
	ns := d.count()
	lens := make([]int, ns)
	total := 0
	for i := range lens {
		lens[i] = int(d.Uint())
		total += lens[i]
	}
	if d.Err != nil || total > len(data)-d.I {
		return nil, errCorrupt
	}
	blob := string(data[d.I : d.I+total])
	d.I += total
	d.strs = make([]string, ns)
	o := 0
	for i, n := range lens {
		d.strs[i] = blob[o : o+n]
		o += n
	}

	vars := make([]Var, d.count())
	for i := range vars {
		v := &vars[i]
		v.Name = d.str()
		v.Flavor = Flavor(d.uint8())
		v.Origin = Origin(d.uint8())
		v.Export = ExportState(d.uint8())
		v.Value = d.str()
		b := d.bits(4)
		v.Append, v.Conditional, v.Private, v.cmdline = b[0], b[1], b[2], b[3]
		v.Pos = d.pos()
		v.op = d.str()
		v.envValue = d.str()
	}
	sets := make([]VarSet, d.count())
	for i := range sets {
		s := &sets[i]
		s.order = d.strList()
		n := d.count()
		s.m = make(map[string]*Var, n)
		for k := 0; k < n; k++ {
			name := d.str()
			j := d.Uint()
			if j >= uint64(len(vars)) {
				return nil, errCorrupt
			}
			s.m[name] = &vars[j]
		}
	}
	recipes := make([]Recipe, d.count())
	var linePool []RecipeLine // one allocation for many recipes' lines
	for i := range recipes {
		r := &recipes[i]
		n := d.count()
		if n > 0 {
			if len(linePool) < n {
				linePool = make([]RecipeLine, max(n, 1024))
			}
			r.Lines = linePool[:n:n]
			linePool = linePool[n:]
		}
		for k := range r.Lines {
			r.Lines[k].Text = d.str()
			r.Lines[k].Pos = d.pos()
		}
		r.Pos = d.pos()
		r.prefix = d.uint8()
	}
	recipeRef := func() *Recipe {
		if j := d.index(len(recipes)); j >= 0 {
			return &recipes[j]
		}
		return nil
	}
	rules := make([]Rule, d.count())
	for i := range rules {
		r := &rules[i]
		r.Prereqs = d.strList()
		r.OrderOnly = d.strList()
		if n := d.count(); n > 0 {
			r.OrderOnlyAt = make([]int, n)
			for k := range r.OrderOnlyAt {
				r.OrderOnlyAt[k] = int(d.Uint())
			}
		}
		r.Recipe = recipeRef()
		r.SecondExpansion = d.str()
		r.SecondExpansionTexts = d.strList()
		r.SecondExpansionStems = d.strList()
		r.Stem = d.str()
		r.StaticPattern = d.str()
		r.Grouped = d.strList()
		r.Pos = d.pos()
	}
	targets := make([]Target, d.count())
	var rulePool []*Rule
	for i := range targets {
		t := &targets[i]
		t.Name = d.str()
		b := d.bits(9)
		t.DoubleColon, t.Phony, t.Precious, t.Intermediate, t.Secondary, t.NotIntermediate, t.isTarget, t.builtin = b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]
		n := d.count()
		if !b[8] && n == 0 {
			t.Rules = []*Rule{}
		} else if !b[8] {
			if len(rulePool) < n {
				rulePool = make([]*Rule, max(n, 1024))
			}
			t.Rules = rulePool[:n:n]
			rulePool = rulePool[n:]
		}
		for k := 0; k < n; k++ {
			j := int(d.Uint())
			if j >= len(rules) {
				return nil, errCorrupt
			}
			if t.Rules != nil {
				t.Rules[k] = &rules[j]
			}
		}
		if j := d.index(len(sets)); j >= 0 {
			t.Vars = &sets[j]
		}
		t.ExtraPrereqs = d.strList()
		t.Pos = d.pos()
	}
	targetRef := func() *Target {
		if j := d.index(len(targets)); j >= 0 {
			return &targets[j]
		}
		return nil
	}

	db = &Database{}
	n := d.count()
	db.Targets = make(map[string]*Target, n)
	for k := 0; k < n; k++ {
		name := d.str()
		db.Targets[name] = targetRef()
	}
	n = d.count()
	db.builtinFiles = make(map[string]*Target, n)
	for k := 0; k < n; k++ {
		name := d.str()
		db.builtinFiles[name] = targetRef()
	}
	db.TargetOrder = d.strList()
	if n = d.count(); n > 0 {
		db.PatternRules = make([]*PatternRule, n)
		prs := make([]PatternRule, n)
		for k := range prs {
			pr := &prs[k]
			pr.Targets = d.strList()
			pr.Prereqs = d.strList()
			pr.OrderOnly = d.strList()
			pr.Recipe = recipeRef()
			b := d.bits(3)
			pr.Terminal, pr.Builtin, pr.Suffix = b[0], b[1], b[2]
			pr.SecondExpansion = d.str()
			pr.Pos = d.pos()
			db.PatternRules[k] = pr
		}
	}
	if n = d.count(); n > 0 {
		db.PatternVars = make([]PatternVar, n)
		for k := range db.PatternVars {
			db.PatternVars[k].Pattern = d.str()
			if j := d.index(len(vars)); j >= 0 {
				db.PatternVars[k].Var = &vars[j]
			}
		}
	}
	hasVPaths := d.Bool()
	if n = d.count(); hasVPaths {
		db.VPaths = make([]VPath, n)
	}
	for k := 0; k < n; k++ {
		vp := VPath{Pattern: d.str(), Dirs: d.strList()}
		if hasVPaths {
			db.VPaths[k] = vp
		}
	}
	db.Makefiles = d.strList()
	db.MissingIncludes = d.strList()
	db.RemakeOrder = d.strList()
	db.OptionalMakefiles = d.strList()
	db.ExtraPrereqs = d.strList()
	b := d.bits(14)
	db.SecondExpansion, db.OneShell, db.Posix, db.ExportAll, db.NotParallel, db.DeleteOnError = b[0], b[1], b[2], b[3], b[4], b[5]
	db.SilentAll, db.IgnoreAll, db.SecondaryAll, db.snapped = b[6], b[7], b[8], b[9]
	db.Suffixes = d.strList()
	g := int(d.Uint())
	if g >= len(sets) {
		return nil, errCorrupt
	}
	db.Globals = &sets[g]
	d.flags(&db.Flags)
	db.curdir = d.str()
	prefix := d.uint8()
	n = d.count()
	if b[13] {
		db.specialPrereqs = make(map[string][]string, n)
	}
	for k := 0; k < n; k++ {
		name := d.str()
		ps := d.strList()
		if db.specialPrereqs != nil {
			db.specialPrereqs[name] = ps
		}
	}
	db.Inputs = d.inputs()
	if d.Err != nil {
		return nil, d.Err
	}
	if d.I != len(d.B) {
		return nil, errCorrupt
	}

	prepareConfig(&cfg)
	ev := newEvaluator(ctx, &cfg)
	ev.db = db
	ev.globals = db.Globals
	ev.global = &frame{set: db.Globals}
	ev.scope = ev.global
	ev.posix, ev.secondExp, ev.exportAll = b[10], b[11], b[12]
	ev.recipePrefix = prefix
	db.ev = ev
	// The directory cache starts now, as make's would have at the start
	// of a run that read the makefiles (which, as the cache checked,
	// read them as they are now).
	db.dirs = new(dirCache)
	db.primeWorkDir(&cfg, false)
	db.primeWorkDir(&cfg, true)
	return db, nil
}

func (d *decoder) flags(f *Flags) {
	b := d.bits(13)
	f.DryRun, f.Silent, f.KeepGoing, f.IgnoreErrors, f.AlwaysMake, f.Question, f.Touch, f.EnvOverrides = b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]
	f.PrintDatabase, f.NoBuiltinRules, f.NoBuiltinVars, f.PrintDirectory, f.NoPrintDir = b[8], b[9], b[10], b[11], b[12]
	f.Jobs = Jobs(d.Int())
	f.JobserverAuth = d.str()
	f.IncludeDirs = d.strList()
	f.OldFiles = d.strList()
	f.WhatIf = d.strList()
	b = d.bits(4)
	f.Debug, f.CheckSymlinks, f.Trace, f.WarnUndefined = b[0], b[1], b[2], b[3]
	f.DebugFlags = d.str()
	f.LoadAverage = d.str()
	f.OutputSync = d.str()
	f.Eval = d.strList()
}

func (d *decoder) stat() FileStat {
	return FileStat{Exists: d.Bool(), Mode: fs.FileMode(d.Uint()), Size: d.Int(), ModTime: d.Int(), ChangeTime: d.Int(), Inode: d.Uint()}
}

func (d *decoder) inputs() *Inputs {
	if !d.Bool() {
		return nil
	}
	in := &Inputs{Uncacheable: d.str()}
	if n := d.count(); n > 0 {
		in.Items = make([]Input, n)
	}
	for i := range in.Items {
		it := &in.Items[i]
		it.Kind = InputKind(d.uint8())
		it.Name = d.str()
		it.Content = d.Bool()
		it.Stat = d.stat()
		it.Hash = d.bytes()
		it.Dir = d.str()
		it.Result = d.strList()
		if n := d.count(); n > 0 {
			it.Listed = make([]Listed, n)
		}
		for k := range it.Listed {
			it.Listed[k] = Listed{Path: d.str(), Kind: ListedKind(d.uint8()), Stat: d.stat()}
		}
		it.Shell = d.str()
		it.ShellFlags = d.str()
		it.Stdout = d.bytes()
		it.Stderr = d.bytes()
		it.Status = int(d.Int())
	}
	if n := d.count(); n > 0 {
		in.Output = make([]Output, n)
	}
	for i := range in.Output {
		b := d.bits(2)
		in.Output[i].Stderr, in.Output[i].Debug = b[0], b[1]
		in.Output[i].Data = d.bytes()
	}
	return in
}
