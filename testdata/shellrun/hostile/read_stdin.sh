#!/bin/bash
read -s secret
read -r line < /dev/tty
read -r -t 5 x
echo "got: $secret $line"
