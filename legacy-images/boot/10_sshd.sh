#!/bin/bash
# 10_sshd.sh — host keys are made at first boot, so containers never share them.
set -e

mkdir -p /run/sshd
chmod 755 /run/sshd
if ! ls /etc/ssh/ssh_host_*_key >/dev/null 2>&1; then
	ssh-keygen -A
fi
echo "sshd: host keys $(ls /etc/ssh/ssh_host_*_key | xargs -n1 basename | tr '\n' ' ')"
