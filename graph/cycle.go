package graph

import "strings"

// CycleError is a dependency cycle, reported in full when cycles are
// errors (dmake --cycle-error) instead of make's warning.
type CycleError struct {
	// Path is the cycle: each name depends on the next, and the last is
	// the first again.
	Path []string
}

func (e *CycleError) Error() string {
	return "dependency cycle: " + strings.Join(e.Path, " -> ")
}

// CheckCycles walks the graph from goals in make's order (depth first,
// prerequisites left to right, order-only ones after) and returns the
// first cycle found, or nil. It resolves the rules of every node it
// reaches.
func (g *Graph) CheckCycles(goals []string) error {
	const (
		white = iota
		grey
		black
	)
	color := make(map[*Node]int)
	var stack []*Node
	var found *CycleError
	var visit func(n *Node)
	visit = func(n *Node) {
		if found != nil {
			return
		}
		color[n] = grey
		stack = append(stack, n)
		g.Resolve(n)
		for _, r := range n.Rules {
			for _, list := range [][]*Node{r.Prereqs, r.OrderOnly} {
				for _, p := range list {
					switch color[p] {
					case grey:
						var path []string
						for i := len(stack) - 1; i >= 0; i-- {
							if stack[i] == p {
								for _, s := range stack[i:] {
									path = append(path, s.Name)
								}
								break
							}
						}
						found = &CycleError{Path: append(path, p.Name)}
						return
					case white:
						visit(p)
						if found != nil {
							return
						}
					}
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[n] = black
	}
	for _, goal := range goals {
		visit(g.Node(goal))
		if found != nil {
			return found
		}
	}
	return nil
}
