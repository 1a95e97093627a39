package makefile

import (
	"errors"
	"strings"
	"syscall"

	"github.com/dmake-dev/dmake/internal/strerror"
)

// makefileText is the text being evaluated: a makefile or an $(eval) argument. It
// hands out logical lines as make's readline does.
type makefileText struct {
	file string
	data string
	off  int
	line int // line number of the next logical line
	// str is set for $(eval) text: make's readstring counts no lines
	// and keeps carriage returns.
	str bool
	// offset is the recipe line offset of $(eval) text expanded in a
	// recipe: make adds it to positions in messages, not to rules.
	offset int
	// nul is set for a makefile that holds NUL bytes: its lines are read
	// as make's readline reads them with fgets (see readLineNUL); warn
	// receives make's warning for a line that starts with one, and size
	// is the size of make's line buffer.
	nul  bool
	warn func(line int)
	size int
}

// readLine returns the next logical line: physical lines joined while they
// end in an odd number of backslashes (the backslash-newlines are kept), a
// CR before each LF removed. n is the number of physical lines consumed.
func (b *makefileText) readLine() (line string, n int, ok bool) {
	if b.off >= len(b.data) {
		return "", 0, false
	}
	if b.nul {
		return b.readLineNUL()
	}
	start := b.off
	var sb []byte // used only when a CR must be dropped
	useSB := false
	for {
		i := strings.IndexByte(b.data[b.off:], '\n')
		var phys string
		if i < 0 {
			phys = b.data[b.off:]
			b.off = len(b.data)
		} else {
			phys = b.data[b.off : b.off+i]
			b.off += i + 1
		}
		n++
		hadNL := i >= 0
		if hadNL && len(phys) > 0 && phys[len(phys)-1] == '\r' && !b.str {
			if !useSB {
				useSB = true
				sb = append(sb, b.data[start:b.off-len(phys)-1]...)
			}
			phys = phys[:len(phys)-1]
		}
		bs := 0
		for k := len(phys) - 1; k >= 0 && phys[k] == '\\'; k-- {
			bs++
		}
		cont := hadNL && bs%2 == 1
		// A backslash-newline ending the text continues the line into
		// nothing: it stays, for collapseContinuations to make a blank.
		last := b.off >= len(b.data)
		if useSB {
			sb = append(sb, phys...)
			if cont {
				sb = append(sb, '\n')
			}
		}
		if !cont || last {
			if b.str {
				n = 0
			}
			if useSB {
				return string(sb), n, true
			}
			end := b.off
			if hadNL && !cont {
				end--
			}
			return b.data[start:end], n, true
		}
	}
}

// readLineNUL is readLine for a makefile holding NUL bytes, which GNU
// make's readline sees through fgets and strlen: fgets reads up to a
// newline or until its buffer is full, and strlen stops at the first NUL,
// so the rest of that piece (its newline included) is dropped and the
// next physical line continues the logical one, uncounted; a piece that
// starts with a NUL gives a warning and ends the line. The buffer starts
// at 200 bytes and doubles when a piece does not end in a newline, or when
// fewer than 80 bytes are left after a continued line, as make's does.
func (b *makefileText) readLineNUL() (string, int, bool) {
	if b.size == 0 {
		b.size = 200
	}
	var line []byte
	n := 0
	for b.off < len(b.data) {
		// fgets(p, size-len(line)): at most size-len(line)-1 bytes
		room := b.size - len(line) - 1
		if room < 1 {
			b.size *= 2
			continue
		}
		piece := b.data[b.off:min(b.off+room, len(b.data))]
		if i := strings.IndexByte(piece, '\n'); i >= 0 {
			piece = piece[:i+1]
		}
		b.off += len(piece)
		if i := strings.IndexByte(piece, 0); i >= 0 {
			piece = piece[:i]
		}
		if piece == "" {
			if b.warn != nil {
				b.warn(b.line)
			}
			piece = "\n"
		}
		line = append(line, piece...)
		if line[len(line)-1] != '\n' {
			b.size *= 2
			continue
		}
		n++
		if len(line) > 1 && line[len(line)-2] == '\r' {
			line = append(line[:len(line)-2], '\n')
		}
		bs := 0
		for k := len(line) - 2; k >= 0 && line[k] == '\\'; k-- {
			bs++
		}
		if bs%2 == 0 {
			return string(line[:len(line)-1]), n, true
		}
		if b.size-len(line) < 80 {
			b.size *= 2
		}
	}
	if n == 0 {
		if len(line) == 0 {
			return "", 0, false
		}
		n = 1
	}
	return string(line), n, true
}

