package makefile

import (
	"context"
	"io"
	"strings"
	"sync"
)

// Pos is a position in a makefile: the file name as make would print it and
// a 1-based line number. The zero Pos means "no position" (command line,
// environment, built-in).
type Pos struct {
	File string
	Line int
}

// Config is everything Load needs to know about one make invocation.
type Config struct {
	// Dir is the directory make runs in (after -C); CURDIR. Empty means the
	// process's working directory.
	Dir string
	// Makefiles are the -f arguments in order. Empty means GNUmakefile,
	// makefile, Makefile: the first that exists in Dir.
	Makefiles []string
	// Goals are the goals named on the command line (MAKECMDGOALS).
	Goals []string
	// CommandLineVars are the VAR=value words of the command line, in order
	// (any assignment operator: VAR:=v, VAR+=v… are allowed as by make).
	CommandLineVars []string
	// Env is the environment, as os.Environ returns it.
	Env []string
	// Flags are make's option flags; they determine MAKEFLAGS and MFLAGS.
	Flags Flags
	// IncludeDirs are the -I directories, searched for included makefiles
	// after the including file's directory… as GNU make does: relative
	// names are tried in the current directory first, then in these.
	IncludeDirs []string
	// ProgramName is the name used in messages ("make", "dmake"); also the
	// default value of $(MAKE) when MakePath is empty.
	ProgramName string
	// MakePath is the value of $(MAKE) (make's argv[0]); empty means
	// ProgramName.
	MakePath string
	// MakeLevel is this make's recursion depth (MAKELEVEL); Load reads it
	// from Env when zero and Env has one.
	MakeLevel int
	// Stdout and Stderr receive $(info), $(warning) and diagnostics
	// written while reading makefiles. Nil discards.
	Stdout, Stderr io.Writer
	// DebugOut receives the debugging output of Flags.DebugLevel while
	// reading ("Reading makefiles..."); nil means Stdout. make prints it
	// as it is, not as a message (it says no "Entering directory").
	DebugOut io.Writer
	// Shell runs $(shell …) commands. Nil makes $(shell) expand to
	// nothing with .SHELLSTATUS 127.
	Shell Shell
	// RecordInputs makes Load record in Database.Inputs what the result
	// depends on besides this Config (files, globs, $(shell) results…)
	// and the output written while reading, for a cache of loads.
	RecordInputs bool
	// ReadOnly makes $(file >…) fail instead of writing and limits
	// included makefiles to regular files: for fuzzing and dry runs.
	ReadOnly bool
	// MaxValue bounds the size in bytes of every value Load and the
	// database handle: a makefile, a variable, an expansion while it
	// grows, the text $(file <…) reads and the output of $(shell …).
	// Past it, evaluation stops with an error at the makefile line. Zero
	// means DefaultMaxValue.
	MaxValue int
	// MaxDepth bounds the nesting of evaluation: recursive variables
	// expanded within one another, $(call)s, $(eval)s and included
	// makefiles. Past it, evaluation stops with an error at the makefile
	// line instead of exhausting the stack. Zero means DefaultMaxDepth.
	MaxDepth int
}

// Limits used when Config leaves them zero.
const (
	// DefaultMaxValue is 256 MiB: GNU make has no limit and exhausts
	// memory instead.
	DefaultMaxValue = 256 << 20
	// DefaultMaxDepth is well past any real makefile's nesting and well
	// within Go's stack. GNU make has no limit: it crashes with a
	// segmentation fault, or for includes stops when it runs out of
	// file descriptors ("Too many open files", about 1000 levels under
	// the usual limit of 1024).
	DefaultMaxDepth = 10000
)

