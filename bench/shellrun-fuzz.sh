#!/usr/bin/env bash
# shellrun-fuzz.sh [SECONDS] — fuzzes the sandboxed dry run (FuzzDryRun)
# inside a throwaway debian:bookworm container: network none, the
# instrumented test binary and testdata mounted read-only, 2 GiB of memory.
# Afterwards `docker diff` of the container must list nothing but the fuzz
# cache and the mount points: no panic, no escape.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"; docker rm -f "$name" >/dev/null 2>&1 || true' EXIT
go test -c -fuzz FuzzDryRun -o "$work/fuzz.test" ./shellrun/sandbox
name=dmake-fuzz-$$
docker create --name "$name" --label dev.dmake.test=shellrun-fuzz --network none --memory 2g \
	-e DMAKE_FUZZ_ISOLATED=1 -w /w/shellrun/sandbox \
	-v "$work/fuzz.test:/fuzz.test:ro" -v "$PWD/testdata:/w/testdata:ro" \
	-v "$work/found:/w/shellrun/sandbox/testdata/fuzz" \
	debian:bookworm /fuzz.test -test.run '^$' -test.fuzz '^FuzzDryRun$' \
	-test.fuzztime "${secs}s" -test.fuzzcachedir /tmp/fuzzcache -test.parallel 2 >/dev/null
mkdir -p "$work/found"
status=0
docker start -a "$name" || status=$?
if [ -n "$(ls -A "$work/found" 2>/dev/null)" ]; then
	mkdir -p shellrun/sandbox/testdata/fuzz
	cp -r "$work/found/." shellrun/sandbox/testdata/fuzz/
	echo "failing inputs copied to shellrun/sandbox/testdata/fuzz/"
fi
echo "--- docker diff (expected: the fuzz cache under /tmp, the mount points)"
# (grep -v finds nothing when all is well: not a failure under pipefail.)
docker diff "$name" >"$work/diff.all"
grep -v -e '^C /tmp$' -e '^A /tmp/fuzzcache' -e '^A /fuzz.test$' -e '^A /w' -e '^C /w' "$work/diff.all" >"$work/diff" || true
cat "$work/diff"
if [ -s "$work/diff" ]; then
	echo "UNEXPECTED CHANGES in the container"
	status=1
fi
exit $status
