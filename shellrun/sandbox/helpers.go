package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
)

// helpers names what the dry run adds to a script's interpreter: the
// commands the call handler rewrites builtins into (answered by the exec
// handler), the variables that stand for $$ and $PPID, and the probe path
// of inlined here-documents. The names carry a token drawn at random for
// each image's dry run, so a script can neither guess nor call them, and
// the call handler refuses them when a script names one anyway (but for
// the here-document command, which only runs a command model).
type helpers struct {
	prefix string // "_" + token + "_"
	// the commands
	lookup, fail, builtin, hdoc string
	// arith runs, before a statement that evaluates arithmetic, the
	// command substitutions hidden in the array subscripts of the values
	// it uses (values built at run time: k=$i$j), as bash runs them.
	arith string
	// the variables for $$ and $PPID, and the prefix of those holding
	// array subscripts expanded ahead (subscriptCalls)
	pid, ppid, sub string
	// probe is the path prefix whose stat tells an inlined here-document
	// that its command is still no function (heredoc.go).
	probe string
}

// newHelpers draws a token and names the helpers with it.
func newHelpers() helpers {
	token := func() string {
		var b [8]byte
		rand.Read(b[:])
		return "_" + hex.EncodeToString(b[:]) + "_"
	}
	// The variables are visible (set, declare -p): they get a token of
	// their own, so they tell nothing of the commands' names.
	p, v := token(), token()
	return helpers{
		prefix: p,
		lookup: p + "lookup", fail: p + "fail", builtin: p + "builtin", hdoc: p + "hdoc", arith: p + "arith",
		pid: v + "pid", ppid: v + "ppid", sub: v + "sub",
		probe: "/dev/null/" + p + "/",
	}
}

// is reports whether name is one of the helpers.
func (h *helpers) is(name string) bool {
	return h.prefix != "" && strings.HasPrefix(name, h.prefix)
}

// failCall is the command line that makes a command fail with code and
// print msg on standard error.
func (h *helpers) failCall(code, msg string) []string {
	return []string{h.fail, code, msg}
}

// containerHostname is the host name the dry run answers: a container
// id's short form, as a build container has.
const containerHostname = "5f3c9a1e7b2d"
