package makefile

//go:generate sh -c "go run ./internal/genbuiltin testdata/make-p-devnull.txt testdata/make-Rp-devnull.txt > builtin_table.go"

type builtinVar struct {
	name, op, value string
	automatic       bool
	core            bool // still defined with -R
}

type builtinSuffixRule struct {
	name   string
	recipe []string
}

type builtinPatternRule struct {
	targets, prereqs []string
	terminal         bool
	recipe           []string
}

func builtinRecipe(lines []string) *Recipe {
	r := &Recipe{prefix: '\t'}
	for _, l := range lines {
		r.Lines = append(r.Lines, RecipeLine{Text: l})
	}
	return r
}

// installSuffixRules enters the default suffix rules and .SUFFIXES, as
// make does before reading makefiles (unless -r).
func (ev *evaluator) installSuffixRules() {
	db := ev.db
	if ev.cfg.Flags.NoBuiltinRules || ev.cfg.Flags.NoBuiltinVars {
		if v := ev.globals.m["SUFFIXES"]; v != nil {
			v.Value = ""
		}
		return
	}
	db.Suffixes = append([]string(nil), builtinSuffixes...)
	for _, r := range builtinSuffixRules {
		db.builtinFiles[r.name] = &Target{Name: r.name, Rules: []*Rule{{Recipe: builtinRecipe(r.recipe)}}, builtin: true}
	}
}

// dropBuiltins does what make does when the makefiles turned on -r or -R
// (MAKEFLAGS += -r) that the command line had not: -r empties SUFFIXES
// and the default suffix list (a list the makefiles gave .SUFFIXES
// stays), -R undefines the default variables the makefiles left as they
// were (main.c, after the makefiles are read).
func (ev *evaluator) dropBuiltins(before, after Flags) {
	if after.NoBuiltinRules && !before.NoBuiltinRules && !before.NoBuiltinVars {
		if !ev.userSuffixes {
			ev.db.Suffixes = nil
		}
		ev.globals.set(&Var{Name: "SUFFIXES", Flavor: Simple, Origin: OriginDefault})
	}
	if after.NoBuiltinVars && !before.NoBuiltinVars {
		for _, b := range builtinVars {
			if v := ev.globals.m[b.name]; v != nil && !b.core && !b.automatic && v.Origin == OriginDefault {
				ev.globals.del(b.name)
			}
		}
	}
}

// installPatternRules adds make's default pattern rules after the
// makefiles were read (they never override the user's), unless -r or -R
// is on, on the command line or set by the makefiles.
func (ev *evaluator) installPatternRules() {
	if ev.db.Flags.NoBuiltinRules || ev.db.Flags.NoBuiltinVars {
		return
	}
	for _, r := range builtinPatternRules {
		ev.db.addPatternRule(&PatternRule{Targets: r.targets, Prereqs: r.prereqs, Terminal: r.terminal, Recipe: builtinRecipe(r.recipe), Builtin: true}, false)
	}
}

// convertSuffixRules is make's convert_to_pattern.
func (db *Database) convertSuffixRules() {
	suffixes := db.Suffixes
	conv := func(target, source string, t *Target) {
		pr := &PatternRule{Suffix: true}
		if target == "" {
			pr.Targets = []string{"%"}
		} else {
			pr.Targets = []string{"%" + target}
		}
		if source != "" {
			pr.Prereqs = []string{"%" + source}
		}
		if t != nil && len(t.Rules) > 0 {
			pr.Recipe = t.Rules[0].Recipe
			pr.Builtin = t.builtin
			pr.Pos = t.Pos
		}
		db.addPatternRule(pr, false)
	}
	for _, s := range suffixes {
		conv(s, "", nil)
		if t := db.fileFor(s); t != nil && len(t.Rules) > 0 && t.Rules[0].Recipe != nil {
			db.warnSuffixPrereqs(t)
			conv("", s, t)
		}
		for _, s2 := range suffixes {
			if s == s2 {
				continue
			}
			t := db.fileFor(s + s2)
			if t == nil || len(t.Rules) == 0 || t.Rules[0].Recipe == nil {
				continue
			}
			if db.Posix && len(t.Rules[0].Prereqs) > 0 {
				continue
			}
			db.warnSuffixPrereqs(t)
			conv(s2, s, t)
		}
	}
}

// warnSuffixPrereqs warns, as make does when it converts a suffix rule,
// that the prerequisites of suffix rule t make no part of the pattern
// rule (they stay t's own, as a target's).
func (db *Database) warnSuffixPrereqs(t *Target) {
	if t.builtin || len(t.Rules[0].Prereqs) == 0 {
		return
	}
	db.ev.warnAt(t.Rules[0].Pos, "warning: ignoring prerequisites on suffix rule definition")
}

// fileFor returns the target name, or the built-in suffix rule of that
// name.
func (db *Database) fileFor(name string) *Target {
	if t := db.Targets[name]; t != nil {
		return t
	}
	return db.builtinFiles[name]
}
