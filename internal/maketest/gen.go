package maketest

import (
	"fmt"
	"math/rand"
	"strings"

	"github.com/dmake-dev/dmake/internal/txtar"
)

// Generator makes random well-formed Makefiles: variables of every flavor,
// nested function calls, conditionals, define blocks, includes, target- and
// pattern-specific variables and rules with echo recipes. The text it
// produces is shell-safe (no quotes or shell metacharacters in values), so
// the recipes' output depends only on make's semantics.
type Generator struct {
	r     *rand.Rand
	vars  []string
	funcs []string // names of defined macros for $(call)
	depth int
}

// NewGenerator returns a generator seeded with seed.
func NewGenerator(seed int64) *Generator {
	return &Generator{r: rand.New(rand.NewSource(seed))}
}

var genWords = []string{"a", "b", "c", "x.c", "y.o", "dir/z.h", "src/m.c", "lib.a", "%", "%.c", "a%", "-f", "1", "2", "3", "..", ".", "p/q/r.s.t", "foo", "bar"}

var genVarNames = []string{"A", "B", "C", "D", "E", "F", "OBJS", "SRCS", "LIST", "X_Y", "v1", "v2"}

func (g *Generator) pick(s []string) string { return s[g.r.Intn(len(s))] }

func (g *Generator) chance(n int) bool { return g.r.Intn(100) < n }

// words returns a few literal words.
func (g *Generator) words() string {
	n := g.r.Intn(4)
	ws := make([]string, n)
	for i := range ws {
		ws[i] = g.pick(genWords)
	}
	sep := " "
	if g.chance(10) {
		sep = "  "
	}
	return strings.Join(ws, sep)
}

func (g *Generator) varRef() string {
	if len(g.vars) == 0 || g.chance(10) {
		return "$(" + g.pick(genVarNames) + ")"
	}
	v := g.pick(g.vars)
	switch g.r.Intn(6) {
	case 0:
		return "${" + v + "}"
	case 1:
		return "$(" + v + ":.c=.o)"
	case 2:
		return "$(" + v + ":%=pre/%)"
	}
	return "$(" + v + ")"
}

// expr returns a random expression (make syntax) free of top-level commas.
func (g *Generator) expr() string {
	if g.depth > 3 || g.chance(30) {
		if g.chance(50) {
			return g.words()
		}
		return g.varRef()
	}
	g.depth++
	defer func() { g.depth-- }()
	e := g.expr
	switch g.r.Intn(26) {
	case 0:
		return fmt.Sprintf("$(subst %s,%s,%s)", g.pick(genWords), g.pick(genWords), e())
	case 1:
		return fmt.Sprintf("$(patsubst %s,%s,%s)", g.pick([]string{"%.c", "%", "a%", "%.o", "x.c"}), g.pick([]string{"%.o", "%", "b%", "_%_", "q"}), e())
	case 2:
		return fmt.Sprintf("$(strip %s)", e())
	case 3:
		return fmt.Sprintf("$(findstring %s,%s)", g.pick(genWords), e())
	case 4:
		return fmt.Sprintf("$(filter %s,%s)", g.pick([]string{"%.c", "%.o", "a b", "%"}), e())
	case 5:
		return fmt.Sprintf("$(filter-out %s,%s)", g.pick([]string{"%.c", "%.o", "a b", "%"}), e())
	case 6:
		return fmt.Sprintf("$(sort %s)", e())
	case 7:
		return fmt.Sprintf("$(word %d,%s)", 1+g.r.Intn(3), e())
	case 8:
		return fmt.Sprintf("$(words %s)", e())
	case 9:
		return fmt.Sprintf("$(wordlist %d,%d,%s)", 1+g.r.Intn(3), g.r.Intn(4), e())
	case 10:
		return fmt.Sprintf("$(firstword %s)$(lastword %s)", e(), e())
	case 11:
		return fmt.Sprintf("$(dir %s)", e())
	case 12:
		return fmt.Sprintf("$(notdir %s)", e())
	case 13:
		return fmt.Sprintf("$(suffix %s) $(basename %s)", e(), e())
	case 14:
		return fmt.Sprintf("$(addsuffix %s,%s)", g.pick([]string{".o", "_x", "/"}), e())
	case 15:
		return fmt.Sprintf("$(addprefix %s,%s)", g.pick([]string{"p/", "-I", "x"}), e())
	case 16:
		return fmt.Sprintf("$(join %s,%s)", e(), e())
	case 17:
		return fmt.Sprintf("$(if %s,%s,%s)", e(), e(), e())
	case 18:
		return fmt.Sprintf("$(or %s,%s)", e(), e())
	case 19:
		return fmt.Sprintf("$(and %s,%s)", e(), e())
	case 20:
		v := g.pick([]string{"i", "w", "A"})
		return fmt.Sprintf("$(foreach %s,%s,+$(%s)%s+)", v, e(), v, g.pick([]string{"", ".x", " "}))
	case 21:
		if len(g.funcs) > 0 {
			return fmt.Sprintf("$(call %s,%s,%s)", g.pick(g.funcs), e(), e())
		}
		return g.words()
	case 22:
		return fmt.Sprintf("$(origin %s) $(flavor %s)", g.pick(genVarNames), g.pick(genVarNames))
	case 23:
		if len(g.vars) > 0 {
			return fmt.Sprintf("$(value %s)", g.pick(g.vars))
		}
		return g.words()
	case 24:
		return fmt.Sprintf("$(sort $(%s))", g.pick(genVarNames))
	}
	return g.words() + " " + g.varRef()
}

