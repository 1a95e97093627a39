package makefile

import (
	"bytes"
	"strings"

	"github.com/dmake-dev/dmake/internal/ar"
)

type ruleWordKind int

const (
	wEOL ruleWordKind = iota
	wStatic
	wVariable
	wColon
	wDColon
	wSemicolon
	wVarassign
	wAmpcolon
)

// nextRuleWord is make's get_next_mword: the next word of a rule line,
// where variable references count as part of a word and : ; = operators
// are words of their own. It returns the word's bounds.
func nextRuleWord(s string, i int) (ruleWordKind, int, int) {
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	beg := i
	if i >= len(s) {
		return wEOL, beg, i
	}
	c := s[i]
	i++
	at := func(k int) byte {
		if k < len(s) {
			return s[k]
		}
		return 0
	}
	switch c {
	case ';':
		return wSemicolon, beg, i
	case '=':
		return wVarassign, beg, i
	case ':':
		if at(i) == '=' {
			return wVarassign, beg, i + 1
		}
		if at(i) == ':' {
			if at(i+1) == '=' {
				return wVarassign, beg, i + 2
			}
			return wDColon, beg, i + 1
		}
		return wColon, beg, i
	case '&':
		if at(i) == ':' {
			i++
			if at(i) != ':' {
				return wAmpcolon, beg, i
			}
		}
	case '+', '?', '!':
		if at(i) == '=' {
			return wVarassign, beg, i + 1
		}
	}
	wt := wStatic
	for {
		if c == 0 && i > len(s) {
			return wt, beg, len(s)
		}
		switch c {
		case ' ', '\t', '=', ':':
			return wt, beg, i - 1
		case '$':
			c = at(i)
			i++
			if c == '$' {
				break
			}
			if i > len(s) {
				return wt, beg, len(s)
			}
			wt = wVariable
			var closec byte
			if c == '(' {
				closec = ')'
			} else if c == '{' {
				closec = '}'
			} else {
				break
			}
			count := 0
			for ; i < len(s); i++ {
				if s[i] == c {
					count++
				} else if s[i] == closec {
					count--
					if count < 0 {
						i++
						break
					}
				}
			}
		case '?', '+':
			if at(i) == '=' {
				return wt, beg, i - 1
			}
		case '\\':
			switch at(i) {
			case ':', ';', '=', '\\':
				i++
			}
		case '&':
			if at(i) == ':' {
				return wt, beg, i - 1
			}
		}
		if i >= len(s) {
			return wt, beg, len(s)
		}
		c = s[i]
		i++
	}
}

// findCharUnquote finds c in s not quoted by backslashes (halving them).
func findCharUnquote(s string, c byte) (string, int) {
	return findMapUnquote(s, string([]byte{c}), false)
}

