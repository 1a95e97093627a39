#!/bin/bash
# expect: error failed 5
set -e
mkdir -p /etc/app
cp /etc/app.conf.dist /etc/app/app.conf
echo "never reached"