// Flags are the make options that the makefile evaluation can see: they are
// folded into MAKEFLAGS, and some change how makefiles are read.
type Flags struct {
	DryRun         bool // -n
	Silent         bool // -s
	KeepGoing      bool // -k
	IgnoreErrors   bool // -i
	AlwaysMake     bool // -B
	Question       bool // -q
	Touch          bool // -t
	EnvOverrides   bool // -e: environment variables override makefile ones
	PrintDatabase  bool // -p
	NoBuiltinRules bool // -r
	NoBuiltinVars  bool // -R (implies -r)
	PrintDirectory bool // -w
	NoPrintDir     bool // --no-print-directory
	Jobs           Jobs // -j (see Jobs)
	// IncludeDirs are the -I directories, passed down in MAKEFLAGS.
	IncludeDirs []string
	// JobserverAuth is the value of --jobserver-auth in MAKEFLAGS: the
	// jobserver recursive sub-makes share ("R,W" or "fifo:PATH"), or "".
	JobserverAuth string
	OldFiles      []string
	WhatIf        []string
	// Debug is -d; DebugFlags the value of --debug (b, v, i, j, m, a,
	// n, comma-separated): passed down in MAKEFLAGS.
	Debug      bool
	DebugFlags string
	// LoadAverage is -l N: no new job starts while others run and the
	// load average is N or more. Empty means no limit.
	LoadAverage string
	// OutputSync is -O's type ("line", "target", "recurse", "none"),
	// passed down in MAKEFLAGS; empty for none given. The command
	// line's wins over the environment's.
	OutputSync string
	// CheckSymlinks is -L: a symbolic link's time is the later of its
	// own and its target's.
	CheckSymlinks bool
	// Trace is --trace: say why each target is remade and echo every
	// recipe line, silent ones too.
	Trace bool
	// WarnUndefined is --warn-undefined-variables: warn at each
	// reference to an undefined variable.
	WarnUndefined bool
	// Eval are the --eval (-E) strings, evaluated as makefile text before
	// the makefiles are read, and passed down in MAKEFLAGS.
	Eval []string
}

// Shell runs the command of a $(shell …) call. The makefile package calls it
// with the command text after expansion.
type Shell interface {
	// Shell runs cmd with the shell program and flags (SHELL, .SHELLFLAGS)
	// in dir with env and returns its standard output and exit status. Its
	// standard error goes to stderr. err is for failures to start at all.
	Shell(ctx context.Context, call ShellCall) (out []byte, status int, err error)
}

// ShellCall describes one $(shell …) invocation.
type ShellCall struct {
	Command    string    // the expanded command text
	Shell      string    // $(SHELL)
	ShellFlags string    // $(.SHELLFLAGS), normally "-c"
	Dir        string    // CURDIR at the time of the call
	Env        []string  // the environment make passes (exported variables)
	Stderr     io.Writer // where the command's standard error goes
	Program    string    // make's program name, for its own messages
	// MaxOutput is the most output the caller accepts: a Shell should
	// stop the command once its output is longer, and return what it
	// read (which then is longer than MaxOutput). Zero means no limit.
	MaxOutput int
}

// Flavor is how a variable expands.
type Flavor uint8

// Variable flavors, as $(flavor) reports them.
const (
	Undefined Flavor = iota
	Recursive
	Simple
)

func (f Flavor) String() string {
	switch f {
	case Recursive:
		return "recursive"
	case Simple:
		return "simple"
	}
	return "undefined"
}

// Origin is where a variable's value came from, as $(origin) reports it.
type Origin uint8

// Variable origins, in make's order of precedence (weakest first, except
// Automatic).
const (
	OriginUndefined Origin = iota
	OriginDefault
	OriginEnvironment
	OriginFile
	OriginEnvOverride
	OriginCommandLine
	OriginOverride
	OriginAutomatic
)

func (o Origin) String() string {
	return [...]string{"undefined", "default", "environment", "file",
		"environment override", "command line", "override", "automatic"}[o]
}

// ExportState says whether a variable goes into recipe environments.
type ExportState uint8

// Export states.
const (
	ExportDefault ExportState = iota // decided by .EXPORT_ALL_VARIABLES / origin
	Exported                         // export VAR
	Unexported                       // unexport VAR
)

