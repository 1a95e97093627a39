#!/bin/bash
set -e
for s in /build/script/[0-9][0-9]_*.sh; do
	/bin/bash "$s"
done
rm -rf /build
