#!/usr/bin/env bash
# bench/watch.sh — dmake --watch benchmarks (package watch):
#   BenchmarkWatchStartup10k: New on a 10 000-file tree (time per op, watches,
#     files tracked, heap kept by the watcher). Target: < 1 s.
#   BenchmarkWatchLatency: 50 edits with the real clock and the default
#     100 ms debounce; ms-median/ms-p90/ms-max are write → Rebuild call minus
#     the debounce, ms-event-median is the same from the JSON event
#     timestamps (watch.rebuild time_ns - last_change_ns - debounce).
#     Target: < 100 ms beyond the debounce.
# Usage: bench/watch.sh [COUNT]   (COUNT runs of each, default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-3}
go test -run '^$' -bench 'BenchmarkWatch' -benchtime 1x -count "$count" -benchmem ./watch/ |
	tee /tmp/dmake-bench-watch.txt
