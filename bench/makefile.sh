#!/usr/bin/env bash
# bench/makefile.sh — GNU make vs dmake on a legacy-style tree of N
# components (each a .mk with a rule, a macro call and a few variables, all
# included by wildcard). For each N it times, cold and in one run on the same
# machine, "make -n build" against dmake's parse + evaluate + plan + recipe
# expansion of the same goal (bench/makefile-load), and prints both times,
# the ratio and peak memory (/usr/bin/time -v); and the same against the
# dmake command itself, "dmake -n build" with the load cache off
# (DMAKE_CACHE_DIR=off), the figure issue 19 sets (time <= 0.25x make's,
# peak memory <= make's).
#
#   bench/makefile.sh [N…]        default: 1000 10000 100000
#
# GNU make's time grows faster than linearly on such trees (each
# "COMPONENTS += x" copies the whole value); MAKE_TIMEOUT (seconds, default
# 900) bounds its run, and a run that hits it is reported as ">TIMEOUT".
set -euo pipefail
timeout_s=${MAKE_TIMEOUT:-900}
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/makefile-load" ./bench/makefile-load
go build -o "$work/dmake" ./cmd/dmake

gen() { # gen DIR N
	local d=$1 n=$2
	mkdir -p "$d/make/components" "$d/images/app"
	cat > "$d/make/common.mk" <<'MK'
IMAGE_PREFIX ?= legacy/
TAG = $(IMAGE_PREFIX)$(IMAGE)
BUILD = $(CURDIR)/build
define script
@echo 'RUN /bin/bash /build/script/$(1).sh' >> $(2)
@echo '# $(1) from $(3)' >> $(2)
endef
MK
	cat > "$d/images/app/Makefile" <<MK
DOCKER_HOME := $d
HOME := \$(DOCKER_HOME)
IMAGE = app
FROM = debian:bookworm
include \$(HOME)/make/common.mk
include \$(wildcard \$(HOME)/make/components/*.mk)
.PHONY: build prepare \$(COMPONENTS)
build: prepare
	@echo docker build -t \$(TAG) .
prepare: \$(COMPONENTS)
	@echo FROM \$(FROM) > \$(BUILD)/Dockerfile
MK
	awk -v n="$n" -v d="$d" 'BEGIN {
		for (i = 0; i < n; i++) {
			c = sprintf("c%06d", i)
			f = d "/make/components/" c ".mk"
			printf "COMPONENTS += %s\n", c > f
			printf "%s_DIR := $(HOME)/components/%s\n", c, c > f
			printf "%s_FILES = $(%s_DIR)/install.sh $(%s_DIR)/boot.sh\n", c, c, c > f
			printf "%s_PRIO ?= %02d\n", c, i % 100 > f
			printf "%s:\n\t$(call script,%s,$(BUILD)/Dockerfile,$(%s_FILES))\n\t@ln -sf $(%s_DIR)/install.sh $(BUILD)/script/$(%s_PRIO)_%s.sh\n", c, c, c, c, c, c > f
			close(f)
		}
	}'
}

measure() { # measure LABEL CMD… → "seconds maxrss_kb"
	local out
	out=$( { /usr/bin/time -v "$@" > /dev/null 2> "$work/err"; } 2>&1; cat "$work/err")
	local wall rss
	wall=$(grep 'Elapsed (wall clock)' "$work/err" | awk '{print $NF}')
	rss=$(grep 'Maximum resident set size' "$work/err" | awk '{print $NF}')
	# wall is [h:]m:ss.ss
	echo "$wall" | awk -F: -v rss="$rss" '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.3f %s\n", s, rss }'
}

printf '%8s %10s %10s %7s %12s %12s %10s %7s %12s\n' N make_s load_s ratio make_rss_kB load_rss_kB dmake_s ratio dmake_rss_kB
for n in "${sizes[@]}"; do
	d="$work/tree-$n"
	gen "$d" "$n"
	sync
	read -r mt mr < <(measure timeout "$timeout_s" make -n -C "$d/images/app" build)
	if awk -v t="$mt" -v l="$timeout_s" 'BEGIN { exit !(t >= l) }'; then mt=">$timeout_s"; fi
	read -r dt dr < <(measure "$work/makefile-load" -C "$d/images/app" build)
	read -r bt br < <(DMAKE_CACHE_DIR=off measure "$work/dmake" -n -C "$d/images/app" build)
	ratio=$(awk -v a="$dt" -v b="$mt" 'BEGIN { if (b + 0 > 0) printf "%.3f", a / b; else print "-" }')
	bratio=$(awk -v a="$bt" -v b="$mt" 'BEGIN { if (b + 0 > 0) printf "%.3f", a / b; else print "-" }')
	printf '%8s %10s %10s %7s %12s %12s %10s %7s %12s\n' "$n" "$mt" "$dt" "$ratio" "$mr" "$dr" "$bt" "$bratio" "$br"
	rm -rf "$d"
done
