// Command dbdiff compares two "make -p" print-outs, GNU make's and
// dmake's, the way the differential harness does (maketest.ParseDB): the
// data bases semantically, and the output around them as text.
//
// Usage: dbdiff GNU-OUTPUT DMAKE-OUTPUT
//
// It prints the differences and exits 1 when there are any, 2 on a usage
// or read error. conformance/real-makefiles.sh runs it for its -pn mode.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/dmake-dev/dmake/internal/maketest"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: dbdiff GNU-OUTPUT DMAKE-OUTPUT")
		os.Exit(2)
	}
	var outs, dbs [2]string
	for i, name := range os.Args[1:] {
		b, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(os.Stderr, "dbdiff: %v\n", err)
			os.Exit(2)
		}
		outs[i], dbs[i] = split(string(b))
	}
	d := maketest.ParseDB(dbs[0]).Diff(maketest.ParseDB(dbs[1]))
	if outs[0] != outs[1] {
		d += fmt.Sprintf("output around the data base:\n--- make\n%s--- dmake\n%s", outs[0], outs[1])
	}
	if d != "" {
		fmt.Print(d)
		os.Exit(1)
	}
}

// split separates a -p print-out into the output around the data base and
// the data base itself: from GNU make's version banner (or, without one,
// the first "# Variables" header) to its "# Finished Make data base" line
// (dmake's "# finished").
func split(s string) (out, db string) {
	lines := strings.SplitAfter(s, "\n")
	start, end := -1, len(lines)
	for i, l := range lines {
		if start < 0 && (strings.HasPrefix(l, "# GNU Make ") || l == "# Variables\n") {
			start = i
			if i > 0 && lines[i-1] == "\n" {
				start--
			}
		}
		if start >= 0 && (strings.HasPrefix(l, "# Finished Make data base") || l == "# finished\n") {
			end = i + 1
			if end < len(lines) && lines[end] == "\n" {
				end++
			}
			break
		}
	}
	if start < 0 {
		return s, ""
	}
	return strings.Join(lines[:start], "") + strings.Join(lines[end:], ""),
		strings.Join(lines[start:end], "")
}