// cond is one level of conditional nesting.
type cond struct {
	ignoring int // 0 interpreting, 1 not yet, 2 done
	seenElse bool
}

// evalState is the state of one call of make's eval(): one file or one
// $(eval) text.
type evalState struct {
	b               *makefileText
	conds           []cond
	ignoring        bool
	inIgnoredDefine bool
	noTargets       bool
	setDefault      bool

	// the rule being read
	rule *pendingRule
}

type pendingRule struct {
	targets      []string
	pattern      string
	depstr       string
	twoColon     bool
	tgtsStarted  int
	cmdsStarted  int
	cmds         []string
	prefix       byte
	file         string
	haveCmdsLine bool
	grouped      bool
}

// collapseContinuations is make's collapse_continuations.
func collapseContinuations(line string, posix bool) string {
	if strings.IndexByte(line, '\n') < 0 {
		return line
	}
	out := make([]byte, 0, len(line))
	in := 0
	for {
		q := strings.IndexByte(line[in:], '\n')
		if q < 0 {
			break
		}
		q += in
		bs := 0
		for k := q - 1; k >= 0 && line[k] == '\\'; k-- {
			bs++
		}
		// copy up to the backslashes, keeping half of them
		out = append(out, line[in:q-bs]...)
		for k := 0; k < bs/2; k++ {
			out = append(out, '\\')
		}
		in = q + 1
		if bs%2 == 1 {
			for in < len(line) && isBlank(line[in]) {
				in++
			}
			if !posix {
				for len(out) > 0 && isBlank(out[len(out)-1]) {
					out = out[:len(out)-1]
				}
			}
			out = append(out, ' ')
		} else {
			out = append(out, '\n')
		}
	}
	out = append(out, line[in:]...)
	return string(out)
}

// removeComments cuts line at the first unquoted # (outside variable
// references), removing backslashes that quote #.
func removeComments(line string) string {
	s, i := findMapUnquote(line, "#", true)
	if i >= 0 {
		return s[:i]
	}
	return s
}

// findMapUnquote is make's find_map_unquote: it finds the first character
// of stops that is not quoted by a backslash (skipping variable references
// when vars is set). Quoting backslashes of stop characters are halved in
// the returned string, as make does in place.
func findMapUnquote(s string, stops string, vars bool) (string, int) {
	p := 0
	var b []byte // rewritten string when backslashes are removed
	cur := func() string {
		if b != nil {
			return string(b)
		}
		return s
	}
	str := s
	for {
		for p < len(str) && strings.IndexByte(stops, str[p]) < 0 && !(vars && str[p] == '$') {
			p++
		}
		if p >= len(str) {
			return cur(), -1
		}
		if str[p] == '$' {
			if p+1 >= len(str) {
				return cur(), -1
			}
			open := str[p+1]
			p += 2
			if open == '(' || open == '{' {
				closec := byte(')')
				if open == '{' {
					closec = '}'
				}
				count := 1
				for p < len(str) {
					if str[p] == open {
						count++
					} else if str[p] == closec {
						count--
						if count == 0 {
							p++
							break
						}
					}
					p++
				}
			}
			continue
		}
		if p > 0 && str[p-1] == '\\' {
			n := 0
			for k := p - 1; k >= 0 && str[k] == '\\'; k-- {
				n++
			}
			// swallow half of the backslashes
			nb := make([]byte, 0, len(str))
			nb = append(nb, str[:p-n]...)
			for k := 0; k < n/2; k++ {
				nb = append(nb, '\\')
			}
			newP := len(nb)
			nb = append(nb, str[p:]...)
			b = nb
			str = string(nb)
			p = newP
			if n%2 == 0 {
				return str, p
			}
			p++
			continue
		}
		return cur(), p
	}
}

