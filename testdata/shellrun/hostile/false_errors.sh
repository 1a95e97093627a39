#!/bin/bash
# Finding 10: valid bash that must not be reported as an error.
pwd() { builtin pwd; }
pwd
declare -i n=3
n+=1
unset TMPDIR
set -e
ls / >/dev/null
