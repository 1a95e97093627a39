#!/usr/bin/env bash
# bench/exec.sh — the executor on generated legacy-style trees of N
# components (one script and one .mk per component, linked into
# build/script by a file target): a full run of the link recipes and a
# no-op re-run, dmake (the command, built by the benchmark, run as a
# process like the others) against GNU make, and the no-op against ninja
# on the equivalent build.ninja when ninja is installed (Debian's
# ninja-build); the full run also against a bare loop of the same
# symlink(2) calls, timed in the same run, apart and in turns with dmake
# (the steadier ratio: a symlink(2) call's time swings by 10x from one
# run to the next on a shared machine; each full run starts in the second
# after build/ was removed, as ext4 reuses at once only the inodes freed
# in the current second). dmake's no-op is timed with a
# warm cache of loaded makefiles (the usual case) and a cold one (emptied
# before each run).
# Sizes: DMAKE_BENCH_SIZES (default 100,1000,10000). Wall and CPU time are
# both printed: on a loaded machine CPU time is the steadier comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
export DMAKE_BENCH_SIZES="${DMAKE_BENCH_SIZES:-100,1000,10000}"
go test -run '^$' -bench 'LinkTree' -benchtime "${BENCHTIME:-3x}" -timeout 60m ./executor |
	awk '/^BenchmarkLinkTree/ {
		split($1, p, "/"); n = p[2]; sub(/^N=/, "", n); kind = p[3]; tool = p[4]; sub(/-[0-9]+$/, "", tool)
		t[n, kind, tool] = $3 / 1e6; c[n, kind, tool] = $5; if (!(n in seen)) { seen[n] = 1; order[++k] = n }
		if (tool == "dmake-per-ninja") ratio[n] = $5
		if (tool == "dmake-per-loop") { turnc[n] = $5; turnw[n] = $7 }
	}
	END {
		if (k == 0) exit 1
		for (i = 1; i <= k; i++) {
			n = order[i]
			printf "N=%s full:  wall dmake %.1f ms, make %.1f ms (%.1fx) | cpu dmake %.1f ms, make %.1f ms (%.1fx) | bare symlink(2) loop wall %.1f ms, cpu %.1f ms (dmake %.2fx it wall, %.2fx cpu)\n", n,
				t[n,"full","dmake"], t[n,"full","make"], t[n,"full","make"] / t[n,"full","dmake"],
				c[n,"full","dmake"], c[n,"full","make"], c[n,"full","make"] / c[n,"full","dmake"],
				t[n,"full","symlink-loop"], c[n,"full","symlink-loop"], t[n,"full","dmake"] / t[n,"full","symlink-loop"], c[n,"full","dmake"] / c[n,"full","symlink-loop"]
			if (n in turnc) printf "N=%s full, dmake and the loop in turns: dmake %.2fx the loop cpu, %.2fx wall\n", n, turnc[n], turnw[n]
			printf "N=%s no-op: wall dmake %.1f ms (cold cache %.1f ms), make %.1f ms (%.1fx) | cpu dmake %.1f ms (cold cache %.1f ms), make %.1f ms (%.1fx)", n,
				t[n,"noop","dmake"], t[n,"noop","dmake-cold"], t[n,"noop","make"], t[n,"noop","make"] / t[n,"noop","dmake"],
				c[n,"noop","dmake"], c[n,"noop","dmake-cold"], c[n,"noop","make"], c[n,"noop","make"] / c[n,"noop","dmake"]
			if ((n, "noop", "ninja") in t) printf " | ninja wall %.1f ms, cpu %.1f ms (dmake/ninja cpu %.2f, cold %.1f; run in turns %.2f)", t[n,"noop","ninja"], c[n,"noop","ninja"], c[n,"noop","dmake"] / c[n,"noop","ninja"], c[n,"noop","dmake-cold"] / c[n,"noop","ninja"], ratio[n]
			printf "\n"
		}
	}'
