#!/bin/bash
# expect: error syntax 4
set -e
if [ -d /etc/nginx ]; then
	echo "nginx is there"
rm -f /etc/nginx/sites-enabled/default
