package makefile

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
)

// missingInclude is an include whose file did not exist.
type missingInclude struct {
	name string
	pos  Pos
}

// MissingIncludeError is returned by Load when "include" named files that
// do not exist. GNU make first tries to remake them (they may be targets);
// Load leaves that to its caller, which may retry Load after making them,
// or report Err (make's message for a file no rule can make).
type MissingIncludeError struct {
	DB    *Database // the database read without the missing files
	Files []string
	// Err is the error make reports when none of the files can be made:
	// it prints "FILE:LINE: NAME: No such file or directory" for the
	// first missing file, then "*** No rule to make target 'NAME'.  Stop.".
	Err *Error
	// Notice is the "Makefile:1: nope.mk: No such file or directory" line.
	Notice string
	// Notices are the lines like Notice for each of Files, by name: make
	// prints one just before the error of a failed attempt to remake it.
	Notices map[string]string
}

func (e *MissingIncludeError) Error() string { return e.Notice }

func newEvaluator(ctx context.Context, cfg *Config) *evaluator {
	globals := newVarSet()
	db := &Database{
		Targets:      make(map[string]*Target),
		Globals:      globals,
		builtinFiles: make(map[string]*Target),
	}
	ev := &evaluator{
		db:           db,
		cfg:          cfg,
		ctx:          ctx,
		globals:      globals,
		prog:         cfg.ProgramName,
		stdout:       cfg.Stdout,
		debugOut:     cfg.DebugStream(),
		stderr:       cfg.Stderr,
		recipePrefix: '\t',
	}
	if ev.prog == "" {
		ev.prog = "make"
	}
	ev.global = &frame{set: globals}
	ev.scope = ev.global
	db.ev = ev
	return ev
}

// makeflagLetters returns the single-letter flags of MAKEFLAGS.
func (f *Flags) letters() string {
	var b []byte
	add := func(on bool, c byte) {
		if on {
			b = append(b, c)
		}
	}
	add(f.AlwaysMake, 'B')
	add(f.Debug, 'd')
	add(f.EnvOverrides, 'e')
	add(f.IgnoreErrors, 'i')
	add(f.KeepGoing, 'k')
	add(f.CheckSymlinks, 'L')
	add(f.DryRun, 'n')
	add(f.PrintDatabase, 'p')
	add(f.Question, 'q')
	add(f.NoBuiltinRules || f.NoBuiltinVars, 'r')
	add(f.NoBuiltinVars, 'R')
	add(f.Silent, 's')
	add(f.Touch, 't')
	add(f.PrintDirectory, 'w')
	return string(b)
}

func (f *Flags) longs() []string {
	var l []string
	for _, d := range f.IncludeDirs {
		l = append(l, "-I"+d)
	}
	if f.Jobs.Given() {
		l = append(l, f.Jobs.String())
	}
	if f.LoadAverage != "" {
		l = append(l, "-l"+f.LoadAverage)
	}
	if f.OutputSync != "" {
		l = append(l, "-O"+f.OutputSync)
	}
	if f.DebugFlags != "" {
		l = append(l, "--debug="+f.DebugFlags)
	}
	if f.JobserverAuth != "" {
		l = append(l, "--jobserver-auth="+f.JobserverAuth)
	}
	if f.Trace {
		l = append(l, "--trace")
	}
	if f.NoPrintDir {
		l = append(l, "--no-print-directory")
	}
	if f.WarnUndefined {
		l = append(l, "--warn-undefined-variables")
	}
	return l
}

// evals returns the --eval words of MAKEFLAGS: each string quoted as
// make quotes it for the environment (blanks and backslashes escaped, $
// doubled), and its $ doubled again, as the variable MAKEFLAGS (which is
// expanded) holds it.
func (f *Flags) evals() []string {
	var l []string
	for _, e := range f.Eval {
		var b strings.Builder
		b.WriteString("--eval=")
		for i := 0; i < len(e); i++ {
			switch c := e[i]; c {
			case '$':
				b.WriteString("$$$$")
			case ' ', '\t', '\\', '\n':
				b.WriteByte('\\')
				b.WriteByte(c)
			default:
				b.WriteByte(c)
			}
		}
		l = append(l, b.String())
	}
	return l
}

