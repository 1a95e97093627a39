package makefile

import (
	"context"
	"fmt"
	"io"
	"strings"
	"unsafe"
)

// frame is one variable set in a lookup chain (make's variable_set_list).
type frame struct {
	set          *VarSet
	next         *frame
	nextIsParent bool
}

// evaluator holds the state of reading and expanding: make's globals
// reading_file, expanding_var, the current variable set list.
type evaluator struct {
	db      *Database
	cfg     *Config
	ctx     context.Context
	globals *VarSet
	global  *frame
	scope   *frame // current variable set list
	// userSuffixes is whether a makefile has a .SUFFIXES rule: a -r the
	// makefiles set then keeps the suffix list.
	userSuffixes bool

	// recipeOwn is the target's own variable set while its recipe is
	// expanded (make's current_variable_set_list then, where $(shell)
	// sets .SHELLSTATUS), recipeTarget its name; nil otherwise.
	recipeOwn    *frame
	recipeTarget string

	reading   Pos  // make's reading_file; zero means none
	expanding *Pos // make's *expanding_var; nil means &reading

	prog   string
	stdout io.Writer
	stderr io.Writer
	// debug is what -d and --debug ask to print while reading, on
	// debugOut.
	debug    DebugLevel
	debugOut io.Writer

	posix         bool
	recipePrefix  byte
	secondExp     bool
	exportAll     bool
	depth         int // nesting of variables, $(call)s, $(eval)s and includes
	maxArgs       int
	readingOffset int // make's floc offset: the recipe line being expanded

	// evalGen counts runs of evalLines (makefiles, $(eval)): the only way
	// the global variables, their export state and export-all change
	// once the makefiles are read. envGlobals is the list of exported
	// global variables recipe environments start from, valid while
	// envGen == evalGen (and envSet).
	evalGen    uint64
	envGen     uint64
	envSet     bool
	envGlobals []*Var
	// envShared is the environment of a recipe whose scope adds no
	// variable to the globals, when no exported value can change from
	// one recipe to the next (envConstant): make computes it for every
	// job, and it comes out the same every time. It is valid while
	// envSharedGen is evalGen and the globals' generation.
	envShared    []string
	envSharedGen [2]uint64

	// autoBuf is the frame of automatic variables recipes reuse
	// (takeAuto).
	autoBuf *autoSet

	// rec records the inputs of Load (Config.RecordInputs) while it runs.
	rec *recorder

	// incDirs is the include path, found once per Load as make does
	// at its start (includeDirs).
	incDirs *[]string
}

// maxValue is the limit on the size of a value (Config.MaxValue).
func (ev *evaluator) maxValue() int {
	if ev.cfg.MaxValue > 0 {
		return ev.cfg.MaxValue
	}
	return DefaultMaxValue
}

// tooLarge is the error for a value past maxValue; what names it.
func (ev *evaluator) tooLarge(what string) error {
	return ev.fatalExp(what + " is larger than " + sizeText(ev.maxValue()) + " (the limit on a value's size)")
}

// sizeText prints n bytes for a message: "256 MiB", "100 bytes".
func sizeText(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return itoa(n>>20) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return itoa(n>>10) + " KiB"
	}
	return itoa(n) + " bytes"
}

// enter counts one more level of nesting (a recursive variable, function
// call, $(eval) or included makefile) and reports false past
// Config.MaxDepth, where the caller returns tooDeep; leave undoes it.
func (ev *evaluator) enter() bool {
	if ev.depth >= ev.maxDepth() {
		return false
	}
	ev.depth++
	return true
}

func (ev *evaluator) maxDepth() int {
	if ev.cfg.MaxDepth > 0 {
		return ev.cfg.MaxDepth
	}
	return DefaultMaxDepth
}

// tooDeep is the error past Config.MaxDepth; what names the level.
func (ev *evaluator) tooDeep(what string) error {
	return ev.fatalExp(what + " nested too deeply (more than " + itoa(ev.maxDepth()) + " levels)")
}

func (ev *evaluator) leave() { ev.depth-- }

// fatalf returns a fatal error at the expanding position.
func (ev *evaluator) fatalExp(msg string) error {
	if ev.expanding != nil {
		return &Error{Pos: *ev.expanding, Msg: msg}
	}
	return &Error{Pos: ev.reading, Msg: msg}
}

// pushScope makes set the innermost variable set (a $(foreach)'s or a
// $(call)'s) until the function it returns is called. Pushed over the
// global scope it joins it, as make's push_new_variable_scope swaps it
// into the global set list: a target-specific definition read meanwhile
// ($(foreach x,…,$(eval t: v := $(x)))) sees it.
func (ev *evaluator) pushScope(set *VarSet) (pop func()) {
	saved, savedGlobal := ev.scope, ev.global
	f := &frame{set: set, next: saved}
	if saved == ev.global {
		ev.global = f
	}
	ev.scope = f
	return func() { ev.scope, ev.global = saved, savedGlobal }
}

