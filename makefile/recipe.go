package makefile

import (
	"bytes"
	"context"
	"slices"
	"sort"
	"strings"
)

func (db *Database) scopeFor(name string, parent *Scope) *Scope {
	sc := &Scope{db: db, parent: parent}
	var next *frame
	if parent != nil {
		next = parent.chain
	} else {
		next = db.ev.global
	}
	top := &frame{next: next, nextIsParent: true}
	if t := db.Targets[name]; t != nil && t.Vars != nil {
		top.set = t.Vars
	} else {
		top.set = newVarSet()
	}
	// pattern-specific variables
	var pat *VarSet
	ev := db.ev
	for _, pv := range db.sortedPatternVars() {
		p, pc := findPercent(pv.Pattern)
		// make's lookup_pattern_var wants a pattern no longer than the
		// name: the stem is never empty
		if len(p) > len(name) {
			continue
		}
		if _, ok := matchPattern(p, pc, name); !ok {
			continue
		}
		if pat == nil {
			pat = newVarSet()
		}
		v := pv.Var
		if v.Flavor == Simple && v.op != "+=" && v.op != "?=" {
			nv := *v
			nv.tree = nil
			pat.set(&nv)
			continue
		}
		saved := ev.scope
		ev.scope = &frame{set: pat, next: next, nextIsParent: true}
		nv, err := ev.defineVar(v.Pos, v.Name, v.Value, v.Origin, v.op, pat)
		ev.scope = saved
		if err == nil && nv != nil && pat.m[v.Name] == nv {
			nv.Export = v.Export
			nv.Private = v.Private
		}
	}
	if pat != nil {
		pf := &frame{set: pat, next: top.next, nextIsParent: top.nextIsParent}
		top.next = pf
		top.nextIsParent = false
	}
	sc.chain = top
	return sc
}

// autoFrame builds the variable set of automatic variables.
// It is made for every recipe: its variables come in one allocation.
func autoFrame(auto *AutoVars, next *frame) *frame {
	if auto == nil {
		return &frame{set: newVarSet(), next: next}
	}
	a := new(autoSet)
	a.set = VarSet{m: make(map[string]*Var, len(a.vars)), order: make([]string, 0, len(a.vars))}
	a.fill(auto, next)
	return &a.frame
}

// autoSet is the frame of a recipe's automatic variables, all of it in one
// allocation that a run of many recipes reuses (evaluator.takeAuto).
type autoSet struct {
	frame frame
	set   VarSet
	vars  [8]Var
	busy  bool // in use: a nested expansion gets another
}

// fill defines the automatic variables of auto in a, over next, forgetting
// whatever a held.
func (a *autoSet) fill(auto *AutoVars, next *frame) {
	clear(a.set.m)
	a.set.order = a.set.order[:0]
	a.set.gen++
	i := 0
	def := func(n, v string) {
		a.vars[i] = Var{Name: n, Flavor: Simple, Origin: OriginAutomatic, Value: v}
		a.set.set(&a.vars[i])
		i++
	}
	def("@", auto.Target)
	def("%", auto.Member)
	def("<", auto.First)
	def("^", strings.Join(dedup(auto.All), " "))
	def("+", strings.Join(auto.AllDup, " "))
	def("?", strings.Join(auto.Newer, " "))
	def("*", auto.Stem)
	def("|", strings.Join(auto.OrderOnly, " "))
	a.frame = frame{set: &a.set, next: next}
}

// takeAuto is autoFrame for an expansion that keeps no reference to the
// frame or its variables once it is over: the evaluator's one autoSet
// when it is free (each recipe after the first; 1.8 KB per recipe
// otherwise). The expansion hands it back with giveBack(a) (a nil a
// included: a frame of its own).
func (ev *evaluator) takeAuto(auto *AutoVars, next *frame) (*frame, *autoSet) {
	if auto == nil || ev.autoBuf != nil && ev.autoBuf.busy {
		return autoFrame(auto, next), nil
	}
	if ev.autoBuf == nil {
		ev.autoBuf = new(autoSet)
		ev.autoBuf.set = VarSet{m: make(map[string]*Var, len(ev.autoBuf.vars)), order: make([]string, 0, len(ev.autoBuf.vars))}
	}
	a := ev.autoBuf
	a.busy = true
	a.fill(auto, next)
	return &a.frame, a
}

