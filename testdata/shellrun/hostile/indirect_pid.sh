#!/bin/bash
# ${!p} reads the variable named by p: with p=PPID or '$' the interpreter
# would answer the host's pids.
p=PPID; q='$'
echo "${!p} ${!q}" >/tmp/pids
cat /tmp/pids
kill -0 "${!p}"