// evalFile evaluates the text of a makefile.
func (ev *evaluator) evalText(file, text string, firstLine int, setDefault bool) error {
	b := &makefileText{file: file, data: text, line: firstLine}
	if strings.IndexByte(text, 0) >= 0 {
		b.nul = true
		b.warn = func(line int) {
			ev.warnAt(Pos{File: file, Line: line}, "warning: NUL character seen; rest of line ignored")
		}
	}
	st := &evalState{b: b, setDefault: setDefault}
	return ev.evalLines(st)
}

// evalBuffer is $(eval TEXT): the lines are read at the current position.
func (ev *evaluator) evalBuffer(text string) error {
	if !ev.enter() {
		return ev.tooDeep("$(eval)")
	}
	defer ev.leave()
	if i := strings.IndexByte(text, 0); i >= 0 {
		text = text[:i] // make's eval sees a C string
	}
	saved := ev.reading
	line := ev.reading.Line - ev.readingOffset
	if ev.reading.Line == 0 && ev.reading.File == "" {
		line = 1
	}
	st := &evalState{b: &makefileText{file: ev.reading.File, data: text, line: line, str: true, offset: ev.readingOffset}, setDefault: true}
	err := ev.evalLines(st)
	ev.reading = saved
	return err
}

// evalLines is make's eval().
func (ev *evaluator) evalLines(st *evalState) error {
	ev.evalGen++
	b := st.b
	nlines := 0
	savedReading := ev.reading
	defer func() { ev.reading = savedReading }()
	for {
		if err := ev.ctx.Err(); err != nil {
			return err
		}
		b.line += nlines
		line, n, ok := b.readLine()
		if !ok {
			break
		}
		nlines = n
		ev.reading = Pos{File: b.file, Line: b.line + b.offset}
		if b.line == 1 {
			// make skips a UTF-8 byte order mark on line 1.
			line = strings.TrimPrefix(line, "\xEF\xBB\xBF")
		}
		if len(line) == 0 {
			continue
		}
		// A recipe line.
		if line[0] == ev.recipePrefix {
			if st.noTargets {
				continue
			}
			if st.rule != nil {
				if st.ignoring {
					continue
				}
				if len(st.rule.cmds) == 0 && !st.rule.haveCmdsLine {
					st.rule.cmdsStarted = b.line
				}
				st.rule.cmds = append(st.rule.cmds, line[1:])
				continue
			}
		}
		collapsed := removeComments(collapseContinuations(line, ev.posix))
		mods, rest, isAssign := parseVarAssignment(collapsed, false)
		if isAssign {
			if st.ignoring {
				if mods.define {
					st.inIgnoredDefine = true
				}
				continue
			}
			if err := ev.recordWaiting(st); err != nil {
				return err
			}
			origin := OriginFile
			if mods.override {
				origin = OriginOverride
			}
			var v *Var
			var err error
			switch {
			case mods.undefine:
				err = ev.doUndefine(rest, origin)
				if err != nil {
					return err
				}
				continue
			case mods.define:
				v, err = ev.doDefine(st, rest, origin)
			default:
				v, err = ev.tryVarDefinition(rest, origin, nil)
			}
			if err != nil {
				return err
			}
			if v != nil {
				if mods.export != ExportDefault {
					v.Export = mods.export
				}
				if mods.private {
					v.Private = true
				}
			}
			continue
		}
		p := trimLeft(collapsed)
		if p == "" {
			continue
		}
		w1 := p
		if i := strings.IndexAny(p, " \t\n\v\f\r"); i >= 0 {
			w1 = p[:i]
		}
		p2 := trimLeft(p[len(w1):])
		if st.inIgnoredDefine {
			if w1 == "endef" {
				st.inIgnoredDefine = false
			}
			continue
		}
		if r, err := ev.conditionalLine(st, w1, p2); err != nil {
			return err
		} else if r != -2 {
			if r == -1 {
				return &Error{Pos: ev.reading, Msg: "invalid syntax in conditional"}
			}
			st.ignoring = r == 1
			continue
		}
		if st.ignoring {
			continue
		}
		switch w1 {
		case "export", "unexport":
			if err := ev.recordWaiting(st); err != nil {
				return err
			}
			exporting := w1 == "export"
			if p2 == "" {
				ev.exportAll = exporting
				ev.db.ExportAll = exporting
				continue
			}
			names, err := ev.expandText(p2)
			if err != nil {
				return err
			}
			for _, name := range fields(names) {
				v := ev.lookup(name)
				if v == nil {
					v = &Var{Name: name, Flavor: Simple, Origin: OriginFile, Pos: ev.reading}
					ev.globals.set(v)
				}
				if exporting {
					v.Export = Exported
				} else {
					v.Export = Unexported
				}
			}
			continue
		case "vpath":
			if err := ev.recordWaiting(st); err != nil {
				return err
			}
			s, err := ev.expandText(p2)
			if err != nil {
				return err
			}
			ev.vpath(s)
			continue
		case "include", "-include", "sinclude":
			if err := ev.recordWaiting(st); err != nil {
				return err
			}
			s, err := ev.expandText(p2)
			if err != nil {
				return err
			}
			files := ev.parseFileSeq(s, seqGlob)
			for _, f := range files {
				if err := ev.include(f, w1 != "include", st.setDefault); err != nil {
					return err
				}
			}
			continue
		case "load", "-load":
			if err := ev.recordWaiting(st); err != nil {
				return err
			}
			continue
		}
		if line[0] == ev.recipePrefix {
			return &Error{Pos: ev.reading, Msg: "recipe commences before first target"}
		}
		if err := ev.ruleLine(st, line); err != nil {
			return err
		}
	}
	if err := ev.recordWaiting(st); err != nil {
		return err
	}
	if len(st.conds) > 0 {
		return &Error{Pos: Pos{File: b.file, Line: b.line}, Msg: "missing 'endif'"}
	}
	return nil
}

