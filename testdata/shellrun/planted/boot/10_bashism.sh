#!/bin/sh
# expect: warning bash-only 4
if [ -f /etc/container_environment/HOSTNAME ]; then
	[[ -n "$HOSTNAME" ]] && echo "$HOSTNAME" > /etc/hostname
fi
