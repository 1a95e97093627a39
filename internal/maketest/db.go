package maketest

import (
	"fmt"
	"sort"
	"strings"
)

// DB is the meaningful content of a "make -p" print-out: variables with
// origin, flavor and value; rules with prerequisites and recipes.
type DB struct {
	Vars  map[string]string // name → "origin flavor value"
	Rules map[string]string // "target:" or "target::" (numbered for repeats) → prerequisites and recipe
	Impl  map[string]string // implicit rule header → recipe
	// TargetVars are target-specific variables: "target: NAME" →
	// "origin operator value".
	TargetVars map[string]string
	// PatternVars are pattern-specific variables in make's order:
	// "pattern NAME" → "origin value".
	PatternVars []string
	// VPaths are the vpath directives as printed.
	VPaths []string
}

var origins = map[string]string{
	"# default":              "default",
	"# environment":          "environment",
	"# environment under -e": "environment override",
	"# makefile":             "file",
	"# command line":         "command line",
	"# 'override' directive": "override",
	"# automatic":            "automatic",
}

func originOf(line string) (string, bool) {
	if o, ok := origins[line]; ok {
		return o, true
	}
	if strings.HasPrefix(line, "# makefile (from ") {
		return "file", true
	}
	for _, o := range []string{"command line", "environment", "environment under -e", "automatic", "default"} {
		if strings.HasPrefix(line, "# "+o+" (from ") {
			return originOf("# " + o)
		}
	}
	if strings.HasPrefix(line, "# 'override' directive (from ") {
		return "override", true
	}
	return "", false
}

// ignoredVars are variables whose values are not meaningful to compare.
var ignoredVars = map[string]bool{
	".VARIABLES": true, // GNU make prints its hash order
}

// ParseDB extracts the data base from make -p output.
func ParseDB(out string) *DB {
	db := &DB{Vars: map[string]string{}, Rules: map[string]string{}, Impl: map[string]string{}, TargetVars: map[string]string{}}
	lines := strings.Split(out, "\n")
	section := ""
	// Recipe lines start with the recipe prefix (.RECIPEPREFIX, printed
	// before the rules) as make prints the data base.
	prefix := "\t"
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch l {
		case "# Variables", "# Pattern-specific Variable Values", "# Directories", "# Implicit Rules", "# Files", "# VPATH Search Paths":
			section = l
			continue
		}
		if strings.HasPrefix(l, "# finished") {
			section = ""
			continue
		}
		switch section {
		case "# Pattern-specific Variable Values":
			if strings.HasSuffix(l, " :") && i+2 < len(lines) {
				o, _ := originOf(lines[i+1])
				db.PatternVars = append(db.PatternVars, strings.TrimSuffix(l, " :")+" "+o+" "+strings.TrimPrefix(lines[i+2], "# "))
				i += 2
			}
		case "# VPATH Search Paths":
			if strings.HasPrefix(l, "vpath ") {
				db.VPaths = append(db.VPaths, l)
			}
		case "# Variables":
			o, ok := originOf(l)
			if !ok || i+1 >= len(lines) {
				continue
			}
			i++
			d := lines[i]
			var name, val, flavor string
			if strings.HasPrefix(d, "define ") {
				name = strings.TrimPrefix(d, "define ")
				flavor = "recursive"
				var body []string
				for i+1 < len(lines) && lines[i+1] != "endef" {
					i++
					body = append(body, lines[i])
				}
				i++
				val = strings.Join(body, "\n")
			} else {
				sp := strings.IndexByte(d, ' ')
				if sp < 0 {
					continue
				}
				name = d[:sp]
				rest := d[sp+1:]
				switch {
				case strings.HasPrefix(rest, ":= ") || rest == ":=":
					flavor, val = "simple", strings.TrimPrefix(strings.TrimPrefix(rest, ":="), " ")
				case strings.HasPrefix(rest, "= ") || rest == "=":
					flavor, val = "recursive", strings.TrimPrefix(strings.TrimPrefix(rest, "="), " ")
				default:
					continue
				}
			}
			if name == ".RECIPEPREFIX" && val != "" {
				prefix = val[:1]
			}
			if ignoredVars[name] {
				continue
			}
			if name == ".FEATURES" {
				// dmake cannot load objects and does not offer load.
				val = strings.TrimSuffix(strings.ReplaceAll(val+" ", " load ", " "), " ")
			}
			db.Vars[name] = o + " " + flavor + " " + val
		case "# Implicit Rules", "# Files":
			if l == "" || strings.HasPrefix(l, prefix) {
				continue
			}
			if l == "# Not a target:" {
				// skip the block
				for i+1 < len(lines) && lines[i+1] != "" {
					i++
				}
				continue
			}
			if o, ok := originOf(l); ok {
				i++ // a target-specific variable line follows
				if i < len(lines) && section == "# Files" && !strings.HasPrefix(lines[i], "# ") {
					if tgt, def, ok := strings.Cut(lines[i], ": "); ok {
						for _, op := range []string{" := ", " += ", " = ", " ?= "} {
							if name, val, ok := strings.Cut(def, op); ok {
								db.TargetVars[tgt+": "+name] = o + strings.TrimRight(op, " ") + " " + val
								break
							}
						}
					}
				}
				continue
			}
			if strings.HasPrefix(l, "#") {
				continue
			}
			header := l
			var recipe []string
			for i+1 < len(lines) && lines[i+1] != "" {
				i++
				if strings.HasPrefix(lines[i], prefix) {
					recipe = append(recipe, lines[i])
				}
				if _, ok := originOf(lines[i]); ok && section == "# Files" {
					i++ // automatic variables of built targets
				}
			}
			key, m := header, db.Rules
			if section == "# Implicit Rules" {
				m = db.Impl
			}
			for n := 2; ; n++ {
				if _, dup := m[key]; !dup {
					break
				}
				key = fmt.Sprintf("%s #%d", header, n)
			}
			m[key] = strings.Join(recipe, "\n")
		}
	}
	return db
}

// Diff describes how got differs from want.
func (want *DB) Diff(got *DB) string {
	var b strings.Builder
	diffMap(&b, "variable", want.Vars, got.Vars)
	diffMap(&b, "rule", want.Rules, got.Rules)
	diffMap(&b, "implicit rule", want.Impl, got.Impl)
	diffMap(&b, "target variable", want.TargetVars, got.TargetVars)
	if w, g := strings.Join(want.PatternVars, "\n"), strings.Join(got.PatternVars, "\n"); w != g {
		fmt.Fprintf(&b, "pattern-specific variables:\n--- make\n%s\n--- dmake\n%s\n", w, g)
	}
	if w, g := strings.Join(want.VPaths, "\n"), strings.Join(got.VPaths, "\n"); w != g {
		fmt.Fprintf(&b, "vpath:\n--- make\n%s\n--- dmake\n%s\n", w, g)
	}
	return b.String()
}

func diffMap(b *strings.Builder, what string, w, g map[string]string) {
	var keys []string
	for k := range w {
		keys = append(keys, k)
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		wv, wok := w[k]
		gv, gok := g[k]
		switch {
		case !gok:
			fmt.Fprintf(b, "%s %q: missing in dmake (make: %q)\n", what, k, wv)
		case !wok:
			fmt.Fprintf(b, "%s %q: only in dmake (%q)\n", what, k, gv)
		case wv != gv:
			fmt.Fprintf(b, "%s %q: make %q, dmake %q\n", what, k, wv, gv)
		}
	}
}