// ruleLine handles a line that is neither an assignment nor a directive:
// a rule or a target-specific variable.
func (ev *evaluator) ruleLine(st *evalState, line string) error {
	if err := ev.recordWaiting(st); err != nil {
		return err
	}
	b := st.b
	tgtsStarted := b.line
	var cmdleft *string
	semip := ""
	hasSemi := false
	l2, idx := findMapUnquote(line, ";#", true)
	if idx >= 0 && l2[idx] == '#' {
		line = l2[:idx]
	} else if idx >= 0 {
		c := l2[idx+1:]
		cmdleft = &c
		semip = c
		hasSemi = true
		line = l2[:idx]
	} else {
		line = l2
	}
	line = collapseContinuations(line, ev.posix)
	wt, beg, end := nextRuleWord(line, 0)
	switch wt {
	case wEOL:
		if cmdleft != nil {
			return &Error{Pos: ev.reading, Msg: "missing rule before recipe"}
		}
		return nil
	case wColon, wDColon:
		st.noTargets = true
		return nil
	}
	first, err := ev.expandText(line[beg:end])
	if err != nil {
		return err
	}
	exp := first
	last := 0 // start of the last expanded word in exp
	lbNext := end
	colon := -1
	cmdFromExpansion := false
	for {
		if cmdleft == nil {
			if s, i := findCharUnquote(exp[last:], ';'); i >= 0 {
				rest, err := ev.expandText(line[lbNext:])
				if err != nil {
					return err
				}
				c := s[i+1:] + rest
				cmdleft = &c
				cmdFromExpansion = true
				exp = exp[:last] + s[:i]
				lbNext = len(line)
			}
		}
		s, i := findCharUnquote(exp[last:], ':')
		exp = exp[:last] + s
		if i >= 0 {
			colon = last + i
			break
		}
		wt, beg, end = nextRuleWord(line, lbNext)
		if wt == wEOL {
			break
		}
		w, err := ev.expandText(line[beg:end])
		if err != nil {
			return err
		}
		exp += " "
		last = len(exp)
		exp += w
		lbNext = end
	}
	_ = cmdFromExpansion
	if colon < 0 {
		if trimLeft(exp) == "" {
			return nil
		}
		if ev.recipePrefix == '\t' && strings.HasPrefix(line, "        ") {
			return &Error{Pos: ev.reading, Msg: "missing separator (did you mean TAB instead of 8 spaces?)"}
		}
		return &Error{Pos: ev.reading, Msg: "missing separator"}
	}
	tpart := exp[:colon]
	grouped := false
	if t := strings.TrimRight(tpart, " \t"); strings.HasSuffix(t, "&") {
		// "targets &: prerequisites": grouped targets ("&::" comes
		// here as "targets & ")
		grouped = true
		tpart = t[:len(t)-1]
	}
	targets := ev.parseFileSeq(tpart, seqGlob|seqArchives)
	if len(targets) == 0 {
		st.noTargets = true
		return nil
	}
	p := colon + 1
	twoColon := false
	if p < len(exp) && exp[p] == ':' {
		twoColon = true
		p++
	}
	rest := exp[p:] + line[lbNext:]
	if mods, vrest, ok := parseVarAssignment(rest, true); ok {
		if hasSemi {
			vrest += ";" + collapseContinuations(semip, ev.posix)
		}
		origin := OriginFile
		if mods.override {
			origin = OriginOverride
		}
		return ev.recordTargetVar(targets, vrest, origin, mods)
	}
	// a normal rule: unquote \= in the rest and expand it
	remain, _ := findCharUnquote(line[lbNext:], '=')
	re, err := ev.expandText(remain)
	if err != nil {
		return err
	}
	deps := exp[p:] + re
	if cmdleft == nil {
		if s, i := findCharUnquote(deps, ';'); i >= 0 {
			c := s[i+1:]
			cmdleft = &c
			deps = s[:i]
		}
	}
	pattern := ""
	// static pattern rule?
	if i := unquotedColon(deps); i >= 0 {
		pats := ev.parseFileSeq(deps[:i], seqArchives)
		deps = deps[i+1:]
		if len(pats) == 0 {
			return &Error{Pos: ev.reading, Msg: "missing target pattern"}
		}
		if len(pats) > 1 {
			return &Error{Pos: ev.reading, Msg: "multiple target patterns"}
		}
		pattern = pats[0]
		if _, pc := findPercent(pattern); pc < 0 {
			return &Error{Pos: ev.reading, Msg: "target pattern contains no '%'"}
		}
	}
	r := &pendingRule{
		targets:     targets,
		pattern:     pattern,
		depstr:      trimSpace(deps),
		twoColon:    twoColon,
		tgtsStarted: tgtsStarted,
		prefix:      ev.recipePrefix,
		file:        b.file,
		grouped:     grouped,
	}
	if cmdleft != nil {
		r.cmdsStarted = tgtsStarted
		r.cmds = []string{*cmdleft}
		r.haveCmdsLine = true
	}
	st.noTargets = false
	st.rule = r
	if st.setDefault {
		ev.maybeSetDefaultGoal(targets)
	}
	return nil
}

func unquotedColon(s string) int {
	p := strings.IndexByte(s, ':')
	for p > 0 && s[p-1] == '\\' {
		bs := 0
		for q := p - 1; q >= 0 && s[q] == '\\'; q-- {
			bs++
		}
		if bs%2 == 1 {
			n := strings.IndexByte(s[p+1:], ':')
			if n < 0 {
				return -1
			}
			p = p + 1 + n
		} else {
			break
		}
	}
	return p
}