func trimLeft(s string) string {
	i := 0
	for i < len(s) && isWS(s[i]) {
		i++
	}
	return s[i:]
}

func trimRightBlank(s string) string {
	j := len(s)
	for j > 0 && isWS(s[j-1]) {
		j--
	}
	return s[:j]
}

type varMods struct {
	export            ExportState
	override, private bool
	define, undefine  bool
}

// parseVarAssignment is make's parse_var_assignment: it reports whether
// line is a variable assignment (possibly with modifiers, or a define /
// undefine) and returns the text after the modifiers.
func parseVarAssignment(line string, targvar bool) (varMods, string, bool) {
	var m varMods
	p := trimLeft(line)
	if p == "" {
		return m, line, false
	}
	for {
		if _, _, _, ok := parseVarDefinition(p); ok {
			break
		}
		w := p
		if i := strings.IndexAny(p, " \t\n\v\f\r"); i >= 0 {
			w = p[:i]
		}
		switch {
		case w == "export":
			m.export = Exported
		case w == "unexport":
			m.export = Unexported
		case w == "override":
			m.override = true
		case w == "private":
			m.private = true
		case !targvar && w == "define":
			m.define = true
			return m, trimLeft(p[len(w):]), true
		case !targvar && w == "undefine":
			m.undefine = true
			return m, trimLeft(p[len(w):]), true
		default:
			return m, line, false
		}
		p = trimLeft(p[len(w):])
		if p == "" {
			return m, line, false
		}
	}
	return m, p, true
}

// parseVarDefinition is make's parse_variable_definition: name (still to
// be expanded), operator and value (leading whitespace removed).
func parseVarDefinition(p string) (name, op, value string, ok bool) {
	p = trimLeft(p)
	start := 0
	wspace := false
	e := -1
	i := 0
	for {
		if i >= len(p) {
			return "", "", "", false
		}
		c := p[i]
		i++
		if c == '#' {
			return "", "", "", false
		}
		if c == '$' {
			if i >= len(p) {
				return "", "", "", false
			}
			c = p[i]
			i++
			var closec byte
			switch c {
			case '(':
				closec = ')'
			case '{':
				closec = '}'
			default:
				continue
			}
			count := 1
			for ; i < len(p); i++ {
				if p[i] == closec {
					count--
					if count == 0 {
						i++
						break
					}
				}
				if p[i] == c {
					count++
				}
			}
			continue
		}
		if isBlank(c) {
			// The character after the blanks is looked at as an
			// operator only: "a $(b) =" is no definition.
			wspace = true
			e = i - 1
			for i < len(p) && isWS(p[i]) {
				i++
			}
			if i >= len(p) {
				return "", "", "", false
			}
			c = p[i]
			i++
		}
		if c == '=' {
			op = "="
			if e < 0 {
				e = i - 1
			}
			break
		}
		if i < len(p) && p[i] == '=' {
			switch c {
			case ':', '+', '?', '!':
				op = string(c) + "="
			default:
				if wspace {
					return "", "", "", false
				}
				continue
			}
			if e < 0 {
				e = i - 1
			}
			i++
			break
		}
		if c == ':' {
			if i+1 < len(p) && p[i] == ':' && p[i+1] == '=' {
				op = "::="
				if e < 0 {
					e = i - 1
				}
				i += 2
				break
			}
			return "", "", "", false
		}
		if wspace {
			return "", "", "", false
		}
	}
	return p[start:e], op, trimLeft(p[i:]), true
}

