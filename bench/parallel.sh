#!/usr/bin/env bash
# bench/parallel.sh — parallel images: three independent copies of
# legacy-images' ssh image (ssh1, ssh2, ssh3, each FROM base), built cold
# (NOCACHE=1: no step from the build cache) by dmake
#
#   serial     dmake ssh1 ssh2 ssh3        one after another (-j1)
#   parallel   dmake -j3 ssh1 ssh2 ssh3    at once
#
# and prints parallel/serial (issue 22's target: at most 0.6). The base is
# built first, not timed (--no-parents keeps it out of the timed runs).
# Each copy installs sshd with a script of its own (03_sshd1.sh…, the same
# but for a comment): BuildKit runs once a step that concurrent builds
# share (the same cache key: the same parent layers and command), which
# would measure that, not images built at once; the steps before it (the
# COPYs of boot/, runit/, functions.sh) are shared. BUILDER is dmake's
# --builder (default: dmake's own default, the engine's BuildKit where it
# has one). The log says, per build, how many steps ran.
#
# Usage: bench/parallel.sh   (needs the engine, debian:bookworm, the mirror
# the ssh image's apt-get uses)
# Environment: REPEAT rounds (default 1), JOBS (default 3), DMAKE (a dmake
# binary; default: built from cmd/dmake), KEEP=1 keeps the work directory
# and images, BUILDER (dmake --builder).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repeat=${REPEAT:-1}
jobs=${JOBS:-3}
work=$(mktemp -d /tmp/dmake-bench-parallel.XXXXXX)
log=$work/log
P=benchpar$$/
label=dev.dmake.bench.parallel=$$
docker=/usr/bin/docker
[ -x $docker ] || docker=$(command -v docker)

cleanup() {
	cp "$log" /tmp/dmake-bench-parallel.last.log 2>/dev/null && echo "log: /tmp/dmake-bench-parallel.last.log"
	if [ "${KEEP:-}" = 1 ]; then echo "kept $work"; return; fi
	for n in ssh1 ssh2 ssh3 base; do $docker rmi "${P}$n" >/dev/null 2>&1 || true; done
	for _ in 1 2 3; do # this run's leftovers only (its own label)
		$docker image prune -f --filter "label=$label" >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/repo"
(cd "$here/legacy-images" && tar -c --exclude='./images/*/build' .) | tar -x -C "$work/repo"
repo=$work/repo
for i in 1 2 3; do
	mkdir -p "$repo/images/ssh$i"
	sed "1a # bench copy $i" "$repo/script/03_sshd.sh" >"$repo/script/03_sshd$i.sh"
	printf '.PHONY: sshd%s\nsshd%s:\n\t$(call link,$@,script,03)\n\t$(call link,sshd,boot,10)\n\t$(call service,sshd)\n' "$i" "$i" >"$repo/make/sshd$i.mk"
	sed "s/^IMAGE = ssh$/IMAGE = ssh$i/; s/^prepare: sshd /prepare: sshd$i /" "$repo/images/ssh/Makefile" >"$repo/images/ssh$i/Makefile"
	grep -q "^IMAGE = ssh$i$" "$repo/images/ssh$i/Makefile"
	grep -q "^prepare: sshd$i " "$repo/images/ssh$i/Makefile"
done
if [ -z "${DMAKE:-}" ]; then
	(cd "$here" && go build -o "$work/dmake" ./cmd/dmake)
	DMAKE=$work/dmake
fi
export DOCKER_HOME=$repo

builder=()
[ -z "${BUILDER:-}" ] || builder=(--builder "$BUILDER")
dmake() { "$DMAKE" -C "$repo" --no-check "${builder[@]}" IMAGE_PREFIX=$P LABELS=$label "$@"; }

declare -A T
timed() { # timed LABEL CMD...: runs CMD, logs its output, records its wall time
	local name=$1 s e
	shift
	echo "== $name: $*" >>"$log"
	s=$EPOCHREALTIME
	if ! "$@" >"$work/out" 2>&1; then
		cat "$work/out" >>"$log"
		echo "FAILED: $name (see $log)" >&2
		KEEP=1
		exit 1
	fi
	e=$EPOCHREALTIME
	cat "$work/out" >>"$log"
	T[$name]=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }')
	# Steps each image ran (a step another build ran for it is not
	# counted): the copies' sshd steps must run in each.
	printf '  %-16s %8.3f s  (steps ran: %s)\n' "$name" "${T[$name]}" "$(grep -o 'cached, [0-9]* ran' "$work/out" | awk '{ printf "%s%s", sep, $2; sep = " " }')"
}
median() { # median LABEL: of the times recorded as "LABEL #n"
	local name=$1
	T[$name]=$(for k in "${!T[@]}"; do if [[ $k == "$name #"* ]]; then echo "${T[$k]}"; fi; done |
		sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
}

echo "bench/parallel.sh: three ssh copies, cold, -j$jobs vs serial, builder ${BUILDER:-default}; work dir $work"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
timed "base (untimed)" dmake base
serial() { dmake --no-parents -j1 ssh1 ssh2 ssh3 NOCACHE=1; }
parallel() { dmake --no-parents -j"$jobs" ssh1 ssh2 ssh3 NOCACHE=1; }
for ((r = 1; r <= repeat; r++)); do
	if ((r % 2)); then
		timed "serial #$r" serial
		timed "parallel #$r" parallel
	else
		timed "parallel #$r" parallel
		timed "serial #$r" serial
	fi
done
median serial
median parallel
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'serial %.3f s, -j%s %.3f s (medians of %s): parallel/serial = %s (target <= 0.6)\n' \
	"${T[serial]}" "$jobs" "${T[parallel]}" "$repeat" "$(awk -v a="${T[parallel]}" -v b="${T[serial]}" 'BEGIN { printf "%.2f", a / b }')"
