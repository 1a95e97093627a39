#!/usr/bin/env bash
# bench/buildkit-cache.sh — the build cache travelling between machines
# through the registry (issue 17), with the ssh image of a copy of
# legacy-images/:
#
#   first     the first builder (BUILDKIT_HOST) rebuilds ssh after an edit of
#             the late script 03_sshd.sh, exporting its cache to the registry
#             (--cache-to type=registry,ref=…)
#   second    a second buildkitd, started here with an empty --root (another
#             machine), rebuilds ssh after the next edit of 03_sshd.sh with
#             --cache-from that ref: every step before 03_sshd.sh is cached
#             (counted from BuildKit's plain progress), the rest runs
#
# and prints second/first (target ≤ 1.2). Both builds load into the engine.
# REPEAT rounds (default 1) each edit again and start the second buildkitd
# afresh (an empty state directory each time); medians are compared.
# CACHE_OPTS is appended to the --cache-to value (e.g.
# ",compression=uncompressed" or ",mode=min") to compare export forms; the
# second buildkitd runs with --debug and its log is kept beside the bench's.
# BK2_OPTS are more options for the second buildkitd (e.g.
# "--oci-worker-snapshotter=stargz", with CACHE_OPTS
# ",compression=estargz,force-compression=true,oci-mediatypes=true": the
# second builder then mounts the cached layers from the registry lazily).
#
# Usage: bench/buildkit-cache.sh   (needs the engine, GNU make, debian:bookworm;
# BUILDKIT_HOST or DMAKE_BUILDKIT_ADDR, DMAKE_BUILDKITD (the buildkitd binary)
# and DMAKE_REGISTRY (HOST:PORT) as .ci/engine.sh env sets them)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
addr=${BUILDKIT_HOST:-${DMAKE_BUILDKIT_ADDR:-}}
repeat=${REPEAT:-1}
for v in addr DMAKE_BUILDKITD DMAKE_REGISTRY; do
	[ -n "${!v:-}" ] || { echo "bench/buildkit-cache.sh: set BUILDKIT_HOST, DMAKE_BUILDKITD and DMAKE_REGISTRY" >&2; exit 2; }
done
work=$(mktemp -d /tmp/dmake-bench-bkcache.XXXXXX)
log=$work/log
D=bkcachebench/
cache=$DMAKE_REGISTRY/dmake-bench/ssh-cache:$$
docker=/usr/bin/docker
[ -x $docker ] || docker=$(command -v docker)
bkpid=
# stop_bk2 stops the second buildkitd and unmounts what it left mounted (the
# stargz snapshotter's FUSE mounts outlive it).
stop_bk2() {
	[ -z "$bkpid" ] || { kill "$bkpid" 2>/dev/null; wait "$bkpid" 2>/dev/null || true; }
	bkpid=
	awk -v d="$work/bk2/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
}
cleanup() {
	stop_bk2
	cp "$log" /tmp/dmake-bench-bkcache.last.log 2>/dev/null && echo "log: /tmp/dmake-bench-bkcache.last.log"
	cp "$work/bk2.log" /tmp/dmake-bench-bkcache.bk2.log 2>/dev/null && echo "second buildkitd's log: /tmp/dmake-bench-bkcache.bk2.log"
	for n in ssh base; do $docker rmi "${D}$n" >/dev/null 2>&1 || true; done
	$docker image prune -f --filter label=dev.dmake.bench=1 >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/repo"
(cd "$here/legacy-images" && tar -c --exclude='./images/*/build' .) | tar -x -C "$work/repo"
(cd "$here" && go build -o "$work/dmake" ./cmd/dmake)
repo=$work/repo
export DOCKER_HOME=$repo

declare -A T
timed() {
	local label=$1 s e
	shift
	echo "== $label: $*" >>"$log"
	s=$EPOCHREALTIME
	"$@" >"$work/out" 2>&1 || { cat "$work/out" >>"$log"; echo "FAILED: $label (see $log)" >&2; exit 1; }
	e=$EPOCHREALTIME
	cat "$work/out" >>"$log"
	T[$label]=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }')
	printf '  %-22s %8.3f s  (%s steps cached)\n' "$label" "${T[$label]}" "$(grep -c '^#[0-9]* CACHED' "$work/out" || true)"
}
dmake() { local b=$1; shift; "$work/dmake" --builder "$b" --progress plain -C "$repo" "$@" IMAGE_PREFIX=$D LABELS=dev.dmake.bench=1; }
median() { # median LABEL: of the times recorded as "LABEL #n"
	local name=$1
	T[$name]=$(for k in "${!T[@]}"; do if [[ $k == "$name #"* ]]; then echo "${T[$k]}"; fi; done |
		sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
}
# Each run's edits are its own: the first builder keeps its cache between
# runs, and would find a previous run's edit there.
edit() { echo "echo bench-edit-$1-$$-$EPOCHSECONDS >/etc/legacy/bench-edit" >>"$repo/script/03_sshd.sh"; }

echo "bench/buildkit-cache.sh: ssh image, first builder $addr, cache $cache, work dir $work"
timed "base (first)" dmake "$addr" base
timed "ssh (first)" dmake "$addr" ssh --no-parents --cache-to "type=registry,ref=$cache${CACHE_OPTS:-}"
for ((r = 1; r <= repeat; r++)); do
	edit "$r-1"
	timed "first edit #$r" dmake "$addr" ssh --no-parents --cache-to "type=registry,ref=$cache${CACHE_OPTS:-}"
	# A second machine: a buildkitd of its own, its state empty.
	rm -rf "$work/bk2" "$work/bk2.sock"
	"$DMAKE_BUILDKITD" --root "$work/bk2" --addr "unix://$work/bk2.sock" --oci-worker-binary /usr/sbin/runc \
		--containerd-worker=false --debug ${BK2_OPTS:-} >"$work/bk2.log" 2>&1 &
	bkpid=$!
	for _ in $(seq 100); do [ -S "$work/bk2.sock" ] && break; sleep 0.1; done
	edit "$r-2"
	$docker rmi "${D}ssh" >/dev/null # the engine's image would make the build a no-op
	timed "second edit #$r" dmake "unix://$work/bk2.sock" ssh --no-parents --cache-from "type=registry,ref=$cache"
	stop_bk2
done
median "first edit"
median "second edit"
echo
printf 'first %.3f s, second %.3f s (medians of %s)\n' "${T[first edit]}" "${T[second edit]}" "$repeat"
awk -v a="${T[second edit]}" -v b="${T[first edit]}" 'BEGIN { printf "ratio: second builder (empty state, cache from the registry) / first builder, rebuild after one late edit: %.2f\n", a / b }'