// Var is one variable definition.
type Var struct {
	Name   string
	Flavor Flavor
	Origin Origin
	Export ExportState
	// Value is the variable's text: unexpanded for Recursive, the expanded
	// value for Simple.
	Value string
	// Append reports a target- or pattern-specific += definition (applied
	// on top of the inherited value when looked up).
	Append bool
	// Conditional reports a target- or pattern-specific ?= definition.
	Conditional bool
	// Private is set by the "private" modifier.
	Private bool
	// Pos is where it was last set; zero for command line, environment and
	// built-ins.
	Pos Pos

	tree      node // parsed Value for Recursive (lazily), nil otherwise
	expanding bool
	op        string // the assignment operator of a pattern-specific variable
	envValue  string // SHELL: the environment's value, passed to recipes
	cmdline   bool
	abuf      []byte // backing buffer of Value while += may extend it
}

// Command is one command of an expanded recipe, ready for a shell.
type Command struct {
	// Text is the command with its leading @ - + prefix characters and
	// whitespace removed, backslash-newlines kept as make keeps them.
	Text string
	// Raw is the command as expanded, its prefix characters and leading
	// whitespace kept: a .ONESHELL recipe gives its later lines so to a
	// shell that is not a Bourne shell (make's construct_command_argv).
	Raw string
	// Silent (@), IgnoreError (-) and Recursive (+, or the line mentions
	// $(MAKE) / ${MAKE}) are the line's flags.
	Silent, IgnoreError, Recursive bool
	// Pos is the recipe line the command came from.
	Pos Pos
}

// RecipeLine is one line of a recipe as written: its text is kept
// unexpanded until the recipe is about to run.
type RecipeLine struct {
	Text string // the line without its recipe prefix (tab)
	Pos  Pos
	tree node
}

// Recipe is the recipe of a rule.
type Recipe struct {
	Lines []RecipeLine
	// Pos is where the recipe starts (its first line, or the rule line
	// for "target: ; recipe"); line i of the recipe reports Pos.Line+i in
	// errors, as make does.
	Pos    Pos
	prefix byte
}

// Rule is one explicit rule of a target: for a single-colon target all rules
// are merged into one; a double-colon target keeps each rule separately.
type Rule struct {
	Prereqs   []string // normal prerequisites, in order
	OrderOnly []string // prerequisites after |
	// OrderOnlyAt holds, for each OrderOnly[i], how many of Prereqs make
	// walks before it when rule lines were merged ("t: a | b" then
	// "t: c" makes a, b, c); nil: all of them.
	OrderOnlyAt []int
	Recipe      *Recipe // nil if the rule has none
	// SecondExpansion holds the prerequisite text of this rule after the
	// first expansion when .SECONDEXPANSION was in effect; Database.
	// SecondExpand expands it for a target. Prereqs/OrderOnly then hold
	// nothing from this text.
	SecondExpansion string
	// SecondExpansionTexts holds every such text of the rule, in make's
	// order (a merged single-colon rule may have several).
	SecondExpansionTexts []string
	// SecondExpansionStems holds, for each of SecondExpansionTexts, the
	// stem of the static pattern rule line it came from ("" for another
	// line): its % and $* are that stem (nil: none has one).
	SecondExpansionStems []string
	// Stem is set for rules made from a static pattern rule, and
	// StaticPattern is its target pattern.
	Stem          string
	StaticPattern string
	// Grouped lists all targets of a grouped rule ("a b &: c"): one run
	// of the recipe makes them all.
	Grouped []string
	Pos     Pos
}

// Target is a file (or phony name) the makefiles mention as a target.
type Target struct {
	Name        string
	DoubleColon bool
	// Rules holds the target's rules: exactly one for a single-colon target
	// (prerequisites of every rule merged in order, the last recipe kept),
	// one per rule for a double-colon target.
	Rules []*Rule
	// Vars are the target-specific variables, nil if none.
	Vars *VarSet
	// Flags set by special targets.
	Phony, Precious, Intermediate, Secondary, NotIntermediate bool
	// ExtraPrereqs are the prerequisites .EXTRA_PREREQS adds to the
	// target: its own target-specific value if it has target-specific
	// variables, else the global one if it is a target (none when the
	// list names the target itself). They are made after the others
	// and appear in no automatic variable.
	ExtraPrereqs []string
	// Pos is where the target first appeared as a target.
	Pos Pos

	isTarget bool
	builtin  bool
}

