#!/bin/sh
# expect: error not-executable 0
echo "booting" > /var/log/boot.log
