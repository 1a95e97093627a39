#!/usr/bin/env bash
# bench/symlinker.sh — a 100-line link recipe (mkdir -p, ln -sf, chmod) run
# through mvdan/sh's interpreter with the symlinker, and with every command
# forked as the real coreutils binary; prints both times and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench 'LinkRecipe' -benchtime "${BENCHTIME:-50x}" ./symlinker |
	awk '/LinkRecipe\/symlinker/ { s = $3 } /LinkRecipe\/fork/ { f = $3 }
	     END { if (!s || !f) exit 1
	           printf "100-line link recipe: symlinker %.2f ms, fork %.2f ms, %.1fx faster\n", s/1e6, f/1e6, f/s }'
