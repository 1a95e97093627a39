#!/usr/bin/env bash
# record.sh [ID…] — runs each corpus script for real, once, and records its
# verdict in real.tsv (the dry run is compared with it by
# TestRealScriptsCorpus in shellrun/sandbox).
#
# Each script runs as `bash /build/script/FILE` (as --check-scripts and the
# legacy install.sh run install scripts) in a throwaway container of
# base.Dockerfile (debian:bookworm with Debian's apt sources and lists),
# with --network host: Debian's mirror is reachable, other hosts are not.
# A script with a context (INDEX.tsv's column 8: a directory under
# context/ of $CORPUS) first gets that directory's files copied to /, as the
# Dockerfile's ADD of the script's repository would put them.
# Verdicts:
#   ok            exit status 0
#   error         exit status N (column 3), not caused by the network alone
#   unreachable   failed, and the output shows a host other than Debian's
#                 mirror could not be reached (excluded from the rates)
#   skipped       not run: a runit run script (a service in the foreground
#                 never ends), or stopped after $TIMEOUT seconds
# New scripts go to PENDING.tsv; once recorded they move to INDEX.tsv.
# Scripts already in real.tsv are not run again unless named as ID
# arguments; --reclassify derives the verdicts again from the kept logs.
# Two containers at a time, niced; downloaded .debs are kept in
# $CACHE (one directory per slot) between runs. Logs go to $LOGS.
set -euo pipefail
cd "$(dirname "$0")"
TIMEOUT=${TIMEOUT:-900}
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dmake-realscripts/apt}
LOGS=${LOGS:-${XDG_CACHE_HOME:-$HOME/.cache}/dmake-realscripts/logs}
# The scripts (scripts/ID.sh) and contexts (context/NAME/) are kept out of
# the repository, in $DMAKE_REALSCRIPTS (as TestRealScriptsCorpus reads them).
CORPUS=${DMAKE_REALSCRIPTS:-${XDG_CACHE_HOME:-$HOME/.cache}/dmake-realscripts/corpus}
BASE=dmake-realscripts/bookworm
mkdir -p "$CACHE/0" "$CACHE/1" "$CACHE/2" "$LOGS"
nice docker build -q --network host -t "$BASE" -f base.Dockerfile . >/dev/null
touch real.tsv

# add-apt-repository's PPA lookup fails with an AttributeError on .people
# when Launchpad cannot be reached.
# unreachable matches what curl, wget, apt, pip, git, gpg and others print
# when a host cannot be resolved or reached.
unreachable='Could not resolve|unable to resolve host|Temporary failure (in name )?resolving|Temporary failure in name resolution|Name or service not known|Failed to connect to|Network is unreachable|No route to host|Failed to establish a new connection|getaddrinfo|keyserver receive failed|Could not connect to|Connection refused|Failed to fetch https?://[^ ]*|Cannot initiate the connection|nodename nor servname|Could not read from remote repository|object has no attribute .people.'

run_one() { # id role file context
	local id=$1 role=$2 file=$3 ctx=${4:-} name="dmake-realscripts-$1" ctxarg=()
	local log="$LOGS/$id.log" verdict status=0 note="" slot fd
	if [ "$role" = runit ]; then
		printf '%s\tskipped\t\trunit run script: a foreground service never ends\n' "$id"
		return
	fi
	# A free apt cache: apt locks it, and two runs at once use two.
	for slot in 0 1 2; do
		exec {fd}>"$CACHE/$slot.lock"
		if flock -n "$fd"; then break; fi
		exec {fd}>&-
	done
	if [ -n "$ctx" ]; then
		ctxarg=(-v "$CORPUS/context/$ctx:/dmake-context:ro")
	fi
	nice docker run --rm --name "$name" --network host \
		-v "$CORPUS/scripts/$file:/dmake-script:ro" "${ctxarg[@]}" \
		-v "$CACHE/$slot:/var/cache/apt/archives" \
		"$BASE" bash -c 'if [ -d /dmake-context ]; then cp -a /dmake-context/. /; fi
			mkdir -p /build/script && cp /dmake-script "/build/script/$1" &&
			exec timeout -k 10 "$2" bash "/build/script/$1"' run "$(basename "$file")" "$TIMEOUT" \
		</dev/null >"$log" 2>&1 || status=$?
	if [ "$status" = 125 ]; then # docker run itself failed: nothing ran
		echo "record.sh: $id: docker run failed: $(tail -n 1 "$log")" >&2
		return
	fi
	echo "$status" >"$LOGS/$id.status"
	classify "$id" "$status" "$log"
}

