#!/bin/bash
# 02_runit.sh — runit supervises the services; my_init starts runsvdir.
. /build/script/functions.sh

install_permanent runit

# Debian's runit-helper would link packaged services into /etc/service; the
# images list their services themselves.
rm -f /etc/runit/runsvdir/default/* 2>/dev/null || true