// giveBack returns a, from takeAuto, to ev: its variables are dropped so
// that they keep nothing alive.
func (ev *evaluator) giveBack(a *autoSet) {
	if a == nil {
		return
	}
	for i := range a.vars {
		a.vars[i] = Var{}
	}
	clear(a.set.m)
	a.frame = frame{}
	a.busy = false
}

func dedup(ws []string) []string {
	if len(ws) < 2 {
		return ws
	}
	seen := make(map[string]bool, len(ws))
	out := ws[:0:0]
	for _, w := range ws {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

func (db *Database) chainFor(sc *Scope) *frame {
	if sc == nil || sc.chain == nil {
		return db.ev.global
	}
	return sc.chain
}

// withScope runs f with the evaluator's scope set to chain and the reading
// position set to pos.
func (db *Database) withScope(ctx context.Context, chain *frame, pos Pos, f func() error) error {
	ev := db.ev
	savedScope, savedReading, savedCtx, savedExp, savedOff := ev.scope, ev.reading, ev.ctx, ev.expanding, ev.readingOffset
	ev.scope, ev.reading, ev.ctx, ev.expanding, ev.readingOffset = chain, pos, ctx, nil, 0
	defer func() {
		ev.scope, ev.reading, ev.ctx, ev.expanding, ev.readingOffset = savedScope, savedReading, savedCtx, savedExp, savedOff
	}()
	return f()
}

func (db *Database) expandRecipe(ctx context.Context, sc *Scope, r *Recipe, auto *AutoVars) ([]Command, error) {
	if r == nil {
		return nil, nil
	}
	chain, a := db.ev.takeAuto(auto, db.chainFor(sc))
	defer db.ev.giveBack(a)
	prefix := r.prefix
	if prefix == 0 {
		prefix = '\t'
	}
	var out []Command
	err := db.withScope(ctx, chain, r.Pos, func() error {
		ev := db.ev
		if sc != nil && sc.chain != nil && auto != nil {
			savedOwn, savedTarget := ev.recipeOwn, ev.recipeTarget
			ev.recipeOwn, ev.recipeTarget = sc.chain, auto.Target
			defer func() { ev.recipeOwn, ev.recipeTarget = savedOwn, savedTarget }()
		}
		for i, l := range r.Lines {
			flags := lineFlags(l.Text)
			pos := Pos{File: r.Pos.File, Line: r.Pos.Line + i}
			if r.Pos.File == "" {
				pos = Pos{}
			}
			ev.reading = pos
			ev.readingOffset = i
			if l.tree == nil {
				r.Lines[i].tree = db.parsedShort(collapseRefContinuations(l.Text))
				l.tree = r.Lines[i].tree
			}
			s, err := ev.expandString(l.tree)
			if err != nil {
				return err
			}
			for _, seg := range splitCommands(s) {
				c := flags
				c.Pos = pos
				seg = stripPrefixAfterBSNL(seg, prefix)
				t, sil, ign, rec := stripFlags(seg)
				c.Silent = c.Silent || sil
				c.IgnoreError = c.IgnoreError || ign
				c.Recursive = c.Recursive || rec
				c.Text = t
				c.Raw = seg
				out = append(out, c)
			}
		}
		return nil
	})
	return out, err
}

// lineFlags is make's chop_commands flag scan of an unexpanded line.
func lineFlags(s string) Command {
	var c Command
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '@':
			c.Silent = true
			continue
		case '-':
			c.IgnoreError = true
			continue
		case '+':
			c.Recursive = true
			continue
		case ' ', '\t', '\n':
			continue
		}
		break
	}
	if strings.Contains(s, "$(MAKE)") || strings.Contains(s, "${MAKE}") {
		c.Recursive = true
	}
	return c
}

