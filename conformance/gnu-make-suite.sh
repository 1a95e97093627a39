#!/usr/bin/env bash
# gnu-make-suite.sh — runs GNU make 4.3's own regression suite
# (tests/run_make_tests.pl from Debian's make-dfsg source package) against
# /usr/bin/make and against dmake, side by side, and prints a table per
# category and the subtests that pass for GNU make but fail for dmake.
#
# The suite is never copied into this project: it is fetched with
# `apt-get source make-dfsg` (a deb-src entry is added if apt has none)
# into $DMAKE_SUITE_CACHE (default /var/cache/dmake/make-dfsg) and copied
# to a temporary directory for each run. Only the two driver files are
# adapted, by conformance/driver.patch, which is printed; tests/scripts is
# used as shipped.
#
# dmake runs twice: with its load cache (a private $DMAKE_CACHE_DIR) and
# without (DMAKE_CACHE_DIR=off). The run fails (exit 1) when
#   - a subtest's result differs between the two dmake runs (checked again
#     once, alone, so that a subtest whose outcome varies with timing is
#     not taken for a cache difference), or
#   - dmake passes fewer subtests than conformance/floor says.
# Raise the floor as dmake improves. Scripts listed in
# conformance/unstable (dmake's result varies with timing there) are run
# and shown but left out of both checks.
#
# Usage: conformance/gnu-make-suite.sh [-d DMAKE] [-o DIR] [SCRIPT...]
#   -d DMAKE  the dmake binary (default: built from this checkout)
#   -o DIR    keep the work directories, logs and the diff of every failed
#             subtest (DIR/dmake.diffs/SCRIPT.diff[.N]) in DIR
#   SCRIPT    run only these scripts (e.g. features/jobserver); no floor
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cache=${DMAKE_SUITE_CACHE:-/var/cache/dmake/make-dfsg}
per_script=${DMAKE_SUITE_TIMEOUT:-120}
dmake= out=
while getopts d:o: opt; do
	case $opt in
	d) dmake=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

log() { printf '[suite %s] %s\n' "$(date +%T)" "$*" >&2; }

# fetch makes sure $cache/make-dfsg-*/tests exists.
fetch() {
	local d
	d=$(ls -d "$cache"/make-dfsg-4.3*/tests 2>/dev/null | head -n1 || true)
	if [ -n "$d" ]; then echo "$d"; return; fi
	log "fetching GNU make's test suite: apt-get source make-dfsg into $cache"
	if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		local suite
		suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
		cat >/etc/apt/sources.list.d/dmake-deb-src.sources <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	fi
	apt-get update -qq >&2
	mkdir -p "$cache"
	(cd "$cache" && apt-get source -qq make-dfsg >&2)
	d=$(ls -d "$cache"/make-dfsg-4.3*/tests 2>/dev/null | head -n1 || true)
	[ -n "$d" ] || { log "apt-get source make-dfsg gave no make-dfsg-4.3*/tests in $cache"; exit 2; }
	echo "$d"
}

