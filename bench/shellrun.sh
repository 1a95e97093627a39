#!/usr/bin/env bash
# shellrun.sh [N] [RUNS] — the sandboxed dry run of N (default 1000)
# realistic ~60-line install scripts, against bash -n and shellcheck per
# file, on the same files, in one run. Prints scripts per second for each.
#
#   dmake --check-scripts: one dmake per half of the files, both at once (2
#   cores); each dmake runs its files in one sandbox child, as one image.
#   A run takes a few tenths of a second, so other work on the machine
#   moves it a lot: it is timed RUNS times (default 5), and the median is
#   the result (the range is printed beside it).
#   bash -n / shellcheck: one process per file, as an editor hook would.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
runs=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bench/shellrun-gen.sh "$work/s" "$n"
go build -o "$work/dmake" ./cmd/dmake
lines=$(cat "$work"/s/*.sh | wc -l)
echo "scripts: $n, $((lines / n)) lines each on average, $(nproc) cores"

rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%8.0f scripts/s (%.3f s)", n / t, t }'; }
now() { date +%s.%N; }

ls "$work"/s/*.sh >"$work/list"
split -n l/2 "$work/list" "$work/half."
: >"$work/times"
for ((r = 0; r < runs; r++)); do
	t0=$(now)
	for h in "$work"/half.??; do
		xargs "$work/dmake" --check-scripts <"$h" >"$h.out" &
	done
	wait
	t1=$(now)
	echo "$t1 - $t0" | bc >>"$work/times"
done
errs=$(grep -h "FAILED" "$work"/half.??.out | wc -l || true)
sort -n "$work/times" >"$work/sorted"
med=$(sed -n "$(((runs + 1) / 2))p" "$work/sorted")
best=$(head -n 1 "$work/sorted") worst=$(tail -n 1 "$work/sorted")
echo "dmake --check-scripts (dry run): $(rate "$n" "$med")  median of $runs runs ($(awk -v n="$n" -v a="$worst" -v b="$best" 'BEGIN { printf "%.0f-%.0f", n / a, n / b }') scripts/s), load $(cut -d' ' -f1-3 /proc/loadavg), failed images: $errs"

t0=$(now)
for f in "$work"/s/*.sh; do bash -n "$f"; done
t1=$(now)
echo "bash -n, one per file:           $(rate "$n" "$(echo "$t1 - $t0" | bc)")"

if command -v shellcheck >/dev/null; then
	m=$((n < 200 ? n : 200)) # shellcheck is slow: time a sample
	t0=$(now)
	for f in $(head -n "$m" "$work/list"); do shellcheck -S error "$f" || true; done
	t1=$(now)
	echo "shellcheck, one per file:        $(rate "$m" "$(echo "$t1 - $t0" | bc)") (sample of $m)"
else
	echo "shellcheck: not installed (apt-get install shellcheck)"
fi
