#!/usr/bin/env bash
# bench/images.sh — legacy bin/build against dmake's layered build of the ssh
# image, on a real engine, in a copy of legacy-images/ of its own:
#
#   cold      the ssh image with no cache for its steps (NOCACHE=1 / --no-cache)
#   edit      rebuild after editing the late script 03_sshd.sh
#   no-op     build again with nothing changed
#
# plus a hand-written ideal layered Dockerfile (bench/images-ideal/) as the
# limit, and the same with a deliberately slow earlier script (02_slow.sh,
# SLOW seconds) added to the copy's ssh image: the legacy rebuild grows by
# that cost, dmake's must not.
#
# dmake's side is the dmake binary (built from cmd/dmake, or $DMAKE), run as
# `dmake -C REPO ssh`; DMAKE=imagesrun uses bench/imagesrun instead (make -n's
# recipe lines through mvdan/sh with image.Builder's middleware).
#
# Usage: bench/images.sh          (needs the engine, GNU make, debian:bookworm)
# Environment: SLOW (default 8), REPEAT edit rounds (default 3, medians are
# reported), KEEP=1 keeps the work directory and images.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
slow=${SLOW:-8}
repeat=${REPEAT:-3}
work=$(mktemp -d /tmp/dmake-bench-images.XXXXXX)
log=$work/log
L=benchlegacy/ D=benchdmake/ I=benchideal/
docker=/usr/bin/docker
[ -x $docker ] || docker=$(command -v docker)

cleanup() {
	cp "$log" /tmp/dmake-bench-images.last.log 2>/dev/null && echo "log: /tmp/dmake-bench-images.last.log"
	if [ "${KEEP:-}" = 1 ]; then echo "kept $work"; return; fi
	for p in $I $D $L; do
		for n in ssh base; do $docker rmi "${p}$n" >/dev/null 2>&1 || true; done
	done
	for _ in 1 2 3; do # leaves first, then the images they kept alive
		$docker image prune -f --filter label=dev.dmake.bench=1 >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/repo"
(cd "$here/legacy-images" && tar -c --exclude='./images/*/build' .) | tar -x -C "$work/repo"
(cd "$here" && go build -o "$work/imagesrun" ./bench/imagesrun)
if [ -z "${DMAKE:-}" ]; then
	(cd "$here" && go build -o "$work/dmake" ./cmd/dmake)
	DMAKE=$work/dmake
fi
repo=$work/repo
export DOCKER_HOME=$repo

# timed LABEL CMD... runs CMD, logs its output, and records its wall time.
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

legacy() { "$repo/bin/build" "$1" IMAGE_PREFIX=$L LABELS=dev.dmake.bench=1 "${@:2}"; }
dmake() {
	if [ "$DMAKE" = imagesrun ]; then
		"$work/imagesrun" "$repo/images/$1" IMAGE_PREFIX=$D LABELS=dev.dmake.bench=1 "${@:2}"
	else
		"$DMAKE" -C "$repo" "$1" IMAGE_PREFIX=$D LABELS=dev.dmake.bench=1 "${@:2}"
	fi
}
ideal() { # ideal DOCKERFILE [docker build flags...]
	make -s -C "$repo/images/ssh" prepare IMAGE_PREFIX=$I >/dev/null
	cp "$here/bench/images-ideal/$1" "$repo/images/ssh/build/Dockerfile.ideal"
	tar -czh -C "$repo/images/ssh/build" . |
		DOCKER_BUILDKIT=0 $docker build --network host -f Dockerfile.ideal \
			--build-arg BASE=${I}base --label dev.dmake.bench=1 -t ${I}ssh "${@:2}" -
}
edit() { echo "echo bench-edit-$1 >/etc/legacy/bench-edit" >>"$repo/script/03_sshd.sh"; }

echo "bench/images.sh: ssh image, work dir $work"
echo "bases (not compared):"
timed "legacy base" legacy base
timed "dmake base" dmake base
# The ideal builds on dmake's base under an id of its own: the classic
# builder takes the first cached child of a parent that matches a step, so
# two Dockerfiles starting alike (FROM x, EXPOSE 22) on one base image would
# steal each other's cache and spoil the measurement.
printf 'FROM %sbase\nLABEL dev.dmake.bench.ideal=1\n' "$D" |
	DOCKER_BUILDKIT=0 $docker build -q --label dev.dmake.bench=1 -t ${I}base - >>"$log"

# median LABEL: the median of the times recorded as "LABEL #n".
median() {
	local label=$1
	T[$label]=$(for k in "${!T[@]}"; do if [[ $k == "$label #"* ]]; then echo "${T[$k]}"; fi; done |
		sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	printf '  %-22s %8.3f s (median of %s)\n' "$label" "${T[$label]}" "$repeat"
}

run_variant() { # run_variant NAME IDEAL_DOCKERFILE
	echo "$1:"
	timed "$1 legacy cold" legacy ssh NOCACHE=1
	timed "$1 dmake cold" dmake ssh NOCACHE=1
	timed "$1 ideal cold" ideal "$2" --no-cache
	# Each round edits 03_sshd.sh again and rebuilds with the three, in a
	# rotating order (the package mirror and the shared machine are noisy).
	local r
	for ((r = 1; r <= repeat; r++)); do
		edit "$1-$r"
		case $((r % 3)) in
		1) timed "$1 legacy edit #$r" legacy ssh; timed "$1 dmake edit #$r" dmake ssh; timed "$1 ideal edit #$r" ideal "$2" ;;
		2) timed "$1 dmake edit #$r" dmake ssh; timed "$1 ideal edit #$r" ideal "$2"; timed "$1 legacy edit #$r" legacy ssh ;;
		0) timed "$1 ideal edit #$r" ideal "$2"; timed "$1 legacy edit #$r" legacy ssh; timed "$1 dmake edit #$r" dmake ssh ;;
		esac
	done
	median "$1 legacy edit"
	median "$1 dmake edit"
	median "$1 ideal edit"
	timed "$1 legacy no-op" legacy ssh
	timed "$1 dmake no-op" dmake ssh
	timed "$1 ideal no-op" ideal "$2"
}
run_variant plain ssh.Dockerfile

