#!/usr/bin/env bash
# bench/noop.sh — dmake's no-op (the ssh image of a copy of legacy-images/,
# built once, nothing changed since) on each builder, against the no-op on
# the classic builder (issues 17 and 22: < 50 ms, nothing sent):
#
#   classic   --builder classic
#   auto      --builder auto (the engine's embedded BuildKit)
#   remote    --builder ADDR (a standalone buildkitd), when one is named
#
# Each is the median of REPEAT runs (default 9); the ratio is to classic.
# Besides wall time, the CPU time (user+sys of dmake and everything it
# runs, the mean over the same runs, from bash's times around each run):
# it grows much less with the machine's load than the wall time does.
#
# Usage: bench/noop.sh   (needs the engine, GNU make and debian:bookworm;
# BUILDKIT_HOST, else DMAKE_BUILDKIT_ADDR as .ci/engine.sh env sets it, adds
# the remote builder). Environment: REPEAT, KEEP=1 keeps the work dir,
# DMAKE_BIN a dmake binary to measure instead of this tree's (e.g. an older
# one, for a before/after).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repeat=${REPEAT:-9}
addr=${BUILDKIT_HOST:-${DMAKE_BUILDKIT_ADDR:-}}
work=$(mktemp -d /tmp/dmake-bench-noop.XXXXXX)
P=noopbench/
docker=/usr/bin/docker
[ -x $docker ] || docker=$(command -v docker)

cleanup() {
	if [ "${KEEP:-}" = 1 ]; then echo "kept $work"; return; fi
	for n in ssh base; do $docker rmi "${P}$n" >/dev/null 2>&1 || true; done
	$docker image prune -f --filter label=dev.dmake.bench=1 >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/repo"
(cd "$here/legacy-images" && tar -c --exclude='./images/*/build' .) | tar -x -C "$work/repo"
if [ -n "${DMAKE_BIN:-}" ]; then cp "$DMAKE_BIN" "$work/dmake"; else (cd "$here" && go build -o "$work/dmake" ./cmd/dmake); fi
export DOCKER_HOME=$work/repo
dmake() { "$work/dmake" --builder "$1" --progress plain -C "$work/repo" ssh IMAGE_PREFIX=$P LABELS=dev.dmake.bench=1; }

dmake classic >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }

# cpu FILE FILE prints the children's user+sys seconds between two outputs
# of bash's times (run in this shell: a subshell's children are its own).
cpu() {
	awk 'FNR == 2 { split($1, u, "m"); split($2, s, "m"); t[++n] = u[1] * 60 + u[2] + s[1] * 60 + s[2] } END { printf "%.4f", t[2] - t[1] }' "$1" "$2"
}

declare -A T C
builders=(classic auto)
[ -n "$addr" ] && builders+=("$addr")
for b in "${builders[@]}"; do
	times=()
	c=0
	for _ in $(seq "$repeat"); do
		times >"$work/t0"
		s=$EPOCHREALTIME
		dmake "$b" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
		e=$EPOCHREALTIME
		times >"$work/t1"
		c=$(awk -v c="$c" -v d="$(cpu "$work/t0" "$work/t1")" 'BEGIN { printf "%.4f", c + d }')
		grep -q 'ssh: up to date.*nothing sent' "$work/log" || { echo "bench/noop.sh: $b rebuilt:" >&2; cat "$work/log" >&2; exit 1; }
		times+=("$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.4f", e - s }')")
	done
	C[$b]=$(awk -v c="$c" -v n="$repeat" 'BEGIN { printf "%.4f", c / n }')
	T[$b]=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "%.4f", v[int((NR + 1) / 2)] }')
done
printf '%-24s %9s %7s %8s\n' builder "no-op ms" ratio "CPU ms"
for b in "${builders[@]}"; do
	printf '%-24s %9.1f %6.2fx %8.1f\n' "$b" "$(awk -v t="${T[$b]}" 'BEGIN { print t * 1000 }')" "$(awk -v t="${T[$b]}" -v c="${T[classic]}" 'BEGIN { print t / c }')" "$(awk -v t="${C[$b]}" 'BEGIN { print t * 1000 }')"
done
uptime
