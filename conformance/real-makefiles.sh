#!/usr/bin/env bash
# real-makefiles.sh — runs real-world Makefiles (gathered from public
# repositories, kept OUTSIDE this project) through GNU make 4.3
# (/usr/bin/make) and dmake side by side, dry-run only, and compares
# stdout, stderr and exit status.
#
# Corpus layout: DIR/NNN-name/Makefile (plus a SOURCE file naming the
# repository, path and commit; never read by this script). The corpus is
# never committed here: regather it into ~/.cache/dmake-realmakefiles/corpus.
#
# Per case, each make runs in its own fresh copy of the case directory:
#   -n                 (default goal)
#   -n TARGET          for up to 3 explicit targets of the file, in file
#                      order, as `make -pn` lists them
#   -q, -q TARGET      the same goals under -q (output and exit status)
#   -pn                the data base, compared as the differential
#                      harness does (internal/maketest/dbdiff: variables
#                      with origin, flavor and value, rules, implicit
#                      rules, target and pattern variables, vpaths; not
#                      the banner, times, Directories or hash statistics),
#                      and the output around it as text
#   run                a real run of the default goal, when GNU make's -n
#                      of it succeeds and prints only echo/printf/touch/
#                      cp/mkdir/cat/rm/ln/true/test commands (or none):
#                      output, status and the files left (path, type,
#                      content hash) are compared
# A case directory holding a SKIP file (its reason inside) is not run.
# Safety: $(shell ...) runs at parse time even under -n, so both makes run
# with a scrubbed environment (HOME=copy, PATH=/usr/bin:/bin,
# DOCKER_HOST=unix:///nonexistent), under `timeout`, and as nobody when
# this script runs as root.
#
# Everything runs with TZ=UTC LC_ALL=C and no -j.
# Normalised before comparing: the program name (make/dmake, with or
# without a path), the copy's path, and make[N] levels.
#
# Usage: conformance/real-makefiles.sh [-d DMAKE] [-l LOG] [DIR]
#   -d DMAKE  the dmake binary (default: built from this checkout)
#   -l LOG    the diffs of every differing run (default DIR/../diffs.log)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
dmake= log=
while getopts d:l: opt; do
	case $opt in
	d) dmake=$OPTARG ;;
	l) log=$OPTARG ;;
	*) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
dir=${1:-$HOME/.cache/dmake-realmakefiles/corpus}
[ -d "$dir" ] || { echo "real-makefiles: no corpus at $dir" >&2; exit 2; }
log=${log:-$(dirname "$dir")/diffs.log}
per_run=${DMAKE_REAL_TIMEOUT:-10}