func (ev *evaluator) maybeSetDefaultGoal(targets []string) {
	if v := ev.globals.m[".DEFAULT_GOAL"]; v != nil && v.Value != "" {
		return
	}
	for _, name := range targets {
		if strings.IndexByte(name, '%') >= 0 {
			return
		}
		if strings.HasPrefix(name, ".") && strings.IndexByte(name, '/') < 0 {
			continue
		}
		reject := false
		for _, d := range ev.db.Suffixes {
			if d[0] != '.' && name == d {
				reject = true
				break
			}
			for _, d2 := range ev.db.Suffixes {
				if strings.HasPrefix(name, d2) && name[len(d2):] == d {
					reject = true
					break
				}
			}
			if reject {
				break
			}
		}
		if !reject {
			old := ev.globals.m[".DEFAULT_GOAL"]
			v := &Var{Name: ".DEFAULT_GOAL", Flavor: Simple, Origin: OriginFile, Value: name}
			if old != nil {
				v.Export = old.Export
			}
			ev.globals.set(v)
			return
		}
	}
}

// seqFlags say how parseFileSeq treats the names of a list (make's
// PARSEFS_ flags).
type seqFlags uint8

const (
	// seqGlob expands wildcards (file names, archive members).
	seqGlob seqFlags = 1 << iota
	// seqArchives groups "lib(a b)" into "lib(a) lib(b)" (every list
	// but include's and load's).
	seqArchives
)

// parseFileSeq splits a list of file names as make's parse_file_seq:
// "./" trimmed, archive groups split, wildcards expanded.
func (ev *evaluator) parseFileSeq(s string, flags seqFlags) []string {
	return ev.fileSeq(fileWords(s), flags)
}

// fileWords splits a list of file names at blanks that no backslash
// quotes, as make's parse_file_seq: an odd run of backslashes before a
// blank quotes it ("foo\ bar" is one name, "foo bar"), and the run is
// halved.
func fileWords(s string) []string {
	if strings.IndexByte(s, '\\') < 0 {
		return fields(s)
	}
	var out []string
	var w []byte
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isWS(c) {
			w = append(w, c)
			in = true
			continue
		}
		n := 0
		for n < len(w) && w[len(w)-1-n] == '\\' {
			n++
		}
		if n > 0 {
			w = w[:len(w)-n+n/2]
			if n%2 == 1 {
				w = append(w, c)
				continue
			}
		}
		if in {
			out = append(out, string(w))
		}
		w, in = w[:0], false
	}
	if in {
		out = append(out, string(w))
	}
	return out
}

// fileSeq is parseFileSeq of a list already split into words.
func (ev *evaluator) fileSeq(ws []string, flags seqFlags) []string {
	for i, w := range ws {
		ws[i] = TrimDotSlash(w)
	}
	if flags&seqArchives != 0 {
		ws = archiveGroups(ws)
	}
	if flags&seqGlob == 0 {
		return ws
	}
	var out []string
	for _, w := range ws {
		if lib, mem, ok := ar.ParseName(w); ok && flags&seqArchives != 0 {
			out = ev.globMembers(out, lib, mem)
			continue
		}
		if strings.ContainsAny(w, "*?[") || strings.HasPrefix(w, "~") {
			ms := ev.glob(w)
			if len(ms) > 0 {
				out = append(out, ms...)
				continue
			}
		}
		out = append(out, w)
	}
	return out
}

// archiveGroups splits make's archive groups: "lib(a b c)", three words,
// names "lib(a) lib(b) lib(c)". A word with "(" (not first) that does not
// end with ")" opens a group if a later word ends with ")"; a lone "lib("
// or ")" names nothing.
func archiveGroups(ws []string) []string {
	var out []string
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		open := strings.IndexByte(w, '(')
		if open <= 0 || w[len(w)-1] == ')' {
			out = append(out, w)
			continue
		}
		end := -1
		for j := i + 1; j < len(ws); j++ {
			if strings.HasSuffix(ws[j], ")") {
				end = j
				break
			}
		}
		if end < 0 {
			out = append(out, w)
			continue
		}
		lib := w[:open+1]
		if w[open+1:] != "" {
			out = append(out, w+")")
		}
		for _, m := range ws[i+1 : end] {
			out = append(out, lib+m+")")
		}
		if last := ws[end]; last != ")" {
			out = append(out, lib+last)
		}
		i = end
	}
	return out
}

