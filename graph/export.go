package graph

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// SchemaVersion is the version of the JSON document written by WriteJSON;
// graph.schema.json in this package describes it.
const SchemaVersion = 1

// Doc is the printable graph of a run (dmake --graph): the images, each
// with its components and the images it is built FROM, and the target
// graph below the goals. Either part may be empty.
type Doc struct {
	Version int `json:"version"`
	// Goals are the goals the graph was made for, in order.
	Goals []string `json:"goals"`
	// Images in build order (an image after the image it is FROM).
	Images []DocImage `json:"images"`
	// Targets in make's traversal order from the goals.
	Targets []DocTarget `json:"targets"`
}

// DocImage is one image of the image graph.
type DocImage struct {
	Name       string   `json:"name"`
	Tag        string   `json:"tag"`
	From       string   `json:"from"`
	DependsOn  []string `json:"depends_on"` // images of this run it is FROM
	Components []string `json:"components"`
	Dir        string   `json:"dir,omitempty"`
	// Target is the make target whose recipe builds it (a plain
	// Makefile's docker build).
	Target string `json:"target,omitempty"`
}

// DocTarget is one node of the target graph.
type DocTarget struct {
	Name         string   `json:"name"`
	Prereqs      []string `json:"prereqs"`
	OrderOnly    []string `json:"order_only"`
	Phony        bool     `json:"phony"`
	Intermediate bool     `json:"intermediate"`
	DoubleColon  bool     `json:"double_colon"`
	Recipe       bool     `json:"has_recipe"`
	Pattern      string   `json:"pattern,omitempty"` // the implicit rule used ("%.o: %.c")
	Exists       bool     `json:"exists"`
	Pos          string   `json:"pos,omitempty"` // "Makefile:3" of the rule
}

// label is what a drawing of the graph shows for the image: its tag, or
// its name when it has none (a plain Makefile's untagged build).
func (im DocImage) label() string {
	if im.Tag == "" {
		return im.Name
	}
	return im.Tag
}

// Targets lists the target graph below goals in make's traversal order
// (depth first, prerequisites left to right, then order-only ones),
// resolving rules as make would. Cycles are cut where make cuts them.
func (g *Graph) Targets(goals []string) []DocTarget {
	var out []DocTarget
	seen := make(map[*Node]bool)
	var visit func(n *Node)
	visit = func(n *Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		g.Resolve(n)
		t := DocTarget{Name: n.Name, Prereqs: []string{}, OrderOnly: []string{}, Phony: n.Phony, Intermediate: n.Intermediate,
			DoubleColon: n.DoubleColon, Recipe: n.HasRecipe(), Exists: g.Exists(n)}
		for _, r := range n.Rules {
			for _, p := range r.Prereqs {
				t.Prereqs = append(t.Prereqs, p.Name)
			}
			for _, p := range r.OrderOnly {
				t.OrderOnly = append(t.OrderOnly, p.Name)
			}
			if r.Pattern != nil && t.Pattern == "" {
				t.Pattern = strings.Join(r.Pattern.Targets, " ") + ": " + strings.Join(r.Pattern.Prereqs, " ")
			}
			if t.Pos == "" && r.Pos.File != "" {
				t.Pos = fmt.Sprintf("%s:%d", r.Pos.File, r.Pos.Line)
			}
		}
		out = append(out, t)
		for _, r := range n.Rules {
			for _, p := range r.Prereqs {
				visit(p)
			}
			for _, p := range r.OrderOnly {
				visit(p)
			}
		}
	}
	for _, goal := range goals {
		visit(g.Node(goal))
	}
	return out
}