// lookup finds a variable in the current scope chain.
func (ev *evaluator) lookup(name string) *Var {
	isParent := false
	for f := ev.scope; f != nil; f = f.next {
		if v := f.set.m[name]; v != nil && (!isParent || !v.Private) {
			return v
		}
		isParent = isParent || f.nextIsParent
	}
	return nil
}

// tree returns the parsed value of v.
func (v *Var) parsed() node {
	if v.tree == nil {
		v.tree = parseExpr(v.Value)
	}
	return v.tree
}

// expand appends the expansion of n to buf.
func (ev *evaluator) expand(buf []byte, n node) ([]byte, error) {
	switch n := n.(type) {
	case literal:
		return append(buf, n...), nil
	case concat:
		var err error
		for _, c := range n {
			if buf, err = ev.expand(buf, c); err != nil {
				return buf, err
			}
		}
		return buf, nil
	case varRef:
		return ev.checkSize(ev.refVar(buf, n.name))
	case substRef:
		return ev.checkSize(ev.refSubst(buf, n.name, n.from, n.to))
	case dynRef:
		inner, err := ev.expandString(n.inner)
		if err != nil {
			return buf, err
		}
		switch r := refFromText(inner).(type) {
		case varRef:
			return ev.checkSize(ev.refVar(buf, r.name))
		case substRef:
			return ev.checkSize(ev.refSubst(buf, r.name, r.from, r.to))
		}
		return buf, nil
	case *funcCall:
		return ev.checkSize(ev.call(buf, n))
	case errNode:
		return buf, ev.fatalExp(n.msg)
	}
	panic(fmt.Sprintf("makefile: expand of an unknown node %T", n))
}

// checkSize passes on the result of an expansion step, or an error if it
// made the text too large.
func (ev *evaluator) checkSize(buf []byte, err error) ([]byte, error) {
	if err == nil && len(buf) > ev.maxValue() {
		return buf[:0], ev.tooLarge("the expansion")
	}
	return buf, err
}

// expandString expands n into a new string.
func (ev *evaluator) expandString(n node) (string, error) {
	if l, ok := n.(literal); ok {
		return string(l), nil
	}
	b, err := ev.expand(nil, n)
	return string(b), err
}

// expandText parses and expands s.
func (ev *evaluator) expandText(s string) (string, error) {
	if strings.IndexByte(s, '$') < 0 {
		return s, nil
	}
	return ev.expandString(parseExpr(s))
}

func (ev *evaluator) refVar(buf []byte, name string) ([]byte, error) {
	if name == ".VARIABLES" {
		return ev.dotVariables(buf), nil
	}
	v := ev.lookup(name)
	if v == nil {
		ev.warnUndefined(name)
		return buf, nil
	}
	if v.Value == "" && !v.Append {
		return buf, nil
	}
	return ev.valueOf(buf, v)
}

// warnUndefined is --warn-undefined-variables at a reference to name,
// which is not defined: given to make, or set by the makefiles in
// MAKEFLAGS (db.Flags, decoded once they are read).
func (ev *evaluator) warnUndefined(name string) {
	if ev.cfg.Flags.WarnUndefined || ev.db.Flags.WarnUndefined {
		ev.warnAt(ev.reading, "warning: undefined variable '"+name+"'")
	}
}

// valueOf appends the value of v (expanded if recursive).
func (ev *evaluator) valueOf(buf []byte, v *Var) ([]byte, error) {
	if v.Flavor != Recursive && !v.Append {
		return append(buf, v.Value...), nil
	}
	return ev.recursivelyExpand(buf, v)
}

func (ev *evaluator) recursivelyExpand(buf []byte, v *Var) ([]byte, error) {
	saved := ev.expanding
	if v.Pos.File != "" {
		p := v.Pos
		ev.expanding = &p
	}
	savedReading := ev.reading
	if ev.reading.File == "" && ev.reading.Line == 0 {
		ev.reading = v.Pos
	}
	defer func() {
		ev.expanding = saved
		ev.reading = savedReading
	}()
	if v.expanding {
		return buf, ev.fatalExp("Recursive variable '" + v.Name + "' references itself (eventually)")
	}
	if !ev.enter() {
		return buf, ev.tooDeep("expansion of variable '" + v.Name + "'")
	}
	v.expanding = true
	var err error
	if v.Append {
		buf, err = ev.appendValue(buf, v.Name, ev.scope, true)
	} else {
		buf, err = ev.expand(buf, v.parsed())
	}
	v.expanding = false
	ev.leave()
	return buf, err
}

// appendValue is make's variable_append.
func (ev *evaluator) appendValue(buf []byte, name string, f *frame, local bool) ([]byte, error) {
	if f == nil {
		return buf, nil
	}
	nextLocal := local && !f.nextIsParent
	v := f.set.m[name]
	if v == nil || (!local && v.Private) {
		return ev.appendValue(buf, name, f.next, nextLocal)
	}
	start := len(buf)
	var err error
	if v.Append {
		if buf, err = ev.appendValue(buf, name, f.next, nextLocal); err != nil {
			return buf, err
		}
	}
	if len(buf) > start {
		buf = append(buf, ' ')
	}
	if v.Flavor != Recursive {
		return append(buf, v.Value...), nil
	}
	return ev.expand(buf, v.parsed())
}