// tryVarDefinition parses and performs an assignment line (after the
// modifiers) in the global scope, or in targetSet.
func (ev *evaluator) tryVarDefinition(text string, origin Origin, targetSet *VarSet) (*Var, error) {
	rawName, op, value, ok := parseVarDefinition(text)
	if !ok {
		return nil, nil
	}
	name, err := ev.expandText(rawName)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, &Error{Pos: ev.reading, Msg: "empty variable name"}
	}
	return ev.defineVar(ev.reading, name, value, origin, op, targetSet)
}

func (ev *evaluator) doUndefine(text string, origin Origin) error {
	name, err := ev.expandText(text)
	if err != nil {
		return err
	}
	name = trimSpace(name)
	if name == "" {
		return &Error{Pos: ev.reading, Msg: "empty variable name"}
	}
	if v := ev.globals.m[name]; v != nil {
		if ev.cfg.Flags.EnvOverrides && v.Origin == OriginEnvironment {
			v.Origin = OriginEnvOverride
		}
		if origin >= v.Origin {
			ev.globals.del(name)
		}
	}
	return nil
}

// doDefine reads a define … endef block.
func (ev *evaluator) doDefine(st *evalState, text string, origin Origin) (*Var, error) {
	defstart := ev.reading
	rawName := text
	op := "="
	if n, o, val, ok := parseVarDefinition(text); ok {
		if val != "" {
			ev.warnAt(defstart, "extraneous text after 'define' directive")
		}
		rawName, op = n, o
	}
	name, err := ev.expandText(rawName)
	if err != nil {
		return nil, err
	}
	name = trimLeft(name)
	if name == "" {
		return nil, &Error{Pos: defstart, Msg: "empty variable name"}
	}
	name = trimRightBlank(name)
	b := st.b
	nlevels := 1
	var def []string
	for {
		line, n, ok := b.readLine()
		if !ok {
			return nil, &Error{Pos: defstart, Msg: "missing 'endef', unterminated 'define'"}
		}
		b.line += n
		line = collapseContinuations(line, ev.posix)
		if len(line) == 0 || line[0] != ev.recipePrefix {
			p := trimLeft(line)
			if strings.HasPrefix(p, "define") && (len(p) == 6 || isBlank(p[6])) {
				nlevels++
			} else if strings.HasPrefix(p, "endef") && (len(p) == 5 || isBlank(p[5])) {
				rest := removeComments(p[5:])
				if trimLeft(rest) != "" {
					ev.warnAt(Pos{File: b.file, Line: b.line}, "extraneous text after 'endef' directive")
				}
				nlevels--
				if nlevels == 0 {
					break
				}
			}
		}
		def = append(def, line)
	}
	return ev.defineVar(defstart, name, strings.Join(def, "\n"), origin, op, nil)
}

// include reads an included makefile.
func (ev *evaluator) include(name string, noerror, setDefault bool) error {
	if ev.debug&DebugVerbose != 0 {
		how := " (search path)"
		if !setDefault {
			how = " (no default goal)" + how
		}
		if noerror {
			how += " (don't care)"
		}
		ev.readingf(DebugVerbose, "Reading makefile '%s'%s (no ~ expansion)...\n", name, how)
	}
	// A directory is found too: make opens it, fails to read it and
	// stops ("sub: Is a directory"), -include or not.
	exists := func(p string) bool {
		_, err := ev.stat(ev.path(p))
		return err == nil
	}
	found := ""
	if exists(name) {
		found = name
	} else if !strings.HasPrefix(name, "/") {
		for _, d := range ev.includeDirs() {
			p := d + "/" + name
			if exists(p) {
				found = p
				break
			}
		}
	}
	if noerror {
		opt := found
		if opt == "" {
			opt = name
		}
		ev.db.OptionalMakefiles = append(ev.db.OptionalMakefiles, TrimDotSlash(opt))
	}
	if found == "" {
		ev.db.RemakeOrder = append(ev.db.RemakeOrder, name)
		if noerror {
			ev.db.MissingIncludes = append(ev.db.MissingIncludes, name)
			return nil
		}
		ev.db.missingRequired = append(ev.db.missingRequired, missingInclude{name: name, pos: ev.reading})
		return nil
	}
	// A makefile that may not set the default goal (one of MAKEFILES)
	// passes that on to the ones it includes.
	return ev.readMakefileDefault(found, ev.reading, setDefault)
}