// PatternRule is an implicit rule: built in, written with %, or converted
// from a suffix rule.
type PatternRule struct {
	Targets   []string // patterns, each with one %
	Prereqs   []string // may contain %
	OrderOnly []string
	Recipe    *Recipe
	// Terminal is a double-colon pattern rule (match-anything, terminal).
	Terminal bool
	// SecondExpansion holds the prerequisite text when .SECONDEXPANSION
	// applied.
	SecondExpansion string
	// Builtin marks make's built-in rules; Suffix those converted from a
	// suffix rule (".c.o:" → "%.o: %.c").
	Builtin, Suffix bool
	Pos             Pos
}

// VPath is one "vpath PATTERN DIRS" directive.
type VPath struct {
	Pattern string
	Dirs    []string
}

// Database is the result of reading the makefiles. Its methods may be
// called from several goroutines: they take turns, as expansion in make is
// single-threaded ($(eval) and $(shell) in a recipe run while it expands).
type Database struct {
	// Targets by name, and the names in the order they were defined
	// (the order -p prints and .DEFAULT_GOAL is chosen by). Targets also
	// holds names that only have target-specific variables ("t: X = 1"):
	// those have no Rules and are not in TargetOrder.
	Targets     map[string]*Target
	TargetOrder []string
	// PatternRules in definition order (user rules first as make searches
	// them, then built-in ones), including converted suffix rules. A rule
	// without a Recipe is a cancellation or one of make's "%.c:" suffix
	// placeholders: it never applies, but it still counts for
	// match-anything rules as in make.
	PatternRules []*PatternRule
	// PatternVars are pattern-specific variables in definition order.
	PatternVars []PatternVar
	// VPaths are the vpath directives in order; VPATH is a variable.
	VPaths []VPath
	// Makefiles are the makefiles read, in order (MAKEFILE_LIST), and
	// MissingIncludes the -include/sinclude files that did not exist.
	Makefiles       []string
	MissingIncludes []string
	// RemakeOrder is every makefile make tried to read (-f, MAKEFILES,
	// include: read or missing) in the order make tries to remake them:
	// the last one named first (GNU make's read_files chain).
	RemakeOrder []string
	// OptionalMakefiles are those of RemakeOrder named by -include,
	// sinclude or MAKEFILES: make does not care if remaking one fails
	// (RM_DONTCARE): no error is printed and the run goes on.
	OptionalMakefiles []string
	// ExtraPrereqs is the global .EXTRA_PREREQS, expanded when the
	// makefiles were read: every pattern rule gets these prerequisites
	// (make's snap_implicit_rules); targets have their own list.
	ExtraPrereqs []string
	// Special-target state. SilentAll, IgnoreAll and SecondaryAll are set
	// by .SILENT, .IGNORE and .SECONDARY without prerequisites.
	SecondExpansion, OneShell, Posix, ExportAll, NotParallel, DeleteOnError bool
	SilentAll, IgnoreAll, SecondaryAll                                      bool
	// Suffixes is the suffix list (.SUFFIXES) in order.
	Suffixes []string
	// Globals are the global variables.
	Globals *VarSet
	// Flags are the effective flags: Config.Flags, those of the
	// environment's MAKEFLAGS, and those the makefiles added to MAKEFLAGS
	// (make decodes it again after reading them).
	Flags Flags
	// Inputs are the recorded inputs of the Load (Config.RecordInputs),
	// nil if none were recorded.
	Inputs *Inputs

	ev              *evaluator
	curdir          string
	missingRequired []missingInclude
	specialPrereqs  map[string][]string
	builtinFiles    map[string]*Target
	snapped         bool
	sortedPV        []PatternVar
	mu              sync.Mutex // serializes the evaluator (make expands in one thread)
	// exprs keeps the parsed short texts of Expand and of recipe lines
	// (parsedShort), up to maxExprs of them.
	exprs map[string]node
	// dirs is make's directory cache for globs, for the whole run.
	dirs *dirCache
}

