#!/bin/sh
set -e
echo web >> /etc/stages
mkdir -p /etc/service/web /var/www
echo '<h1>static</h1>' > /var/www/index.html
chmod 0644 /var/www/index.html
cp /build/runit/web/run /etc/service/web/run
chmod 0755 /etc/service/web/run
