#!/bin/bash
# 00_env.sh — container-wide settings from the container environment.
#
# TZ    time zone (default Etc/UTC), when the zone data is installed
set -e

tz=${TZ:-Etc/UTC}
if [ -e "/usr/share/zoneinfo/$tz" ]; then
	ln -sf "/usr/share/zoneinfo/$tz" /etc/localtime
	echo "$tz" >/etc/timezone
fi

echo "env: $(ls /etc/container_environment | tr '\n' ' ')"
