#!/bin/bash
# 02_cron.sh — cron, run in the foreground by runit.
. /build/script/functions.sh

install_permanent cron

# No pam_loginuid in a container: it fails and takes the job with it.
sed -i 's/^session\s\+required\s\+pam_loginuid.so/session optional pam_loginuid.so/' /etc/pam.d/cron

# The daily jobs of a full system make no sense in a container.
rm -f /etc/cron.daily/apt-compat /etc/cron.daily/dpkg