// globMembers appends the names archive lib's member pattern mem gives
// to out: the archive name globbed as a file name, then, where mem has
// wildcards, the matching members of each archive (read now, as make
// does), sorted; a pattern that matches nothing stays as written.
func (ev *evaluator) globMembers(out []string, lib, mem string) []string {
	libs := []string{lib}
	if strings.ContainsAny(lib, "*?[") || strings.HasPrefix(lib, "~") {
		if ms := ev.glob(lib); len(ms) > 0 {
			libs = ms
		}
	}
	for _, l := range libs {
		if ar.HasMeta(mem) {
			var found []string
			if data, err := ev.readFile(pathAt(ev.curdir(), l), ev.maxValue()); err == nil {
				if ms, err := ar.Read(bytes.NewReader(data)); err == nil {
					found = ar.Glob(ms, mem)
				}
			}
			if len(found) > 0 {
				for _, m := range found {
					out = append(out, l+"("+m+")")
				}
				continue
			}
		}
		out = append(out, l+"("+mem+")")
	}
	return out
}

// TrimDotSlash returns a file name as make enters it: without leading
// "./" ("this directory") references and the slashes after them, unless
// that would leave nothing (GNU make 4.3's parse_file_seq and lookup_file:
// "./foo", ".//foo" and "././foo" all name "foo"). Targets, prerequisites,
// included files and command-line goals are trimmed; $(wildcard) results
// are not.
func TrimDotSlash(name string) string {
	for len(name) > 2 && name[0] == '.' && name[1] == '/' {
		name = strings.TrimLeft(name[2:], "/")
	}
	return name
}

// recordWaiting records the pending rule.
func (ev *evaluator) recordWaiting(st *evalState) error {
	r := st.rule
	if r == nil {
		return nil
	}
	st.rule = nil
	return ev.recordFiles(r)
}

// splitPrereqs splits prerequisite text into normal and order-only lists.
func (ev *evaluator) splitPrereqs(s string) (normal, orderOnly []string) {
	oo := false
	for _, w := range fileWords(s) {
		for w != "" {
			i := strings.IndexByte(w, '|')
			if i < 0 {
				break
			}
			if i > 0 {
				if oo {
					orderOnly = append(orderOnly, w[:i])
				} else {
					normal = append(normal, w[:i])
				}
			}
			oo = true
			w = w[i+1:]
		}
		if w == "" {
			continue
		}
		if oo {
			orderOnly = append(orderOnly, w)
		} else {
			normal = append(normal, w)
		}
	}
	return ev.fileSeq(normal, seqGlob|seqArchives), ev.fileSeq(orderOnly, seqGlob|seqArchives)
}

