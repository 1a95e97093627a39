package makefile

import (
	"fmt"
	"strings"
)

// Dump describes every field of db that Load fills, unexported ones
// included, with the objects it points to numbered in the order first
// met: two databases with the same Dump hold the same values and share
// the same objects the same way. Parsed expression trees, += buffers and
// caches are left out (they are rebuilt on demand).
func Dump(db *Database) string {
	d := &dumper{ids: make(map[any]int)}
	d.set("Globals", db.Globals)
	for _, k := range sortedKeys(db.Targets) {
		d.target("Targets["+k+"]", db.Targets[k])
	}
	for _, k := range sortedKeys(db.builtinFiles) {
		d.target("builtinFiles["+k+"]", db.builtinFiles[k])
	}
	d.p("TargetOrder", db.TargetOrder)
	for i, pr := range db.PatternRules {
		n := fmt.Sprintf("PatternRules[%d]", i)
		d.p(n, pr.Targets, pr.Prereqs, pr.OrderOnly, pr.Terminal, pr.SecondExpansion, pr.Builtin, pr.Suffix, pr.Pos)
		d.recipe(n+".Recipe", pr.Recipe)
	}
	for i, pv := range db.PatternVars {
		d.v(fmt.Sprintf("PatternVars[%d] %q", i, pv.Pattern), pv.Var)
	}
	d.p("VPaths", db.VPaths)
	d.p("Makefiles", db.Makefiles, "MissingIncludes", db.MissingIncludes)
	d.p("RemakeOrder", db.RemakeOrder, "OptionalMakefiles", db.OptionalMakefiles, "ExtraPrereqs", db.ExtraPrereqs)
	d.p("bools", db.SecondExpansion, db.OneShell, db.Posix, db.ExportAll, db.NotParallel, db.DeleteOnError, db.SilentAll, db.IgnoreAll, db.SecondaryAll, db.snapped)
	d.p("Suffixes", db.Suffixes, "Flags", db.Flags, "curdir", db.curdir, "missingRequired", db.missingRequired)
	for _, k := range sortedKeys(db.specialPrereqs) {
		d.p("special "+k, db.specialPrereqs[k])
	}
	d.p("specialPrereqs nil", db.specialPrereqs == nil, "sortedPV", len(db.sortedPV))
	ev := db.ev
	d.p("ev", ev.posix, ev.recipePrefix, ev.secondExp, ev.exportAll, ev.globals == db.Globals, ev.global.set == db.Globals, ev.scope == ev.global, ev.reading, ev.expanding == nil,
		ev.depth, ev.maxArgs, ev.readingOffset, ev.prog, ev.cfg.Flags, ev.cfg.CommandLineVars, ev.rec == nil)
	if db.Inputs != nil {
		d.p("Inputs", *db.Inputs)
	}
	return d.b.String()
}

type dumper struct {
	b   strings.Builder
	ids map[any]int
}

func (d *dumper) p(name string, vals ...any) {
	fmt.Fprintf(&d.b, "%s: %#v\n", name, vals)
}

// id numbers p; seen reports that it was numbered before.
func (d *dumper) id(p any) (int, bool) {
	if id, ok := d.ids[p]; ok {
		return id, true
	}
	d.ids[p] = len(d.ids)
	return len(d.ids) - 1, false
}

func (d *dumper) v(name string, v *Var) {
	if v == nil {
		d.p(name, nil)
		return
	}
	id, seen := d.id(v)
	if seen {
		d.p(name, "var", id)
		return
	}
	d.p(name, "var", id, v.Name, v.Flavor, v.Origin, v.Export, v.Value, v.Append, v.Conditional, v.Private, v.Pos, v.op, v.envValue, v.cmdline, v.expanding)
}

func (d *dumper) set(name string, s *VarSet) {
	if s == nil {
		d.p(name, nil)
		return
	}
	id, seen := d.id(s)
	d.p(name, "set", id)
	if seen {
		return
	}
	d.p(name+".order", s.order)
	for _, n := range s.order {
		if v, ok := s.m[n]; ok {
			d.v(name+"."+n, v)
		}
	}
	d.p(name+".len", len(s.m))
}

func (d *dumper) recipe(name string, r *Recipe) {
	if r == nil {
		d.p(name, nil)
		return
	}
	id, seen := d.id(r)
	if seen {
		d.p(name, "recipe", id)
		return
	}
	lines := make([]any, 0, len(r.Lines))
	for _, l := range r.Lines {
		lines = append(lines, l.Text, l.Pos)
	}
	d.p(name, "recipe", id, r.Pos, r.prefix, lines)
}

func (d *dumper) target(name string, t *Target) {
	if t == nil {
		d.p(name, nil)
		return
	}
	id, seen := d.id(t)
	if seen {
		d.p(name, "target", id)
		return
	}
	d.p(name, "target", id, t.Name, t.DoubleColon, t.Phony, t.Precious, t.Intermediate, t.Secondary, t.NotIntermediate, t.Pos, t.isTarget, t.builtin, t.Rules == nil)
	for i, r := range t.Rules {
		n := fmt.Sprintf("%s.Rules[%d]", name, i)
		rid, seen := d.id(r)
		if seen {
			d.p(n, "rule", rid)
			continue
		}
		d.p(n, "rule", rid, r.Prereqs, r.OrderOnly, r.SecondExpansion, r.SecondExpansionTexts, r.Stem, r.StaticPattern, r.Grouped, r.Pos)
		d.recipe(n+".Recipe", r.Recipe)
	}
	d.set(name+".Vars", t.Vars)
}
