#!/bin/sh
set -e
echo init >> /etc/stages
mkdir -p /etc/service /srv /sbin
mkdir -p -m 0750 /srv/data
cp /build/boot/start.sh /sbin/start
chmod 0755 /sbin/start