# need installs the Debian packages whose commands the suite runs.
need() {
	local missing=() c
	for c in perl:perl patch:patch timeout:coreutils dpkg-source:dpkg-dev; do
		command -v "${c%%:*}" >/dev/null || missing+=("${c#*:}")
	done
	[ ${#missing[@]} -eq 0 ] && return
	log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 ||
		{ apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2; }
}

need
tests=$(fetch)
work=${out:-$(mktemp -d /tmp/dmake-suite.XXXXXX)}
mkdir -p "$work"
[ -n "$out" ] || trap 'rm -rf "$work"' EXIT
if [ -z "$dmake" ]; then
	dmake=$work/bin/dmake
	log "building dmake"
	(cd "$root" && go build -o "$dmake" ./cmd/dmake)
fi
dmake=$(cd "$(dirname "$dmake")" && pwd)/$(basename "$dmake")

log "the suite's driver, as adapted (conformance/driver.patch):"
cat "$here/driver.patch" >&2

# prepare NAME makes $work/NAME/src/tests, a patched copy of the suite.
prepare() {
	local dir=$work/$1/src
	rm -rf "$work/$1"
	mkdir -p "$dir"
	cp -r "$tests" "$dir/tests"
	# The driver takes -srcdir only where src/gnumake.h exists.
	mkdir -p "$dir/src" && : >"$dir/src/gnumake.h"
	sed 's/@[A-Z_]*@//' "$dir/tests/config-flags.pm.in" >"$dir/tests/config-flags.pm"
	(cd "$dir" && patch -s -p0 <"$here/driver.patch")
}

# scripts lists the suite's scripts (category/name) that apply here.
scripts() {
	(cd "$tests/scripts" && find . -type f ! -name '*~' | sed 's|^\./||' |
		grep -v -e '^vms/' -e '^test_template' | sort)
}

# run NAME PROG ENV... runs every script of $list with PROG, one driver
# run per script (a hanging script is killed after $per_script seconds and
# counts as failed), and leaves NAME.results: "script passed total".
run() {
	local name=$1 prog=$2; shift 2
	local dir=$work/$name/src/tests s line res passed total
	prepare "$name"
	: >"$work/$name.results"
	: >"$work/$name.failed"
	rm -rf "$work/$name.diffs" && mkdir -p "$work/$name.diffs"
	for s in $list; do
		res=$(cd "$dir" && env "$@" timeout -k 5 "$per_script" \
			perl run_make_tests.pl -srcdir "$work/$name/src" -make "$prog" "$s" 2>&1 |
			tee -a "$work/$name.log" | grep -E "^$s \\.|FAILED \\(|ok +\\(|N/A|timed out" || true)
		if grep -q 'N/A' <<<"$res"; then continue; fi
		if line=$(grep -oE 'ok +\(([0-9]+) passed\)' <<<"$res"); then
			passed=$(grep -oE '[0-9]+' <<<"$line"); total=$passed
		elif line=$(grep -oE 'FAILED \(([0-9]+)/([0-9]+) passed\)' <<<"$res"); then
			passed=$(grep -oE '[0-9]+' <<<"$line" | sed -n 1p)
			total=$(grep -oE '[0-9]+' <<<"$line" | sed -n 2p)
		else
			passed=0 total=?
		fi
		echo "$s $passed $total" >>"$work/$name.results"
		# One line per failed subtest: the driver leaves a .diff for
		# each in its work directory, which its next run empties.
		(cd "$dir/work" 2>/dev/null && find . -name '*.diff*' | sed 's|^\./||; s|\.diff$|.diff.0|') >>"$work/$name.failed" || true
		# Keep the diffs (with -o DIR: DIR/NAME.diffs/SCRIPT.diff.N).
		(cd "$dir/work" 2>/dev/null && find . -name '*.diff*' -exec cp --parents {} "$work/$name.diffs/" \;) || true
	done
	sort -o "$work/$name.failed" "$work/$name.failed"
}

list=${*:-$(scripts)}
log "GNU make: $(wc -w <<<"$list") scripts"
run gnu /usr/bin/make
log "dmake, load cache on"
mkdir -p "$work/cache"
run dmake "$dmake" DMAKE_CACHE_DIR="$work/cache"
log "dmake, load cache off"
run dmake-nocache "$dmake" DMAKE_CACHE_DIR=off

# A script whose subtests differ between cache on and off is run again,
# alone, both ways: only a difference that repeats is the cache's.
status=0
unstable=$(awk '!/^#/ && NF { print $1 }' "$here/unstable" | sort -u)
differ=$(comm -3 "$work/dmake.failed" "$work/dmake-nocache.failed" | sed 's/^\t//; s|\.diff\.[0-9]*$||' | sort -u |
	comm -23 - <(echo "$unstable"))
for s in $differ; do
	log "cache on and off differ on $s: running it again both ways"
	list=$s
	run dmake-recheck-on "$dmake" DMAKE_CACHE_DIR="$work/cache"
	run dmake-recheck-off "$dmake" DMAKE_CACHE_DIR=off
	if ! cmp -s "$work/dmake-recheck-on.failed" "$work/dmake-recheck-off.failed"; then
		echo "FAIL: $s: the load cache changes the result:" >&2
		diff "$work/dmake-recheck-on.failed" "$work/dmake-recheck-off.failed" | sed 's/^/  /' >&2 || true
		status=1
	fi
done

# The table: per category, subtests passed by GNU make and by dmake.
awk '
FILENAME ~ /gnu.results$/   { split($1, p, "/"); c = p[1]; gp[c] += $2; gt[c] += ($3 == "?" ? 0 : $3); gtot[$1] = $3; cats[c] = 1; next }
                            { split($1, p, "/"); c = p[1]; dp[c] += $2; if ($2 == $3) ds[c]++; ns[c]++ }
END {
	printf "%-12s %12s %12s %9s\n", "category", "GNU make", "dmake", "scripts"
	for (c in cats) {
		printf "%-12s %5d/%-6d %5d/%-6d %4d/%-4d\n", c, gp[c], gt[c], dp[c], gt[c], ds[c], ns[c]
		GP += gp[c]; GT += gt[c]; DP += dp[c]; DS += ds[c]; NS += ns[c]
	}
	printf "%-12s %5d/%-6d %5d/%-6d %4d/%-4d\n", "total", GP, GT, DP, GT, DS, NS
}' "$work/gnu.results" "$work/dmake.results" >"$work/table"
head -n1 "$work/table"
sed 1d "$work/table" | grep -v '^total ' | sort
grep '^total ' "$work/table"

echo
echo "subtests GNU make passes and dmake fails (work/SCRIPT.diff.N; N from 0):"
comm -13 "$work/gnu.failed" "$work/dmake.failed" | sed 's/^/  /'

dpassed=$(awk 'FILENAME ~ /unstable$/ { if (!/^#/ && NF) skip[$1] = 1; next }
	!skip[$1] { n += $2 } END { print n + 0 }' "$here/unstable" "$work/dmake.results")
if [ $# -eq 0 ]; then
	floor=$(awk '$1 == "floor" { print $2 }' "$here/floor")
	echo
	echo "dmake passes $dpassed subtests outside conformance/unstable; the floor (conformance/floor) is $floor"
	if [ "$dpassed" -lt "$floor" ]; then
		echo "FAIL: dmake passes fewer subtests ($dpassed) than the floor ($floor)" >&2
		status=1
	fi
fi
exit $status
