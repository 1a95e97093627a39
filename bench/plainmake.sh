#!/usr/bin/env bash
# bench/plainmake.sh — a plain Makefile whose recipe runs docker build (no
# legacy repository), made by GNU make with the docker CLI (BuildKit,
# DOCKER_BUILDKIT=1) and by dmake, which takes the docker build over:
#
#   no-op   nothing changed since the last build
#   edit    one file a late COPY sends has changed
#
# Each case runs REPEAT times (default 5), GNU make and dmake in turns,
# each under its own tag (one's build must not make the other's stale);
# medians are compared, dmake/make. The image is small (debian:bookworm
# and three short steps), so what is measured is what each does around the
# build: the CLI sends the context and has BuildKit solve every step
# again to find it cached; dmake sends nothing when the inputs are the
# ones its image was built from.
#
# dmake dry-runs the two RUN lines in its sandbox before it sends the
# edit; NOCHECK=1 measures it with --no-check, without that dry run.
#
# Usage: bench/plainmake.sh   (needs the engine, GNU make, the docker CLI
# and debian:bookworm). Environment: REPEAT, NOCHECK, KEEP=1 keeps the work
# dir.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repeat=${REPEAT:-5}
work=$(mktemp -d /tmp/dmake-bench-plain.XXXXXX)
docker=/usr/bin/docker
[ -x $docker ] || docker=$(command -v docker)
cleanup() {
	if [ "${KEEP:-}" = 1 ]; then echo "kept $work"; return; fi
	for t in make dmake; do $docker rmi "plainbench/$t" >/dev/null 2>&1 || true; done
	$docker image prune -f --filter label=dev.dmake.bench=1 >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/app"
cat >"$work/Makefile" <<'MK'
TAG ?= make
all: image
image:
	docker build --network host --label dev.dmake.bench=1 -t plainbench/$(TAG) app
MK
cat >"$work/app/Dockerfile" <<'DF'
FROM debian:bookworm
COPY config /etc/app/config
RUN cp /etc/os-release /etc/app/release && ls /etc/app > /etc/app/list
COPY late.txt /etc/app/late.txt
RUN cat /etc/app/late.txt > /etc/app/seen
DF
echo "port 80" >"$work/app/config"
echo "0" >"$work/app/late.txt"
(cd "$here" && go build -o "$work/dmake" ./cmd/dmake)
export DOCKER_BUILDKIT=1
run() { # TOOL: make with the docker CLI, or dmake
	case $1 in
	make) make -C "$work" TAG=make ;;
	dmake) "$work/dmake" -C "$work" --progress plain ${NOCHECK:+--no-check} TAG=dmake ;;
	esac
}
for t in make dmake; do run $t >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }; done

declare -A T
n=0
for i in $(seq "$repeat"); do
	for c in no-op edit; do
		if [ $c = edit ]; then
			n=$((n + 1))
			echo "$n" >"$work/app/late.txt"
		fi
		for t in make dmake; do
			s=$EPOCHREALTIME
			run $t >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
			e=$EPOCHREALTIME
			if [ $t = dmake ] && [ $c = no-op ]; then
				grep -q 'up to date.*nothing sent' "$work/log" || { echo "bench/plainmake.sh: dmake rebuilt on a no-op:" >&2; cat "$work/log" >&2; exit 1; }
			fi
			T[$c,$t]+="$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.4f", e - s }') "
		done
	done
done
median() { printf '%s\n' $1 | sort -n | awk '{ v[NR] = $1 } END { printf "%.4f", v[int((NR + 1) / 2)] }'; }
printf '%-7s %10s %10s %8s\n' case "make+CLI" dmake ratio
for c in no-op edit; do
	m=$(median "${T[$c,make]}")
	d=$(median "${T[$c,dmake]}")
	printf '%-7s %8.0f ms %7.0f ms %7.2fx\n' $c "$(awk -v t="$m" 'BEGIN { print t * 1000 }')" "$(awk -v t="$d" 'BEGIN { print t * 1000 }')" "$(awk -v m="$m" -v d="$d" 'BEGIN { print d / m }')"
done
uptime
