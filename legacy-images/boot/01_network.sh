#!/bin/bash
# 01_network.sh — the interface the container talks on, for the services.
#
# NETWORK_INTERFACE  the interface (default: the one of the default route in
#                    the routing table, else lo; the old scripts said eth0)
#
# Writes NETWORK_INTERFACE and NETWORK_ADDRESS (its first IPv4 address) to
# the container environment.
set -e

env_dir=/etc/container_environment

iface=${NETWORK_INTERFACE:-}
if [ -z "$iface" ]; then
	iface=$(awk '$2 == "00000000" { print $1; exit }' /proc/net/route)
fi
iface=${iface:-lo}

addr=$(ip -4 -o addr show dev "$iface" 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }')

echo -n "$iface" >$env_dir/NETWORK_INTERFACE
echo -n "$addr" >$env_dir/NETWORK_ADDRESS
echo "network: interface $iface, address ${addr:-none}"