// stripFlags removes leading whitespace and @ - + from a command.
func stripFlags(s string) (text string, silent, ignore, recurse bool) {
	i := 0
	for ; i < len(s); i++ {
		switch s[i] {
		case '@':
			silent = true
			continue
		case '-':
			ignore = true
			continue
		case '+':
			recurse = true
			continue
		case ' ', '\t', '\n', '\v', '\f', '\r':
			continue
		}
		break
	}
	return s[i:], silent, ignore, recurse
}

// splitCommands splits an expanded recipe line at newlines not escaped by
// a backslash; empty commands are dropped.
func splitCommands(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '\n' {
			continue
		}
		bs := 0
		for k := i - 1; k >= start && s[k] == '\\'; k-- {
			bs++
		}
		if bs%2 == 1 {
			continue
		}
		out = append(out, s[start:i])
		start = i + 1
	}
	out = append(out, s[start:])
	res := out[:0]
	for _, c := range out {
		// A line that is no command is dropped, unless a + marks it:
		// make then looks at the target's file after the recipe even
		// under -n (the executor runs nothing for it).
		if t, _, _, rec := stripFlags(c); t != "" || rec {
			res = append(res, c)
		}
	}
	return res
}

// stripPrefixAfterBSNL removes the recipe prefix that starts a line after
// a backslash-newline, as make does before running a command.
func stripPrefixAfterBSNL(s string, prefix byte) string {
	if !strings.Contains(s, "\\\n") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] == '\\' && i+1 < len(s) && s[i+1] == '\n' {
			b.WriteByte('\n')
			i++
			if i+1 < len(s) && s[i+1] == prefix {
				i++
			}
		}
	}
	return b.String()
}

// collapseRefContinuations collapses backslash-newlines inside variable
// and function references of a recipe line, as make's new_job does.
func collapseRefContinuations(s string) string {
	if !strings.Contains(s, "\\\n") || !strings.Contains(s, "$") {
		return s
	}
	var out []byte
	in := 0
	for {
		ref := strings.IndexByte(s[in:], '$')
		if ref < 0 {
			break
		}
		ref += in + 1
		out = append(out, s[in:ref]...)
		in = ref
		if in >= len(s) || (s[in] != '(' && s[in] != '{') {
			continue
		}
		open := s[in]
		closec := byte(')')
		if open == '{' {
			closec = '}'
		}
		out = append(out, s[in])
		in++
		outref := len(out)
		count := 0
		for in < len(s) {
			if s[in] == closec {
				count--
				if count < 0 {
					break
				}
				out = append(out, s[in])
				in++
				continue
			}
			if s[in] == '\\' && in+1 < len(s) && s[in+1] == '\n' {
				quoted := false
				for p := in - 1; p > ref && s[p] == '\\'; p-- {
					quoted = !quoted
				}
				if quoted {
					out = append(out, s[in])
					in++
					continue
				}
				in += 2
				for in < len(s) && isWS(s[in]) {
					in++
				}
				for len(out) > outref && isBlank(out[len(out)-1]) {
					out = out[:len(out)-1]
				}
				out = append(out, ' ')
				continue
			}
			if s[in] == open {
				count++
			}
			out = append(out, s[in])
			in++
		}
	}
	out = append(out, s[in:]...)
	return string(out)
}

func (db *Database) secondExpand(ctx context.Context, sc *Scope, text string, auto *AutoVars) ([]string, []string, error) {
	chain := autoFrame(auto, db.chainFor(sc))
	var n, o []string
	err := db.withScope(ctx, chain, Pos{}, func() error {
		s, err := db.ev.expandText(text)
		if err != nil {
			return err
		}
		n, o = db.ev.splitPrereqs(s)
		return nil
	})
	return n, o, err
}

func (db *Database) expandText(ctx context.Context, sc *Scope, text string) (string, error) {
	var out string
	err := db.withScope(ctx, db.chainFor(sc), Pos{}, func() error {
		s, err := db.ev.expandText(text)
		out = s
		return err
	})
	return out, err
}