// maxExprs bounds Database.exprs, and maxExprLen the texts it keeps.
const maxExprs, maxExprLen = 1024, 128

// parsedShort returns text parsed, kept in db.exprs when short: a text
// asked for at every recipe ("$(SHELL)", the recipe line "ln -sf $< $@"
// that every .mk file of a tree repeats) is parsed once.
func (db *Database) parsedShort(text string) node {
	if len(text) > maxExprLen {
		return parseExpr(text)
	}
	tree, ok := db.exprs[text]
	if !ok {
		tree = parseExpr(text)
		if db.exprs == nil {
			db.exprs = make(map[string]node)
		}
		if len(db.exprs) < maxExprs {
			db.exprs[text] = tree
		}
	}
	return tree
}

// PatternVar is a pattern-specific variable: "PATTERN: VAR = value".
type PatternVar struct {
	Pattern string
	Var     *Var
}

// DefaultGoal returns the goal make builds when none is named: the value of
// .DEFAULT_GOAL, which is the first target of the makefiles that is not a
// special target or pattern rule unless set explicitly.
func (db *Database) DefaultGoal() string {
	db.mu.Lock()
	defer db.mu.Unlock()
	v := db.Globals.Lookup(".DEFAULT_GOAL")
	if v == nil {
		return ""
	}
	s, _ := db.ev.expandVar(context.Background(), v, nil)
	return trimSpace(s)
}

// Glob expands the wildcards of a file name, relative to the makefiles'
// directory (CURDIR), as make does for the prerequisites of a pattern rule
// once the stem is in: the matching names, sorted; none when nothing
// matches or the name has no wildcard.
func (db *Database) Glob(ctx context.Context, pattern string) []string {
	if !strings.ContainsAny(pattern, "*?[") {
		return nil
	}
	return globAt(ctx, db.curdir, pattern, db.dirs, nil)
}

// Target returns the target called name, or nil.
func (db *Database) Target(name string) *Target { return db.Targets[name] }

// AutoVars are the automatic variables of one recipe; the D and F forms
// ($(@D), $(^F)…) are derived from them.
type AutoVars struct {
	Target    string   // $@
	Member    string   // $%
	First     string   // $<
	All       []string // $^ (duplicates removed)
	AllDup    []string // $+ (with duplicates)
	Newer     []string // $?
	Stem      string   // $*
	OrderOnly []string // $|
}

// Scope is the variable scope a target's recipe is expanded in: its
// target-specific variables, those of matching patterns, those inherited
// from the target that caused it to be built, then the globals.
type Scope struct {
	chain  *frame
	parent *Scope
	db     *Database
}

// ScopeFor returns the scope for target name when it is built as a
// prerequisite of parent (nil for a goal). It includes pattern-specific
// variables whose pattern matches name.
func (db *Database) ScopeFor(name string, parent *Scope) *Scope {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.scopeFor(name, parent)
}

// ExpandRecipe expands recipe r of a target in scope sc with the given
// automatic variables, as make does just before running it: every line is
// expanded (so $(eval) in a recipe changes the database now, and $(info) and
// $(shell) run now), then split into commands at unescaped newlines.
func (db *Database) ExpandRecipe(ctx context.Context, sc *Scope, r *Recipe, auto *AutoVars) ([]Command, error) {
	return db.ExpandRecipeTo(ctx, sc, r, auto, nil, nil)
}

// ExpandRecipeTo is ExpandRecipe with what the expansion prints ($(info),
// $(warning), the standard error of $(shell)) written to stdout and stderr
// instead of the database's streams (SetStreams), as make writes it to the
// output of the job about to run, which -O collects. A nil writer keeps
// the database's stream.
func (db *Database) ExpandRecipeTo(ctx context.Context, sc *Scope, r *Recipe, auto *AutoVars, stdout, stderr io.Writer) ([]Command, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	ev := db.ev
	if stdout != nil || stderr != nil {
		so, se := ev.stdout, ev.stderr
		defer func() { ev.stdout, ev.stderr = so, se }()
		if stdout != nil {
			ev.stdout = stdout
		}
		if stderr != nil {
			ev.stderr = stderr
		}
	}
	return db.expandRecipe(ctx, sc, r, auto)
}

