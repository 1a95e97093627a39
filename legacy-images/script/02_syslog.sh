#!/bin/bash
# 02_syslog.sh — a small syslog daemon (busybox syslogd) so that daemons
# logging to /dev/log (cron, sshd) are heard.
. /build/script/functions.sh

install_permanent busybox
mkdir -p /var/log
touch /var/log/syslog