// makeflags returns MAKEFLAGS and MFLAGS as make defines them.
func (f *Flags) makeflags(final bool, haveVars bool) (string, string) {
	letters := f.letters()
	parts := []string{}
	if letters != "" {
		parts = append(parts, letters)
	}
	parts = append(parts, f.longs()...)
	parts = append(parts, f.evals()...)
	mk := strings.Join(parts, " ")
	if letters == "" && len(parts) > 0 {
		mk = " " + mk
	}
	mf := ""
	if letters != "" {
		mf = "-" + letters
	}
	if l := f.longs(); len(l) > 0 {
		if mf != "" {
			mf += " "
		}
		mf += strings.Join(l, " ")
	}
	if final && haveVars {
		if mk == "" {
			mk = " -- $(MAKEOVERRIDES)"
		} else {
			mk += " -- $(MAKEOVERRIDES)"
		}
	}
	return mk, mf
}

// prepareConfig applies to cfg what Load takes from the environment's
// MAKEFLAGS (flags, and variables that count as command-line ones) and
// what -R implies.
func prepareConfig(cfg *Config) {
	var envVars []string
	jobs, auth := cfg.Flags.Jobs, cfg.Flags.JobserverAuth
	osync := cfg.Flags.OutputSync
	// The environment's --eval strings come first, as make reads
	// MAKEFLAGS before its arguments.
	evals := cfg.Flags.Eval
	cfg.Flags.Eval = nil
	// GNUMAKEFLAGS is read first, as make does; the flags end up in
	// MAKEFLAGS (GNUMAKEFLAGS itself is emptied for sub-makes).
	for _, kv := range cfg.Env {
		if v, ok := strings.CutPrefix(kv, "GNUMAKEFLAGS="); ok {
			decodeMakeflags(v, &cfg.Flags)
		}
	}
	for _, kv := range cfg.Env {
		if strings.HasPrefix(kv, "MAKEFLAGS=") {
			envVars = decodeMakeflags(kv[len("MAKEFLAGS="):], &cfg.Flags)
		}
	}
	for _, e := range evals {
		if !slices.Contains(cfg.Flags.Eval, e) {
			cfg.Flags.Eval = append(cfg.Flags.Eval, e)
		}
	}
	// The environment's -I directories come first, as make reads
	// MAKEFLAGS before its arguments; MAKEFLAGS passes all down.
	cfg.IncludeDirs = append(cfg.Flags.IncludeDirs, cfg.IncludeDirs...)
	cfg.Flags.IncludeDirs = cfg.IncludeDirs
	if jobs.Given() || auth != "" {
		// The caller decided the job slots (the command line's -j wins
		// over the environment's; a jobserver is the caller's to open).
		cfg.Flags.Jobs, cfg.Flags.JobserverAuth = jobs, auth
	}
	if osync != "" {
		cfg.Flags.OutputSync = osync
	}
	if len(envVars) > 0 {
		cfg.CommandLineVars = append(envVars, cfg.CommandLineVars...)
	}
	if cfg.Flags.NoBuiltinVars {
		cfg.Flags.NoBuiltinRules = true
	}
}

