#!/bin/bash
# Every prefix that runs a builtin without a function lookup: each must
# still be answered from the virtual FS, not the host.
pwd(){ builtin pwd "$@"; }
pwd -P
command -- pwd -P
command -p pwd -P
builtin -- pwd -P
command -p type -P bash
command -- type -P sshd
command -pv docker
command -- source /etc/profile
command -p . /etc/profile
builtin eval 'command -- pwd -P'
command -p trap 'command -- pwd -P' EXIT
