#!/bin/sh
echo "booting $(cat /etc/legacy/base)"