// recordFiles is make's record_files.
func (ev *evaluator) recordFiles(r *pendingRule) error {
	db := ev.db
	rulePos := Pos{File: r.file, Line: r.tgtsStarted}
	if db.snapped {
		return &Error{Pos: rulePos, Msg: "prerequisites cannot be defined in recipes"}
	}
	var recipe *Recipe
	if len(r.cmds) > 0 {
		recipe = &Recipe{Pos: Pos{File: r.file, Line: r.cmdsStarted}}
		for i, c := range r.cmds {
			recipe.Lines = append(recipe.Lines, RecipeLine{Text: c, Pos: Pos{File: r.file, Line: r.cmdsStarted + i}})
		}
		recipe.prefix = r.prefix
	} else if r.grouped {
		return &Error{Pos: rulePos, Msg: "grouped targets must provide a recipe"}
	}
	depstr := r.depstr
	var normal, orderOnly []string
	second := ""
	hasDeps := depstr != ""
	if hasDeps {
		depstr = unescapeChar(depstr, ':')
		if ev.secondExp && strings.IndexByte(depstr, '$') >= 0 {
			second = depstr
		} else {
			normal, orderOnly = ev.splitPrereqs(depstr)
		}
	}
	name := r.targets[0]
	if _, pc := findPercent(name); pc >= 0 {
		if r.pattern != "" {
			return &Error{Pos: rulePos, Msg: "mixed implicit and static pattern rules"}
		}
		for _, t := range r.targets[1:] {
			if _, pc := findPercent(t); pc < 0 {
				return &Error{Pos: rulePos, Msg: "mixed implicit and normal rules"}
			}
		}
		pr := &PatternRule{Targets: r.targets, Prereqs: normal, OrderOnly: orderOnly, Recipe: recipe, Terminal: r.twoColon, SecondExpansion: second, Pos: rulePos}
		db.addPatternRule(pr, true)
		return nil
	}
	for i, name := range r.targets {
		switch {
		case !ev.posix && name == ".POSIX":
			ev.posix = true
			db.Posix = true
			for _, kv := range [][2]string{{".SHELLFLAGS", "-ec"}, {"ARFLAGS", "-rvU"}, {"CC", "c99"}, {"CFLAGS", "-O1"}, {"FC", "fort77"}, {"FFLAGS", "-O1"}, {"SCCSGETFLAGS", "-s"}} {
				// make's define_variable_cname(…, 0): simple.
				ev.defineVar(Pos{}, kv[0], kv[1], OriginDefault, ":=", nil)
			}
		case !ev.secondExp && name == ".SECONDEXPANSION":
			ev.secondExp = true
			db.SecondExpansion = true
		case name == ".ONESHELL":
			db.OneShell = true
		}
		var stem string
		matched := true
		if r.pattern != "" {
			pat, pc := findPercent(r.pattern)
			s, ok := matchPattern(pat, pc, name)
			if !ok {
				ev.warnAt(rulePos, "target '"+name+"' doesn't match the target pattern")
				matched = false
			}
			stem = s
		}
		var thisN, thisO []string
		thisSecond := ""
		if matched && hasDeps {
			thisN, thisO, thisSecond = normal, orderOnly, second
			if r.pattern != "" && second == "" {
				thisN = substStem(thisN, stem)
				thisO = substStem(thisO, stem)
			}
		}
		t := db.Targets[name]
		if !r.twoColon {
			if t == nil {
				t = db.newTarget(name, rulePos)
			}
			if t.DoubleColon {
				return &Error{Pos: rulePos, Msg: "target file '" + name + "' has both : and :: entries"}
			}
			if len(t.Rules) == 0 {
				t.Rules = []*Rule{{Pos: rulePos}}
			}
			ru := t.Rules[0]
			if recipe != nil && ru.Recipe == recipe {
				ev.warnAt(rulePos, "target '"+name+"' given more than once in the same rule")
			} else if recipe != nil && ru.Recipe != nil && t.isTarget {
				ev.warnAt(recipe.Pos, "warning: overriding recipe for target '"+name+"'")
				ev.warnAt(ru.Recipe.Pos, "warning: ignoring old recipe for target '"+name+"'")
			}
			if name == ".DEFAULT" && !hasDeps && recipe == nil {
				ru.Recipe = nil
			}
			if recipe != nil {
				ru.Recipe = recipe
			}
			if name == ".SUFFIXES" && !hasDeps {
				ru.Prereqs = nil
				ru.OrderOnly = nil
				ru.OrderOnlyAt = nil
				db.Suffixes = nil
			}
			ru.OrderOnlyAt = mergeOrderOnlyAt(ru, len(thisN), len(thisO), recipe != nil)
			if recipe != nil {
				ru.Prereqs = append(append([]string(nil), thisN...), ru.Prereqs...)
				ru.OrderOnly = append(append([]string(nil), thisO...), ru.OrderOnly...)
				if thisSecond != "" {
					ru.SecondExpansionStems = mergeStems(ru, stem, r.pattern != "", true)
					ru.SecondExpansionTexts = append([]string{thisSecond}, ru.SecondExpansionTexts...)
				}
			} else {
				ru.Prereqs = append(ru.Prereqs, thisN...)
				ru.OrderOnly = append(ru.OrderOnly, thisO...)
				if thisSecond != "" {
					ru.SecondExpansionStems = mergeStems(ru, stem, r.pattern != "", false)
					ru.SecondExpansionTexts = append(ru.SecondExpansionTexts, thisSecond)
				}
			}
			if len(ru.SecondExpansionTexts) > 0 {
				ru.SecondExpansion = ru.SecondExpansionTexts[0]
			}
			if r.pattern != "" {
				ru.Stem = stem
				ru.StaticPattern = r.pattern
			}
			if r.grouped {
				ru.Grouped = r.targets
			}
			if name == ".SUFFIXES" {
				ev.userSuffixes = true
				db.Suffixes = append(db.Suffixes, thisN...)
				ru.Prereqs = append([]string(nil), db.Suffixes...)
			}
		} else {
			if t != nil && t.isTarget && !t.DoubleColon {
				return &Error{Pos: rulePos, Msg: "target file '" + name + "' has both : and :: entries"}
			}
			if t == nil {
				t = db.newTarget(name, rulePos)
			}
			t.DoubleColon = true
			ru := &Rule{Prereqs: thisN, OrderOnly: thisO, Recipe: recipe, Pos: rulePos}
			if thisSecond != "" {
				ru.SecondExpansion = thisSecond
				ru.SecondExpansionTexts = []string{thisSecond}
			}
			if r.grouped {
				// "a b &:: ; …": one run of this rule's recipe makes
				// each of its targets' rule.
				ru.Grouped = r.targets
			}
			if r.pattern != "" {
				ru.Stem = stem
				ru.StaticPattern = r.pattern
			}
			t.Rules = append(t.Rules, ru)
		}
		if !t.isTarget {
			t.isTarget = true
			t.Pos = rulePos
			db.TargetOrder = append(db.TargetOrder, name)
		}
		if i > 0 {
			if _, pc := findPercent(name); pc >= 0 {
				ev.warnAt(rulePos, "*** mixed implicit and normal rules: deprecated syntax")
			}
		}
	}
	return nil
}