// safeExpr is an expression whose value is echoed by $(info): $(value)
// could reveal unexpanded text with $, which $(info) prints literally, so
// it is fine; everything stays shell-free.
func (g *Generator) assignment(b *strings.Builder) {
	name := g.pick(genVarNames)
	op := g.pick([]string{"=", "=", ":=", "::=", "+=", "+=", "?=", "!="})
	val := g.expr()
	if op == "!=" {
		val = "echo " + g.words()
	}
	if g.chance(10) {
		fmt.Fprintf(b, "override %s %s %s\n", name, op, val)
	} else if g.chance(10) {
		fmt.Fprintf(b, "$(subst Q,,Q%s) %s %s\n", name, op, val)
	} else {
		fmt.Fprintf(b, "%s %s %s\n", name, op, val)
	}
	g.vars = append(g.vars, name)
}

func (g *Generator) conditional(b *strings.Builder, level int) {
	switch g.r.Intn(4) {
	case 0:
		fmt.Fprintf(b, "ifeq (%s,%s)\n", g.expr(), g.expr())
	case 1:
		fmt.Fprintf(b, "ifneq \"%s\" \"%s\"\n", g.varRef(), g.words())
	case 2:
		fmt.Fprintf(b, "ifdef %s\n", g.pick(genVarNames))
	default:
		fmt.Fprintf(b, "ifndef %s\n", g.pick(genVarNames))
	}
	g.stmts(b, level+1, 1+g.r.Intn(3))
	if g.chance(40) {
		fmt.Fprintf(b, "else ifeq (%s,%s)\n", g.varRef(), g.words())
		g.stmts(b, level+1, 1+g.r.Intn(2))
	}
	if g.chance(50) {
		b.WriteString("else\n")
		g.stmts(b, level+1, 1+g.r.Intn(2))
	}
	b.WriteString("endif\n")
}

func (g *Generator) stmts(b *strings.Builder, level, n int) {
	for i := 0; i < n; i++ {
		switch k := g.r.Intn(10); {
		case k < 4:
			g.assignment(b)
		case k < 7:
			fmt.Fprintf(b, "$(info %s)\n", g.expr())
		case k < 8 && level < 3:
			g.conditional(b, level)
		case k < 9:
			name := g.pick([]string{"f1", "f2", "mac"})
			saved := g.funcs
			g.funcs = nil // no recursive macros: GNU make would loop
			body := g.expr()
			g.funcs = saved
			fmt.Fprintf(b, "define %s\n$(1)-%s-$(2)\nendef\n", name, body)
			g.funcs = append(g.funcs, name)
		default:
			switch g.r.Intn(7) {
			case 0:
				fmt.Fprintf(b, "$(eval %s += %s)\n", g.pick(genVarNames), g.words())
			case 1:
				op := g.pick([]string{"", " =", " :=", " +=", " ?="})
				name := g.pick(genVarNames)
				// The second line runs as a command when the value ends
				// up in a recipe: it starts with echo, which is
				// deterministic (a leading % would be a bash job spec,
				// and "w", used before, is the utility that prints the
				// time and load average).
				fmt.Fprintf(b, "define %s%s\n%s\necho %s\nendef\n", name, op, g.expr(), g.words())
				g.vars = append(g.vars, name)
			case 2:
				fmt.Fprintf(b, "undefine %s\n", g.pick(genVarNames))
			case 3:
				fmt.Fprintf(b, "export %s\n", g.pick(genVarNames))
			case 4:
				fmt.Fprintf(b, "%s := $(shell echo %s)\n", g.pick(genVarNames), g.words())
			case 5:
				fmt.Fprintf(b, "$(info $(%s:%%.c=%%.o) $(%s:.o=) $(%s:a=b))\n", g.pick(genVarNames), g.pick(genVarNames), g.pick(genVarNames))
			default:
				fmt.Fprintf(b, "pre_$(firstword %s x)_post = %s\n$(info $(pre_$(firstword %s x)_post))\n", g.words(), g.words(), g.words())
			}
		}
	}
}

