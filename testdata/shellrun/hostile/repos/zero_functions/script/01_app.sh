#!/bin/bash
set -e
. /build/script/functions.sh
touch /tmp/hostile-script
