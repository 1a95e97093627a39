package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/dmake-dev/dmake/driver"
	"github.com/dmake-dev/dmake/graph"
	"github.com/dmake-dev/dmake/image"
	"github.com/dmake-dev/dmake/internal/makeargs"
	"github.com/dmake-dev/dmake/watch"
	"github.com/spf13/pflag"
)

// The annotations of dmake's flags that the completion scripts and the
// man page read, besides each flag's name, shorthand, usage and default.
const (
	// annValues are the values a flag takes.
	annValues = "dmake-values"
	// annArg says what a flag's value names: argDir, argFile or
	// argUtility.
	annArg = "dmake-arg"
)

const (
	argDir     = "dir"
	argFile    = "file"
	argUtility = "utility"
)

// completionShells are the shells --completion writes a script for.
var completionShells = []string{"bash", "zsh"}

// annotateFlags records, on the flags of fs, the values they take (from
// the lists their validation uses) and what their values name.
func annotateFlags(fs *pflag.FlagSet) {
	for name, vals := range map[string][]string{
		"progress":     image.ProgressKinds,
		"graph":        graph.Formats,
		"mode":         driver.Modes,
		"output-sync":  driver.OutputSyncTypes,
		"watch-policy": {watch.Cancel.String(), watch.Finish.String()},
		"completion":   completionShells,
		"check-format": driver.CheckFormats,
	} {
		mustAnnotate(fs, name, annValues, vals)
	}
	for name, arg := range map[string]string{
		"directory":    argDir,
		"include-dir":  argDir,
		"file":         argFile,
		"what-if":      argFile,
		"old-file":     argFile,
		"check-report": argFile,
		"util":         argUtility,
	} {
		mustAnnotate(fs, name, annArg, []string{arg})
	}
}

func mustAnnotate(fs *pflag.FlagSet, name, key string, vals []string) {
	if err := fs.SetAnnotation(name, key, vals); err != nil {
		panic(err) // a flag renamed without its annotation: TestHelp fails
	}
}

// Kinds of flag value, for the completion scripts.
const (
	flagBool     = iota // no value
	flagRequired        // --name VALUE, --name=VALUE, -xVALUE, -x VALUE
	flagOptional        // --name[=VALUE], -x[VALUE]
)

// flagDoc is one flag as the completion scripts and the man page need it.
type flagDoc struct {
	Long, Short string
	ValueName   string // e.g. "DIR"
	Usage       string
	Default     string // "" when it says nothing
	Kind        int
	Values      []string // the values it takes, when a fixed list
	Arg         string   // argDir, argFile, argUtility or ""
	Aliases     []string // make's other long names for it
}

// flagDocs describes the flags of fs in their order.
func flagDocs(fs *pflag.FlagSet) []flagDoc {
	var docs []flagDoc
	fs.VisitAll(func(f *pflag.Flag) {
		name, usage := pflag.UnquoteUsage(f)
		d := flagDoc{Long: f.Name, Short: f.Shorthand, ValueName: name, Usage: usage, Values: f.Annotations[annValues]}
		if a := f.Annotations[annArg]; len(a) > 0 {
			d.Arg = a[0]
		}
		switch {
		case f.Value.Type() == "bool":
			d.Kind = flagBool
		case f.NoOptDefVal != "":
			d.Kind = flagOptional
		default:
			d.Kind = flagRequired
		}
		switch f.DefValue {
		case "", "false", "[]", "0", "0s":
		default:
			d.Default = f.DefValue
		}
		d.Aliases = makeargs.Aliases(f.Name)
		docs = append(docs, d)
	})
	return docs
}

// writeCompletion writes the completion script for shell.
func writeCompletion(w io.Writer, shell string, fs *pflag.FlagSet, utils []string) error {
	switch shell {
	case "bash":
		writeBashCompletion(w, flagDocs(fs), utils)
	case "zsh":
		writeZshCompletion(w, flagDocs(fs), utils)
	default:
		return fmt.Errorf("--completion %q: want one of %s", shell, strings.Join(completionShells, ", "))
	}
	return nil
}

// bashImages is the shell function both scripts use to list the images
// of the repository the command line names (-C, cumulative as make's;
// else the current directory, or $DOCKER_HOME when that has no images/):
// the directories of images/ that hold a Makefile. Its arguments are the
// words of the command line before the one completed.
const shellImages = `_dmake_images() {
	local dir= d w
	while (($# > 0)); do
		w=$1
		shift
		case $w in
		-C | --directory) d=$1; shift ;;
		--directory=*) d=${w#--directory=} ;;
		-C?*) d=${w#-C} ;;
		--util | --util=*) break ;;
		*) continue ;;
		esac
		case $d in
		/*) dir=$d ;;
		*) dir=${dir:-.}/$d ;;
		esac
	done
	if [[ -z $dir ]]; then
		dir=.
		[[ ! -d images && -n $DOCKER_HOME ]] && dir=$DOCKER_HOME
	fi
	local m
	[[ -n $ZSH_VERSION ]] && setopt localoptions nullglob
	for m in "$dir"/images/*/Makefile; do
		[[ -f $m ]] || continue
		m=${m%/Makefile}
		printf '%s\n' "${m##*/}"
	done
}
`