// environment is make's target_environment. A scope that adds no
// variable to the globals gets the environment the previous such scope
// got while no exported value can differ between them (envConstant): then
// none references the automatic variables either.
func (db *Database) environment(ctx context.Context, sc *Scope, auto *AutoVars) ([]string, error) {
	ev := db.ev
	chain := db.chainFor(sc)
	shared := true
	for f := chain; f != nil && shared; f = f.next {
		shared = f.set == ev.globals || f.set.Len() == 0
	}
	gen := [2]uint64{ev.evalGen, ev.globals.gen}
	if shared && ev.envShared != nil && ev.envSharedGen == gen {
		return slices.Clip(ev.envShared), nil
	}
	if auto != nil {
		chain = autoFrame(auto, chain)
	}
	env, err := db.computeEnvironment(ctx, chain)
	if err == nil && shared && ev.envConstant() {
		ev.envShared, ev.envSharedGen = env, gen
	}
	return env, err
}

// envConstant reports whether the exported globals (MAKEFLAGS included)
// have values that expand to the same text whenever they are expanded:
// taken from the environment, simply expanded, or recursive without a
// reference ($(shell), $(wildcard) or another variable could give
// something else at the next recipe).
func (ev *evaluator) envConstant() bool {
	constant := func(v *Var) bool {
		return v.Origin == OriginEnvironment || v.Origin == OriginEnvOverride ||
			!v.Append && (v.Flavor != Recursive || strings.IndexByte(v.Value, '$') < 0)
	}
	for _, v := range ev.exportedGlobals() {
		if !constant(v) {
			return false
		}
	}
	v := ev.globals.m["MAKEFLAGS"]
	return v == nil || strings.IndexByte(v.Value, '$') < 0
}