// SecondExpand performs the secondary expansion of a rule's prerequisites
// for target t (with $@, $*, $< … of auto available, $$ handled as by make),
// returning normal and order-only prerequisites.
func (db *Database) SecondExpand(ctx context.Context, sc *Scope, text string, auto *AutoVars) (prereqs, orderOnly []string, err error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.secondExpand(ctx, sc, text, auto)
}

// Expand expands text (make syntax) in scope sc (nil: globals).
func (db *Database) Expand(ctx context.Context, sc *Scope, text string) (string, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if strings.IndexByte(text, '$') < 0 || len(text) > maxExprLen {
		return db.expandText(ctx, sc, text)
	}
	tree := db.parsedShort(text)
	var out string
	err := db.withScope(ctx, db.chainFor(sc), Pos{}, func() error {
		s, err := db.ev.expandString(tree)
		out = s
		return err
	})
	return out, err
}

// Environment returns the environment for a recipe run in scope sc: the
// process environment, overridden and extended by exported variables, plus
// MAKEFLAGS and MAKELEVEL (incremented) as make passes them to recipes.
// Exported values are expanded with the recipe's automatic variables auto
// (nil: none), as make's target_environment expands them in the file's
// variable set.
func (db *Database) Environment(ctx context.Context, sc *Scope, auto *AutoVars) ([]string, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.environment(ctx, sc, auto)
}

// PrintDatabase writes the database in the format of "make -p" (without
// timestamps and hash statistics). The files of found, which a run's
// implicit rule search gave a rule, are printed with that rule, as make
// prints its data base at the end of a run.
func (db *Database) PrintDatabase(w io.Writer, found ...FoundFile) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.printDatabase(w, found)
}

// Load reads and evaluates the makefiles of cfg. Parse-time output
// ($(info), $(warning)) goes to cfg.Stdout/Stderr. A fatal error is returned
// as an *Error whose message is GNU make's; the Database may be nil then.
func Load(ctx context.Context, cfg Config) (*Database, error) {
	return load(ctx, cfg)
}

// Error is a fatal makefile error. Error() is the message without the
// program name and "*** … Stop." decoration; String gives make's full line.
type Error struct {
	Pos Pos    // zero when make prints no position
	Msg string // e.g. "missing separator"
	// Printed reports that the message was already written to
	// Config.Stderr (as make does at the time of the error).
	Printed bool
}

func (e *Error) Error() string {
	if e.Pos.File != "" {
		return e.Pos.File + ":" + itoa(e.Pos.Line) + ": " + e.Msg
	}
	return e.Msg
}

// Format returns the line make prints for this error with program name
// prog: "Makefile:7: *** missing separator.  Stop." or
// "make: *** No rule to make target 'x'.  Stop.".
func (e *Error) Format(prog string) string {
	if e.Pos.File != "" {
		return e.Pos.File + ":" + itoa(e.Pos.Line) + ": *** " + e.Msg + ".  Stop."
	}
	return prog + ": *** " + e.Msg + ".  Stop."
}

// ShellFunc adapts a function to the Shell interface.
type ShellFunc func(ctx context.Context, call ShellCall) (out []byte, status int, err error)

// Shell calls f.
func (f ShellFunc) Shell(ctx context.Context, call ShellCall) ([]byte, int, error) {
	return f(ctx, call)
}

// SetStreams makes what evaluation prints from now on ($(info),
// $(warning), the standard error of $(shell), as recipes are expanded) go
// to stdout and stderr instead of the streams of the Config it was loaded
// with.
func (db *Database) SetStreams(stdout, stderr io.Writer) {
	db.mu.Lock()
	defer db.mu.Unlock()
	ev := db.ev
	cfg := *ev.cfg
	cfg.Stdout, cfg.Stderr = stdout, stderr
	ev.cfg = &cfg
	ev.stdout, ev.stderr = stdout, stderr
}