// includeDirs is make's include path: the -I directories that exist, then
// the default ones that do (construct_include_path).
func (ev *evaluator) includeDirs() []string {
	if ev.incDirs != nil {
		return *ev.incDirs
	}
	var dirs []string
	// Debian's make has its INCLUDEDIR, /usr/include, among the
	// defaults twice.
	for _, d := range append(ev.cfg.IncludeDirs, "/usr/local/include", "/usr/include", "/usr/include") {
		if st, err := ev.stat(ev.path(d)); err == nil && st.IsDir() {
			for len(d) > 1 && d[len(d)-1] == '/' {
				d = d[:len(d)-1]
			}
			dirs = append(dirs, TrimDotSlash(d))
		}
	}
	ev.incDirs = &dirs
	return dirs
}

// readMakefile reads and evaluates one makefile.
func (ev *evaluator) readMakefile(name string, from Pos) error {
	return ev.readMakefileDefault(name, from, true)
}

// readMakefileDefault reads a makefile; setDefault says whether its rules
// may set the default goal (not for MAKEFILES).
func (ev *evaluator) readMakefileDefault(name string, from Pos, setDefault bool) error {
	name = TrimDotSlash(name) // make -f ./M names M in MAKEFILE_LIST and errors
	// MAKEFILES entries (setDefault false) are recorded by their caller.
	if setDefault {
		ev.db.RemakeOrder = append(ev.db.RemakeOrder, name)
	}
	if !ev.enter() {
		return ev.tooDeep("include of '" + name + "'")
	}
	defer ev.leave()
	if ev.cfg.ReadOnly && !ev.regularFile(ev.path(name)) {
		return &Error{Pos: from, Msg: name + ": not a regular file"}
	}
	data, err := ev.readFile(ev.path(name), ev.maxValue())
	if errors.Is(err, syscall.EISDIR) {
		// make opens it and fails to read it: no position
		return &Error{Msg: name + ": " + strerror.Text(err)}
	}
	if err != nil {
		return &Error{Pos: from, Msg: name + ": " + strerror.Text(err)}
	}
	ev.db.Makefiles = append(ev.db.Makefiles, name)
	ml := ev.globals.m["MAKEFILE_LIST"]
	val := name
	var abuf []byte
	if ml != nil && ml.Value != "" {
		val, abuf = appendWord(ml, name)
	}
	ev.globals.set(&Var{Name: "MAKEFILE_LIST", Flavor: Simple, Origin: OriginFile, Value: val, Pos: Pos{File: name, Line: 1}, Export: exportOf(ml), abuf: abuf})
	return ev.evalText(name, string(data), 1, setDefault)
}

func exportOf(v *Var) ExportState {
	if v == nil {
		return ExportDefault
	}
	return v.Export
}