// WriteJSON writes d as indented JSON (see graph.schema.json).
func (d *Doc) WriteJSON(w io.Writer) error {
	if d.Version == 0 {
		d.Version = SchemaVersion
	}
	if d.Goals == nil {
		d.Goals = []string{}
	}
	if d.Images == nil {
		d.Images = []DocImage{}
	}
	if d.Targets == nil {
		d.Targets = []DocTarget{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

// dotQuote quotes s as a DOT identifier.
func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// WriteDOT writes d for Graphviz: images as boxes (an edge from an image
// to the image it is FROM, and to its components; from the target whose
// recipe builds it to the image), targets as ellipses
// (an edge to each prerequisite, dashed for order-only ones).
func (d *Doc) WriteDOT(w io.Writer) error {
	var b strings.Builder
	b.WriteString("digraph dmake {\n\trankdir=LR;\n")
	for _, im := range d.Images {
		fmt.Fprintf(&b, "\t%s [shape=box, label=%s];\n", dotQuote("image:"+im.Name), dotQuote(im.label()))
		for _, dep := range im.DependsOn {
			fmt.Fprintf(&b, "\t%s -> %s [label=\"FROM\"];\n", dotQuote("image:"+im.Name), dotQuote("image:"+dep))
		}
		for _, c := range im.Components {
			fmt.Fprintf(&b, "\t%s -> %s;\n", dotQuote("image:"+im.Name), dotQuote(im.Name+":"+c))
			fmt.Fprintf(&b, "\t%s [shape=ellipse, label=%s];\n", dotQuote(im.Name+":"+c), dotQuote(c))
		}
		if im.Target != "" {
			fmt.Fprintf(&b, "\t%s -> %s [label=\"docker build\"];\n", dotQuote(im.Target), dotQuote("image:"+im.Name))
		}
	}
	for _, t := range d.Targets {
		attrs := "shape=ellipse"
		if t.Phony {
			attrs += ", style=dashed"
		}
		fmt.Fprintf(&b, "\t%s [%s];\n", dotQuote(t.Name), attrs)
		for _, p := range t.Prereqs {
			fmt.Fprintf(&b, "\t%s -> %s;\n", dotQuote(t.Name), dotQuote(p))
		}
		for _, p := range t.OrderOnly {
			fmt.Fprintf(&b, "\t%s -> %s [style=dashed];\n", dotQuote(t.Name), dotQuote(p))
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMermaid writes d as a Mermaid flowchart.
func (d *Doc) WriteMermaid(w io.Writer) error {
	ids := make(map[string]string)
	id := func(key string) string {
		if s, ok := ids[key]; ok {
			return s
		}
		s := fmt.Sprintf("n%d", len(ids))
		ids[key] = s
		return s
	}
	label := func(s string) string {
		return `"` + strings.NewReplacer(`"`, "#quot;").Replace(s) + `"`
	}
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for _, im := range d.Images {
		fmt.Fprintf(&b, "  %s[%s]\n", id("image:"+im.Name), label(im.label()))
		for _, dep := range im.DependsOn {
			fmt.Fprintf(&b, "  %s -->|FROM| %s\n", id("image:"+im.Name), id("image:"+dep))
		}
		for _, c := range im.Components {
			fmt.Fprintf(&b, "  %s --> %s(%s)\n", id("image:"+im.Name), id(im.Name+":"+c), label(c))
		}
		if im.Target != "" {
			fmt.Fprintf(&b, "  %s -->|docker build| %s\n", id(im.Target), id("image:"+im.Name))
		}
	}
	for _, t := range d.Targets {
		fmt.Fprintf(&b, "  %s(%s)\n", id(t.Name), label(t.Name))
		for _, p := range t.Prereqs {
			fmt.Fprintf(&b, "  %s --> %s\n", id(t.Name), id(p))
		}
		for _, p := range t.OrderOnly {
			fmt.Fprintf(&b, "  %s -.-> %s\n", id(t.Name), id(p))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Formats are the formats Doc.Write writes.
var Formats = []string{"dot", "json", "mermaid"}

// Write writes d in format: "dot" (or ""), "json" or "mermaid".
func (d *Doc) Write(w io.Writer, format string) error {
	switch format {
	case "", "dot":
		return d.WriteDOT(w)
	case "json":
		return d.WriteJSON(w)
	case "mermaid":
		return d.WriteMermaid(w)
	}
	return fmt.Errorf("unknown graph format %q (want dot, json or mermaid)", format)
}

// Image is what the image graph needs to know of one legacy image.
type Image struct {
	Name       string   // the image's directory name (images/NAME)
	Tag        string   // $(IMAGE_PREFIX)$(IMAGE)
	From       string   // the FROM image
	Components []string // prerequisites of its prepare goal, in order
	Dir        string
	Target     string // the make target whose recipe builds it, if one does
}

// NormTag returns an image reference as the engine resolves it for a
// FROM: with ":latest" added when it names no tag (legacy/ssh and
// legacy/ssh:latest are one image).
func NormTag(t string) string {
	if i := strings.LastIndexByte(t, '/'); strings.LastIndexByte(t, ':') > i || strings.Contains(t, "@") {
		return t
	}
	return t + ":latest"
}

// ImageOrder orders images so that an image comes after the image of the
// same run its FROM names (tags compared as NormTag does), keeping the
// given order otherwise; it returns the document entries with their
// dependencies. A FROM cycle is an error naming it. This is the one image
// graph of dmake: build order, --graph and --watch all use it.
func ImageOrder(images []Image) ([]DocImage, error) {
	byTag := make(map[string]int)
	for i, im := range images {
		byTag[NormTag(im.Tag)] = i
	}
	state := make([]int, len(images)) // 0 new, 1 visiting, 2 done
	var out []DocImage
	var visit func(i int, path []string) error
	visit = func(i int, path []string) error {
		switch state[i] {
		case 1:
			return &CycleError{Path: append(path, images[i].Name)}
		case 2:
			return nil
		}
		state[i] = 1
		im := images[i]
		di := DocImage{Name: im.Name, Tag: im.Tag, From: im.From, DependsOn: []string{}, Components: append([]string{}, im.Components...), Dir: im.Dir, Target: im.Target}
		j, ok := byTag[NormTag(im.From)]
		ok = ok && im.From != ""
		if ok && j != i {
			di.DependsOn = append(di.DependsOn, images[j].Name)
			if err := visit(j, append(path, im.Name)); err != nil {
				return err
			}
		} else if ok && j == i {
			return &CycleError{Path: []string{im.Name, im.Name}}
		}
		state[i] = 2
		out = append(out, di)
		return nil
	}
	for i := range images {
		if err := visit(i, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}