func load(ctx context.Context, cfg Config) (*Database, error) {
	prepareConfig(&cfg)
	ev := newEvaluator(ctx, &cfg)
	db := ev.db
	if cfg.RecordInputs {
		ev.startRecording()
		defer func() { db.Inputs = ev.stopRecording() }()
	}
	g := ev.globals
	dir := cfg.Dir
	if dir == "" {
		d, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	db.curdir = dir
	db.dirs = new(dirCache)
	db.primeWorkDir(&cfg, false)
	def := func(name, value string, flavor Flavor, origin Origin) *Var {
		v := &Var{Name: name, Value: value, Flavor: flavor, Origin: origin}
		g.set(v)
		return v
	}
	// built-in variables
	for _, b := range builtinVars {
		if cfg.Flags.NoBuiltinVars && !b.core && !b.automatic {
			continue
		}
		fl := Recursive
		if b.op == ":=" {
			fl = Simple
		}
		o := OriginDefault
		if b.automatic {
			o = OriginAutomatic
		}
		def(b.name, b.value, fl, o)
	}
	// The include path make uses: the -I directories that exist, then
	// the default ones that do.
	if v := g.m[".INCLUDE_DIRS"]; v != nil {
		v.Value = strings.Join(ev.includeDirs(), " ")
	}
	if cfg.MakePath != "" {
		def("MAKE_COMMAND", cfg.MakePath, Simple, OriginDefault)
	} else {
		def("MAKE_COMMAND", ev.prog, Simple, OriginDefault)
	}
	// environment
	level := cfg.MakeLevel
	for _, kv := range cfg.Env {
		i := strings.IndexByte(kv, '=')
		if i <= 0 {
			continue
		}
		name, val := kv[:i], kv[i+1:]
		switch name {
		case "SHELL":
			v := def("SHELL", "/bin/sh", Recursive, OriginFile)
			v.Export = Unexported
			v.envValue = val
			continue
		case "MAKE_RESTARTS":
			// make counts its restarts here, for its makefiles, not
			// for its recipes and sub-makes.
			def(name, val, Recursive, OriginEnvironment).Export = Unexported
			continue
		case "MAKELEVEL":
			if level == 0 {
				level, _ = strconv.Atoi(val)
			}
			continue
		case "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES", "-*-command-variables-*-":
			continue
		}
		v := def(name, val, Recursive, OriginEnvironment)
		v.Export = Exported
		if name == "MAKE_RESTARTS" {
			// make's count of its own re-executions: kept from
			// recipes and sub-makes (main.c: v_noexport).
			v.Export = Unexported
		}
	}
	mlOrigin := OriginEnvironment
	if cfg.Flags.EnvOverrides {
		mlOrigin = OriginEnvOverride
	}
	def("MAKELEVEL", strconv.Itoa(level), Simple, mlOrigin).Export = Exported
	def("CURDIR", dir, Simple, OriginFile)
	// Emptied as from the environment while the makefiles are read, by
	// an override once they are (make's main.c does both).
	def("GNUMAKEFLAGS", "", Simple, OriginEnvironment)
	def(".DEFAULT_GOAL", "", Simple, OriginFile)
	if len(cfg.Goals) > 0 {
		def("MAKECMDGOALS", strings.Join(cfg.Goals, " "), Simple, OriginDefault)
	}
	// command line variables
	var overrides []string
	// A variable given twice (in MAKEFLAGS and on the command line) is
	// passed down once, as it ended up: make keeps a list of variables.
	overrideIndex := make(map[string]int)
	for _, a := range cfg.CommandLineVars {
		rawName, op, value, ok := parseVarDefinition(a)
		if !ok {
			continue
		}
		name, err := ev.expandText(rawName)
		if err != nil {
			return nil, err
		}
		v, err := ev.defineVar(Pos{}, name, value, OriginCommandLine, op, nil)
		if err != nil {
			return nil, err
		}
		if v != nil {
			v.Export = Exported
			v.cmdline = true
		}
		if i, ok := overrideIndex[name]; ok {
			overrides[i] = escapeCmdVar(a)
			continue
		}
		overrideIndex[name] = len(overrides)
		overrides = append(overrides, escapeCmdVar(a))
	}
	envOrigin := OriginEnvironment
	if cfg.Flags.EnvOverrides {
		envOrigin = OriginEnvOverride
	}
	if len(overrides) > 0 {
		for i, j := 0, len(overrides)-1; i < j; i, j = i+1, j-1 {
			overrides[i], overrides[j] = overrides[j], overrides[i]
		}
		def("-*-command-variables-*-", strings.Join(overrides, " "), Simple, OriginAutomatic)
		def("MAKEOVERRIDES", "${-*-command-variables-*-}", Recursive, envOrigin)
	}
	// While the makefiles are read MAKEFLAGS has no -j: make sets up its
	// job slots after reading them.
	parseFlags := cfg.Flags
	parseFlags.Jobs, parseFlags.JobserverAuth, parseFlags.LoadAverage = 0, "", ""
	mk, mf := parseFlags.makeflags(false, len(overrides) > 0)
	mkOrigin := OriginFile
	if cfg.Flags.EnvOverrides {
		mkOrigin = OriginEnvOverride
	}
	def("MAKEFLAGS", mk, Recursive, mkOrigin)
	def("MFLAGS", mf, Recursive, envOrigin)
	ev.installSuffixRules()

	// --eval strings, before any makefile
	for _, e := range cfg.Flags.Eval {
		if err := ev.evalText("", e, 1, true); err != nil {
			return db, err
		}
	}

	ev.debug, _ = cfg.Flags.DebugLevel() // a bad one stopped the command line
	// MAKEFILE_LIST is defined before any makefile is read, empty (make's
	// read_all_makefiles): a make that finds none of them still has it.
	if _, err := ev.defineVar(Pos{}, "MAKEFILE_LIST", "", OriginFile, ":=", nil); err != nil {
		return db, err
	}
	ev.readingf(DebugBasic, "Reading makefiles...\n")
	// MAKEFILES: read first, missing ones ignored, no default goal
	if v := g.m["MAKEFILES"]; v != nil {
		list, err := ev.expandVar(ctx, v, nil)
		if err != nil {
			return db, err
		}
		for _, f := range fields(list) {
			ev.db.RemakeOrder = append(ev.db.RemakeOrder, TrimDotSlash(f))
			ev.db.OptionalMakefiles = append(ev.db.OptionalMakefiles, TrimDotSlash(f))
			ev.readingf(DebugVerbose, "Reading makefile '%s' (no default goal) (search path) (don't care)...\n", f)
			if ev.fileExists(ev.path(f)) {
				if err := ev.readMakefileDefault(f, Pos{}, false); err != nil {
					return db, err
				}
			}
		}
	}
	// read the makefiles
	files := cfg.Makefiles
	if len(files) == 0 {
		for _, n := range []string{"GNUmakefile", "makefile", "Makefile"} {
			if ev.fileExists(ev.path(n)) {
				files = []string{n}
				break
			}
		}
	}
	for _, f := range files {
		name := f
		if f == "-" {
			continue
		}
		ev.readingf(DebugVerbose, "Reading makefile '%s'...\n", f)
		if _, err := ev.stat(ev.path(name)); err != nil {
			// make looks for -f files in -I dirs too
			found := false
			if !strings.HasPrefix(name, "/") {
				for _, d := range cfg.IncludeDirs {
					if ev.fileExists(ev.path(d + "/" + name)) {
						name = d + "/" + name
						found = true
						break
					}
				}
			}
			if !found {
				db.missingRequired = append(db.missingRequired, missingInclude{name: f})
				db.RemakeOrder = append(db.RemakeOrder, TrimDotSlash(f))
				continue
			}
		}
		if err := ev.readMakefile(name, Pos{}); err != nil {
			return db, err
		}
	}
	// make decodes MAKEFLAGS again after reading the makefiles, so that a
	// makefile can set flags ("MAKEFLAGS += -s"), and then drops the
	// built-ins a makefile's -r or -R turned off.
	def("GNUMAKEFLAGS", "", Simple, OriginOverride)
	db.Flags = cfg.Flags
	if v := g.m["MAKEFLAGS"]; v != nil {
		if val, err := ev.expandVar(ctx, v, nil); err == nil {
			decodeMakeflags(val, &db.Flags)
		}
	}
	ev.dropBuiltins(cfg.Flags, db.Flags)
	db.finish()
	db.primeWorkDir(&cfg, true)
	if err := ev.snapExtraPrereqs(ctx); err != nil {
		return db, err
	}
	slices.Reverse(db.RemakeOrder)
	db.snapped = true
	mk, _ = cfg.Flags.makeflags(true, len(overrides) > 0)
	if v := g.m["MAKEFLAGS"]; v != nil && v.Origin == mkOrigin && v.Value == parseTimeMakeflags(cfg.Flags, len(overrides) > 0) {
		v.Value = mk
		v.tree = nil
	}
	if len(db.missingRequired) > 0 {
		m := db.missingRequired[0]
		names := make([]string, len(db.missingRequired))
		notices := make(map[string]string, len(db.missingRequired))
		for i, x := range db.missingRequired {
			names[i] = x.name
			if x.pos.File != "" {
				notices[x.name] = x.pos.File + ":" + strconv.Itoa(x.pos.Line) + ": " + x.name + ": No such file or directory"
			} else {
				notices[x.name] = ev.prog + ": " + x.name + ": No such file or directory"
			}
		}
		return db, &MissingIncludeError{DB: db, Files: names, Notice: notices[m.name], Notices: notices,
			Err: &Error{Msg: "No rule to make target '" + m.name + "'"}}
	}
	return db, nil
}

// parseTimeMakeflags is the MAKEFLAGS value the makefiles saw while they
// were read (no -j, no jobserver): when they left it as it was, the final
// value, with -j, replaces it.
func parseTimeMakeflags(f Flags, haveVars bool) string {
	f.Jobs, f.JobserverAuth, f.LoadAverage = 0, "", ""
	mk, _ := f.makeflags(false, haveVars)
	return mk
}

// escapeCmdVar escapes a command-line assignment for MAKEOVERRIDES.
func escapeCmdVar(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// finish does what make does after reading the makefiles: built-in pattern
// rules, suffix rule conversion and the special targets.
func (db *Database) finish() {
	ev := db.ev
	ev.installPatternRules()
	db.convertSuffixRules()
	prereqs := func(name string) ([]string, bool) {
		t := db.Targets[name]
		if t == nil {
			return nil, false
		}
		var all []string
		for _, r := range t.Rules {
			all = append(all, r.Prereqs...)
		}
		return all, true
	}
	db.specialPrereqs = make(map[string][]string)
	for _, s := range []string{".PHONY", ".PRECIOUS", ".INTERMEDIATE", ".SECONDARY", ".NOTINTERMEDIATE", ".SILENT", ".IGNORE", ".EXPORT_ALL_VARIABLES", ".NOTPARALLEL", ".DELETE_ON_ERROR", ".LOW_RESOLUTION_TIME", ".ONESHELL", ".POSIX", ".DEFAULT"} {
		ps, ok := prereqs(s)
		if !ok {
			continue
		}
		db.specialPrereqs[s] = ps
		switch s {
		case ".SILENT":
			if len(ps) == 0 {
				db.SilentAll = true
			}
		case ".IGNORE":
			if len(ps) == 0 {
				db.IgnoreAll = true
			}
		case ".EXPORT_ALL_VARIABLES":
			db.ExportAll = true
			ev.exportAll = true
		case ".NOTPARALLEL":
			db.NotParallel = true
		case ".DELETE_ON_ERROR":
			db.DeleteOnError = true
		case ".SECONDARY":
			if len(ps) == 0 {
				db.SecondaryAll = true
			}
		}
		for _, p := range ps {
			t := db.Targets[p]
			if t == nil {
				continue
			}
			switch s {
			case ".PHONY":
				t.Phony = true
			case ".PRECIOUS":
				t.Precious = true
			case ".INTERMEDIATE":
				t.Intermediate = true
			case ".SECONDARY":
				t.Secondary = true
			case ".NOTINTERMEDIATE":
				t.NotIntermediate = true
			}
		}
	}
}

// snapExtraPrereqs expands .EXTRA_PREREQS, globally and for each target
// with target-specific variables, as make's snap_deps and snap_file do
// once the makefiles are read.
func (ev *evaluator) snapExtraPrereqs(ctx context.Context) error {
	db := ev.db
	expand := func(v *Var) ([]string, error) {
		if v == nil {
			return nil, nil
		}
		s, err := ev.expandVar(ctx, v, nil)
		if err != nil {
			return nil, err
		}
		return ev.parseFileSeq(s, seqGlob|seqArchives), nil
	}
	global, err := expand(ev.globals.m[".EXTRA_PREREQS"])
	if err != nil {
		return err
	}
	db.ExtraPrereqs = global
	for _, t := range db.Targets {
		var list []string
		switch {
		case t.Vars != nil:
			if list, err = expand(t.Vars.Lookup(".EXTRA_PREREQS")); err != nil {
				return err
			}
		case t.isTarget:
			list = global
		}
		if !slices.Contains(list, t.Name) {
			t.ExtraPrereqs = list
		}
	}
	return nil
}

// SpecialPrereqs returns the prerequisites given to special target name
// (".PHONY", ".PRECIOUS", ".SILENT", …), and whether it appeared at all.
func (db *Database) SpecialPrereqs(name string) ([]string, bool) {
	ps, ok := db.specialPrereqs[name]
	return ps, ok
}

// IsPhony reports whether name is a prerequisite of .PHONY (whether or not
// it is a target).
func (db *Database) IsPhony(name string) bool {
	for _, p := range db.specialPrereqs[".PHONY"] {
		if p == name {
			return true
		}
	}
	return false
}

// DecodeMakeflags returns the flags a MAKEFLAGS value of the environment
// sets, as a sub-make reads them.
func DecodeMakeflags(value string) Flags {
	var f Flags
	decodeMakeflags(value, &f)
	return f
}

// SetJobs records the job slots and jobserver a run settled on after
// reading the makefiles (the command line's -j, else a makefile's
// "MAKEFLAGS += -jN", else the environment's), and makes MAKEFLAGS and
// MFLAGS say so, as make defines them again before making the goals.
func (db *Database) SetJobs(jobs Jobs, auth string) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.Flags.Jobs, db.Flags.JobserverAuth = jobs, auth
	g := db.ev.globals
	// MAKEOVERRIDES goes down even when only a makefile set it.
	haveVars := g.m["-*-command-variables-*-"] != nil
	if v := g.m["MAKEOVERRIDES"]; v != nil && strings.TrimSpace(v.Value) != "" {
		haveVars = true
	}
	mk, mf := db.Flags.makeflags(true, haveVars)
	if v := g.m["MAKEFLAGS"]; v != nil {
		v.Value, v.tree = mk, nil
	}
	if v := g.m["MFLAGS"]; v != nil {
		v.Value, v.tree = mf, nil
	}
}

// Remaking makes MAKEFLAGS and MFLAGS what make defines while it remakes
// the makefiles: every flag but -n, -q and -t, which do not apply to that
// phase (main.c's define_makeflags (1, 1)). The function it returns puts
// back the values before, as make does when it goes on to the goals; a
// make that stops in that phase keeps them (its data base shows them).
func (db *Database) Remaking() (restore func()) {
	db.mu.Lock()
	defer db.mu.Unlock()
	g := db.ev.globals
	f := db.Flags
	f.DryRun, f.Question, f.Touch = false, false, false
	haveVars := g.m["-*-command-variables-*-"] != nil
	mk, mf := f.makeflags(true, haveVars)
	var undo []func()
	for _, nv := range [][2]string{{"MAKEFLAGS", mk}, {"MFLAGS", mf}} {
		if v := g.m[nv[0]]; v != nil {
			old, tree := v.Value, v.tree
			v.Value, v.tree = nv[1], nil
			undo = append(undo, func() { v.Value, v.tree = old, tree })
		}
	}
	return func() {
		db.mu.Lock()
		defer db.mu.Unlock()
		for _, u := range undo {
			u()
		}
	}
}

// makeflagsWords splits a MAKEFLAGS value into words as make does: at
// blanks, a backslash making the next character part of the word.
func makeflagsWords(s string) []string {
	var out []string
	var b strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
			in = true
		case c == ' ' || c == '\t' || c == '\n':
			if in {
				out = append(out, b.String())
				b.Reset()
				in = false
			}
		default:
			b.WriteByte(c)
			in = true
		}
	}
	if in {
		out = append(out, b.String())
	}
	return out
}

