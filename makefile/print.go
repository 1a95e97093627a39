package makefile

import (
	"bufio"
	"io"
	"slices"
	"sort"
	"strings"
)

// FoundFile is a file whose rule a run found by implicit rule search: the
// instance of a pattern rule, as the data base prints it after the run.
type FoundFile struct {
	Name      string
	Prereqs   []string // the pattern's prerequisites, then the explicit ones
	OrderOnly []string
	Stem      string  // $*
	Recipe    *Recipe // the pattern rule's, nil for none
}

// printDatabase writes the database as "make -p" does (variables, pattern
// rules, files), without timestamps and statistics; the files of found
// are printed with the rule implicit rule search found for them.
func (db *Database) printDatabase(w io.Writer, found []FoundFile) error {
	bw := bufio.NewWriter(w)
	ev := db.ev
	byName := make(map[string]*FoundFile, len(found))
	isFound := make(map[string]bool, len(found))
	for i := range found {
		byName[found[i].Name] = &found[i]
		isFound[found[i].Name] = true
	}
	bw.WriteString("\n# Variables\n\n")
	names := db.Globals.Names()
	sort.Strings(names)
	for _, n := range names {
		printVar(bw, db.Globals.Lookup(n), "")
	}
	bw.WriteString("\n# Pattern-specific Variable Values\n\n")
	for _, pv := range db.sortedPatternVars() {
		v := pv.Var
		bw.WriteString(pv.Pattern + " :\n")
		bw.WriteString("# " + originText(v.Origin) + "\n")
		val := v.Value
		if v.Flavor == Recursive || v.Append {
			val = strings.ReplaceAll(val, "$", "$$")
		}
		bw.WriteString("# " + v.Name + " := " + val + "\n\n")
	}
	bw.WriteString("\n# VPATH Search Paths\n\n")
	for _, vp := range db.VPaths {
		bw.WriteString("vpath " + vp.Pattern + " " + strings.Join(vp.Dirs, ":") + "\n")
	}
	bw.WriteString("\n# Implicit Rules\n\n")
	for _, r := range db.PatternRules {
		bw.WriteString(strings.Join(r.Targets, " "))
		bw.WriteString(":")
		if r.Terminal {
			bw.WriteString(":")
		}
		writePrereqs(bw, slices.Concat(r.Prereqs, db.ExtraPrereqs), r.OrderOnly)
		bw.WriteString("\n")
		printRecipe(bw, r.Recipe, ev.recipePrefix)
		bw.WriteString("\n")
	}
	bw.WriteString("\n# Files\n\n")
	for _, name := range db.TargetOrder {
		t := db.Targets[name]
		printTargetVars(bw, t)
		if f := byName[name]; f != nil {
			printFound(bw, f, t.Phony, ev.recipePrefix)
			delete(byName, name)
			continue
		}
		for _, r := range t.Rules {
			bw.WriteString(name)
			bw.WriteString(":")
			if t.DoubleColon {
				bw.WriteString(":")
			}
			writePrereqs(bw, slices.Concat(r.Prereqs, t.ExtraPrereqs), r.OrderOnly)
			bw.WriteString("\n")
			if t.Phony {
				bw.WriteString("#  Phony target (prerequisite of .PHONY).\n")
			}
			printRecipe(bw, r.Recipe, ev.recipePrefix)
			bw.WriteString("\n")
		}
	}
	for i := range found {
		if f := byName[found[i].Name]; f != nil {
			printFound(bw, f, db.IsPhony(f.Name), ev.recipePrefix)
			delete(byName, f.Name)
		}
	}
	// A prerequisite of .PHONY is a target (make's snap_deps), printed
	// as one even without a rule.
	for _, name := range db.specialPrereqs[".PHONY"] {
		t := db.Targets[name]
		if isFound[name] || t != nil && len(t.Rules) > 0 {
			continue
		}
		isFound[name] = true // printed
		if t != nil && !t.isTarget {
			printTargetVars(bw, t)
		}
		bw.WriteString(name + ":\n#  Phony target (prerequisite of .PHONY).\n\n")
	}
	// The variables of a file that is no target ("x: v := 1" alone).
	var others []string
	for name, t := range db.Targets {
		if !t.isTarget && !isFound[name] && t.Vars != nil && len(t.Vars.Names()) > 0 {
			others = append(others, name)
		}
	}
	sort.Strings(others)
	for _, name := range others {
		printTargetVars(bw, db.Targets[name])
		bw.WriteString("# Not a target:\n" + name + ":\n\n")
	}
	bw.WriteString("\n# finished\n")
	return bw.Flush()
}

// printTargetVars prints the target-specific variables of t.
func printTargetVars(bw *bufio.Writer, t *Target) {
	if t.Vars == nil {
		return
	}
	for _, vn := range t.Vars.Names() {
		printVar(bw, t.Vars.Lookup(vn), t.Name+": ")
	}
}

// printFound prints f as make prints a file after implicit rule search
// found its rule.
func printFound(bw *bufio.Writer, f *FoundFile, phony bool, prefix byte) {
	bw.WriteString(f.Name + ":")
	writePrereqs(bw, f.Prereqs, f.OrderOnly)
	bw.WriteString("\n")
	if phony {
		bw.WriteString("#  Phony target (prerequisite of .PHONY).\n")
	}
	bw.WriteString("#  Implicit rule search has been done.\n")
	bw.WriteString("#  Implicit/static pattern stem: '" + f.Stem + "'\n")
	printRecipe(bw, f.Recipe, prefix)
	bw.WriteString("\n")
}

func writePrereqs(bw *bufio.Writer, n, o []string) {
	for _, p := range n {
		bw.WriteString(" ")
		bw.WriteString(p)
	}
	if len(o) > 0 {
		bw.WriteString(" |")
		for _, p := range o {
			bw.WriteString(" ")
			bw.WriteString(p)
		}
	}
}

func printVar(bw *bufio.Writer, v *Var, prefix string) {
	if v == nil {
		return
	}
	bw.WriteString("# " + originText(v.Origin) + "\n")
	op := " = "
	if v.Flavor == Simple {
		op = " := "
	}
	if v.Append {
		op = " += "
	}
	if strings.IndexByte(v.Value, '\n') >= 0 {
		bw.WriteString(prefix + "define " + v.Name + "\n" + v.Value + "\nendef\n")
		return
	}
	val := v.Value
	switch {
	case val != "" && strings.TrimLeft(val, " \t") == "":
		// All blanks: written so that reading it back keeps them.
		val = "$(subst ,," + val + ")"
	case v.Flavor == Simple && !v.Append:
		// A simple value as make prints it: its $ doubled, as it
		// would be written.
		val = strings.ReplaceAll(val, "$", "$$")
	}
	bw.WriteString(prefix + v.Name + op + val + "\n")
}

// printRecipe prints r's lines, each after prefix: the recipe prefix
// (.RECIPEPREFIX) when the data base is printed, as make's print_commands.
func printRecipe(bw *bufio.Writer, r *Recipe, prefix byte) {
	if r == nil {
		return
	}
	bw.WriteString("#  recipe to execute:\n")
	for _, l := range r.Lines {
		bw.WriteByte(prefix)
		bw.WriteString(l.Text + "\n")
	}
}

// originText is how make -p names an origin.
func originText(o Origin) string {
	switch o {
	case OriginFile:
		return "makefile"
	case OriginOverride:
		return "'override' directive"
	case OriginEnvOverride:
		return "environment under -e"
	}
	return o.String()
}