# classify ID STATUS LOG prints real.tsv's line for a run that ended with
# STATUS: unreachable when it failed as a network tool fails on a host it
# cannot reach (curl's 6 and 7, wget's 4) or when its last lines say a
# host other than Debian's mirror could not be reached.
classify() {
	local id=$1 status=$2 log=$3 verdict note=""
	if [ "$status" = 0 ]; then
		verdict=ok
	elif [ "$status" = 124 ] || [ "$status" = 137 ]; then
		verdict=skipped note="stopped after ${TIMEOUT}s"
	elif [ "$status" = 4 ] || [ "$status" = 6 ] || [ "$status" = 7 ] ||
		grep -v '^\s*$' "$log" | tail -n 3 | grep -E "$unreachable" | grep -vq 'deb\.debian\.org'; then
		verdict=unreachable
	else
		verdict=error
	fi
	if [ -z "$note" ]; then
		note=$(tr -d '\r' <"$log" | grep -v '^\s*$' | tail -n 1 | tr '\t' ' ' | cut -c1-160)
	fi
	printf '%s\t%s\t%s\t%s\n' "$id" "$verdict" "$([ "$verdict" = ok ] || [ "$verdict" = skipped ] || echo "$status")" "$note"
}
export -f run_one classify
export TIMEOUT CACHE LOGS BASE unreachable

# --reclassify: the verdicts again from the logs of the recorded runs.
if [ "${1:-}" = --reclassify ]; then
	cut -f1 real.tsv | while read -r id; do
		if [ -f "$LOGS/$id.status" ]; then
			classify "$id" "$(cat "$LOGS/$id.status")" "$LOGS/$id.log"
		else
			grep -P "^\Q$id\E\t" real.tsv
		fi
	done >real.tsv.new
	mv real.tsv.new real.tsv
	exit
fi

# The scripts to run: those of INDEX.tsv (id, file, role, …) and of
# PENDING.tsv (new scripts, same columns, no header) not yet recorded, or
# the ones named.
touch PENDING.tsv
todo=$(mktemp)
trap 'rm -f "$todo" "$todo".*' EXIT
if [ $# -gt 0 ]; then
	for id in "$@"; do awk -F'\t' -v id="$id" '$1 == id' INDEX.tsv PENDING.tsv; done >"$todo"
else
	awk -F'\t' 'FILENAME == "real.tsv" { done[$1] = 1; next } FILENAME == "INDEX.tsv" && FNR == 1 { next } !($1 in done)' real.tsv INDEX.tsv PENDING.tsv >"$todo"
fi
# Two at a time, each verdict to $LOGS/ID.verdict; real.tsv is written
# once, at the end, with the verdicts of the runs that ended.
cut -f1 "$todo" | while read -r id; do rm -f "$LOGS/$id.verdict"; done
cut -f1-3,8 "$todo" | xargs -r -P 2 -n 1 -d '\n' bash -c 'IFS=$'"'"'\t'"'"' read -r id file role ctx <<<"$0"; run_one "$id" "$role" "$file" "$ctx" >"$LOGS/$id.verdict"' || true
cut -f1 "$todo" | while read -r id; do cat "$LOGS/$id.verdict" 2>/dev/null || true; done >>real.tsv
# Sorted by id, one line per script (a re-run replaces the old line).
sort -t $'\t' -k1,1 -s real.tsv | tac | awk -F'\t' '!seen[$1]++' | sort -t $'\t' -k1,1 >"$todo.sorted"
cp "$todo.sorted" real.tsv
# The recorded scripts of PENDING.tsv move to INDEX.tsv.
awk -F'\t' 'FILENAME == "real.tsv" { done[$1] = 1; next } $1 in done' real.tsv PENDING.tsv >>INDEX.tsv
awk -F'\t' 'FILENAME == "real.tsv" { done[$1] = 1; next } !($1 in done)' real.tsv PENDING.tsv >"$todo.pending"
cp "$todo.pending" PENDING.tsv