// substStem replaces the first % of each name with stem; a name that
// leaves nothing ("%" with an empty stem) is dropped, as make parses the
// result as a list of names again.
func substStem(names []string, stem string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		p, pc := findPercent(n)
		if pc >= 0 {
			n = p[:pc] + stem + p[pc+1:]
		}
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// unescapeChar removes backslashes quoting c, as make's unescape_char.
func unescapeChar(s string, c byte) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b []byte
	i := 0
	for {
		j := strings.IndexByte(s[i:], c)
		if j < 0 {
			b = append(b, s[i:]...)
			return string(b)
		}
		j += i
		bs := 0
		for k := j - 1; k >= i && s[k] == '\\'; k-- {
			bs++
		}
		b = append(b, s[i:j-bs]...)
		for k := 0; k < bs/2; k++ {
			b = append(b, '\\')
		}
		if bs%2 == 0 && bs > 0 {
			// all backslashes quoted each other: keep them all
			b = b[:len(b)-bs/2]
			for k := 0; k < bs; k++ {
				b = append(b, '\\')
			}
		}
		b = append(b, c)
		i = j + 1
	}
}

func (db *Database) newTarget(name string, pos Pos) *Target {
	t := &Target{Name: name, Pos: pos}
	db.Targets[name] = t
	return t
}