// decodeMakeflags applies the flags of a MAKEFLAGS value to f and returns
// the variable assignments after "--". The value is the environment's or
// MAKEFLAGS expanded once: either way an --eval string has its $ doubled.
func decodeMakeflags(s string, f *Flags) []string {
	ws := makeflagsWords(s)
	for i, w := range ws {
		switch {
		case w == "--":
			return ws[i+1:]
		case strings.HasPrefix(w, "--"):
			switch w {
			case "--no-print-directory":
				f.NoPrintDir = true
			case "--print-directory":
				f.PrintDirectory = true
			case "--no-builtin-rules":
				f.NoBuiltinRules = true
			case "--no-builtin-variables":
				f.NoBuiltinVars = true
			case "--silent", "--quiet":
				f.Silent = true
			case "--keep-going":
				f.KeepGoing = true
			case "--environment-overrides":
				f.EnvOverrides = true
			case "--ignore-errors":
				f.IgnoreErrors = true
			case "--always-make":
				f.AlwaysMake = true
			case "--just-print", "--dry-run", "--recon":
				f.DryRun = true
			case "--trace":
				f.Trace = true
			case "--warn-undefined-variables":
				f.WarnUndefined = true
			case "--check-symlink-times":
				f.CheckSymlinks = true
			default:
				if v, ok := strings.CutPrefix(w, "--eval="); ok {
					v = strings.ReplaceAll(v, "$$", "$")
					if !slices.Contains(f.Eval, v) {
						f.Eval = append(f.Eval, v)
					}
				} else if v, ok := strings.CutPrefix(w, "--debug="); ok {
					f.DebugFlags = v
				} else if v, ok := strings.CutPrefix(w, "--jobserver-auth="); ok {
					f.JobserverAuth = v
				} else if v, ok := strings.CutPrefix(w, "--jobserver-fds="); ok {
					f.JobserverAuth = v
				}
			}
		case strings.HasPrefix(w, "-l") && len(w) > 2 && (w[2] == '.' || w[2] >= '0' && w[2] <= '9'):
			f.LoadAverage = w[2:]
		case strings.HasPrefix(w, "-O") && len(w) > 2:
			f.OutputSync = w[2:]
		case strings.HasPrefix(w, "-I") && len(w) > 2:
			if !slices.Contains(f.IncludeDirs, w[2:]) {
				f.IncludeDirs = append(f.IncludeDirs, w[2:])
			}
		case strings.HasPrefix(w, "-") || i == 0 && strings.IndexByte(w, '=') < 0:
			letters := strings.TrimPrefix(w, "-")
			for k := 0; k < len(letters); k++ {
				switch letters[k] {
				case 'B':
					f.AlwaysMake = true
				case 'd':
					f.Debug = true
				case 'L':
					f.CheckSymlinks = true
				case 'e':
					f.EnvOverrides = true
				case 'i':
					f.IgnoreErrors = true
				case 'k':
					f.KeepGoing = true
				case 'n':
					f.DryRun = true
				case 'p':
					f.PrintDatabase = true
				case 'q':
					f.Question = true
				case 'r':
					f.NoBuiltinRules = true
				case 'R':
					f.NoBuiltinVars = true
				case 's':
					f.Silent = true
				case 'S':
					f.KeepGoing = false
				case 't':
					f.Touch = true
				case 'w':
					f.PrintDirectory = true
				case 'j':
					n, err := strconv.Atoi(letters[k+1:])
					if err != nil || n <= 0 {
						f.Jobs = UnlimitedJobs
					} else {
						f.Jobs = Jobs(n)
					}
					k = len(letters)
				}
			}
		default:
			// a variable assignment without "--" (old style)
			return ws[i:]
		}
	}
	return nil
}
