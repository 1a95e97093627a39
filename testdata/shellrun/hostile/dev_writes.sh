#!/bin/bash
echo x > /dev/sda
dd if=/dev/zero of=/dev/sda bs=1M count=1
mknod /tmp/mem c 1 1
