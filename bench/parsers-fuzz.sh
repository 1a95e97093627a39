#!/usr/bin/env bash
# parsers-fuzz.sh [SECONDS] — time-boxed fuzzing of the parsers, outside
# CI's pass/fail gate: the makefile reader and evaluator (FuzzLoad), the
# expander (FuzzExpand) and recipe lines as make splits them without a
# shell (FuzzRecipeLine), SECONDS (default 60) each. Nothing they run
# touches the host: makefiles load read-only with no $(shell), recipe
# lines are only parsed. A failing input is written by go test to the
# package's testdata/fuzz/TARGET/: commit it, fix the bug, and CI (plain
# go test) replays it from then on with the seed corpus. The script
# fuzzing of the dry run is bench/shellrun-fuzz.sh (in a container).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
status=0
for t in makefile:FuzzLoad makefile:FuzzExpand shellrun:FuzzRecipeLine; do
	pkg=${t%%:*} target=${t#*:}
	echo "--- $target ($pkg, ${secs}s)"
	nice go test "./$pkg" -run '^$' -fuzz "^$target\$" -fuzztime "${secs}s" -parallel 2 || status=1
done
exit $status