// conditionalLine is make's conditional_line: -2 not a conditional, -1
// invalid syntax, 0 interpreting, 1 ignoring.
func (ev *evaluator) conditionalLine(st *evalState, w string, line string) (int, error) {
	switch w {
	case "ifdef", "ifndef", "ifeq", "ifneq", "else", "endif":
	default:
		return -2, nil
	}
	done := func() (int, error) {
		for _, c := range st.conds {
			if c.ignoring != 0 {
				return 1, nil
			}
		}
		return 0, nil
	}
	extraText := func() {
		ev.warnAt(ev.reading, "extraneous text after '"+w+"' directive")
	}
	if w == "endif" {
		if line != "" {
			extraText()
		}
		if len(st.conds) == 0 {
			return 0, &Error{Pos: ev.reading, Msg: "extraneous '" + w + "'"}
		}
		st.conds = st.conds[:len(st.conds)-1]
		return done()
	}
	if w == "else" {
		if len(st.conds) == 0 {
			return 0, &Error{Pos: ev.reading, Msg: "extraneous '" + w + "'"}
		}
		o := len(st.conds) - 1
		if st.conds[o].seenElse {
			return 0, &Error{Pos: ev.reading, Msg: "only one 'else' per conditional"}
		}
		switch st.conds[o].ignoring {
		case 0:
			st.conds[o].ignoring = 2
		case 1:
			st.conds[o].ignoring = 0
		}
		if line == "" {
			st.conds[o].seenElse = true
			return done()
		}
		w2 := line
		for k := 1; k < len(line); k++ {
			if isWS(line[k]) {
				w2 = line[:k]
				break
			}
		}
		if w2 == "else" || w2 == "endif" {
			extraText()
			return done()
		}
		r, err := ev.conditionalLine(st, w2, trimLeft(line[len(w2):]))
		if err != nil {
			return 0, err
		}
		if r < 0 {
			extraText()
			return done()
		}
		if st.conds[o].ignoring < 2 {
			st.conds[o].ignoring = st.conds[o+1].ignoring
		}
		st.conds = st.conds[:len(st.conds)-1]
		return done()
	}
	o := len(st.conds)
	st.conds = append(st.conds, cond{})
	for i := 0; i < o; i++ {
		if st.conds[i].ignoring != 0 {
			st.conds[o].ignoring = 1
			return 1, nil
		}
	}
	if w == "ifdef" || w == "ifndef" {
		v, err := ev.expandText(line)
		if err != nil {
			return 0, err
		}
		name := v
		rest := ""
		if i := strings.IndexAny(v, " \t\n\v\f\r"); i >= 0 {
			name, rest = v[:i], trimLeft(v[i:])
		}
		if rest != "" {
			return -1, nil
		}
		vv := ev.lookup(name)
		defined := vv != nil && vv.Value != ""
		if defined == (w == "ifndef") {
			st.conds[o].ignoring = 1
		}
		return done()
	}
	// ifeq / ifneq
	if line == "" {
		return -1, nil
	}
	termin := line[0]
	if termin == '(' {
		termin = ','
	}
	if termin != ',' && termin != '"' && termin != '\'' {
		return -1, nil
	}
	i := 1
	s1start := 1
	if termin == ',' {
		count := 0
		for ; i < len(line); i++ {
			c := line[i]
			if c == '(' {
				count++
			} else if c == ')' {
				count--
			} else if c == ',' && count <= 0 {
				break
			}
		}
	} else {
		for i < len(line) && line[i] != termin {
			i++
		}
	}
	if i >= len(line) {
		return -1, nil
	}
	var s1raw string
	if termin == ',' {
		e := i
		for e > s1start && isBlank(line[e-1]) {
			e--
		}
		s1raw = line[s1start:e]
	} else {
		s1raw = line[s1start:i]
	}
	i++
	s1, err := ev.expandText(s1raw)
	if err != nil {
		return 0, err
	}
	rest := line[i:]
	if termin != ',' {
		rest = trimLeft(rest)
	}
	var term2 byte
	if termin == ',' {
		term2 = ')'
	} else {
		if rest == "" {
			return -1, nil
		}
		term2 = rest[0]
	}
	if term2 != ')' && term2 != '"' && term2 != '\'' {
		return -1, nil
	}
	var s2raw string
	j := 0
	if term2 == ')' {
		rest = trimLeft(rest)
		count := 0
		for ; j < len(rest); j++ {
			if rest[j] == '(' {
				count++
			} else if rest[j] == ')' {
				if count <= 0 {
					break
				}
				count--
			}
		}
		if j >= len(rest) {
			return -1, nil
		}
		s2raw = rest[:j]
	} else {
		rest = rest[1:]
		for j < len(rest) && rest[j] != term2 {
			j++
		}
		if j >= len(rest) {
			return -1, nil
		}
		s2raw = rest[:j]
	}
	if trimLeft(rest[j+1:]) != "" {
		extraText()
	}
	s2, err := ev.expandText(s2raw)
	if err != nil {
		return 0, err
	}
	if (s1 == s2) == (w == "ifneq") {
		st.conds[o].ignoring = 1
	}
	return done()
}
