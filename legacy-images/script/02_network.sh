#!/bin/bash
# 02_network.sh — tools the network boot script needs (ip).
. /build/script/functions.sh

install_permanent iproute2