// addPatternRule is make's new_pattern_rule.
func (db *Database) addPatternRule(r *PatternRule, override bool) bool {
	for i, old := range db.PatternRules {
		if !sameStrings(old.Targets, r.Targets) || !sameStrings(old.Prereqs, r.Prereqs) {
			continue
		}
		if !override {
			return false
		}
		db.PatternRules = append(db.PatternRules[:i], db.PatternRules[i+1:]...)
		break
	}
	db.PatternRules = append(db.PatternRules, r)
	return true
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// recordTargetVar is make's record_target_var.
func (ev *evaluator) recordTargetVar(targets []string, defn string, origin Origin, mods varMods) error {
	db := ev.db
	for _, name := range targets {
		if p, pc := findPercent(name); pc >= 0 {
			rawName, op, value, ok := parseVarDefinition(defn)
			if !ok {
				return &Error{Pos: ev.reading, Msg: "Malformed target-specific variable definition"}
			}
			vname, err := ev.expandText(rawName)
			if err != nil {
				return err
			}
			flavor := Recursive
			if op == ":=" || op == "::=" {
				flavor = Simple
				if value, err = ev.expandText(value); err != nil {
					return err
				}
			}
			v := &Var{Name: vname, Flavor: flavor, Origin: origin, Value: value, Pos: ev.reading, Private: mods.private}
			v.op = op
			if mods.export != ExportDefault {
				v.Export = mods.export
			}
			switch op {
			case "+=":
				v.Append = true
			case "?=":
				v.Conditional = true
			}
			db.PatternVars = append(db.PatternVars, PatternVar{Pattern: p, Var: v})
			continue
		}
		t := db.Targets[name]
		if t == nil {
			t = db.newTarget(name, ev.reading)
		}
		if t.Vars == nil {
			t.Vars = newVarSet()
		}
		saved := ev.scope
		ev.scope = &frame{set: t.Vars, next: ev.global, nextIsParent: true}
		v, err := ev.tryVarDefinition(defn, origin, t.Vars)
		ev.scope = saved
		if err != nil {
			return err
		}
		if v == nil {
			return &Error{Pos: ev.reading, Msg: "Malformed target-specific variable definition"}
		}
		// (When ?= found an existing definition, v is that variable,
		// maybe a global one: make marks it all the same.)
		v.Private = mods.private
		if mods.export != ExportDefault {
			v.Export = mods.export
		} else {
			v.Export = ExportDefault
		}
		if v.Origin != OriginOverride {
			if gv := ev.globals.m[v.Name]; gv != nil && (gv.Origin == OriginEnvOverride || gv.Origin == OriginCommandLine) {
				v.Value = gv.Value
				v.tree = nil
				v.Origin = gv.Origin
				v.Flavor = gv.Flavor
				v.Append = false
			}
		}
	}
	return nil
}

// vpath handles a vpath directive (already expanded).
func (ev *evaluator) vpath(s string) {
	db := ev.db
	i := 0
	pat, ok := nextWord(s, &i)
	if !ok {
		db.VPaths = nil
		return
	}
	rest := s[i:]
	var dirs []string
	for _, f := range strings.FieldsFunc(rest, func(r rune) bool { return r == ':' || r == ' ' || r == '\t' || r == '\n' }) {
		if f != "" {
			dirs = append(dirs, strings.TrimSuffix(f, "/"))
		}
	}
	if len(dirs) == 0 {
		out := db.VPaths[:0]
		for _, v := range db.VPaths {
			if v.Pattern != pat {
				out = append(out, v)
			}
		}
		db.VPaths = out
		return
	}
	db.VPaths = append(db.VPaths, VPath{Pattern: pat, Dirs: dirs})
}

// mergeOrderOnlyAt is ru.OrderOnlyAt once a rule line's n normal and o
// order-only prerequisites join ru's: in front for a line with a recipe,
// behind otherwise (make's record_files). nil when every order-only
// prerequisite comes after all the normal ones.
func mergeOrderOnlyAt(ru *Rule, n, o int, front bool) []int {
	old := ru.OrderOnlyAt
	if old == nil {
		old = make([]int, len(ru.OrderOnly))
		for i := range old {
			old[i] = len(ru.Prereqs)
		}
	}
	var at []int
	if front {
		for range o {
			at = append(at, n)
		}
		for _, a := range old {
			at = append(at, a+n)
		}
	} else {
		at = append(at, old...)
		for range o {
			at = append(at, len(ru.Prereqs)+n)
		}
	}
	total := len(ru.Prereqs) + n
	for _, a := range at {
		if a != total {
			return at
		}
	}
	return nil
}

// mergeStems is ru.SecondExpansionStems once a text of a line whose
// stem is stem (static says the line is a static pattern rule) joins ru's
// texts, in front or behind; nil while no text has a stem.
func mergeStems(ru *Rule, stem string, static, front bool) []string {
	if !static && ru.SecondExpansionStems == nil {
		return nil
	}
	old := ru.SecondExpansionStems
	if old == nil {
		old = make([]string, len(ru.SecondExpansionTexts))
	}
	if !static {
		stem = ""
	}
	if front {
		return append([]string{stem}, old...)
	}
	return append(old[:len(old):len(old)], stem)
}
