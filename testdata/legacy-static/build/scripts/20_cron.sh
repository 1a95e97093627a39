#!/bin/sh
set -e
echo cron >> /etc/stages
mkdir -p /etc/service/cron /var/spool/cron/crontabs
cp /build/runit/cron/run /etc/service/cron/run
chmod 0700 /etc/service/cron/run
echo '*/5 * * * * /bin/true' > /var/spool/cron/crontabs/root
chmod 0600 /var/spool/cron/crontabs/root