# The slow earlier script, in this copy only.
cat >"$repo/script/02_slow.sh" <<SLOW
#!/bin/bash
# 02_slow.sh — bench only: an earlier script that costs ${slow}s.
. /build/script/functions.sh
sleep $slow
echo slow >/etc/legacy/bench-slow
SLOW
printf '.PHONY: slow\nslow:\n\t$(call link,$@,script,02)\n' >"$repo/make/slow.mk"
sed -i 's/^prepare: sshd/prepare: slow sshd/' "$repo/images/ssh/Makefile"
grep -q '^prepare: slow sshd' "$repo/images/ssh/Makefile"
run_variant slow ssh-slow.Dockerfile

ratio() { awk -v a="${T[$1]}" -v b="${T[$2]}" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "ratios:"
for v in plain slow; do
	echo "  $v: edit dmake/legacy $(ratio "$v dmake edit" "$v legacy edit"), dmake/ideal $(ratio "$v dmake edit" "$v ideal edit"); cold dmake/legacy $(ratio "$v dmake cold" "$v legacy cold"); no-op dmake ${T[$v dmake no-op]}s vs engine's fully cached build (ideal no-op) ${T[$v ideal no-op]}s"
done
echo "  slow script cost seen by legacy edit: $(awk -v a="${T[slow legacy edit]}" -v b="${T[plain legacy edit]}" 'BEGIN { printf "%+.2f", a - b }')s, by dmake edit: $(awk -v a="${T[slow dmake edit]}" -v b="${T[plain dmake edit]}" 'BEGIN { printf "%+.2f", a - b }')s"
echo "dmake's own no-op lines:"
grep -E '^(imagesrun:.*up-to-date=true|dmake: ssh .* is up to date)' "$log" | sed 's/^/  /' | tail -n 2