work=$(mktemp -d /tmp/realmk.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
if [ -z "$dmake" ]; then
	(cd "$root" && go build -o "$work/bin/dmake" ./cmd/dmake) || exit 1
	dmake=$work/bin/dmake
else
	mkdir -p "$work/bin" && cp "$dmake" "$work/bin/dmake" && dmake=$work/bin/dmake
fi
(cd "$root" && go build -o "$work/bin/dbdiff" ./internal/maketest/dbdiff) || exit 1
chmod -R a+rX "$work/bin"
gnu=/usr/bin/make

asuser=()
if [ "$(id -u)" = 0 ]; then
	asuser=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi

# run BIN COPYDIR ARGS... — one make run; writes COPYDIR.{out,err,rc}.
run() {
	local bin=$1 copy=$2
	shift 2
	(cd "$copy" && env -i HOME="$copy" PATH=/usr/bin:/bin LANG=C.UTF-8 \
		DOCKER_HOST=unix:///nonexistent DMAKE_CACHE_DIR=off \
		timeout -k 2 "$per_run" "${asuser[@]}" "$bin" "$@" \
		>"$copy.out" 2>"$copy.err" </dev/null)
	echo $? >"$copy.rc"
}

# norm COPYDIR — the normalised stdout+stderr+status of a run.
norm() {
	local copy=$1
	for s in out err; do
		echo "--- $s"
		sed -e "s#$copy#<DIR>#g" \
			-e 's#/tmp/realmk\.[A-Za-z0-9]*/bin/dmake#make#g' \
			-e 's#/usr/bin/make#make#g' \
			-e 's#\bdmake\b#make#g' \
			-e 's#make\[[0-9]*\]#make[N]#g' \
			"$copy.$s"
	done
	echo "--- rc $(cat "$copy.rc")"
	[ ! -f "$copy.tree" ] || { echo "--- files"; cat "$copy.tree"; }
}

# database — compares the -pn runs' data bases (dbdiff, after the
# normalisation of norm) into $work/db; empties both stdouts, so that norm
# compares only stderr and status.
database() {
	local c
	for c in gnu dmk; do
		sed -e "s#$work/$c#<DIR>#g" -e 's#/tmp/realmk\.[A-Za-z0-9]*/bin/dmake#make#g' \
			-e 's#/usr/bin/make#make#g' -e 's#\bdmake\b#make#g' \
			-e 's#make\[[0-9]*\]#make[N]#g' "$work/$c.out" >"$work/$c.p"
		: >"$work/$c.out"
	done
	"$work/bin/dbdiff" "$work/gnu.p" "$work/dmk.p" >"$work/db"
}

# tree COPYDIR — the files a run left: path, type and content hash.
tree() {
	(cd "$1" && find . -mindepth 1 -printf '%y %P\n' | LC_ALL=C sort |
		while read -r ty p; do
			if [ "$ty" = f ]; then echo "f $p $(md5sum <"$p" | cut -c1-32)"
			elif [ "$ty" = l ]; then echo "l $p -> $(readlink "$p")"
			else echo "$ty $p"; fi
		done) >"$1.tree"
}

# runnable COPYDIR — whether a -n run of COPYDIR succeeded and printed only
# commands safe to run for real.
runnable() {
	[ "$(cat "$1.rc")" = 0 ] || return 1
	! grep -vqE '^[[:space:]]*((echo|printf|touch|cp|mkdir|cat|rm|ln|true|test|:)([[:space:]]|$)|$)' "$1.out"
}

# fresh NAME CASEDIR — a fresh, nobody-writable copy of CASEDIR.
fresh() {
	rm -rf "${work:?}/$1" "$work/$1".*
	cp -r "$2" "$work/$1"
	rm -f "$work/$1/SOURCE"
	chmod -R a+rwX "$work/$1"
}

# targets CASEDIR — up to 3 explicit targets, in file order.
targets() {
	fresh probe "$1"
	(cd "$work/probe" && env -i HOME="$work/probe" PATH=/usr/bin:/bin \
		DOCKER_HOST=unix:///nonexistent timeout -k 2 "$per_run" \
		"${asuser[@]}" "$gnu" -pnrR -f Makefile 2>/dev/null) |
		awk '/^# Not a target:/ { skip = 1; next }
		     /^[^#\t .%$][^:=]*:([^=]|$)/ && !skip { t = $1; sub(/:.*/, "", t); if (t !~ /[%\/$(]/) print t }
		     { skip = 0 }' >"$work/probe.t"
	# Keep file order: the order of first appearance in the Makefile.
	while read -r t; do
		n=$(grep -n -m1 -E "^$t[[:space:]]*:" "$1/Makefile" | cut -d: -f1)
		[ -n "$n" ] && echo "$n $t"
	done <"$work/probe.t" | sort -n -u | awk '!seen[$2]++ { print $2 }' | head -3
}

: >"$log"
declare -A magree mdiffer
agree=0 differ=0 cases=0 cdiff=0 skipped=0
for c in "$dir"/*/; do
	c=${c%/}
	[ -f "$c/Makefile" ] || continue
	name=$(basename "$c")
	if [ -f "$c/SKIP" ]; then
		skipped=$((skipped + 1))
		echo "skip    $name: $(head -1 "$c/SKIP")"
		continue
	fi
	cases=$((cases + 1))
	ts=$(targets "$c")
	runs=("-n")
	for t in $ts; do runs+=("-n $t"); done
	runs+=("-q")
	for t in $ts; do runs+=("-q $t"); done
	runs+=("-pn")
	# A real run only when GNU make's dry run shows it is safe.
	fresh gnu "$c" && run "$gnu" "$work/gnu" -n
	runnable "$work/gnu" && runs+=("run")
	bad=0
	for args in "${runs[@]}"; do
		mode=${args%% *}
		set -- $args
		[ "$mode" = run ] && set --
		# shellcheck disable=SC2086 # args is a word list on purpose
		fresh gnu "$c" && run "$gnu" "$work/gnu" "$@"
		# shellcheck disable=SC2086
		fresh dmk "$c" && run "$dmake" "$work/dmk" "$@"
		if [ "$mode" = -pn ]; then
			database
		elif [ "$mode" = run ]; then
			tree "$work/gnu" && tree "$work/dmk"
		fi
		if diff -u --label "GNU make" --label dmake <(norm "$work/gnu") \
			<(norm "$work/dmk") >"$work/d" && [ ! -s "$work/db" ]; then
			agree=$((agree + 1)) magree[$mode]=$((${magree[$mode]:-0} + 1))
		else
			differ=$((differ + 1)) bad=1 mdiffer[$mode]=$((${mdiffer[$mode]:-0} + 1))
			{ echo "=== $name: make $args"; cat "$work/d"; [ ! -f "$work/db" ] || cat "$work/db"; } >>"$log"
			echo "  differ: $name: make $args"
		fi
		rm -f "$work/gnu.tree" "$work/dmk.tree" "$work/db"
	done
	[ $bad = 0 ] && echo "ok      $name (${#runs[@]} runs)" || cdiff=$((cdiff + 1))
done
for m in -n -q -pn run; do
	echo "  mode $m: ${magree[$m]:-0} agree / ${mdiffer[$m]:-0} differ"
done
echo "real-makefiles: $cases cases ($skipped skipped), $((cases - cdiff)) agree fully," \
	"$cdiff differ; runs: $agree agree / $differ differ (diffs in $log)"
[ $differ = 0 ]
