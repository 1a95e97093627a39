#!/usr/bin/env bash
# test.sh — dmake's whole test suite, from a fresh Debian machine (as root):
# installs and starts what the tests need (a Docker engine, local base images,
# GNU make, a standalone buildkitd and a local registry: .ci/engine.sh), runs
# every test with the engine tests mandatory and the DMAKE_BUILDKIT_ADDR,
# DMAKE_REGISTRY… variables of `.ci/engine.sh env` set, removes the
# containers and images the run created (labelled dev.dmake.test), and stops
# the daemons it started. .ci/run calls exactly this.
#
# Environment:
#   DMAKE_TEST_LOG   full `go test -v` log (default /tmp/dmake-test.log)
#   DMAKE_KEEP=1     keep what the run created (for debugging)
# The shared legacy images (dev.dmake.test=legacybuild, dmaketest/*) are a
# cache keyed by the content of legacy-images/, like the rootfs tarball: they
# are kept, and the next run rebuilds them only if legacy-images/ changed.
set -euo pipefail
cd "$(dirname "$0")"

label=dev.dmake.test
log=${DMAKE_TEST_LOG:-/tmp/dmake-test.log}
t0=$(date +%s)
stage_name=
stage_start=$t0
timings=()

# stage NAME starts a stage and reports how long the previous one took.
stage() {
	local now; now=$(date +%s)
	if [ -n "$stage_name" ]; then
		timings+=("$(printf '%-36s %5ss' "$stage_name" "$((now - stage_start))")")
		printf '[test %s +%ss] %s took %ss\n' "$(date +%T)" "$((now - t0))" "$stage_name" "$((now - stage_start))"
	fi
	stage_name=$1
	stage_start=$now
	[ -z "$stage_name" ] || printf '[test %s +%ss] %s\n' "$(date +%T)" "$((now - t0))" "$stage_name"
}

# finish STATUS: clean up what was set up, print the stage times, exit.
finish() {
	local status=$1
	stage "cleanup: prune what the run created, stop the daemons it started"
	if [ -n "$before" ]; then
		prune
		rm -rf "$before"
	fi
	if [ -n "$started" ]; then
		# Only what this run started: a daemon that already answered belongs to someone else.
		if [ -s "$started" ]; then .ci/engine.sh down $(cat "$started"); fi
		rm -f "$started"
	fi
	stage ""
	echo "[test] stage times:"
	local line
	for line in "${timings[@]}"; do echo "  $line"; done
	echo "  $(printf '%-36s %5ss' total "$(( $(date +%s) - t0 ))")"
	exit $status
}

# labelled KIND lists the ids of the containers or images labelled $label.
labelled() {
	case $1 in
	container) docker container ls -aq --no-trunc --filter "label=$label" ;;
	image) docker image ls -q --no-trunc --filter "label=$label" ;;
	esac 2>/dev/null | sort -u
}

# prune removes the labelled containers and images that did not exist before
# the run, except the shared legacy images.
prune() {
	[ "${DMAKE_KEEP:-}" != 1 ] || { echo "[test] DMAKE_KEEP=1: keeping what the run created"; return 0; }
	local keep ids pass
	ids=$(comm -13 "$before/container" <(labelled container) || true)
	if [ -n "$ids" ]; then
		echo "[test] removing $(wc -w <<<"$ids") containers"
		docker rm -f $ids >/dev/null 2>&1 || true
	fi
	keep=$(docker image ls -q --no-trunc --filter "label=$label=legacybuild" | sort -u)
	for pass in 1 2 3; do
		ids=$(comm -13 "$before/image" <(labelled image) | comm -23 - <(echo "$keep") || true)
		[ -n "$ids" ] || break
		[ $pass -gt 1 ] || echo "[test] removing $(wc -w <<<"$ids") images"
		# Children before parents: a failed removal is retried next pass.
		docker rmi -f $ids >/dev/null 2>&1 || true
	done
	ids=$(comm -13 "$before/image" <(labelled image) | comm -23 - <(echo "$keep") || true)
	[ -z "$ids" ] || echo "[test] could not remove $(wc -w <<<"$ids") images"
}

before=
started=
trap 'finish $?' EXIT

stage "engine setup"
if [ -x /usr/bin/docker ]; then export PATH=/usr/bin:$PATH; fi
started=$(mktemp)
DMAKE_STARTED=$started .ci/engine.sh up
eval "$(.ci/engine.sh env)"
before=$(mktemp -d)
labelled container >"$before/container"
labelled image >"$before/image"

stage "go build, vet, gofmt, go mod tidy, staticcheck"
go build ./...
go vet ./...
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
[ -z "$unformatted" ] || { echo "[test] gofmt needed: $unformatted" >&2; exit 1; }
go mod tidy -diff
staticcheck=$(go env GOPATH)/bin/staticcheck
[ -x "$staticcheck" ] || go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
"$staticcheck" ./...

stage "go test (engine tests mandatory)"
export DMAKE_ENGINE_TESTS=1
# -p 1: engine tests of different packages never share the daemon at once.
# The full -v log goes to $log; the console gets it without the RUN/PASS noise.
status=0
go test -p 1 -count=1 -timeout 60m -v ./... 2>&1 | tee "$log" |
	awk '!/^ *(=== (RUN|PAUSE|CONT|NAME)|--- PASS)/' || status=$?
skips=$(grep -c -- '--- SKIP' "$log" || true)
echo "[test] $skips skipped tests (full log: $log)"
grep -- '--- SKIP' "$log" | sed 's/^/[test]   /' || true

stage "GNU make's own test suite (conformance/gnu-make-suite.sh)"
conformance/gnu-make-suite.sh || status=$?
exit $status