func (ev *evaluator) refSubst(buf []byte, name, from, to string) ([]byte, error) {
	v := ev.lookup(name)
	if v == nil {
		ev.warnUndefined(name)
	}
	if v == nil || v.Value == "" {
		return buf, nil
	}
	val, err := ev.valueOf(nil, v)
	if err != nil {
		return buf, err
	}
	pat, rep := from, to
	if strings.IndexByte(pat, '%') < 0 {
		pat, rep = "%"+pat, "%"+rep
	} else if strings.IndexByte(rep, '%') < 0 {
		// pattern has %, replacement none: used literally
	}
	return patsubstWords(buf, ev.maxValue(), string(val), pat, rep), nil
}

// expandVar expands variable v in scope sc (nil: current).
func (ev *evaluator) expandVar(ctx context.Context, v *Var, sc *Scope) (string, error) {
	b, err := ev.valueOf(nil, v)
	return string(b), err
}

// dotVariables is the value of .VARIABLES.
func (ev *evaluator) dotVariables(buf []byte) []byte {
	first := true
	for _, n := range ev.globals.order {
		if _, ok := ev.globals.m[n]; !ok {
			continue
		}
		if !first {
			buf = append(buf, ' ')
		}
		first = false
		buf = append(buf, n...)
	}
	return buf
}

// defineVar is make's do_variable_definition. flavor is one of the
// assignment operators: "=", ":=", "::=", "+=", "?=", "!=". targetSet is
// non-nil for target- and pattern-specific definitions.
func (ev *evaluator) defineVar(pos Pos, name, value string, origin Origin, op string, targetSet *VarSet) (*Var, error) {
	flavor := Recursive
	val := value
	var tree node
	var abuf []byte
	appendv := false
	switch op {
	case ":=", "::=":
		s, err := ev.expandText(value)
		if err != nil {
			return nil, err
		}
		val = s
		flavor = Simple
	case "!=":
		s, err := ev.expandText(value)
		if err != nil {
			return nil, err
		}
		out, err := ev.shell(s)
		if err != nil {
			return nil, err
		}
		val = out
	case "?=":
		if v := ev.lookup(name); v != nil {
			return v, nil
		}
	case "+=":
		var old *Var
		if targetSet != nil {
			appendv = true
			old = targetSet.m[name]
			if old != nil && !old.Append {
				appendv = false
			}
		} else {
			old = ev.lookup(name)
		}
		if old != nil {
			if old.Flavor == Recursive {
				if value == "" {
					return old, nil // nothing to append: make leaves it alone
				} else if old.Value == "" {
					val = value
				} else {
					val, abuf = appendWord(old, value)
				}
			} else {
				s, err := ev.expandText(value)
				if err != nil {
					return nil, err
				}
				flavor = Simple
				if s == "" {
					return old, nil
				} else if old.Value == "" {
					val = s
				} else {
					val, abuf = appendWord(old, s)
				}
			}
		}
	}
	if len(val) > ev.maxValue() {
		return nil, &Error{Pos: pos, Msg: "the value of '" + name + "' is larger than " + sizeText(ev.maxValue()) + " (the limit on a value's size)"}
	}
	set := ev.globals
	if targetSet != nil {
		set = targetSet
	}
	v := set.m[name]
	if v != nil {
		if ev.cfg.Flags.EnvOverrides && v.Origin == OriginEnvironment {
			v.Origin = OriginEnvOverride
		}
		if origin < v.Origin {
			return v, nil
		}
	}
	nv := &Var{Name: name, Flavor: flavor, Origin: origin, Value: val, Pos: pos, tree: tree, Append: appendv, abuf: abuf}
	if v != nil {
		nv.Export = v.Export
		nv.Private = v.Private
	}
	if flavor == Simple {
		nv.tree = nil
	}
	set.set(nv)
	if targetSet == nil {
		ev.specialVar(nv)
	}
	return nv, nil
}

// specialVar reacts to assignments of variables make watches.
func (ev *evaluator) specialVar(v *Var) {
	switch v.Name {
	case ".RECIPEPREFIX":
		s, _ := ev.expandVar(ev.ctx, v, nil)
		if s == "" {
			ev.recipePrefix = '\t'
		} else {
			ev.recipePrefix = s[0]
		}
	}
}

// appendWord returns old's value, a space and add. Long += chains would
// copy the whole value each time (make does); instead the value lives in a
// growing buffer that the newest definition owns: bytes already handed out
// in a string are never written again, so older values stay intact.
func appendWord(old *Var, add string) (string, []byte) {
	n := len(old.Value) + 1 + len(add)
	b := old.abuf
	if b != nil && len(b) == len(old.Value) && cap(b) >= n && unsafe.StringData(old.Value) == &b[0] {
		old.abuf = nil // the new definition owns the buffer now
	} else {
		b = make([]byte, 0, 2*n)
		b = append(b, old.Value...)
	}
	b = append(b, ' ')
	b = append(b, add...)
	return unsafe.String(&b[0], len(b)), b
}