// computeEnvironment is environment for the frames of chain.
func (db *Database) computeEnvironment(ctx context.Context, chain *frame) ([]string, error) {
	ev := db.ev
	seen := map[string]bool{}
	env := map[string]string{}
	var err error
	_ = db.withScope(ctx, chain, Pos{}, func() error {
		for f := chain; f != nil; f = f.next {
			if f.set == ev.globals {
				// The global frame is the same for every recipe: its
				// exported variables are listed once (a tree of many
				// components has many variables, few exported), and
				// only their values are computed here.
				for _, v := range ev.exportedGlobals() {
					if seen[v.Name] {
						continue
					}
					seen[v.Name] = true
					if v.Origin == OriginEnvironment || v.Origin == OriginEnvOverride {
						env[v.Name] = v.Value
						continue
					}
					val, e := ev.valueOf(nil, v)
					if e != nil {
						err = e
						return e
					}
					env[v.Name] = string(val)
				}
				continue
			}
			for _, name := range f.set.order {
				v := f.set.m[name]
				if v == nil || seen[name] {
					// (make's target_environment does not look at
					// "private": a parent's private variable is exported)
					continue
				}
				if f.set != ev.globals && v.Export == ExportDefault {
					// a target- or pattern-specific variable takes the
					// export state of the global one, as in make
					if gv := ev.globals.m[name]; gv != nil {
						v.Export = gv.Export
					}
				}
				if !ev.exported(v) {
					// make filters before it records the name: an outer
					// exported definition of the same name still goes in
					continue
				}
				seen[name] = true
				if v.Origin == OriginEnvironment || v.Origin == OriginEnvOverride {
					// it goes back into the environment unchanged
					env[name] = v.Value
					continue
				}
				val, e := ev.valueOf(nil, v)
				if e != nil {
					err = e
					return e
				}
				env[name] = string(val)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// MAKEFLAGS and MAKELEVEL
	if v := ev.globals.m["MAKEFLAGS"]; v != nil {
		s, e := ev.expandText(v.Value)
		if e == nil {
			s = strings.TrimLeft(s, " ")
			if strings.HasPrefix(s, "--") {
				// No letters: make's value starts with a blank.
				s = " " + s
			}
			if s != "" {
				env["MAKEFLAGS"] = s
			} else {
				delete(env, "MAKEFLAGS")
			}
		}
	}
	if v := ev.globals.m["MAKELEVEL"]; v != nil {
		env["MAKELEVEL"] = itoa(atoi(v.Value) + 1)
	}
	if v := ev.globals.m["SHELL"]; v != nil && v.envValue != "" && !seen["SHELL"] {
		// Recipes get the environment's SHELL unless the makefile
		// exports its own (globally or for the target).
		env["SHELL"] = v.envValue
	}
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out, nil
}

// exportedGlobals returns the global variables that go into the
// environment of recipes, in definition order, listed again only after
// the makefiles (or an $(eval)) ran.
func (ev *evaluator) exportedGlobals() []*Var {
	if ev.envSet && ev.envGen == ev.evalGen {
		return ev.envGlobals
	}
	ev.envGlobals = ev.envGlobals[:0]
	for _, name := range ev.globals.order {
		if v := ev.globals.m[name]; v != nil && ev.exported(v) {
			ev.envGlobals = append(ev.envGlobals, v)
		}
	}
	ev.envSet, ev.envGen = true, ev.evalGen
	return ev.envGlobals
}

// exported reports whether v goes into the environment of recipes.
func (ev *evaluator) exported(v *Var) bool {
	if !validEnvName(v.Name) {
		return false
	}
	switch v.Export {
	case Exported:
		return true
	case Unexported:
		return false
	}
	if v.Origin == OriginDefault || v.Origin == OriginAutomatic {
		return false
	}
	if ev.exportAll {
		return true
	}
	return v.Origin == OriginCommandLine || v.Origin == OriginEnvironment || v.Origin == OriginEnvOverride
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// runShell runs a $(shell) or != command.
func (ev *evaluator) runShell(cmd string) ([]byte, int, error) {
	if ev.cfg.Shell == nil {
		return nil, 127, nil
	}
	shell := "/bin/sh"
	if v := ev.lookup("SHELL"); v != nil {
		s, err := ev.valueOf(nil, v)
		if err != nil {
			return nil, 0, err
		}
		shell = string(s)
	}
	flags := "-c"
	if v := ev.lookup(".SHELLFLAGS"); v != nil {
		s, err := ev.valueOf(nil, v)
		if err != nil {
			return nil, 0, err
		}
		flags = string(s)
	}
	env := ev.cfg.Env
	if ev.cfg.Env == nil {
		env = []string{}
	}
	stderr := ev.stderr
	var errBuf *bytes.Buffer
	if ev.rec != nil {
		errBuf = new(bytes.Buffer)
		stderr = &recWriter{w: ev.cfg.Stderr, rec: ev.rec, stderr: true, log: true, extra: errBuf}
	}
	out, status, err := ev.cfg.Shell.Shell(ev.ctx, ShellCall{
		Command:    cmd,
		Shell:      shell,
		ShellFlags: flags,
		Dir:        ev.db.curdir,
		Env:        env,
		Stderr:     stderr,
		Program:    ev.prog,
		MaxOutput:  ev.maxValue(),
	})
	if err != nil {
		out, status = nil, 127
	}
	if len(out) > ev.maxValue() {
		return nil, 0, ev.tooLarge("the output of $(shell " + abbrev(cmd) + ")")
	}
	if ev.rec != nil {
		ev.rec.add(Input{Kind: InputShell, Name: cmd, Shell: shell, ShellFlags: flags, Dir: ev.db.curdir,
			Stdout: nilIfEmpty(bytes.Clone(out)), Stderr: nilIfEmpty(errBuf.Bytes()), Status: status})
	}
	return out, status, nil
}

// sortedPatternVars returns the pattern-specific variables in make's
// order: shorter patterns first, definition order among equal lengths, so
// that longer (more specific) patterns are applied last and win.
func (db *Database) sortedPatternVars() []PatternVar {
	if len(db.sortedPV) != len(db.PatternVars) {
		pv := append([]PatternVar(nil), db.PatternVars...)
		sort.SliceStable(pv, func(i, j int) bool { return len(pv[i].Pattern) < len(pv[j].Pattern) })
		db.sortedPV = pv
	}
	return db.sortedPV
}

// abbrev shortens s for a message.
func abbrev(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
