#!/usr/bin/env bash
# bench/buildkit.sh — dmake on a remote BuildKit (--builder) against the
# legacy one-RUN build on the classic builder and the ideal layered
# Dockerfile, with the ssh image of a copy of legacy-images/ (issue 17):
#
#   cold      legacy bin/build NOCACHE=1 (classic, one RUN) vs dmake --builder
#             (layered, the repo's --no-cache honoured on BuildKit), ssh alone
#   edit      rebuild after editing the late script 03_sshd.sh: dmake --builder
#             vs the ideal layered Dockerfile (bench/images-ideal) on the
#             classic builder
#   no-op     dmake --builder again with nothing changed (nothing is sent)
#
# dmake's images are loaded into the engine (--load, the default), so the
# times include BuildKit's docker-tarball export and the engine's load.
#
# Usage: bench/buildkit.sh   (needs the engine, GNU make, debian:bookworm and a
# buildkitd: BUILDKIT_HOST, else DMAKE_BUILDKIT_ADDR as .ci/engine.sh env sets it)
# Environment: REPEAT edit rounds (default 3, medians), KEEP=1 keeps the work dir.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repeat=${REPEAT:-3}
addr=${BUILDKIT_HOST:-${DMAKE_BUILDKIT_ADDR:-}}
[ -n "$addr" ] || { echo "bench/buildkit.sh: set BUILDKIT_HOST (or DMAKE_BUILDKIT_ADDR) to a buildkitd" >&2; exit 2; }
work=$(mktemp -d /tmp/dmake-bench-buildkit.XXXXXX)
log=$work/log
L=bkbenchlegacy/ D=bkbenchdmake/ I=bkbenchideal/
docker=/usr/bin/docker
[ -x $docker ] || docker=$(command -v docker)

cleanup() {
	cp "$log" /tmp/dmake-bench-buildkit.last.log 2>/dev/null && echo "log: /tmp/dmake-bench-buildkit.last.log"
	if [ "${KEEP:-}" = 1 ]; then echo "kept $work"; return; fi
	for p in $I $D $L; do
		for n in ssh base; do $docker rmi "${p}$n" >/dev/null 2>&1 || true; done
	done
	for _ in 1 2 3; do
		$docker image prune -f --filter label=dev.dmake.bench=1 >/dev/null 2>&1 || true
	done
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
	if ! "$@" >>"$log" 2>&1; then
		echo "FAILED: $label (see $log)" >&2
		KEEP=1
		exit 1
	fi
	e=$EPOCHREALTIME
	T[$label]=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }')
	printf '  %-22s %8.3f s\n' "$label" "${T[$label]}"
}
median() {
	local label=$1
	T[$label]=$(for k in "${!T[@]}"; do if [[ $k == "$label #"* ]]; then echo "${T[$k]}"; fi; done |
		sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	printf '  %-22s %8.3f s (median of %s)\n' "$label" "${T[$label]}" "$repeat"
}

legacy() { "$repo/bin/build" "$1" IMAGE_PREFIX=$L LABELS=dev.dmake.bench=1 "${@:2}"; }
dmake() { "$work/dmake" --builder "$addr" --progress plain -C "$repo" "$1" IMAGE_PREFIX=$D LABELS=dev.dmake.bench=1 "${@:2}"; }
ideal() {
	make -s -C "$repo/images/ssh" prepare IMAGE_PREFIX=$I >/dev/null
	cp "$here/bench/images-ideal/ssh.Dockerfile" "$repo/images/ssh/build/Dockerfile.ideal"
	tar -czh -C "$repo/images/ssh/build" . |
		DOCKER_BUILDKIT=0 $docker build --network host -f Dockerfile.ideal \
			--build-arg BASE=${I}base --label dev.dmake.bench=1 -t ${I}ssh "$@" -
}
# Each edit is new content (the run's own), so that no BuildKit cache of an
# earlier run answers it: BuildKit's cache outlives the images.
edit() { echo "echo bench-edit-$1-$$-$EPOCHSECONDS >/etc/legacy/bench-edit" >>"$repo/script/03_sshd.sh"; }

echo "bench/buildkit.sh: ssh image, builder $addr, work dir $work"
echo "bases (not compared):"
timed "legacy base" legacy base
timed "dmake base" dmake base
printf 'FROM %sbase\nLABEL dev.dmake.bench.ideal=1\n' "$D" |
	DOCKER_BUILDKIT=0 $docker build -q --label dev.dmake.bench=1 -t ${I}base - >>"$log"

timed "legacy cold" legacy ssh NOCACHE=1
# --no-parents: base stays as "dmake base" built it (the legacy cold
# build does not rebuild base either; NOCACHE=1 would reach base's build).
timed "dmake cold" dmake ssh NOCACHE=1 --no-parents
timed "ideal cold" ideal --no-cache
for ((r = 1; r <= repeat; r++)); do
	edit "$r"
	if ((r % 2)); then
		timed "dmake edit #$r" dmake ssh; timed "ideal edit #$r" ideal
	else
		timed "ideal edit #$r" ideal; timed "dmake edit #$r" dmake ssh
	fi
done
median "dmake edit"
median "ideal edit"
timed "dmake no-op" dmake ssh
timed "ideal no-op" ideal

ratio() { awk -v a="${T[$1]}" -v b="${T[$2]}" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "ratios (builder $addr):"
echo "  cold: dmake --builder layered / legacy one-RUN classic $(ratio "dmake cold" "legacy cold")"
echo "  edit one late script: dmake --builder / ideal layered classic $(ratio "dmake edit" "ideal edit")"
echo "  no-op: dmake --builder ${T[dmake no-op]}s (ideal classic fully cached ${T[ideal no-op]}s)"
