#!/bin/bash
# The script's effects: the dry run must model them, never run them.
set -e
. /build/script/functions.sh
say installing
touch /tmp/hostile-script
echo pwned > /etc/hostile-script
rm -rf /usr/share/doc
