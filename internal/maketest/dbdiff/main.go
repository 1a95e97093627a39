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
	var outs [2]string
	var dbs [2][]string
	for i, name := range os.Args[1:] {
		b, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(os.Stderr, "dbdiff: %v\n", err)
			os.Exit(2)
		}
		outs[i], dbs[i] = split(string(b))
	}
	var d string
	if len(dbs[0]) != len(dbs[1]) {
		d += fmt.Sprintf("data bases printed: make %d, dmake %d\n", len(dbs[0]), len(dbs[1]))
	}
	for k := 0; k < len(dbs[0]) && k < len(dbs[1]); k++ {
		if x := maketest.ParseDB(dbs[0][k]).Diff(maketest.ParseDB(dbs[1][k])); x != "" {
			d += fmt.Sprintf("data base %d:\n%s", k+1, x)
		}
	}
	if outs[0] != outs[1] {
		d += fmt.Sprintf("output around the data bases:\n--- make\n%s--- dmake\n%s", outs[0], outs[1])
	}
	if d != "" {
		fmt.Print(d)
		os.Exit(1)
	}
}

// split separates a -p print-out into the output around the data bases
// (a sub-make under -p prints one too) and the data bases, in order: each
// from GNU make's version banner (or, without one, a "# Variables"
// header) to its "# Finished Make data base" line (dmake's "# finished"),
// with the blank lines around it.
func split(s string) (out string, dbs []string) {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if !strings.HasPrefix(l, "# GNU Make ") && l != "# Variables\n" {
			b.WriteString(l)
			continue
		}
		start, end := i, len(lines)
		for j := i; j < len(lines); j++ {
			if strings.HasPrefix(lines[j], "# Finished Make data base") || lines[j] == "# finished\n" {
				end = j + 1
				break
			}
		}
		if end < len(lines) && lines[end] == "\n" {
			end++
		}
		if o := b.String(); strings.HasSuffix(o, "\n\n") || o == "\n" {
			b.Reset()
			b.WriteString(o[:len(o)-1])
		}
		dbs = append(dbs, strings.Join(lines[start:end], ""))
		i = end - 1
	}
	return b.String(), dbs
}
