package executor

import (
	"fmt"
	"time"

	"github.com/dmake-dev/dmake/graph"
	"github.com/dmake-dev/dmake/makefile"
)

// debugConsider prints -d's first words about a target: considered, or
// pruned when this pass over the goals has been here already (make's
// update_file and the start of its update_file_1).
func (e *executor) debugConsider(n *graph.Node, s *unitState, depth int) {
	if s.considered == e.pass {
		e.debugf(makefile.DebugVerbose, depth, "Pruning file '%s'.", n.Name)
		return
	}
	s.considered = e.pass
	e.debugf(makefile.DebugVerbose, depth, "Considering target file '%s'.", n.Name)
	switch s.phase {
	case phDone:
		if s.status == stFailed || s.status == stQuestion {
			e.debugf(makefile.DebugVerbose, depth, "Recently tried and failed to update file '%s'.", n.Name)
		} else {
			e.debugf(makefile.DebugVerbose, depth, "File '%s' was considered already.", n.Name)
		}
	case phRunning:
		e.debugf(makefile.DebugVerbose, depth, "Still updating file '%s'.", n.Name)
	}
}

// debugPrereqs prints -d's verdict on each prerequisite of a target that
// exists (order-only, missing, newer, older) and make's reasons to remake
// it or not beyond them; it reports make's verdict that a target with no
// recipe whose prerequisites did not change while they were made needs no
// remaking (update_file_1), where dmake goes on to find nothing to do.
// changed are the prerequisites that did not exist or changed while they
// were made.
func (e *executor) debugPrereqs(n *graph.Node, s *unitState, depth int, noexist bool, thisMtime time.Time, changed map[*graph.Node]bool, mustMake bool) (noNeed bool) {
	depsChanged := false
	report := func(list []*graph.Node, orderOnly bool) {
		for _, p := range list {
			if !orderOnly && changed[p] {
				depsChanged = true
			}
			if noexist {
				continue
			}
			l, format := makefile.DebugVerbose, "Prerequisite '%s' is older than target '%s'."
			switch {
			case orderOnly:
				format = "Prerequisite '%s' is order-only for target '%s'."
			case !e.g.Exists(p) && !graph.IsFarFuture(e.g.Mtime(p)):
				l, format = makefile.DebugBasic, "Prerequisite '%s' of target '%s' does not exist."
			case changed[p] || e.g.Mtime(p).After(thisMtime):
				l, format = makefile.DebugBasic, "Prerequisite '%s' is newer than target '%s'."
			}
			if e.debug&l != 0 {
				e.debugLine(depth+1, fmt.Sprintf(format, p.Name, n.Name))
			}
		}
	}
	report(s.prereqs, false)
	report(s.order, true)
	report(s.extra, false)
	noRecipe := s.rule == nil || s.rule.Recipe == nil || len(s.rule.Recipe.Lines) == 0
	switch {
	case n.DoubleColon && s.rule != nil && len(s.rule.Prereqs) == 0:
		e.debugf(makefile.DebugBasic, depth, "Target '%s' is double-colon and has no prerequisites.", n.Name)
	case !noexist && n.IsTarget() && !depsChanged && noRecipe && !e.opts.AlwaysMake:
		e.debugf(makefile.DebugVerbose, depth, "No recipe for '%s' and no prerequisites actually changed.", n.Name)
		return mustMake
	case !mustMake && !noRecipe && e.opts.AlwaysMake:
		e.debugf(makefile.DebugVerbose, depth, "Making '%s' due to always-make flag.", n.Name)
	}
	return false
}

// debugf prints make's debugging output outside a run of the executor
// (reading the makefiles) on DebugOut, else Stdout.
func (o Options) debugf(format string, args ...any) {
	w := o.DebugOut
	if w == nil {
		w = o.Stdout
	}
	if w != nil {
		fmt.Fprintf(w, format, args...)
	}
}