// Case generates one case.
func (g *Generator) Case(name string) *Case {
	g.vars, g.funcs, g.depth = nil, nil, 0
	var b, inc strings.Builder
	g.stmts(&b, 0, 3+g.r.Intn(6))
	useInc := g.chance(30)
	if useInc {
		switch g.r.Intn(4) {
		case 0:
			b.WriteString("include $(wildcard *.mk)\n")
		case 1:
			b.WriteString("-include inc.mk missing.mk\n")
		case 2:
			b.WriteString("sinclude $(CURDIR)/inc.mk\n")
		default:
			b.WriteString("include inc.mk\n")
		}
		g.stmts(&inc, 0, 2+g.r.Intn(3))
		inc.WriteString("$(info inc [$(notdir $(MAKEFILE_LIST))])\n")
	}
	if g.chance(10) {
		b.WriteString(".DEFAULT_GOAL := t2\n")
	}
	g.stmts(&b, 0, 2+g.r.Intn(4))
	// rules
	b.WriteString("all: t1 t2\n\t@echo all $@ [$^] " + g.varRef() + "\n")
	if g.chance(40) {
		fmt.Fprintf(&b, "t1: %s = %s\n", g.pick(genVarNames), g.expr())
	}
	if g.chance(30) {
		fmt.Fprintf(&b, "t%%: %s += %s\n", g.pick(genVarNames), g.words())
	}
	if g.chance(30) {
		fmt.Fprintf(&b, "t1: %s %s %s\n", g.pick([]string{"", "override ", "export ", "private "}), g.pick(genVarNames), g.pick([]string{":= x", "+= more", "?= cond", "= $(A) r"}))
	}
	oo := ""
	if g.chance(30) {
		oo = " | t4"
	}
	fmt.Fprintf(&b, "t1: t3%s\n\t@echo t1 %s [$|]\n", oo, g.expr())
	if g.chance(30) {
		fmt.Fprintf(&b, "ifdef %s\n\t@echo cond-line $(%s)\nelse\n\t@echo other-line\nendif\n", g.pick(genVarNames), g.pick(genVarNames))
	}
	fmt.Fprintf(&b, "t2 t3:\n\t@echo $@ %s\n", g.expr())
	switch g.r.Intn(4) {
	case 0:
		b.WriteString("t4:: ; @echo t4 one\nt4:: ; @echo t4 two $@\n")
	case 1:
		b.WriteString("t4 t5: t%: ; @echo static $@ $*\n")
	case 2:
		fmt.Fprintf(&b, "export %s\nt4: ; @echo \"env [$$%s]\"\n", g.pick(genVarNames), g.pick(genVarNames))
	default:
		b.WriteString(".PHONY: t4\nt4: ; @echo t4\n")
	}
	if g.chance(30) {
		fmt.Fprintf(&b, "\t$(eval %s := %s)\n\t@echo after-eval %s\n", g.pick(genVarNames), g.words(), g.varRef())
	}
	if g.chance(20) {
		fmt.Fprintf(&b, "\t$(info recipe-info %s)\n\t$(warning recipe-warning %s)\n", g.expr(), g.words())
	}
	c := &Case{Name: name, Shell: "bash", NoNL: map[string]bool{}, CRLF: map[string]bool{}}
	c.Files = append(c.Files, txtar.File{Name: "Makefile", Data: []byte(g.noise(b.String()))})
	if useInc {
		c.Files = append(c.Files, txtar.File{Name: "inc.mk", Data: []byte(inc.String())})
	}
	return c
}

// Archive returns the case as a txtar archive, ready to be committed.
func (c *Case) Archive() []byte {
	var comment strings.Builder
	if len(c.Args) > 0 {
		comment.WriteString("args: " + strings.Join(c.Args, " ") + "\n")
	}
	if c.Shell == "sh" {
		comment.WriteString("shell: sh\n")
	}
	return txtar.Format(&txtar.Archive{Comment: []byte(comment.String()), Files: c.Files})
}

// noise adds lexical variation to makefile lines (not recipe lines, not
// define bodies): trailing comments and backslash-newline continuations.
func (g *Generator) noise(text string) string {
	lines := strings.Split(text, "\n")
	inDefine := false
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "define "):
			inDefine = true
			continue
		case l == "endef":
			inDefine = false
			continue
		case inDefine || l == "" || strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "if") || strings.HasPrefix(l, "else") || l == "endif":
			continue
		}
		if g.chance(10) {
			c := g.pick([]string{" # note", "# note", "\t# note \\", " #"})
			if strings.Contains(l, ";") && strings.HasSuffix(c, "\\") {
				// after "; recipe" the comment is the shell's: see
				// generated/gen-51-630 in KNOWN_DIFFERENCES
				c = " # note"
			}
			l += c
		}
		if g.chance(10) {
			if k := strings.IndexByte(l, ' '); k > 0 {
				l = l[:k] + g.pick([]string{" \\\n  ", "\\\n", "  \\\n\t"}) + l[k+1:]
			}
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}
