#!/usr/bin/env bash
# test.sh — dmake's whole test suite, from a fresh Debian machine (as root):
# installs and starts what the tests need (a Docker engine, local base images,
# GNU make), runs every test with the engine tests mandatory, and stops the
# daemon it started. .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")"
t0=$(date +%s)
stage() { printf '[test %s +%ss] %s\n' "$(date +%T)" "$(( $(date +%s) - t0 ))" "$*"; }

stage "engine setup"
.ci/engine.sh up
trap '.ci/engine.sh down' EXIT
if [ -x /usr/bin/docker ]; then export PATH=/usr/bin:$PATH; fi

stage "go vet"
go vet ./...

stage "go test (engine tests mandatory)"
export DMAKE_ENGINE_TESTS=1
# -p 1: engine tests of different packages never share the daemon at once.
go test -p 1 -count=1 -timeout 60m ./... 2>&1 | tee /tmp/dmake-test.log
stage "done"
