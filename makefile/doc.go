// Package makefile reads Makefiles with GNU make 4.3 semantics and evaluates
// them into a rules Database: variables with flavor, origin and export state,
// explicit, pattern, static pattern, double-colon and suffix rules, special
// targets, vpath and the default goal.
//
// Makefiles are lexed into logical lines that carry their position
// (file:line), which the evaluator reads in GNU make's order: what a line is
// (recipe line, assignment, directive, rule) depends on the state reached
// so far (rule context, .RECIPEPREFIX, conditionals, define), so lines are
// classified as make classifies them, one at a time. Every expression is
// parsed once into a value tree: recursive variables keep their tree and are
// expanded lazily, simple ones are expanded at once, recipe lines keep
// theirs until the recipe runs, and rule lines are parsed after expansion, as
// GNU make does. Errors are GNU make's, with its wording and positions, and
// the program name in messages is a parameter (Config.ProgramName).
//
// The package knows nothing of processes: $(shell) runs through the Shell
// given in Config, and recipes are only expanded here (Database.ExpandRecipe),
// never run.
//
// # Files
//
// Which file does what, and the GNU make 4.3 source file it mirrors:
//
//	db.go        Database, Config, Target, Rule, Var: the result of Load
//	             (filedef.h, rule.h, variable.h)
//	load.go      Load: one make invocation's reading of its makefiles,
//	             MAKEFLAGS and the command line (main.c)
//	read.go      logical lines, directives, conditionals, define, include,
//	             assignments (read.c: eval_makefile, eval, readline)
//	rules.go     rule lines: words, targets, prerequisites, target- and
//	             pattern-specific variables, vpath (read.c: record_files,
//	             get_next_mword; rule.c; vpath.c)
//	vars.go      variable sets and lookup (variable.c)
//	expr.go      parsing text into value trees (expand.c's reference syntax)
//	eval.go      expanding value trees, limits on depth and size (expand.c)
//	funcs.go     the built-in functions (function.c)
//	recipe.go    target scopes, automatic variables, recipe expansion,
//	             the environment of recipes, $(shell) (commands.c, job.c's
//	             construct_command_argv flags, variable.c's target_environment)
//	builtin.go   the built-in rules and variables; builtin_table.go is
//	             generated from make -p -f /dev/null (default.c)
//	print.go     the data base as make -p prints it (main.c, rule.c, file.c)
//	inputs.go    what a load read, for the load cache (no counterpart: kati's
//	             regen check)
//	codec.go     the Database's encoding for the load cache (no counterpart)
package makefile