// writeBashCompletion writes the bash completion script.
func writeBashCompletion(w io.Writer, docs []flagDoc, utils []string) {
	var names []string
	for _, d := range docs {
		names = append(names, "--"+d.Long)
		if d.Short != "" {
			names = append(names, "-"+d.Short)
		}
	}
	// forms returns the spellings of d for a case pattern, with suffix.
	forms := func(d flagDoc, suffix string, short bool) string {
		f := "--" + d.Long + suffix
		if short && d.Short != "" {
			f = "-" + d.Short + " | " + f
		}
		return f
	}
	fmt.Fprintf(w, `# bash completion for dmake, generated by "dmake --completion=bash" from its
# flag definitions. Load it with: source <(dmake --completion=bash)
# or install it as /usr/share/bash-completion/completions/dmake.

%s
_dmake() {
	local line=${COMP_LINE:0:COMP_POINT} words cur prev i
	read -ra words <<<"$line"
	[[ -z $line || $line == *[[:space:]] ]] && words+=("")
	cur=${words[${#words[@]}-1]}
	prev=
	((${#words[@]} > 1)) && prev=${words[${#words[@]}-2]}
	COMPREPLY=()
	# After --util NAME, the words are the utility's own: file names.
	for ((i = 1; i < ${#words[@]} - 1; i++)); do
		case ${words[i]} in
		--util)
			((i == ${#words[@]} - 2)) && COMPREPLY=($(compgen -W %q -- "$cur"))
			return ;;
		--util=*) return ;;
		esac
	done
	case $cur in
`, shellImages, strings.Join(utils, " "))
	// --name=VALUE
	for _, d := range docs {
		if d.Kind == flagBool {
			continue
		}
		if gen := bashGen(d, utils); gen != "" {
			fmt.Fprintf(w, "\t%s*) COMPREPLY=($(compgen %s -- \"${cur#*=}\")) ;;\n", forms(d, "=", false), gen)
		}
	}
	fmt.Fprintf(w, "\t--*=*) ;;\n\t-*) COMPREPLY=($(compgen -W %q -- \"$cur\")) ;;\n", strings.Join(names, " "))
	fmt.Fprint(w, "\t*)\n\t\tcase $prev in\n")
	// --name VALUE, -x VALUE
	for _, d := range docs {
		if d.Kind != flagRequired {
			continue
		}
		if gen := bashGen(d, utils); gen != "" {
			fmt.Fprintf(w, "\t\t%s) COMPREPLY=($(compgen %s -- \"$cur\")) ;;\n", forms(d, "", true), gen)
		} else {
			fmt.Fprintf(w, "\t\t%s) ;; # %s: nothing to offer\n", forms(d, "", true), d.ValueName)
		}
	}
	fmt.Fprint(w, `		*) COMPREPLY=($(compgen -W "$(_dmake_images "${words[@]:1:${#words[@]}-2}")" -- "$cur")) ;;
		esac ;;
	esac
}
complete -o default -o bashdefault -F _dmake dmake
`)
}

// bashGen is the compgen arguments that list d's values, "" if none.
func bashGen(d flagDoc, utils []string) string {
	switch {
	case len(d.Values) > 0:
		return fmt.Sprintf("-W %q", strings.Join(d.Values, " "))
	case d.Arg == argDir:
		return "-d"
	case d.Arg == argFile:
		return "-f"
	case d.Arg == argUtility:
		return fmt.Sprintf("-W %q", strings.Join(utils, " "))
	}
	return ""
}

// writeZshCompletion writes the zsh completion function (_dmake).
func writeZshCompletion(w io.Writer, docs []flagDoc, utils []string) {
	fmt.Fprintf(w, `#compdef dmake
# zsh completion for dmake, generated by "dmake --completion=zsh" from its
# flag definitions. Install it as _dmake in a directory of $fpath, or load
# it with: source <(dmake --completion=zsh)

%s
_dmake_goals() {
	local -a images
	images=(${(f)"$(_dmake_images "${(@)words[2,CURRENT-1]}")"})
	_describe -t images image images
}

_dmake() {
	local -a args
	args=(
`, shellImages)
	for _, d := range docs {
		desc := zshEscape(d.Usage)
		action := zshAction(d, utils)
		var spec string
		switch d.Kind {
		case flagBool:
			spec = "'[" + desc + "]'"
		case flagRequired:
			spec = "'[" + desc + "]:" + zshEscape(d.ValueName) + ":" + action + "'"
		case flagOptional:
			spec = "'[" + desc + "]::" + zshEscape(d.ValueName) + ":" + action + "'"
		}
		if d.Long == "util" {
			spec = strings.TrimSuffix(spec, "'") + ":*::utility argument:_files'"
		}
		long, short := "--"+d.Long, ""
		if d.Short != "" {
			short = "-" + d.Short
		}
		switch d.Kind {
		case flagRequired:
			long += "="
			if short != "" {
				short += "+"
			}
		case flagOptional:
			long += "=-"
			if short != "" {
				short += "-"
			}
		}
		if short != "" {
			fmt.Fprintf(w, "\t\t{%s,%s}%s\n", short, long, spec)
		} else {
			fmt.Fprintf(w, "\t\t%s%s\n", long, spec)
		}
	}
	fmt.Fprint(w, `		'*:goal:_dmake_goals'
	)
	_arguments -s -S $args
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
	_dmake "$@"
else
	compdef _dmake dmake
fi
`)
}

// zshAction is the _arguments action that completes d's value.
func zshAction(d flagDoc, utils []string) string {
	switch {
	case len(d.Values) > 0:
		return "(" + strings.Join(d.Values, " ") + ")"
	case d.Arg == argDir:
		return "_files -/"
	case d.Arg == argFile:
		return "_files"
	case d.Arg == argUtility:
		return "(" + strings.Join(utils, " ") + ")"
	}
	return " "
}

// zshEscape quotes s for a single-quoted _arguments spec: the quote
// closes and reopens, and _arguments' own brackets and colons are escaped.
func zshEscape(s string) string {
	return strings.NewReplacer(`'`, `'\''`, `[`, `\[`, `]`, `\]`, `:`, `\:`).Replace(s)
}
